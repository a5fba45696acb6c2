use super::*;
use crate::clock::snapshot_epoch;
use crate::keys::{KeyKind, Validity};
use crate::saml::response::uri;

fn spec() -> AuthnRequestSpec {
    AuthnRequestSpec {
        id: "_req1".into(),
        issue_instant: snapshot_epoch(),
        issuer: "https://sp.example/saml".into(),
        destination: Some("https://idp.example/sso".into()),
        acs_url: Some("https://sp.example/acs".into()),
        protocol_binding: Some(uri::BINDING_HTTP_POST.into()),
        name_id_policy: Some(NameIdPolicy {
            format: Some(uri::NAMEID_EMAIL.into()),
            allow_create: Some(true),
            sp_name_qualifier: None,
        }),
        force_authn: Some(true),
        is_passive: None,
        subject_name_id: None,
    }
}

fn key(kind: KeyKind) -> SigningKey {
    SigningKey::generate(kind, "sp", "sp", Validity::current(snapshot_epoch(), 1)).unwrap()
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn redirect_query_for(xml: &str) -> String {
    format!(
        "SAMLRequest={}",
        url_encode(&b64_encode(deflate(xml.as_bytes())))
    )
}

#[test]
fn redirect_round_trip_reads_every_field() {
    let q = encode_redirect(&build_authn_request(&spec()), Some("rs=1&x"), None).unwrap();
    let r = parse_redirect(&format!("?{q}"), DEFAULT_MAX_INFLATED).unwrap();
    assert_eq!(r.binding, Binding::HttpRedirect);
    assert_eq!(r.id, "_req1");
    assert_eq!(r.issuer, "https://sp.example/saml");
    assert_eq!(r.issue_instant, snapshot_epoch());
    assert_eq!(r.destination.as_deref(), Some("https://idp.example/sso"));
    assert_eq!(r.acs_url.as_deref(), Some("https://sp.example/acs"));
    assert_eq!(r.protocol_binding.as_deref(), Some(uri::BINDING_HTTP_POST));
    let p = r.name_id_policy.unwrap();
    assert_eq!(p.format.as_deref(), Some(uri::NAMEID_EMAIL));
    assert_eq!(p.allow_create, Some(true));
    assert!(r.force_authn && !r.is_passive && !r.has_subject);
    assert_eq!(r.relay_state.as_deref(), Some("rs=1&x"));
    assert!(r.sig_alg.is_none());
}

#[test]
fn post_round_trip_and_subject_flag() {
    let mut s = spec();
    s.subject_name_id = Some("alice".into());
    s.is_passive = Some(true);
    let r = parse_post(
        &encode_post(&build_authn_request(&s)),
        Some("state"),
        DEFAULT_MAX_INFLATED,
    )
    .unwrap();
    assert_eq!(r.binding, Binding::HttpPost);
    assert!(r.has_subject && r.is_passive);
    assert_eq!(r.relay_state.as_deref(), Some("state"));
}

#[test]
fn missing_saml_request_parameter() {
    assert!(matches!(
        parse_redirect("RelayState=x", DEFAULT_MAX_INFLATED),
        Err(SamlError::MissingParameter {
            name: "SAMLRequest"
        })
    ));
}

#[test]
fn duplicate_parameter() {
    let q = redirect_query_for(&build_authn_request(&spec()));
    assert!(matches!(
        parse_redirect(&format!("{q}&{q}"), DEFAULT_MAX_INFLATED),
        Err(SamlError::DuplicateParameter {
            name: "SAMLRequest"
        })
    ));
}

#[test]
fn bad_base64() {
    assert!(matches!(
        parse_redirect("SAMLRequest=%%%not-base64!", DEFAULT_MAX_INFLATED),
        Err(SamlError::InvalidBase64 {
            field: "SAMLRequest",
            ..
        })
    ));
    assert!(matches!(
        parse_post("***", None, DEFAULT_MAX_INFLATED),
        Err(SamlError::InvalidBase64 { .. })
    ));
}

#[test]
fn bad_deflate() {
    // Valid base64 of bytes that are not a DEFLATE stream (reserved block type 11).
    let q = format!("SAMLRequest={}", url_encode(&b64_encode([0xffu8; 16])));
    assert!(matches!(
        parse_redirect(&q, DEFAULT_MAX_INFLATED),
        Err(SamlError::InvalidDeflate { .. })
    ));
}

#[test]
fn not_utf8() {
    let q = format!(
        "SAMLRequest={}",
        url_encode(&b64_encode(deflate(&[0xff, 0xfe])))
    );
    assert!(matches!(
        parse_redirect(&q, DEFAULT_MAX_INFLATED),
        Err(SamlError::NotUtf8 { .. })
    ));
}

#[test]
fn inflate_bomb_is_cut_off_at_the_limit_without_reading_on() {
    // 32 MiB of zeros compresses to ~32 KiB.
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..32 {
        enc.write_all(&zeros).unwrap();
    }
    let bomb = enc.finish().unwrap();
    let mut input: &[u8] = &bomb;
    let err = inflate_bounded(&mut input, DEFAULT_MAX_INFLATED).unwrap_err();
    assert!(matches!(
        err,
        SamlError::MessageTooLarge {
            limit: DEFAULT_MAX_INFLATED,
            ..
        }
    ));
    let consumed = bomb.len() - input.len();
    assert!(
        consumed < bomb.len() / 8,
        "read {consumed} of {} compressed bytes",
        bomb.len()
    );
    // Through the public entry point too.
    let q = format!("SAMLRequest={}", url_encode(&b64_encode(&bomb)));
    assert!(matches!(
        parse_redirect(&q, DEFAULT_MAX_INFLATED),
        Err(SamlError::MessageTooLarge { .. })
    ));
}

#[test]
fn output_buffer_never_exceeds_limit() {
    let data = vec![b'a'; 10_000];
    let out = inflate_bounded(&mut deflate(&data).as_slice(), 10_000).unwrap();
    assert_eq!(out, data);
    assert!(out.capacity() <= 10_000);
    assert!(matches!(
        inflate_bounded(&mut deflate(&data).as_slice(), 9_999),
        Err(SamlError::MessageTooLarge { limit: 9_999, .. })
    ));
}

#[test]
fn post_size_limit() {
    let big = encode_post(&"x".repeat(2000));
    assert!(matches!(
        parse_post(&big, None, 1000),
        Err(SamlError::MessageTooLarge { limit: 1000, .. })
    ));
}

#[test]
fn doctype_and_entity_rejected() {
    let xml = build_authn_request(&spec());
    let with_doctype = format!("<!DOCTYPE samlp:AuthnRequest [<!ENTITY x \"y\">]>{xml}");
    assert!(matches!(
        parse_redirect(&redirect_query_for(&with_doctype), DEFAULT_MAX_INFLATED),
        Err(SamlError::DoctypeForbidden)
    ));
    let with_entity = xml.replace("<saml:Issuer>", "<!ENTITY x \"y\"><saml:Issuer>");
    assert!(matches!(
        parse_post(&encode_post(&with_entity), None, DEFAULT_MAX_INFLATED),
        Err(SamlError::EntityForbidden)
    ));
}

#[test]
fn malformed_xml() {
    assert!(matches!(
        parse_post(
            &encode_post("<samlp:AuthnRequest"),
            None,
            DEFAULT_MAX_INFLATED
        ),
        Err(SamlError::MalformedXml { .. })
    ));
}

#[test]
fn missing_id() {
    let xml = build_authn_request(&spec()).replace(r#" ID="_req1""#, "");
    assert!(matches!(
        parse_authn_request_xml(&xml, Binding::HttpPost),
        Err(SamlError::MissingId)
    ));
}

#[test]
fn missing_issuer() {
    let xml = build_authn_request(&spec())
        .replace("<saml:Issuer>https://sp.example/saml</saml:Issuer>", "");
    assert!(matches!(
        parse_authn_request_xml(&xml, Binding::HttpPost),
        Err(SamlError::MissingIssuer)
    ));
    // An Issuer in the wrong namespace does not count.
    let xml = build_authn_request(&spec()).replace("saml:Issuer", "samlp:Issuer");
    assert!(matches!(
        parse_authn_request_xml(&xml, Binding::HttpPost),
        Err(SamlError::MissingIssuer)
    ));
}

#[test]
fn missing_or_bad_instant_version_boolean_and_index() {
    let xml = build_authn_request(&spec());
    type Check = fn(&SamlError) -> bool;
    let cases: Vec<(String, Check)> = vec![
        (
            xml.replace(r#" IssueInstant="2026-01-01T00:00:00Z""#, ""),
            |e| matches!(e, SamlError::MissingIssueInstant),
        ),
        (xml.replace("2026-01-01T00:00:00Z", "yesterday"), |e| {
            matches!(e, SamlError::InvalidInstant { .. })
        }),
        (
            xml.replace(r#"Version="2.0""#, r#"Version="1.1""#),
            |e| matches!(e, SamlError::UnsupportedVersion { found } if found == "1.1"),
        ),
        (
            xml.replace(r#"ForceAuthn="true""#, r#"ForceAuthn="yes""#),
            |e| {
                matches!(
                    e,
                    SamlError::InvalidBoolean {
                        attribute: "ForceAuthn",
                        ..
                    }
                )
            },
        ),
        (
            xml.replace(" ID=", r#" AssertionConsumerServiceIndex="x" ID="#),
            |e| matches!(e, SamlError::InvalidInteger { .. }),
        ),
    ];
    for (doc, check) in cases {
        let err = parse_authn_request_xml(&doc, Binding::HttpPost).unwrap_err();
        assert!(check(&err), "unexpected {err:?} for {doc}");
    }
}

#[test]
fn wrong_root_element() {
    let xml = r#"<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="a" Version="2.0"/>"#;
    assert!(matches!(
        parse_authn_request_xml(xml, Binding::HttpPost),
        Err(SamlError::UnexpectedElement { .. })
    ));
    let wrong_ns = build_authn_request(&spec()).replace(ns::SAMLP, "urn:evil");
    assert!(matches!(
        parse_authn_request_xml(&wrong_ns, Binding::HttpPost),
        Err(SamlError::UnexpectedElement { .. })
    ));
}

#[test]
fn saml_bindings_3_4_4_1_redirect_signature_good_and_bad() {
    let xml = build_authn_request(&spec());
    for (kind, alg) in [
        (KeyKind::Rsa, SignatureAlgorithm::RsaSha1),
        (KeyKind::Rsa, SignatureAlgorithm::RsaSha256),
        (KeyKind::Ec, SignatureAlgorithm::EcdsaSha256),
    ] {
        let k = key(kind);
        let q = encode_redirect(&xml, Some("relay/state"), Some((&k, alg))).unwrap();
        let v = verify_redirect_signature(&q, k.cert_der()).unwrap();
        assert_eq!(v.algorithm(), alg);
        assert_eq!(
            parse_redirect(&q, DEFAULT_MAX_INFLATED)
                .unwrap()
                .sig_alg
                .as_deref(),
            Some(alg.uri())
        );

        // Another key's certificate.
        let other = key(kind);
        assert!(matches!(
            verify_redirect_signature(&q, other.cert_der()),
            Err(SamlError::RedirectSignatureInvalid)
        ));
        // RelayState changed after signing.
        let tampered = q.replace("RelayState=relay", "RelayState=evil");
        assert!(matches!(
            verify_redirect_signature(&tampered, k.cert_der()),
            Err(SamlError::RedirectSignatureInvalid)
        ));
        // RelayState dropped.
        let dropped = q.replace("&RelayState=relay%2Fstate", "");
        assert_ne!(dropped, q);
        assert!(matches!(
            verify_redirect_signature(&dropped, k.cert_der()),
            Err(SamlError::RedirectSignatureInvalid)
        ));
    }
}

#[test]
fn saml_bindings_3_4_4_1_redirect_signature_uses_the_octets_as_received() {
    // Same values, different (still valid) percent-encoding: the signature no longer matches.
    let k = key(KeyKind::Rsa);
    let q = encode_redirect(
        &build_authn_request(&spec()),
        Some("a b"),
        Some((&k, SignatureAlgorithm::RsaSha256)),
    )
    .unwrap();
    assert!(q.contains("RelayState=a+b"));
    assert!(verify_redirect_signature(&q, k.cert_der()).is_ok());
    let reencoded = q.replace("RelayState=a+b", "RelayState=a%20b");
    assert!(matches!(
        verify_redirect_signature(&reencoded, k.cert_der()),
        Err(SamlError::RedirectSignatureInvalid)
    ));
}

#[test]
fn redirect_signature_parameter_errors() {
    let k = key(KeyKind::Rsa);
    let unsigned = encode_redirect(&build_authn_request(&spec()), None, None).unwrap();
    assert!(matches!(
        verify_redirect_signature(&unsigned, k.cert_der()),
        Err(SamlError::MissingParameter { name: "SigAlg" })
    ));
    let q = format!("{unsigned}&SigAlg=urn%3Anope&Signature=AAAA");
    assert!(matches!(
        verify_redirect_signature(&q, k.cert_der()),
        Err(SamlError::UnsupportedSignatureAlgorithm { .. })
    ));
    let q = format!(
        "{unsigned}&SigAlg={}",
        url_encode(SignatureAlgorithm::RsaSha256.uri())
    );
    assert!(matches!(
        verify_redirect_signature(&q, k.cert_der()),
        Err(SamlError::MissingParameter { name: "Signature" })
    ));
}
