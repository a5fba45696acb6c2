//! Input hygiene, status, assertion count, signatures and wrapping.

use super::*;
use crate::saml_sp::signature;
use protocols::xml::ns;

// ---- hygiene (SAML-DTD-1, SAML-DTD-2) ----

#[test]
fn doctype_with_external_entity_is_refused_before_any_parser() {
    let body = valid().to_xml().replace(ALICE, "&xxe;");
    let xml = format!(
        r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>{body}"#
    );
    assert_rejected!(check_text(&xml), SamlRejection::DoctypeForbidden);
    // Lower case, and an ENTITY without a DOCTYPE.
    assert_rejected!(
        check_text(&xml.to_lowercase()),
        SamlRejection::DoctypeForbidden
    );
    let entity_only = format!("<!ENTITY x 'y'>{body}");
    assert_rejected!(check_text(&entity_only), SamlRejection::EntityForbidden);
}

#[test]
fn billion_laughs_is_refused_quickly() {
    let mut dtd = String::from(r#"<!ENTITY lol0 "lol">"#);
    for i in 1..10 {
        let refs = format!("&lol{};", i - 1).repeat(10);
        dtd.push_str(&format!(r#"<!ENTITY lol{i} "{refs}">"#));
    }
    let xml = format!(
        r#"<?xml version="1.0"?><!DOCTYPE lolz [{dtd}]><samlp:Response xmlns:samlp="{}">&lol9;</samlp:Response>"#,
        ns::SAMLP
    );
    let started = std::time::Instant::now();
    assert_rejected!(check_text(&xml), SamlRejection::DoctypeForbidden);
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
}

#[test]
fn oversize_garbage_and_deep_inputs_are_refused() {
    let st = MemState::default();
    let v = |b64: &str| validate_response(&cfg(), b64, &st, &Flaws::none(), now());
    assert_rejected!(
        v(&"A".repeat(MAX_RESPONSE_BYTES * 2 + 4)),
        SamlRejection::TooLarge { .. }
    );
    let just_over = b64_encode(vec![b' '; MAX_RESPONSE_BYTES + 1]);
    assert_rejected!(v(&just_over), SamlRejection::TooLarge { .. });
    assert_rejected!(v("not*base64"), SamlRejection::NotBase64);
    assert_rejected!(v(&b64_encode([0xff, 0xfe, 0x00])), SamlRejection::NotUtf8);
    assert_rejected!(check_text("<a><b></a>"), SamlRejection::MalformedXml { .. });
    // Deep nesting would overflow the stack of a recursive tree; the byte scan stops it first.
    let deep = format!("{}{}", "<a>".repeat(60_000), "</a>".repeat(60_000));
    assert_rejected!(check_text(&deep), SamlRejection::TooDeep { .. });
    // An AuthnRequest (or any other root) posted to the ACS.
    let req = protocols::saml::build_authn_request(&protocols::saml::AuthnRequestSpec {
        id: "_x".into(),
        issue_instant: now(),
        issuer: SP.into(),
        destination: None,
        acs_url: None,
        protocol_binding: None,
        name_id_policy: None,
        force_authn: None,
        is_passive: None,
        subject_name_id: None,
    });
    assert_rejected!(check_text(&req), SamlRejection::NotAResponse { .. });
    // "Response" in the wrong namespace.
    let fake = valid().to_xml().replace(ns::SAMLP, "urn:evil");
    assert_rejected!(check_text(&fake), SamlRejection::NotAResponse { .. });
}

#[test]
fn mangled_responses_never_panic() {
    let doc = sign(&spec(), SignaturePlacement::Both).to_document();
    let bytes = doc.as_bytes();
    for i in (0..bytes.len()).step_by(23) {
        let _ = check_text(&String::from_utf8_lossy(&bytes[..i]));
        for b in [b'<', b'"', b'x'] {
            let mut m = bytes.to_vec();
            m[i] = b;
            let _ = check_text(&String::from_utf8_lossy(&m));
        }
    }
}

// ---- status and shape (SAML-STS-1, SAML-TWO-1) ----

#[test]
fn status_responder_authn_failed_is_refused_with_its_codes() {
    let s = ResponseSpec::error(
        "_err1",
        now(),
        Some(ACS.into()),
        Some(REQ.into()),
        spec().issuer,
        StatusSpec {
            code: uri::STATUS_RESPONDER.into(),
            second_level: Some(uri::STATUS_AUTHN_FAILED.into()),
            message: Some("user locked".into()),
        },
    );
    let r = sign(&s, SignaturePlacement::Response);
    let e = check(&r).unwrap_err();
    assert_eq!(
        e,
        SamlRejection::StatusNotSuccess {
            code: uri::STATUS_RESPONDER.into(),
            second_level: Some(uri::STATUS_AUTHN_FAILED.into()),
            message: Some("user locked".into()),
        }
    );
    assert_eq!(e.code(), "status-not-success");
    // A non-success status beside an assertion is still a failure.
    let s = spec_with(|s| s.status.code = uri::STATUS_REQUESTER.into());
    assert_rejected!(
        check(&sign(&s, SignaturePlacement::Both)),
        SamlRejection::StatusNotSuccess { .. }
    );
}

#[test]
fn two_assertions_are_refused_whichever_is_signed() {
    for evil_first in [true, false] {
        let mut r = valid();
        let i = assertion_index(&r);
        let evil = evil_clone(assertion_mut(&mut r), "_second", "mallory@evil.example");
        insert(&mut r, if evil_first { i } else { i + 1 }, evil);
        assert_rejected!(check(&r), SamlRejection::MultipleAssertions { found: 2 });
    }
}

#[test]
fn encrypted_and_missing_assertions_are_refused() {
    let mut r = valid();
    let i = assertion_index(&r);
    r.children[i] = Node::Element(
        Element::new("saml2", "EncryptedAssertion")
            .ns("saml2", ns::SAML)
            .child(
                Element::new("xenc", "EncryptedData")
                    .ns("xenc", "http://www.w3.org/2001/04/xmlenc#"),
            ),
    );
    assert_rejected!(check(&r), SamlRejection::EncryptedAssertionUnsupported);

    let mut r = valid();
    take_assertion(&mut r);
    assert_rejected!(check(&r), SamlRejection::NoAssertion);

    let mut r = sign(&spec(), SignaturePlacement::None);
    assertion_mut(&mut r).remove_attr("ID");
    assert_rejected!(check(&r), SamlRejection::MissingAssertionId);
}

// ---- signatures (SAML-SIG-1..4) ----

#[test]
fn unsigned_response_is_refused() {
    assert_rejected!(
        check(&sign(&spec(), SignaturePlacement::None)),
        SamlRejection::Unsigned
    );
}

#[test]
fn signature_exclusion_is_refused() {
    // The only signature removed: nothing is signed any more.
    let mut r = valid();
    strip_signature(assertion_mut(&mut r));
    assert_rejected!(check(&r), SamlRejection::Unsigned);

    // Both signed, the assertion's removed: the response digest covered it.
    let mut r = sign(&spec(), SignaturePlacement::Both);
    strip_signature(assertion_mut(&mut r));
    assert_rejected!(check(&r), SamlRejection::SignatureInvalid { .. });

    // Stripped and replaced by a genuinely signed (error) response tucked into Extensions:
    // every signature verifies, none covers the assertion.
    let err = ResponseSpec::error(
        "_err9",
        now(),
        None,
        None,
        spec().issuer,
        StatusSpec::success(),
    );
    let signed_elsewhere = sign(&err, SignaturePlacement::Response);
    let mut r = sign(&spec(), SignaturePlacement::None);
    insert(
        &mut r,
        1,
        Element::new("saml2p", "Extensions").child(signed_elsewhere),
    );
    assert_rejected!(
        check(&r),
        SamlRejection::AssertionNotSigned { ref assertion_id, ref covered }
            if assertion_id == ASSERTION_ID && covered == &["_err9".to_string()]
    );
}

#[test]
fn foreign_key_with_its_cert_in_keyinfo_is_refused() {
    for placement in [SignaturePlacement::Assertion, SignaturePlacement::Response] {
        let r = sign_by(&spec(), opts(placement), attacker());
        assert_rejected!(check(&r), SamlRejection::UntrustedSigner { ref subject } if !subject.is_empty());
    }
    // Without KeyInfo there is nothing to name: a plain invalid signature.
    let o = SignOptions {
        key_info: false,
        ..opts(SignaturePlacement::Assertion)
    };
    assert_rejected!(
        check(&sign_by(&spec(), o, attacker())),
        SamlRejection::SignatureInvalid { .. }
    );
}

fn signature_value_mut(el: &mut Element) -> &mut Element {
    let path = el.path_to(&|e| e.name == "SignatureValue").expect("signed");
    el.at_path_mut(&path).expect("path")
}

#[test]
fn corrupted_signature_value_and_tampered_content_are_refused() {
    let mut r = valid();
    let sv = signature_value_mut(&mut r);
    let mut text = sv.text_content();
    let flipped = if text.starts_with('A') { "B" } else { "A" };
    text.replace_range(0..1, flipped);
    sv.set_text(text);
    assert_rejected!(check(&r), SamlRejection::SignatureInvalid { .. });

    let mut r = valid();
    name_id_mut(assertion_mut(&mut r)).set_text("mallory@evil.example");
    assert_rejected!(check(&r), SamlRejection::SignatureInvalid { .. });
}

// ---- comments (SAML-CMT-1) ----

/// Signed over `victim@corp.example.evil.example`, then a comment inserted (c14n drops it, so the
/// signature still verifies).
pub fn comment_split(placement: SignaturePlacement) -> Element {
    let full = "victim@corp.example.evil.example";
    let s = spec_with(|s| {
        a(s).name_id.value = full.into();
        a(s).attributes[0].values = vec![full.into()];
    });
    let mut r = sign(&s, placement);
    let split = || {
        vec![
            Node::Text("victim@corp.example".into()),
            Node::Comment(String::new()),
            Node::Text(".evil.example".into()),
        ]
    };
    let assertion = assertion_mut(&mut r);
    name_id_mut(assertion).children = split();
    let path = assertion
        .path_to(&|e| e.name == "AttributeValue")
        .expect("email attribute");
    assertion.at_path_mut(&path).expect("path").children = split();
    r
}

#[test]
fn comment_split_name_id_verifies_and_reads_as_the_whole_text() {
    for placement in [
        SignaturePlacement::Assertion,
        SignaturePlacement::Response,
        SignaturePlacement::Both,
    ] {
        let r = comment_split(placement);
        assert!(r
            .to_xml()
            .contains("victim@corp.example<!---->.evil.example"));
        let acc = check(&r).unwrap_or_else(|e| panic!("{placement:?}: {e}"));
        assert_eq!(acc.name_id(), "victim@corp.example.evil.example");
        assert_eq!(
            acc.attribute("email"),
            Some(&["victim@corp.example.evil.example".to_string()][..])
        );
    }
}

// ---- wrapping (SAML-XSW-1..8) ----

const EVIL: &str = "mallory@evil.example";

#[test]
fn xsw_evil_assertion_before_or_after_the_signed_one_is_refused() {
    for offset in [0, 1] {
        let mut r = valid();
        let i = assertion_index(&r);
        let evil = evil_clone(assertion_mut(&mut r), "_evil", EVIL);
        insert(&mut r, i + offset, evil);
        assert_rejected!(check(&r), SamlRejection::MultipleAssertions { found: 2 });
    }
}

#[test]
fn xsw_evil_assertion_wrapping_the_signed_one_is_refused() {
    let mut r = valid();
    let original = take_assertion(&mut r);
    let mut evil = evil_clone(&original, "_evil", EVIL);
    evil.children.push(Node::Element(original));
    r.children.push(Node::Element(evil));
    assert_rejected!(check(&r), SamlRejection::MultipleAssertions { found: 2 });
}

#[test]
fn xsw_signed_assertion_hidden_in_extensions_is_refused() {
    let mut r = valid();
    let original = take_assertion(&mut r);
    r.children
        .push(Node::Element(evil_clone(&original, "_evil", EVIL)));
    insert(
        &mut r,
        1,
        Element::new("saml2p", "Extensions").child(original),
    );
    assert_rejected!(check(&r), SamlRejection::MultipleAssertions { found: 2 });
}

#[test]
fn xsw_signed_assertion_hidden_in_a_signature_object_is_refused() {
    let mut r = valid();
    let original = take_assertion(&mut r);
    let mut evil = evil_clone(&original, "_evil", EVIL);
    let mut sig = original
        .child_named("Signature")
        .cloned()
        .expect("assertion is signed");
    sig.children
        .push(Node::Element(Element::new("ds", "Object").child(original)));
    insert(&mut evil, 1, sig);
    r.children.push(Node::Element(evil));
    assert_rejected!(check(&r), SamlRejection::MultipleAssertions { found: 2 });
}

#[test]
fn xsw_same_id_clone_is_refused() {
    let mut r = valid();
    let i = assertion_index(&r);
    let evil = evil_clone(assertion_mut(&mut r), ASSERTION_ID, EVIL);
    insert(&mut r, i, evil);
    assert_rejected!(check(&r), SamlRejection::DuplicateId { ref id } if id == ASSERTION_ID);

    // xml:id is an ID to libxml too.
    let mut r = valid();
    let evil = Element::new("saml2p", "Extensions").attr_ns("xml", "id", ASSERTION_ID);
    insert(&mut r, 1, evil);
    assert_rejected!(check(&r), SamlRejection::DuplicateId { .. });
}

/// XSW1 (`in_signature`) and XSW2: an evil response whose signature (or body) carries a clone
/// of the signed original.
fn response_clone(in_signature: bool) -> Element {
    let signed = sign(&spec(), SignaturePlacement::Response);
    let mut clone = signed.clone();
    strip_signature(&mut clone);
    let mut evil = signed;
    evil.set_attr("ID", "_evilresp");
    let i = assertion_index(&evil);
    let original = take_assertion(&mut evil);
    insert(&mut evil, i, evil_clone(&original, "_evil", EVIL));
    if in_signature {
        evil.child_named_mut("Signature")
            .expect("signed")
            .children
            .push(Node::Element(Element::new("ds", "Object").child(clone)));
    } else {
        let at = evil.child_index("Signature").expect("signed");
        insert(&mut evil, at, clone);
    }
    evil
}

#[test]
fn xsw_response_clone_in_or_before_the_signature_is_refused() {
    for in_signature in [true, false] {
        assert_rejected!(
            check(&response_clone(in_signature)),
            SamlRejection::MultipleAssertions { found: 2 }
        );
    }
}

#[test]
fn xsw_lone_signed_assertion_moved_into_extensions_is_refused() {
    let mut r = valid();
    let original = take_assertion(&mut r);
    insert(
        &mut r,
        1,
        Element::new("saml2p", "Extensions").child(original),
    );
    assert_rejected!(check(&r), SamlRejection::AssertionMisplaced);
}

/// Defence in depth: even handed a wrapped document directly (the shape checks bypassed), the
/// signature stage never yields an assertion no signature covers, and yields the signed one
/// from the verifier's signed-only content.
#[test]
fn signature_stage_alone_reads_only_signed_content() {
    let mut r = valid();
    let i = assertion_index(&r);
    let evil = evil_clone(assertion_mut(&mut r), "_evil", EVIL);
    insert(&mut r, i, evil);
    assert_rejected!(
        signature::verify(&cfg(), &r, "_evil", &Flaws::none()),
        SamlRejection::AssertionNotSigned { .. }
    );
    let signed = signature::verify(&cfg(), &r, ASSERTION_ID, &Flaws::none()).unwrap();
    let text = signed.assertion.to_xml();
    assert!(text.contains(ALICE) && !text.contains(EVIL), "{text}");

    // XSW2: the signed original response sits before the evil one's signature. The signature
    // verifies (it names the clone), but neither the evil root nor either assertion id is
    // covered by it.
    let xsw2 = response_clone(false);
    for id in ["_evil", ASSERTION_ID] {
        assert_rejected!(
            signature::verify(&cfg(), &xsw2, id, &Flaws::none()),
            SamlRejection::AssertionNotSigned { ref covered, .. } if covered == &[RESPONSE_ID.to_string()]
        );
    }
    // XSW1: with the clone inside the signature, xmlsec itself refuses.
    assert_rejected!(
        signature::verify(&cfg(), &response_clone(true), "_evil", &Flaws::none()),
        SamlRejection::SignatureInvalid { .. }
    );
}
