//! EncryptedAssertion: what Okta and Entra send to an SP that advertises an encryption key, that
//! `xmlsec1 --decrypt` reads it with the SP's key, and that unfit certificates and Google are
//! refused without changing the app.

use crate::common::*;
use axum::http::StatusCode;
use mock_idps::control::NewSamlApp;
use mock_idps::directory::NewUser;
use mock_idps::next_login::{NextLogin, SamlOverrides};
use mock_idps::saml_idp::encrypt::EncryptionOverride;
use mock_idps::{MockIdps, Mode, NewTenant, Vendor};
use protocols::keys::{KeyKind, SigningKey, Validity};
use protocols::saml::{self, DataEncryption, KeyTransport};
use protocols::xml::{self, Element};
use protocols::Clock;
use std::process::Command;

const SP: &str = "https://sp.example/saml/metadata";
const ACS: &str = "https://sp.example/saml/acs";

fn sp_key(idps: &MockIdps) -> SigningKey {
    let now = idps.options().clock.now();
    SigningKey::generate(
        KeyKind::Rsa,
        "sp",
        "sp-encryption",
        Validity::current(now, 1),
    )
    .expect("key")
}

fn sp_metadata(cert_b64: &str) -> String {
    format!(
        r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{SP}">
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="encryption"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>{cert_b64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{ACS}" index="0"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>"#
    )
}

fn tenant(idps: &MockIdps, vendor: Vendor) {
    idps.create_tenant(NewTenant {
        vendor: Some(vendor),
        id: Some("acme".into()),
        mode: Mode::Strict,
        seed_users: Some(0),
        users: vec![NewUser {
            login: Some("alice@acme.example".into()),
            ..NewUser::default()
        }],
        saml_apps: vec![NewSamlApp {
            id: Some("app1".into()),
            sp_entity_id: SP.into(),
            acs_urls: vec![ACS.into()],
            ..NewSamlApp::default()
        }],
        ..NewTenant::default()
    })
    .expect("tenant");
}

fn encryption_url(vendor: Vendor) -> String {
    format!("/_idpsim/tenants/{vendor}/acme/saml-apps/app1/encryption")
}

/// An IdP-initiated login: the decoded Response.
async fn login(idps: &MockIdps, vendor: Vendor) -> String {
    let t = idps.tenant(vendor, "acme").expect("tenant");
    let app = t.saml_app(SP).expect("app");
    let url = path_of(&t.app_path(t.personality().saml.idp_initiated_path, &app));
    let a = get(idps, &url).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let marker = "name=\"SAMLResponse\" value=\"";
    let i = a.body.find(marker).expect("SAMLResponse") + marker.len();
    let b64 = &a.body[i..i + a.body[i..].find('"').expect("end")];
    String::from_utf8(saml::b64_decode("SAMLResponse", b64).expect("b64")).expect("utf8")
}

fn find<'a>(e: &'a Element, name: &str) -> Option<&'a Element> {
    if e.name == name {
        return Some(e);
    }
    e.elements().find_map(|c| find(c, name))
}

/// The decrypted assertion, standalone (with the Response's namespaces), as an SP reads it.
fn decrypted_assertion(response: &str, key: &SigningKey) -> String {
    let doc = xml::parse(response).expect("parse");
    let ea = find(&doc, "EncryptedAssertion").expect("an EncryptedAssertion");
    saml::decrypt_assertion(ea, key.pkey()).expect("decrypts with the SP key")
}

fn xmlsec1_decrypt(response: &str, key: &SigningKey) -> Result<String, String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = dir.path().join("r.xml");
    let pem = dir.path().join("k.pem");
    let crt = dir.path().join("c.pem");
    std::fs::write(&doc, response).expect("write");
    std::fs::write(&pem, key.key_pem()).expect("write");
    std::fs::write(&crt, key.cert_pem()).expect("write");
    let mut key_arg = pem.into_os_string();
    key_arg.push(",");
    key_arg.push(crt.as_os_str());
    let out = Command::new("xmlsec1")
        .args(["--decrypt", "--privkey-pem"])
        .arg(&key_arg)
        .arg(&doc)
        .output()
        .expect("xmlsec1 is installed by `make deps`");
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[tokio::test]
async fn saml_enc_1_okta_and_entra_sign_then_encrypt_to_the_sp_metadata_certificate() {
    for (vendor, response_signed) in [(Vendor::Okta, true), (Vendor::Entra, false)] {
        let (idps, _) = idps();
        tenant(&idps, vendor);
        let key = sp_key(&idps);
        let body = serde_json::json!({ "sp_metadata": sp_metadata(&key.cert_b64()) });
        let a = send_json(&idps, "PUT", &encryption_url(vendor), &body.to_string()).await;
        assert_eq!(a.status, StatusCode::OK, "{vendor}: {}", a.body);
        assert!(a.body.contains("aes256-cbc"), "{vendor}: {}", a.body);

        let xml_text = login(&idps, vendor).await;
        let doc = xml::parse(&xml_text).expect("parse");
        assert!(
            find(&doc, "Assertion").is_none(),
            "{vendor}: plaintext assertion"
        );
        assert!(xml_text.contains(DataEncryption::Aes256Cbc.uri()));
        assert!(xml_text.contains(KeyTransport::RsaOaepMgf1p.uri()));
        assert!(!xml_text.contains("alice@acme.example"), "{vendor}: leaked");

        // The response signature (Okta) covers the EncryptedAssertion: made after encrypting.
        let t = idps.tenant(vendor, "acme").expect("tenant");
        let idp_cert = t.state.lock().keys.active().cert_der().to_vec();
        if response_signed {
            let v = saml::verify_signatures(&xml_text, &idp_cert).expect("response signature");
            assert_eq!(v.covered_ids().len(), 1, "{vendor}");
        } else {
            assert!(matches!(
                saml::verify_signatures(&xml_text, &idp_cert),
                Err(saml::SamlError::NoSignature)
            ));
        }
        // The assertion inside was signed before it was encrypted.
        let assertion = decrypted_assertion(&xml_text, &key);
        assert!(assertion.contains("alice@acme.example"));
        let v = saml::verify_signatures(&assertion, &idp_cert)
            .unwrap_or_else(|e| panic!("{vendor}: the inner assertion: {e}"));
        let id = xml::parse(&assertion).expect("p").id().map(str::to_string);
        assert_eq!(v.covered_ids(), [id.as_deref().expect("ID")]);
    }
}

#[tokio::test]
async fn xmlsec1_decrypts_every_algorithm_with_the_sp_key() {
    for data in DataEncryption::ALL {
        let (idps, _) = idps();
        tenant(&idps, Vendor::Okta);
        let key = sp_key(&idps);
        let body = serde_json::json!({ "certificate": key.cert_pem(), "data": data });
        let a = send_json(
            &idps,
            "PUT",
            &encryption_url(Vendor::Okta),
            &body.to_string(),
        )
        .await;
        assert_eq!(a.status, StatusCode::OK, "{data:?}: {}", a.body);
        let xml_text = login(&idps, Vendor::Okta).await;
        assert!(xml_text.contains(data.uri()));
        let plain = xmlsec1_decrypt(&xml_text, &key)
            .unwrap_or_else(|e| panic!("{data:?}: xmlsec1 --decrypt failed: {e}"));
        assert!(plain.contains("alice@acme.example"), "{data:?}: {plain}");
        assert!(!plain.contains("EncryptedData"), "{data:?}: {plain}");
        // A key the SP does not hold: xmlsec1 cannot decrypt either.
        let other = sp_key(&idps);
        assert!(xmlsec1_decrypt(&xml_text, &other).is_err(), "{data:?}");
    }
}

#[tokio::test]
async fn saml_enc_3_a_foreign_key_override_encrypts_to_the_attacker() {
    let (idps, _) = idps();
    tenant(&idps, Vendor::Entra);
    let key = sp_key(&idps);
    let body = serde_json::json!({ "certificate": key.cert_pem() });
    let a = send_json(
        &idps,
        "PUT",
        &encryption_url(Vendor::Entra),
        &body.to_string(),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let t = idps.tenant(Vendor::Entra, "acme").expect("tenant");
    t.state.lock().next_login = Some(NextLogin {
        saml: SamlOverrides {
            encryption: Some(EncryptionOverride::ForeignKey),
            ..SamlOverrides::default()
        },
        ..NextLogin::default()
    });
    let xml_text = login(&idps, Vendor::Entra).await;
    let doc = xml::parse(&xml_text).expect("parse");
    let ea = find(&doc, "EncryptedAssertion").expect("encrypted");
    assert!(matches!(
        saml::decrypt_assertion(ea, key.pkey()),
        Err(saml::SamlError::DecryptionFailed { .. })
    ));
    // The next login is honest again, and DELETE turns encryption off.
    assert!(login(&idps, Vendor::Entra)
        .await
        .contains("EncryptedAssertion"));
    let a = send_json(&idps, "DELETE", &encryption_url(Vendor::Entra), "").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(!login(&idps, Vendor::Entra)
        .await
        .contains("EncryptedAssertion"));
}

#[tokio::test]
async fn unfit_certificates_google_and_unknown_apps_are_refused_and_change_nothing() {
    let (okta, clock) = idps();
    tenant(&okta, Vendor::Okta);
    let now = clock.now();
    let ec = SigningKey::generate(KeyKind::Ec, "e", "ec", Validity::current(now, 1)).expect("ec");
    let expired =
        SigningKey::generate(KeyKind::Rsa, "x", "old", Validity::expired(now)).expect("old");
    let rsa = sp_key(&okta);
    let signing_only = {
        let kp = rcgen::KeyPair::from_pem_and_sign_algo(rsa.key_pem(), &rcgen::PKCS_RSA_SHA256)
            .expect("kp");
        let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        p.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
        p.self_signed(&kp).expect("cert").pem()
    };
    let no_enc_md = sp_metadata("").replace(
        r#"<md:KeyDescriptor use="encryption">"#,
        r#"<md:KeyDescriptor use="signing">"#,
    );
    let cases: Vec<(serde_json::Value, &str)> = vec![
        (serde_json::json!({}), "exactly one of certificate"),
        (
            serde_json::json!({"certificate": "not a pem"}),
            "not a PEM certificate",
        ),
        (serde_json::json!({"certificate": ec.cert_pem()}), "not RSA"),
        (
            serde_json::json!({"certificate": expired.cert_pem()}),
            "expired",
        ),
        (
            serde_json::json!({"certificate": signing_only}),
            "keyEncipherment",
        ),
        (
            serde_json::json!({"sp_metadata": no_enc_md}),
            "no encryption certificate",
        ),
        (
            serde_json::json!({"certificate": rsa.cert_pem(), "key_transport": "rsa-oaep"}),
            "does not offer",
        ),
        (
            serde_json::json!({"certificate": rsa.cert_pem(), "data": "des"}),
            "invalid JSON",
        ),
    ];
    for (body, why) in cases {
        let a = send_json(
            &okta,
            "PUT",
            &encryption_url(Vendor::Okta),
            &body.to_string(),
        )
        .await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{body}: {}", a.body);
        assert!(
            a.body.contains(why),
            "{body}: expected {why:?} in {}",
            a.body
        );
        let t = okta.tenant(Vendor::Okta, "acme").expect("tenant");
        assert_eq!(t.saml_app(SP).expect("app").encryption, None, "{body}");
    }
    // Entra only encrypts with AES-256-CBC.
    let (entra, _) = idps();
    tenant(&entra, Vendor::Entra);
    let body = serde_json::json!({"certificate": rsa.cert_pem(), "data": "aes128-gcm"});
    let a = send_json(
        &entra,
        "PUT",
        &encryption_url(Vendor::Entra),
        &body.to_string(),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.body);
    // Google never encrypts.
    let (google, _) = idps();
    tenant(&google, Vendor::Google);
    let body = serde_json::json!({"certificate": rsa.cert_pem()});
    let a = send_json(
        &google,
        "PUT",
        &encryption_url(Vendor::Google),
        &body.to_string(),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.body);
    assert!(a.body.contains("does not encrypt"), "{}", a.body);
    // An unknown app.
    let a = send_json(
        &okta,
        "PUT",
        "/_idpsim/tenants/okta/acme/saml-apps/nope/encryption",
        &serde_json::json!({"certificate": rsa.cert_pem()}).to_string(),
    )
    .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.body);
}
