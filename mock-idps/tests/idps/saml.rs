//! The SAML IdP of each vendor, over the router: what it signs, where, for whom, and what it
//! refuses.

use crate::common::*;
use axum::http::StatusCode;
use mock_idps::control::NewSamlApp;
use mock_idps::directory::NewUser;
use mock_idps::next_login::{KeyChoice, NextLogin, SamlOverrides};
use mock_idps::{MockIdps, Mode, NewTenant, Vendor};
use protocols::saml::{
    self, build_authn_request, encode_redirect, parse_sp_metadata, AuthnRequestSpec, NameIdPolicy,
    SignatureAlgorithm, SignaturePlacement,
};
use protocols::xml;
use std::process::Command;

pub(crate) const SP: &str = "https://sp.example/saml/metadata";
pub(crate) const ACS: &str = "https://sp.example/saml/acs";

pub(crate) fn tenant(idps: &MockIdps, vendor: Vendor) -> String {
    let t = idps
        .create_tenant(NewTenant {
            vendor: Some(vendor),
            id: Some("acme".into()),
            mode: Mode::Strict,
            seed_users: Some(2),
            users: vec![NewUser {
                login: Some("alice@acme.example".into()),
                given_name: Some("Alice".into()),
                family_name: Some("Archer".into()),
                groups: vec!["ml-admins".into(), "ml-readers".into()],
                roles: vec!["admin".into()],
                ..NewUser::default()
            }],
            saml_apps: vec![NewSamlApp {
                sp_entity_id: SP.into(),
                acs_urls: vec![ACS.into()],
                send_groups: true,
                ..NewSamlApp::default()
            }],
            ..NewTenant::default()
        })
        .expect("tenant");
    let app = t.saml_app(SP).expect("app");
    path_of(&t.app_path(t.personality().saml.sso_path, &app))
}

pub(crate) fn request(id: &str, policy: Option<&str>, subject: Option<&str>) -> String {
    build_authn_request(&AuthnRequestSpec {
        id: id.into(),
        issue_instant: protocols::clock::snapshot_epoch(),
        issuer: SP.into(),
        destination: None,
        acs_url: Some(ACS.into()),
        protocol_binding: Some(saml::response::uri::BINDING_HTTP_POST.into()),
        name_id_policy: policy.map(|f| NameIdPolicy {
            format: Some(f.into()),
            allow_create: Some(true),
            sp_name_qualifier: None,
        }),
        force_authn: None,
        is_passive: None,
        subject_name_id: subject.map(str::to_string),
    })
}

pub(crate) fn with_query(path: &str, query: &str) -> String {
    if path.contains('?') {
        format!("{path}&{query}")
    } else {
        format!("{path}?{query}")
    }
}

/// Log in over HTTP-Redirect and return the decoded Response XML.
pub(crate) async fn login(idps: &MockIdps, sso: &str, req_xml: &str) -> String {
    let q = encode_redirect(req_xml, Some("rs-1"), None).expect("encode");
    let a = get(idps, &with_query(sso, &q)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let (action, response, relay) = form_fields(&a.body);
    assert_eq!(action, ACS);
    assert_eq!(relay.as_deref(), Some("rs-1"));
    String::from_utf8(saml::b64_decode("SAMLResponse", &response).expect("b64")).expect("utf8")
}

pub(crate) fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

pub(crate) fn attr_after<'a>(html: &'a str, marker: &str) -> Option<&'a str> {
    let i = html.find(marker)? + marker.len();
    let rest = &html[i..];
    rest.find('"').map(|j| &rest[..j])
}

/// (action, SAMLResponse, RelayState) of the auto-submitting form.
pub(crate) fn form_fields(html: &str) -> (String, String, Option<String>) {
    let action = attr_after(html, "action=\"").expect("action");
    let resp = attr_after(html, "name=\"SAMLResponse\" value=\"").expect("SAMLResponse");
    let relay = attr_after(html, "name=\"RelayState\" value=\"");
    (unescape(action), unescape(resp), relay.map(unescape))
}

pub(crate) fn first<'a>(e: &'a xml::Element, name: &str) -> Option<&'a xml::Element> {
    if e.name == name {
        return Some(e);
    }
    e.children.iter().find_map(|c| match c {
        xml::Node::Element(c) => first(c, name),
        _ => None,
    })
}

pub(crate) fn text(e: &xml::Element) -> String {
    e.children
        .iter()
        .filter_map(|c| match c {
            xml::Node::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect()
}

pub(crate) fn attr<'a>(e: &'a xml::Element, name: &str) -> Option<&'a str> {
    e.attributes
        .iter()
        .find(|a| a.name == name)
        .map(|a| a.value.as_str())
}

pub(crate) fn attribute_values(doc: &xml::Element, name: &str) -> Option<Vec<String>> {
    fn walk(e: &xml::Element, name: &str, out: &mut Option<Vec<String>>) {
        if e.name == "Attribute" && attr(e, "Name") == Some(name) {
            *out = Some(
                e.children
                    .iter()
                    .filter_map(|c| match c {
                        xml::Node::Element(v) => Some(text(v)),
                        _ => None,
                    })
                    .collect(),
            );
        }
        for c in &e.children {
            if let xml::Node::Element(c) = c {
                walk(c, name, out);
            }
        }
    }
    let mut out = None;
    walk(doc, name, &mut out);
    out
}

pub(crate) fn active_cert(idps: &MockIdps, vendor: Vendor) -> Vec<u8> {
    let t = idps.tenant(vendor, "acme").expect("tenant");
    let der = t.state.lock().keys.active().cert_der().to_vec();
    der
}

pub(crate) fn xmlsec1_verify(xml_text: &str, cert_pem: &str, node_id: &str) -> bool {
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = dir.path().join("r.xml");
    let cert = dir.path().join("c.pem");
    std::fs::write(&doc, xml_text).expect("write");
    std::fs::write(&cert, cert_pem).expect("write");
    let out = Command::new("xmlsec1")
        .args(["--verify", "--pubkey-cert-pem"])
        .arg(&cert)
        .args([
            "--id-attr:ID",
            "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
            "--id-attr:ID",
            "urn:oasis:names:tc:SAML:2.0:protocol:Response",
            "--node-id",
            node_id,
        ])
        .arg(&doc)
        .output()
        .expect("xmlsec1 is installed by `make deps`");
    out.status.success()
}

#[tokio::test]
async fn each_vendor_signs_where_it_does_by_default_and_xmlsec1_agrees() {
    for (vendor, expect_signed) in [
        (Vendor::Okta, 2usize),
        (Vendor::Entra, 1),
        (Vendor::Google, 1),
    ] {
        let (idps, _) = idps();
        let sso = tenant(&idps, vendor);
        let xml_text = login(&idps, &sso, &request("_req1", None, None)).await;
        let proof = saml::verify_signatures(&xml_text, &active_cert(&idps, vendor))
            .unwrap_or_else(|e| panic!("{vendor}: {e}"));
        assert_eq!(proof.signatures().len(), expect_signed, "{vendor}");
        let doc = xml::parse(&xml_text).expect("parse");
        assert_eq!(attr(&doc, "InResponseTo"), Some("_req1"), "{vendor}");
        assert_eq!(attr(&doc, "Destination"), Some(ACS), "{vendor}");
        let audience = first(&doc, "Audience").expect("Audience");
        assert_eq!(text(audience), SP);
        let scd = first(&doc, "SubjectConfirmationData").expect("SCD");
        assert_eq!(attr(scd, "Recipient"), Some(ACS));
        assert_eq!(attr(scd, "InResponseTo"), Some("_req1"));
        let assertion = first(&doc, "Assertion").expect("assertion");
        let t = idps.tenant(vendor, "acme").expect("tenant");
        let cert_pem = t.state.lock().keys.active().cert_pem().to_string();
        let id = attr(assertion, "ID").expect("ID").to_string();
        assert!(
            xmlsec1_verify(&xml_text, &cert_pem, &id),
            "{vendor}: xmlsec1 rejects the assertion"
        );
        // A tampered copy fails both verifiers.
        let nameid = text(first(&doc, "NameID").expect("NameID"));
        let tampered = xml_text.replacen(&format!(">{nameid}<"), ">mallory@evil.example<", 1);
        assert_ne!(tampered, xml_text);
        assert!(saml::verify_signatures(&tampered, &active_cert(&idps, vendor)).is_err());
        assert!(
            !xmlsec1_verify(&tampered, &cert_pem, &id),
            "{vendor}: xmlsec1 accepts a tampered copy"
        );
    }
}

#[tokio::test]
async fn vendor_claim_names_and_nameid_defaults() {
    let (idps, _) = idps();
    let sso = tenant(&idps, Vendor::Entra);
    idps.tenant(Vendor::Entra, "acme")
        .expect("t")
        .state
        .lock()
        .next_login = Some(NextLogin {
        user: Some("alice@acme.example".into()),
        ..NextLogin::default()
    });
    let doc = xml::parse(&login(&idps, &sso, &request("_r", None, None)).await).expect("xml");
    let nameid = first(&doc, "NameID").expect("NameID");
    assert_eq!(text(nameid), "alice@acme.example");
    assert_eq!(
        attr(nameid, "Format"),
        Some(saml::response::uri::NAMEID_EMAIL)
    );
    assert_eq!(
        attribute_values(
            &doc,
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname"
        ),
        Some(vec!["Alice".to_string()])
    );
    let groups = attribute_values(
        &doc,
        "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
    )
    .expect("groups");
    assert_eq!(groups.len(), 2);
    assert!(
        groups.iter().all(|g| g.len() == 36),
        "Entra sends group object ids: {groups:?}"
    );
    assert_eq!(
        attribute_values(
            &doc,
            "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"
        ),
        Some(vec!["admin".to_string()])
    );
}

#[tokio::test]
async fn entra_group_overage_above_150_and_google_sends_no_groups_by_default() {
    let (idps, _) = idps();
    let sso = tenant(&idps, Vendor::Entra);
    let t = idps.tenant(Vendor::Entra, "acme").expect("t");
    let groups_uri = "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups";
    // Alice has 2 groups: 2 + 148 = 150 is still sent in full.
    t.state.lock().next_login = Some(NextLogin {
        user: Some("alice@acme.example".into()),
        extra_groups: Some(148),
        ..NextLogin::default()
    });
    let doc = xml::parse(&login(&idps, &sso, &request("_a", None, None)).await).expect("xml");
    assert_eq!(
        attribute_values(&doc, groups_uri).map(|g| g.len()),
        Some(150)
    );
    // 2 + 149 = 151: overage, a link instead of the groups.
    t.state.lock().next_login = Some(NextLogin {
        user: Some("alice@acme.example".into()),
        extra_groups: Some(149),
        ..NextLogin::default()
    });
    let doc = xml::parse(&login(&idps, &sso, &request("_b", None, None)).await).expect("xml");
    assert_eq!(attribute_values(&doc, groups_uri), None);
    let link = attribute_values(&doc, "http://schemas.microsoft.com/claims/groups.link")
        .expect("groups.link");
    assert!(link[0].contains("/getMemberObjects"), "{link:?}");

    let (idps, _) = crate::common::idps();
    let sso = tenant(&idps, Vendor::Google);
    // Google has no group attribute by default: an app must name one.
    let doc = xml::parse(&login(&idps, &sso, &request("_c", None, None)).await).expect("xml");
    assert_eq!(attribute_values(&doc, "groups"), None);
    // Named, it carries group names, at most 75.
    let t = idps.tenant(Vendor::Google, "acme").expect("t");
    t.state.lock().saml_apps[0].groups_attribute = Some("memberOf".into());
    t.state.lock().next_login = Some(NextLogin {
        user: Some("alice@acme.example".into()),
        extra_groups: Some(100),
        ..NextLogin::default()
    });
    let doc = xml::parse(&login(&idps, &sso, &request("_d", None, None)).await).expect("xml");
    let groups = attribute_values(&doc, "memberOf").expect("memberOf");
    assert_eq!(groups.len(), 75);
    assert_eq!(&groups[..2], ["ml-admins", "ml-readers"]);
}

#[tokio::test]
async fn saml_core_3_4_1_1_nameid_policy_is_honoured_or_refused() {
    let (idps, _) = idps();
    let sso = tenant(&idps, Vendor::Entra);
    let doc = xml::parse(
        &login(
            &idps,
            &sso,
            &request("_p", Some(saml::response::uri::NAMEID_PERSISTENT), None),
        )
        .await,
    )
    .expect("xml");
    let nameid = first(&doc, "NameID").expect("NameID");
    assert_eq!(
        attr(nameid, "Format"),
        Some(saml::response::uri::NAMEID_PERSISTENT)
    );
    assert!(
        !text(nameid).contains('@'),
        "pairwise persistent id, not the email"
    );

    let doc = xml::parse(
        &login(
            &idps,
            &sso,
            &request(
                "_q",
                Some("urn:oasis:names:tc:SAML:2.0:nameid-format:kerberos"),
                None,
            ),
        )
        .await,
    )
    .expect("xml");
    let codes: Vec<_> = {
        let mut v = Vec::new();
        fn walk<'a>(e: &'a xml::Element, v: &mut Vec<&'a str>) {
            if e.name == "StatusCode" {
                v.extend(attr(e, "Value"));
            }
            for c in &e.children {
                if let xml::Node::Element(c) = c {
                    walk(c, v);
                }
            }
        }
        walk(&doc, &mut v);
        v
    };
    assert_eq!(
        codes,
        vec![
            "urn:oasis:names:tc:SAML:2.0:status:Requester",
            "urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy"
        ]
    );
    assert!(first(&doc, "Assertion").is_none());
}

#[tokio::test]
async fn entra_refuses_a_subject_in_the_request() {
    let (idps, _) = idps();
    let sso = tenant(&idps, Vendor::Entra);
    let x = login(
        &idps,
        &sso,
        &request("_s", None, Some("alice@acme.example")),
    )
    .await;
    assert!(x.contains("status:RequestUnsupported"), "{x}");
    assert!(!x.contains("Assertion"));
}

#[tokio::test]
async fn next_login_overrides_apply_once() {
    let (idps, _) = idps();
    let sso = tenant(&idps, Vendor::Okta);
    let t = idps.tenant(Vendor::Okta, "acme").expect("t");
    t.state.lock().next_login = Some(NextLogin {
        saml: SamlOverrides {
            sign: Some(SignaturePlacement::Response),
            alg: Some(SignatureAlgorithm::RsaSha1),
            audience: Some("https://other-sp.example".into()),
            not_on_or_after_offset_secs: Some(-60),
            ..SamlOverrides::default()
        },
        ..NextLogin::default()
    });
    let x = login(&idps, &sso, &request("_o1", None, None)).await;
    let proof = saml::verify_signatures(&x, &active_cert(&idps, Vendor::Okta)).expect("verify");
    assert_eq!(proof.signatures().len(), 1);
    assert!(x.contains("xmldsig#rsa-sha1"));
    assert!(x.contains("https://other-sp.example"));
    assert!(
        x.contains("NotOnOrAfter=\"2025-12-31T23:59:00.000Z\""),
        "{x}"
    );
    // consumed: the next login is the vendor default again
    let x = login(&idps, &sso, &request("_o2", None, None)).await;
    assert!(!x.contains("rsa-sha1") && !x.contains("other-sp"));
    assert_eq!(
        saml::verify_signatures(&x, &active_cert(&idps, Vendor::Okta))
            .expect("verify")
            .signatures()
            .len(),
        2
    );

    t.state.lock().next_login = Some(NextLogin {
        saml: SamlOverrides {
            signing_key: Some(KeyChoice::Foreign),
            ..SamlOverrides::default()
        },
        ..NextLogin::default()
    });
    let x = login(&idps, &sso, &request("_o3", None, None)).await;
    assert!(
        saml::verify_signatures(&x, &active_cert(&idps, Vendor::Okta)).is_err(),
        "a foreign key must not verify against the tenant's certificate"
    );
}

#[tokio::test]
async fn post_binding_and_idp_initiated() {
    let (idps, _) = idps();
    let sso = tenant(&idps, Vendor::Google);
    let a = post_form(
        &idps,
        &sso,
        &[
            (
                "SAMLRequest",
                &saml::encode_post(&request("_post", None, None)),
            ),
            ("RelayState", "x"),
        ],
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let (_, r, _) = form_fields(&a.body);
    let x = String::from_utf8(saml::b64_decode("r", &r).expect("b64")).expect("utf8");
    assert!(x.contains("InResponseTo=\"_post\""));

    let t = idps.tenant(Vendor::Google, "acme").expect("t");
    let app = t.saml_app(SP).expect("app");
    let init = path_of(&t.app_path(t.personality().saml.idp_initiated_path, &app));
    let a = get(&idps, &with_query(&init, "RelayState=%2Fhome")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let (action, r, relay) = form_fields(&a.body);
    assert_eq!(action, ACS);
    assert_eq!(relay.as_deref(), Some("/home"));
    let x = String::from_utf8(saml::b64_decode("r", &r).expect("b64")).expect("utf8");
    assert!(
        !x.contains("InResponseTo"),
        "unsolicited responses carry no InResponseTo"
    );
}

#[tokio::test]
async fn bad_requests_get_an_error_page_and_change_nothing() {
    let (idps, _) = idps();
    let sso = tenant(&idps, Vendor::Okta);
    let t = idps.tenant(Vendor::Okta, "acme").expect("t");
    let pending = NextLogin {
        user: Some("alice@acme.example".into()),
        ..NextLogin::default()
    };
    t.state.lock().next_login = Some(pending.clone());

    let deflate = |s: &str| {
        use std::io::Write;
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(s.as_bytes()).expect("deflate");
        saml::b64_encode(e.finish().expect("deflate"))
    };
    let enc = |s: String| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let bomb = {
        use std::io::Write;
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(&vec![b' '; 8 << 20]).expect("deflate");
        saml::b64_encode(e.finish().expect("deflate"))
    };
    let unregistered_acs = request("_u", None, None).replace(ACS, "https://evil.example/acs");
    let cases: Vec<(&str, String)> = vec![
        ("bad base64", "SAMLRequest=%%%%".into()),
        (
            "bad deflate",
            format!(
                "SAMLRequest={}",
                enc(saml::b64_encode(b"not deflate at all"))
            ),
        ),
        ("inflate bomb", format!("SAMLRequest={}", enc(bomb))),
        (
            "doctype",
            format!(
                "SAMLRequest={}",
                enc(deflate(
                    "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>"
                ))
            ),
        ),
        ("not xml", format!("SAMLRequest={}", enc(deflate("hello")))),
        (
            "nested 20,000 deep",
            format!(
                "SAMLRequest={}",
                enc(deflate(&("<a>".repeat(20_000) + &"</a>".repeat(20_000))))
            ),
        ),
        (
            "unregistered ACS",
            encode_redirect(&unregistered_acs, None, None).expect("enc"),
        ),
        (
            "unknown SP",
            encode_redirect(
                &request("_x", None, None).replace(SP, "https://stranger.example"),
                None,
                None,
            )
            .expect("enc"),
        ),
    ];
    for (what, q) in cases {
        let a = get(&idps, &with_query(&sso, &q)).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{what}: {}", a.body);
        assert!(
            !a.body.contains("SAMLResponse"),
            "{what}: nothing is posted"
        );
        assert!(a.body.contains("id=\"error\""), "{what}");
    }
    assert_eq!(
        t.state.lock().next_login.as_ref(),
        Some(&pending),
        "no state changed"
    );
    let log = t.state.lock().log.len();
    assert_eq!(log, 8, "every refusal is logged");
}

#[tokio::test]
async fn metadata_lists_entity_id_endpoints_and_the_active_key() {
    for vendor in Vendor::ALL {
        let (idps, _) = idps();
        tenant(&idps, vendor);
        let t = idps.tenant(vendor, "acme").expect("t");
        let app = t.saml_app(SP).expect("app");
        let a = get(
            &idps,
            &path_of(&t.app_path(t.personality().saml.metadata_path, &app)),
        )
        .await;
        assert_eq!(a.status, StatusCode::OK);
        assert!(a
            .body
            .contains(&format!("entityID=\"{}\"", t.saml_entity_id(Some(&app)))));
        // S3, S12, S13: the app metadata lists the one active certificate, however many keys
        // the tenant publishes (Entra's federation metadata repeats it per descriptor).
        let active = t.state.lock().keys.active().cert_b64();
        let copies = a.body.matches(active.as_str()).count();
        // Entra: three descriptors and the signature's KeyInfo.
        let descriptors = if vendor == Vendor::Entra { 4 } else { 1 };
        assert_eq!(copies, descriptors, "{vendor}");
        assert!(
            t.state.lock().keys.all().len() > 1,
            "{vendor} publishes a rotation set"
        );
        for k in t
            .state
            .lock()
            .keys
            .all()
            .iter()
            .filter(|k| k.cert_b64() != active)
        {
            assert!(!a.body.contains(k.cert_b64().as_str()), "{vendor}");
        }
        if vendor != Vendor::Entra {
            assert!(a.body.contains("WantAuthnRequestsSigned=\"false\""));
        }
        // A rollover in progress: the next certificate is listed beside the active one.
        t.rotate_keys(protocols::KeyKind::Rsa, false)
            .expect("rotate");
        let next = t.state.lock().keys.all().last().expect("key").cert_b64();
        let a = get(
            &idps,
            &path_of(&t.app_path(t.personality().saml.metadata_path, &app)),
        )
        .await;
        let listed = if vendor == Vendor::Entra { 3 } else { 1 };
        assert_eq!(a.body.matches(next.as_str()).count(), listed, "{vendor}");
        // The SP-metadata parser is not for IdP metadata: it says so rather than guessing.
        assert!(parse_sp_metadata(&a.body).is_err());
    }
}

#[tokio::test]
async fn assertion_shape_per_vendor_is_pinned() {
    for vendor in Vendor::ALL {
        let (idps, _) = idps();
        let sso = tenant(&idps, vendor);
        idps.tenant(vendor, "acme")
            .expect("t")
            .state
            .lock()
            .next_login = Some(NextLogin {
            user: Some("alice@acme.example".into()),
            ..NextLogin::default()
        });
        let x = login(&idps, &sso, &request("_snap", None, None)).await;
        insta::assert_snapshot!(format!("saml_response_{vendor}"), x);
    }
}

#[tokio::test]
async fn every_placement_and_algorithm_verifies_with_xmlsec1_for_every_vendor() {
    use protocols::KeyKind;
    for vendor in Vendor::ALL {
        let (idps, _) = crate::common::idps();
        let sso = tenant(&idps, vendor);
        let t = idps.tenant(vendor, "acme").expect("t");
        for alg in SignatureAlgorithm::ALL {
            // ECDSA needs an EC key: rotate to one; RSA algorithms sign with the pinned RSA key.
            let key = if alg == SignatureAlgorithm::EcdsaSha256 {
                let kid = t.rotate_keys(KeyKind::Ec, false).expect("ec key");
                Some(KeyChoice::Kid(kid))
            } else {
                None
            };
            for placement in [
                SignaturePlacement::Assertion,
                SignaturePlacement::Response,
                SignaturePlacement::Both,
            ] {
                t.state.lock().next_login = Some(NextLogin {
                    saml: SamlOverrides {
                        sign: Some(placement),
                        alg: Some(alg),
                        signing_key: key.clone(),
                        ..SamlOverrides::default()
                    },
                    ..NextLogin::default()
                });
                let x = login(&idps, &sso, &request("_m", None, None)).await;
                let signer = t.signing_key(key.as_ref()).expect("key");
                let proof = saml::verify_signatures(&x, signer.cert_der())
                    .unwrap_or_else(|e| panic!("{vendor} {alg:?} {placement:?}: {e}"));
                let doc = xml::parse(&x).expect("xml");
                let assertion_id = attr(first(&doc, "Assertion").expect("a"), "ID")
                    .expect("ID")
                    .to_string();
                let response_id = attr(&doc, "ID").expect("ID").to_string();
                let expected: Vec<&str> = match placement {
                    SignaturePlacement::Assertion => vec![&assertion_id],
                    SignaturePlacement::Response => vec![&response_id],
                    _ => vec![&assertion_id, &response_id],
                };
                for id in &expected {
                    assert!(
                        proof.covers(id),
                        "{vendor} {alg:?} {placement:?}: {id} not covered"
                    );
                    assert!(
                        xmlsec1_verify(&x, signer.cert_pem(), id),
                        "{vendor} {alg:?} {placement:?}: xmlsec1 rejects {id}"
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn open_mode_answers_any_sp_at_the_acs_it_names() {
    let (idps, _) = crate::common::idps();
    let t = idps
        .create_tenant(NewTenant {
            vendor: Some(Vendor::Okta),
            id: Some("open1".into()),
            ..NewTenant::default()
        })
        .expect("tenant");
    let sso = path_of(&t.app_path(t.personality().saml.sso_path, &t.default_saml_app()));
    let req = request("_open", None, None)
        .replace(SP, "https://anything.example")
        .replace(ACS, "http://127.0.0.1:9999/acs");
    let q = encode_redirect(&req, None, None).expect("enc");
    let a = get(&idps, &with_query(&sso, &q)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let (action, r, _) = form_fields(&a.body);
    assert_eq!(action, "http://127.0.0.1:9999/acs");
    let x = String::from_utf8(saml::b64_decode("r", &r).expect("b64")).expect("utf8");
    assert!(
        x.contains("<saml2:Audience>https://anything.example</saml2:Audience>"),
        "{x}"
    );
    // Without an ACS in the request there is nowhere to post: an error page.
    let req = request("_open2", None, None)
        .replace(SP, "https://anything.example")
        .replace(&format!(" AssertionConsumerServiceURL=\"{ACS}\""), "");
    let q = encode_redirect(&req, None, None).expect("enc");
    let a = get(&idps, &with_query(&sso, &q)).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.body);
    assert!(a.body.contains("AssertionConsumerServiceURL"));
}

/// Open mode: the SSO URL picks the app, as at Okta, so an SP given the default app's values
/// keeps getting the default app's issuer after another app is registered.
#[tokio::test]
async fn open_mode_issuer_follows_the_sso_url() {
    let (idps, _) = crate::common::idps();
    let t = idps
        .create_tenant(NewTenant {
            vendor: Some(Vendor::Okta),
            id: Some("open2".into()),
            ..NewTenant::default()
        })
        .expect("tenant");
    let default = t.default_saml_app();
    let default_issuer = t.saml_entity_id(Some(&default));
    let sso = path_of(&t.app_path(t.personality().saml.sso_path, &default));
    mock_idps::control::register_saml_app(
        &t,
        NewSamlApp {
            sp_entity_id: SP.into(),
            acs_urls: vec![ACS.into()],
            ..NewSamlApp::default()
        },
    )
    .expect("register");
    let registered = t.saml_app(SP).expect("app");
    assert_ne!(t.saml_entity_id(Some(&registered)), default_issuer);
    // The registered SP, at the default app's URL: the default app answers.
    let x = login(&idps, &sso, &request("_u1", None, None)).await;
    assert!(
        x.contains(&format!(">{default_issuer}</saml2:Issuer>")),
        "expected the default app's issuer {default_issuer}: {x}"
    );
    // At its own app's URL, its own issuer.
    let own = path_of(&t.app_path(t.personality().saml.sso_path, &registered));
    let x = login(&idps, &own, &request("_u2", None, None)).await;
    assert!(
        x.contains(&format!(
            ">{}</saml2:Issuer>",
            t.saml_entity_id(Some(&registered))
        )),
        "{x}"
    );
}

/// Open mode: IdP-initiated sign-in names its SP in the URL, and says how when it does not.
#[tokio::test]
async fn open_mode_idp_initiated_names_its_sp() {
    let (idps, _) = crate::common::idps();
    let t = idps
        .create_tenant(NewTenant {
            vendor: Some(Vendor::Okta),
            id: Some("open3".into()),
            ..NewTenant::default()
        })
        .expect("tenant");
    let app = t.default_saml_app();
    let path = path_of(&t.app_path(t.personality().saml.idp_initiated_path, &app));
    let a = get(&idps, &path).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.body);
    assert!(
        a.body.contains("acs=") && a.body.contains("sp_entity_id="),
        "{}",
        a.body
    );
    let a = get(
        &idps,
        &with_query(&path, "acs=not%20a%20url&sp_entity_id=x"),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.body);
    let q = "acs=http%3A%2F%2F127.0.0.1%3A9999%2Facs&sp_entity_id=https%3A%2F%2Fsp.open%2F&RelayState=rs";
    let a = get(&idps, &with_query(&path, q)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let (action, r, relay) = form_fields(&a.body);
    assert_eq!(action, "http://127.0.0.1:9999/acs");
    assert_eq!(relay.as_deref(), Some("rs"));
    let x = String::from_utf8(saml::b64_decode("r", &r).expect("b64")).expect("utf8");
    assert!(
        x.contains("<saml2:Audience>https://sp.open/</saml2:Audience>"),
        "{x}"
    );
    assert!(!x.contains("InResponseTo"), "unsolicited: {x}");
}

/// The request log keeps the AuthnRequest and the Response of a login, for the console.
#[tokio::test]
async fn the_log_keeps_the_authn_request_and_the_response() {
    let (idps, _) = idps();
    let sso = tenant(&idps, Vendor::Okta);
    let sent = request("_req_logged", None, None);
    let answered = login(&idps, &sso, &sent).await;
    let log = get(&idps, "/_idpsim/tenants/okta/acme/log").await;
    let log: serde_json::Value = serde_json::from_str(&log.body).expect("json");
    let last = log["log"]
        .as_array()
        .and_then(|l| l.last())
        .expect("an entry")
        .clone();
    let kinds: Vec<&str> = last["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|m| m["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["AuthnRequest", "SAMLResponse"]);
    assert!(last["messages"][0]["content"]
        .as_str()
        .is_some_and(|x| x.contains("_req_logged")));
    assert_eq!(
        last["messages"][1]["content"].as_str(),
        Some(answered.as_str())
    );
}
