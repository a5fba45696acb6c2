//! SAML responses checked by two independent verifiers: our xmlsec-backed `verify_signatures`
//! (the `dsig` crate) and Debian's `xmlsec1 --verify` CLI, for every signature placement and
//! algorithm, plus tampering and foreign-key cases, and a pinned snapshot.

use chrono::Duration;
use protocols::clock::{Clock, ManualClock};
use protocols::ids::{IdGen, SeededIds};
use protocols::keys::{KeyKind, SigningKey, Validity};
use protocols::saml::response::uri;
use protocols::saml::{
    build_response, verify_signatures, AssertionSpec, AttributeSpec, AuthnStatementSpec,
    ConditionsSpec, DigestAlgorithm, IssuerSpec, NameIdSpec, ResponseSpec, SamlError, SignOptions,
    SignatureAlgorithm, SignaturePlacement, StatusSpec, SubjectConfirmationSpec, XmlStyle,
};
use protocols::xml::Element;
use std::process::Command;
use std::sync::OnceLock;

// ---------------------------------------------------------------- fixtures

struct Keys {
    rsa: SigningKey,
    ec: SigningKey,
    rsa_other: SigningKey,
    ec_other: SigningKey,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let v = Validity::current(protocols::clock::snapshot_epoch(), 1);
        let g = |kind, kid| SigningKey::generate(kind, kid, "idpsim test", v).unwrap();
        Keys {
            rsa: g(KeyKind::Rsa, "rsa"),
            ec: g(KeyKind::Ec, "ec"),
            rsa_other: g(KeyKind::Rsa, "rsa-other"),
            ec_other: g(KeyKind::Ec, "ec-other"),
        }
    })
}

fn key_for(alg: SignatureAlgorithm) -> (&'static SigningKey, &'static SigningKey) {
    let k = keys();
    match alg.key_kind() {
        KeyKind::Rsa => (&k.rsa, &k.rsa_other),
        KeyKind::Ec => (&k.ec, &k.ec_other),
    }
}

const RESPONSE_ID: &str = "id1";
const ASSERTION_ID: &str = "id2";
const NAME_ID: &str = "alice@acme.example";

/// An Okta-shaped response at the snapshot epoch, with ids from a seeded generator.
fn spec_with(clock: &ManualClock, ids: &dyn IdGen) -> ResponseSpec {
    let now = clock.now();
    let response_id = format!("id{}", ids.digits(20));
    let assertion_id = format!("id{}", ids.digits(20));
    let request_id = format!("_{}", ids.hex(16));
    let acs = "https://sp.acme.example/saml/acs".to_string();
    ResponseSpec {
        style: XmlStyle::default(),
        id: response_id,
        issue_instant: now,
        destination: Some(acs.clone()),
        in_response_to: Some(request_id.clone()),
        issuer: IssuerSpec {
            value: "http://www.okta.com/exk1fcia6d6EMsf331d8".into(),
            format: Some(uri::NAMEID_ENTITY.into()),
        },
        status: StatusSpec::success(),
        assertion: Some(AssertionSpec {
            id: assertion_id.clone(),
            name_id: NameIdSpec {
                value: NAME_ID.into(),
                format: Some(uri::NAMEID_UNSPECIFIED.into()),
                name_qualifier: None,
                sp_name_qualifier: None,
            },
            subject_confirmation: Some(SubjectConfirmationSpec {
                method: uri::CM_BEARER.into(),
                recipient: Some(acs),
                not_on_or_after: Some(now + Duration::minutes(5)),
                in_response_to: Some(request_id),
            }),
            conditions: Some(ConditionsSpec {
                not_before: Some(now - Duration::minutes(5)),
                not_on_or_after: Some(now + Duration::minutes(5)),
                audiences: vec!["https://sp.acme.example/saml".into()],
            }),
            authn_statement: Some(AuthnStatementSpec {
                authn_instant: now,
                session_index: Some(assertion_id),
                session_not_on_or_after: None,
                class_ref: uri::AC_PASSWORD_PROTECTED_TRANSPORT.into(),
            }),
            attributes: vec![
                AttributeSpec {
                    name: "email".into(),
                    name_format: Some(uri::ATTRNAME_BASIC.into()),
                    friendly_name: None,
                    values: vec![NAME_ID.into()],
                },
                AttributeSpec {
                    name: "groups".into(),
                    name_format: Some(uri::ATTRNAME_BASIC.into()),
                    friendly_name: Some("Groups".into()),
                    values: vec!["Engineering & Ops".into(), "<admins>".into()],
                },
            ],
        }),
    }
}

fn spec() -> ResponseSpec {
    let mut s = spec_with(&ManualClock::fixed(), &SeededIds::new(1));
    s.id = RESPONSE_ID.into();
    if let Some(a) = s.assertion.as_mut() {
        a.id = ASSERTION_ID.into();
    }
    s
}

// ---------------------------------------------------------------- xmlsec1 CLI

const RESPONSE_SIGNATURE: &str = "/*[local-name()='Response']/*[local-name()='Signature']";
const ASSERTION_SIGNATURE: &str =
    "/*[local-name()='Response']/*[local-name()='Assertion']/*[local-name()='Signature']";

/// Run `xmlsec1 --verify` on one signature (picked by XPath) with only `trusted` as key.
/// Returns whether it verified, and xmlsec1's stderr.
fn xmlsec1_verify(xml: &str, trusted: &SigningKey, signature_xpath: &str) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("response.xml");
    let cert = dir.path().join("trusted.crt.pem");
    std::fs::write(&doc, xml).unwrap();
    std::fs::write(&cert, trusted.cert_pem()).unwrap();
    let out = Command::new("xmlsec1")
        .arg("--verify")
        .arg("--pubkey-cert-pem")
        .arg(&cert)
        .args([
            "--id-attr:ID",
            "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
            "--id-attr:ID",
            "urn:oasis:names:tc:SAML:2.0:protocol:Response",
            "--node-xpath",
            signature_xpath,
        ])
        .arg(&doc)
        .output();
    match out {
        Ok(out) => (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "xmlsec1 is not installed; `make deps` installs it (Debian package xmlsec1). \
             These tests cross-check every signature with it and do not skip."
        ),
        Err(e) => panic!("cannot run xmlsec1: {e}"),
    }
}

fn signature_xpaths(placement: SignaturePlacement) -> Vec<&'static str> {
    match placement {
        SignaturePlacement::None => vec![],
        SignaturePlacement::Assertion => vec![ASSERTION_SIGNATURE],
        SignaturePlacement::Response => vec![RESPONSE_SIGNATURE],
        SignaturePlacement::Both => vec![RESPONSE_SIGNATURE, ASSERTION_SIGNATURE],
    }
}

fn expected_ids(placement: SignaturePlacement) -> Vec<&'static str> {
    match placement {
        SignaturePlacement::None => vec![],
        SignaturePlacement::Assertion => vec![ASSERTION_ID],
        SignaturePlacement::Response => vec![RESPONSE_ID],
        // Document order: the response's signature follows its Issuer, before the assertion.
        SignaturePlacement::Both => vec![RESPONSE_ID, ASSERTION_ID],
    }
}

fn name_id_mut(response: &mut Element) -> &mut Element {
    let assertion = response.find_by_id_mut(ASSERTION_ID).unwrap();
    assertion
        .child_named_mut("Subject")
        .unwrap()
        .child_named_mut("NameID")
        .unwrap()
}

// ---------------------------------------------------------------- the matrix

fn check(placement: SignaturePlacement, alg: SignatureAlgorithm, digest: Option<DigestAlgorithm>) {
    let (key, other) = key_for(alg);
    let opts = SignOptions {
        placement,
        alg,
        digest,
        key_info: true,
    };
    let label = format!("{placement:?}/{alg:?}/{digest:?}");
    let tree = build_response(&spec(), &opts, key).unwrap();
    let xml = tree.to_document();

    // Genuine: both verifiers accept, and ours reports exactly the signed ids.
    let verified = verify_signatures(&xml, key.cert_der())
        .unwrap_or_else(|e| panic!("{label}: our verifier rejected a genuine response: {e}"));
    assert_eq!(verified.covered_ids(), expected_ids(placement), "{label}");
    for sig in verified.signatures() {
        assert_eq!(sig.signature_method, alg.uri(), "{label}");
        let d = digest.unwrap_or(alg.default_digest());
        assert!(sig.references.iter().all(|r| r.digest_method == d.uri()));
    }
    for xpath in signature_xpaths(placement) {
        let (ok, stderr) = xmlsec1_verify(&xml, key, xpath);
        assert!(ok, "{label}: xmlsec1 rejected {xpath}:\n{stderr}");
    }

    // Tampered NameID: every signature covers it, so every one fails in both verifiers.
    let mut tampered = tree.clone();
    name_id_mut(&mut tampered).set_text("mallory@acme.example");
    let tampered = tampered.to_document();
    assert_ne!(tampered, xml);
    assert!(
        matches!(
            verify_signatures(&tampered, key.cert_der()),
            Err(SamlError::XmlSignatureInvalid { .. })
        ),
        "{label}: our verifier accepted a tampered NameID"
    );
    for xpath in signature_xpaths(placement) {
        let (ok, _) = xmlsec1_verify(&tampered, key, xpath);
        assert!(
            !ok,
            "{label}: xmlsec1 accepted a tampered NameID at {xpath}"
        );
    }

    // Signed by another key whose certificate rides in KeyInfo: rejected against the trusted
    // certificate by both (neither may take the key from the message).
    let foreign = build_response(&spec(), &opts, other).unwrap().to_document();
    assert!(foreign.contains(&other.cert_b64()));
    assert!(
        matches!(
            verify_signatures(&foreign, key.cert_der()),
            Err(SamlError::XmlSignatureInvalid { .. })
        ),
        "{label}: our verifier trusted the KeyInfo certificate"
    );
    for xpath in signature_xpaths(placement) {
        let (ok, _) = xmlsec1_verify(&foreign, key, xpath);
        assert!(
            !ok,
            "{label}: xmlsec1 trusted the KeyInfo certificate at {xpath}"
        );
    }
}

macro_rules! matrix {
    ($($name:ident: $placement:ident, $alg:ident;)*) => {$(
        #[test]
        fn $name() {
            check(SignaturePlacement::$placement, SignatureAlgorithm::$alg, None);
        }
    )*};
}

matrix! {
    assertion_rsa_sha1: Assertion, RsaSha1;
    assertion_rsa_sha256: Assertion, RsaSha256;
    assertion_rsa_sha384: Assertion, RsaSha384;
    assertion_rsa_sha512: Assertion, RsaSha512;
    assertion_ecdsa_sha256: Assertion, EcdsaSha256;
    response_rsa_sha1: Response, RsaSha1;
    response_rsa_sha256: Response, RsaSha256;
    response_rsa_sha384: Response, RsaSha384;
    response_rsa_sha512: Response, RsaSha512;
    response_ecdsa_sha256: Response, EcdsaSha256;
    both_rsa_sha1: Both, RsaSha1;
    both_rsa_sha256: Both, RsaSha256;
    both_rsa_sha384: Both, RsaSha384;
    both_rsa_sha512: Both, RsaSha512;
    both_ecdsa_sha256: Both, EcdsaSha256;
}

#[test]
fn digest_independent_of_signature_algorithm() {
    check(
        SignaturePlacement::Both,
        SignatureAlgorithm::RsaSha256,
        Some(DigestAlgorithm::Sha1),
    );
    check(
        SignaturePlacement::Assertion,
        SignatureAlgorithm::RsaSha1,
        Some(DigestAlgorithm::Sha512),
    );
}

#[test]
fn other_styles_verify_too() {
    // saml/samlp prefixes, no xsi:type, no InclusiveNamespaces; and default-namespace elements.
    let styles = [
        XmlStyle {
            assertion_prefix: "saml".into(),
            protocol_prefix: "samlp".into(),
            xsi_type: false,
            inclusive_prefix_list: false,
            ..XmlStyle::default()
        },
        XmlStyle {
            assertion_prefix: "saml".into(),
            protocol_prefix: "samlp".into(),
            xsi_type: true,
            inclusive_prefix_list: false,
            ..XmlStyle::default()
        },
        XmlStyle {
            assertion_prefix: String::new(),
            protocol_prefix: "samlp".into(),
            xsi_type: true,
            inclusive_prefix_list: true,
            ..XmlStyle::default()
        },
    ];
    let key = &keys().rsa;
    for style in styles {
        let mut s = spec();
        s.style = style.clone();
        let opts = SignOptions {
            placement: SignaturePlacement::Both,
            ..SignOptions::default()
        };
        let xml = build_response(&s, &opts, key).unwrap().to_document();
        let v = verify_signatures(&xml, key.cert_der())
            .unwrap_or_else(|e| panic!("{style:?}: {e}\n{xml}"));
        assert_eq!(v.covered_ids(), [RESPONSE_ID, ASSERTION_ID]);
        for xpath in [RESPONSE_SIGNATURE, ASSERTION_SIGNATURE] {
            let (ok, stderr) = xmlsec1_verify(&xml, key, xpath);
            assert!(ok, "{style:?} {xpath}: {stderr}\n{xml}");
        }
    }
}

#[test]
fn without_key_info_the_trusted_cert_still_verifies() {
    let key = &keys().rsa;
    let opts = SignOptions {
        placement: SignaturePlacement::Both,
        key_info: false,
        ..SignOptions::default()
    };
    let xml = build_response(&spec(), &opts, key).unwrap().to_document();
    assert!(!xml.contains("KeyInfo"));
    assert!(verify_signatures(&xml, key.cert_der()).is_ok());
    for xpath in [RESPONSE_SIGNATURE, ASSERTION_SIGNATURE] {
        let (ok, stderr) = xmlsec1_verify(&xml, key, xpath);
        assert!(ok, "{xpath}: {stderr}");
    }
}

#[test]
fn saml_cmt_1_comment_injected_into_name_id() {
    // Exclusive c14n (without comments) ignores comments, so a comment spliced into the NameID
    // leaves the signature mathematically valid: xmlsec1 accepts it, and so does our verifier.
    // This is the comment-injection attack (an SP that reads only the first text node sees
    // "alice"); what defeats it is reading the signed content, where the NameID is one text node.
    let key = &keys().rsa;
    let mut tree = build_response(&spec(), &SignOptions::default(), key).unwrap();
    let name_id = name_id_mut(&mut tree);
    let text = name_id.text_content();
    let (a, b) = text.split_at(5);
    name_id.children = vec![
        protocols::xml::Node::Text(a.into()),
        protocols::xml::Node::Comment("x".into()),
        protocols::xml::Node::Text(b.into()),
    ];
    let xml = tree.to_document();
    assert!(xml.contains("alice<!--x-->@acme.example"));
    let (ok, stderr) = xmlsec1_verify(&xml, key, ASSERTION_SIGNATURE);
    assert!(ok, "{stderr}");
    let v = verify_signatures(&xml, key.cert_der()).expect("the comment is not signed");
    let assertion_id = tree
        .child_named("Assertion")
        .unwrap()
        .id()
        .unwrap()
        .to_string();
    let signed = v.signed_content(&assertion_id).expect("assertion signed");
    assert!(signed.contains(">alice@acme.example</"), "{signed}");
    assert!(!signed.contains("<!--"), "{signed}");
    // A comment that splits no text is harmless and verifies.
    let mut tree = build_response(&spec(), &SignOptions::default(), key).unwrap();
    name_id_mut(&mut tree)
        .children
        .insert(0, protocols::xml::Node::Comment("x".into()));
    assert!(verify_signatures(&tree.to_document(), key.cert_der()).is_ok());
}

/// Sign `template` (a document with a `ds:Signature` template) with the `xmlsec1` CLI.
fn xmlsec1_sign(template: &str, key: &SigningKey) -> String {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("template.xml");
    let pem = dir.path().join("key.pem");
    std::fs::write(&doc, template).unwrap();
    std::fs::write(&pem, key.key_pem()).unwrap();
    let out = Command::new("xmlsec1")
        .args(["--sign", "--privkey-pem"])
        .arg(&pem)
        .args([
            "--id-attr:ID",
            "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
        ])
        .arg(&doc)
        .output()
        .expect("xmlsec1 runs (`make deps` installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// An assertion whose reference leaves its AttributeStatement out through an XPath transform: valid
/// XML-DSig, and the shape of a "signed, but not all of it" attack.
const XPATH_FILTERED_TEMPLATE: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="a1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z"><saml:Issuer>https://idp.example</saml:Issuer><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#a1"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><ds:XPath xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">not(ancestor-or-self::saml:AttributeStatement)</ds:XPath></ds:Transform><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue></ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue></ds:SignatureValue></ds:Signature><saml:Subject><saml:NameID>alice@acme.example</saml:NameID></saml:Subject><saml:AttributeStatement><saml:Attribute Name="role"><saml:AttributeValue>member</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion>
"##;

#[test]
fn a_reference_filtered_by_xpath_is_refused_though_mathematically_valid() {
    // The signature is valid (xmlsec1 verifies it) and covers "#a1", but its XPath transform
    // leaves the AttributeStatement out, so anyone could rewrite the role. SAMLCore 5.4.4 allows
    // only the enveloped-signature transform and c14n; the verifier refuses anything else.
    let key = &keys().rsa;
    let signed = xmlsec1_sign(XPATH_FILTERED_TEMPLATE, key);
    let dir = tempfile::tempdir().unwrap();
    let (doc, cert) = (dir.path().join("a.xml"), dir.path().join("c.pem"));
    std::fs::write(&doc, &signed).unwrap();
    std::fs::write(&cert, key.cert_pem()).unwrap();
    let cli = Command::new("xmlsec1")
        .args(["--verify", "--pubkey-cert-pem"])
        .arg(&cert)
        .args([
            "--id-attr:ID",
            "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
        ])
        .arg(&doc)
        .output()
        .unwrap();
    assert!(
        cli.status.success(),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );

    let err = verify_signatures(&signed, key.cert_der()).unwrap_err();
    assert!(
        err.to_string()
            .contains("transform \"http://www.w3.org/TR/1999/REC-xpath-19991116\" is not allowed"),
        "refused as a policy, not a bad digest: {err}"
    );
    assert!(verify_signatures(&signed.replace(">member<", ">admin<"), key.cert_der()).is_err());
}

#[test]
fn a_reference_to_a_file_is_refused_and_the_file_is_not_needed() {
    // xmlsec would follow `URI="file:///..."` (or http://) if allowed; the verifier allows only
    // same-document references. The signature over the file is valid for xmlsec1.
    let key = &keys().rsa;
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside.txt");
    std::fs::write(&outside, "secret").unwrap();
    let template = format!(
        r#"<r ID="r1"><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="file://{}"><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue></ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue></ds:SignatureValue></ds:Signature></r>"#,
        outside.display()
    );
    let signed = xmlsec1_sign(&template, key);
    std::fs::remove_file(&outside).unwrap();
    let err = verify_signatures(&signed, key.cert_der()).unwrap_err();
    assert!(err.to_string().contains("cannot be processed"), "{err}");
}

#[test]
fn both_signatures_hand_back_their_own_content() {
    let key = &keys().rsa;
    let opts = SignOptions {
        placement: SignaturePlacement::Both,
        ..SignOptions::default()
    };
    let xml = build_response(&spec(), &opts, key).unwrap().to_document();
    let v = verify_signatures(&xml, key.cert_der()).unwrap();
    let response = v.signed_content(RESPONSE_ID).expect("Response covered");
    let assertion = v.signed_content(ASSERTION_ID).expect("Assertion covered");
    // The Response's content holds the assertion with the assertion's signature (which its digest
    // covers) and without its own (the enveloped-signature transform).
    assert_eq!(response.matches("SignatureValue>").count(), 2, "{response}");
    assert!(response.contains(&format!("ID=\"{ASSERTION_ID}\"")));
    assert!(!assertion.contains("SignatureValue"), "{assertion}");
    assert!(assertion.contains("alice@acme.example"), "{assertion}");
}

#[test]
fn a_wrong_key_fails_the_signature_value_and_the_right_key_still_works_after_it() {
    // Keys are cached per thread and certificate: alternating must never reuse the wrong one.
    let k = &keys();
    let xml = build_response(&spec(), &SignOptions::default(), &k.rsa)
        .unwrap()
        .to_document();
    for _ in 0..2 {
        let err = verify_signatures(&xml, k.rsa_other.cert_der()).unwrap_err();
        assert!(
            err.to_string()
                .contains("the SignatureValue does not verify"),
            "{err}"
        );
        verify_signatures(&xml, k.rsa.cert_der()).expect("the signer's own certificate");
    }
}

#[test]
fn saml_xsw_4_moving_the_signed_assertion_out_of_place_is_still_reported_by_id() {
    // Wrap the genuine signed assertion inside an unsigned copy (an XSW shape): the signature
    // still verifies, and the report says which id it covers, not where that element sits.
    let key = &keys().rsa;
    let mut tree = build_response(&spec(), &SignOptions::default(), key).unwrap();
    let idx = tree.child_index("Assertion").unwrap();
    let protocols::xml::Node::Element(genuine) = tree.children.remove(idx) else {
        unreachable!()
    };
    let mut evil = genuine.clone();
    evil.set_attr("ID", "evil");
    evil.children
        .retain(|n| !matches!(n, protocols::xml::Node::Element(e) if e.name == "Signature"));
    evil.children.push(protocols::xml::Node::Element(genuine));
    tree.children.push(protocols::xml::Node::Element(evil));
    let xml = tree.to_document();
    let v = verify_signatures(&xml, key.cert_der()).unwrap();
    assert_eq!(v.covered_ids(), [ASSERTION_ID]);
    assert!(!v.covers("evil"));
}

#[test]
fn duplicate_ids_are_rejected() {
    let key = &keys().rsa;
    let mut tree = build_response(&spec(), &SignOptions::default(), key).unwrap();
    let copy = tree.find_by_id(ASSERTION_ID).unwrap().clone();
    tree.children.push(protocols::xml::Node::Element(copy));
    assert!(matches!(
        verify_signatures(&tree.to_document(), key.cert_der()),
        Err(SamlError::XmlSignatureInvalid { .. })
    ));
}

// ---------------------------------------------------------------- snapshot

fn pinned_okta_key() -> SigningKey {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/keys");
    let key = std::fs::read_to_string(format!("{dir}/okta-1.key.pem")).unwrap();
    let cert = std::fs::read_to_string(format!("{dir}/okta-1.crt.pem")).unwrap();
    SigningKey::from_pem("okta-1", &key, &cert).unwrap()
}

#[test]
fn snapshot_okta_signed_response() {
    // Pinned clock, seeded ids and the pinned okta-1 key (RSA PKCS#1 v1.5 is deterministic), so
    // nothing needs redacting: any byte that changes is a real change.
    let key = pinned_okta_key();
    let spec = spec_with(&ManualClock::fixed(), &SeededIds::new(42));
    let opts = SignOptions {
        placement: SignaturePlacement::Both,
        ..SignOptions::default()
    };
    let xml = build_response(&spec, &opts, &key).unwrap().to_document();
    let v = verify_signatures(&xml, key.cert_der()).unwrap();
    assert_eq!(v.covered_ids().len(), 2);
    // One tag per line for review; joining the lines back gives the exact bytes.
    insta::assert_snapshot!("okta_signed_response", xml.replace("><", ">\n<"));
}

mod hostile_requests {
    //! Property tests: whatever an SP sends, AuthnRequest decoding answers with a value or an
    //! error, never a panic, and never allocates past the inflate limit.
    use proptest::prelude::*;
    use protocols::saml::{parse_post, parse_redirect, DEFAULT_MAX_INFLATED};

    fn deflate(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(bytes).expect("deflate into a Vec");
        e.finish().expect("deflate into a Vec")
    }

    fn b64(bytes: &[u8]) -> String {
        protocols::saml::b64_encode(bytes)
    }

    fn q(s: &str) -> String {
        url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_query_string_is_answered(raw in ".{0,400}") {
            let _ = parse_redirect(&raw, DEFAULT_MAX_INFLATED);
        }

        #[test]
        fn any_deflated_bytes_are_answered(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let query = format!("SAMLRequest={}&RelayState=x", q(&b64(&deflate(&bytes))));
            let _ = parse_redirect(&query, DEFAULT_MAX_INFLATED);
        }

        #[test]
        fn any_xmlish_text_is_answered(
            body in "<(samlp:AuthnRequest|a|!DOCTYPE x|!--)[ a-zA-Z=\"':/<>!\\[\\]&;.-]{0,300}",
        ) {
            let _ = parse_redirect(&format!("SAMLRequest={}", q(&b64(&deflate(body.as_bytes())))), DEFAULT_MAX_INFLATED);
            let _ = parse_post(&b64(body.as_bytes()), None, DEFAULT_MAX_INFLATED);
        }

        #[test]
        fn any_post_value_is_answered(v in ".{0,400}") {
            let _ = parse_post(&v, Some("rs"), DEFAULT_MAX_INFLATED);
        }
    }
}
