//! Valid responses are accepted and read correctly.

use super::*;
use protocols::saml::{IdpMetadata, SignatureAlgorithm};

fn assert_alice(acc: &AcceptedAssertion) {
    assert_eq!(acc.name_id(), ALICE);
    assert_eq!(acc.name_id_format(), Some(uri::NAMEID_EMAIL));
    assert_eq!(acc.issuer(), IDP);
    assert_eq!(acc.assertion_id(), ASSERTION_ID);
    assert_eq!(acc.session_index(), Some("_sess1"));
    assert_eq!(acc.in_response_to(), Some(REQ));
    assert_eq!(acc.attribute("email"), Some(&[ALICE.to_string()][..]));
    assert_eq!(
        acc.attribute("groups"),
        Some(&["Engineering".to_string(), "R&D <all>".to_string()][..])
    );
    assert_eq!(acc.attributes().len(), 2);
    assert_eq!(acc.attribute("Email"), None, "names are exact");
}

// SAML-SIG-6: each placement as vendors send it.
#[test]
fn assertion_response_and_both_signed_are_accepted() {
    for (placement, response_signed, assertion_signed) in [
        (SignaturePlacement::Assertion, false, true),
        (SignaturePlacement::Response, true, false),
        (SignaturePlacement::Both, true, true),
    ] {
        let acc = check(&sign(&spec(), placement)).unwrap_or_else(|e| panic!("{placement:?}: {e}"));
        assert_alice(&acc);
        assert_eq!(acc.response_signed(), response_signed, "{placement:?}");
        assert_eq!(acc.assertion_signed(), assertion_signed, "{placement:?}");
        assert_eq!(
            acc.signature_algorithms(),
            [SignatureAlgorithm::RsaSha256.uri()]
        );
        assert!(!acc.uses_sha1());
    }
}

#[test]
fn entra_style_default_namespace_assertion_is_accepted() {
    let s = spec_with(|s| {
        s.style = XmlStyle {
            assertion_prefix: String::new(),
            protocol_prefix: "samlp".into(),
            xsi_type: false,
            inclusive_prefix_list: false,
            ..XmlStyle::default()
        }
    });
    let acc = check(&sign(&s, SignaturePlacement::Assertion)).unwrap();
    assert_alice(&acc);
}

// SAML-SIG-5: RSA-SHA1 with a SHA-1 digest is accepted, and the SP can see it.
#[test]
fn rsa_sha1_is_accepted_and_recorded() {
    let o = SignOptions {
        alg: SignatureAlgorithm::RsaSha1,
        ..opts(SignaturePlacement::Both)
    };
    let acc = check(&sign_by(&spec(), o, okta1())).unwrap();
    assert_eq!(
        acc.signature_algorithms(),
        [SignatureAlgorithm::RsaSha1.uri()]
    );
    assert!(acc.uses_sha1());
}

// SAML-ROT-1: during a rollover both certificates are trusted.
#[test]
fn cert_rollover_accepts_either_configured_cert() {
    let pems = [
        okta1().cert_pem().to_string(),
        okta2().cert_pem().to_string(),
    ];
    let both = SamlSpConfig::from_parts(SP, ACS, IDP, SSO, &pems).unwrap();
    for key in [okta1(), okta2()] {
        let r = sign_by(&spec(), opts(SignaturePlacement::Both), key);
        let acc =
            check_with(&both, &r, &Flaws::none()).unwrap_or_else(|e| panic!("{}: {e}", key.kid()));
        assert_eq!(acc.name_id(), ALICE);
    }
    // okta-2 alone is not trusted by an SP that only knows okta-1.
    let r = sign_by(&spec(), opts(SignaturePlacement::Assertion), okta2());
    assert_rejected!(check(&r), SamlRejection::UntrustedSigner { .. });
}

#[test]
fn config_from_idp_metadata_with_two_certs_validates_responses() {
    let md = IdpMetadata {
        entity_id: IDP.into(),
        want_authn_requests_signed: false,
        signing_certs: vec![okta2().cert_b64(), okta1().cert_b64()],
        name_id_formats: vec![uri::NAMEID_EMAIL.into()],
        sso_redirect_url: SSO.into(),
        sso_post_url: SSO.into(),
        slo_url: None,
        valid_until: None,
    };
    let c = SamlSpConfig::from_idp_metadata(&md.to_xml(), SP, ACS).unwrap();
    assert_eq!(c.idp_certs_der.len(), 2);
    assert_eq!(c.idp_sso_url, SSO);
    for key in [okta1(), okta2()] {
        let r = sign_by(&spec(), opts(SignaturePlacement::Assertion), key);
        assert_eq!(check_with(&c, &r, &Flaws::none()).unwrap().name_id(), ALICE);
    }
}

// SAML-IRT-2 and the SP-initiated round trip.
#[test]
fn sp_initiated_round_trip_consumes_the_request_it_sent() {
    let url = authn_request_url(&cfg(), "_rt1", now(), Some("/dash")).unwrap();
    let req = protocols::saml::parse_redirect(
        url.split_once('?').unwrap().1,
        protocols::saml::DEFAULT_MAX_INFLATED,
    )
    .unwrap();
    let s = spec_with(|s| {
        s.in_response_to = Some(req.id.clone());
        a(s).subject_confirmation.as_mut().unwrap().in_response_to = Some(req.id.clone());
    });
    let state = MemState::expecting(&[&req.id]);
    let acc = validate_response(
        &cfg(),
        &post(&sign(&s, SignaturePlacement::Both)),
        &state,
        &Flaws::none(),
        now(),
    )
    .unwrap();
    assert_eq!(acc.in_response_to(), Some("_rt1"));
    assert_eq!(state.consume_request("_rt1"), Ok(None), "consumed");
}

#[test]
fn unsolicited_is_accepted_only_where_allowed() {
    let r = sign(&spec_with(unsolicited), SignaturePlacement::Assertion);
    assert_rejected!(check(&r), SamlRejection::UnsolicitedNotAllowed);
    let acc = check_with(&cfg_unsolicited(), &r, &Flaws::none()).unwrap();
    assert_eq!(acc.in_response_to(), None);
}

#[test]
fn response_issuer_is_optional_and_repeated_attribute_names_merge() {
    let mut r = sign(&spec(), SignaturePlacement::Assertion);
    r.children
        .retain(|n| !matches!(n, Node::Element(e) if e.name == "Issuer"));
    assert!(check(&r).is_ok());

    let s = spec_with(|s| {
        a(s).attributes.push(AttributeSpec {
            name: "groups".into(),
            name_format: None,
            friendly_name: None,
            values: vec!["Admins".into()],
        })
    });
    let acc = check(&sign(&s, SignaturePlacement::Assertion)).unwrap();
    assert_eq!(acc.attribute("groups").unwrap().len(), 3);
}
