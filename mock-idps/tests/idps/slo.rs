//! SAML Single Logout at the mock IdPs: off by default at Okta and absent at Google, SP-initiated
//! logout ends the IdP's session and is answered as each vendor answers (Okta: signed POST;
//! Entra: Redirect with the signature inside the XML), every bad LogoutRequest is refused and
//! ends nothing, and IdP-initiated logout sends a signed LogoutRequest whose answer is recorded.
//! xmlsec1 verifies the POST-binding signatures.

use crate::common::*;
use axum::http::StatusCode;
use mock_idps::control::NewSamlApp;
use mock_idps::directory::NewUser;
use mock_idps::{MockIdps, Mode, NewTenant, Vendor};
use protocols::keys::{KeyKind, SigningKey, Validity};
use protocols::saml::logout::{
    self, build_logout_request, build_logout_response, encode_redirect_message, LogoutMessage,
    LogoutRequestSpec, LogoutResponseSpec, Param, STATUS_UNKNOWN_PRINCIPAL,
};
use protocols::saml::response::uri;
use protocols::saml::{self, SignatureAlgorithm};
use serde_json::{json, Value};
use std::process::Command;

const SP: &str = "https://sp.example/saml/metadata";
const ACS: &str = "https://sp.example/saml/acs";
const SP_SLO: &str = "https://sp.example/saml/slo";
const ALICE: &str = "alice@acme.example";

fn sp_key(idps: &MockIdps) -> SigningKey {
    let now = idps.options().clock.now();
    SigningKey::generate(KeyKind::Rsa, "sp", "sp-signing", Validity::current(now, 1)).expect("key")
}

fn tenant(idps: &MockIdps, vendor: Vendor) {
    idps.create_tenant(NewTenant {
        vendor: Some(vendor),
        id: Some("acme".into()),
        mode: Mode::Strict,
        seed_users: Some(0),
        users: vec![NewUser {
            login: Some(ALICE.into()),
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

fn slo_url(vendor: Vendor) -> String {
    format!("/_idpsim/tenants/{vendor}/acme/saml-apps/app1/slo")
}

async fn enable(idps: &MockIdps, vendor: Vendor, sp: &SigningKey) -> Value {
    let a = send_json(
        idps,
        "PUT",
        &slo_url(vendor),
        &json!({"url": SP_SLO, "certificate": sp.cert_pem()}).to_string(),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    serde_json::from_str(&a.body).expect("json")
}

/// Sign Alice in (IdP-initiated); the SessionIndex the IdP recorded.
async fn login(idps: &MockIdps, vendor: Vendor) -> String {
    let t = idps.tenant(vendor, "acme").expect("tenant");
    let app = t.saml_app(SP).expect("app");
    let url = path_of(&t.app_path(t.personality().saml.idp_initiated_path, &app));
    let a = get(idps, &url).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let s = sessions(idps, vendor).await;
    s.last().expect("a session")["session_index"]
        .as_str()
        .expect("index")
        .to_string()
}

async fn sessions(idps: &MockIdps, vendor: Vendor) -> Vec<Value> {
    let a = get(
        idps,
        &format!("/_idpsim/tenants/{vendor}/acme/saml-sessions"),
    )
    .await;
    let v: Value = serde_json::from_str(&a.body).expect("json");
    v["saml_sessions"].as_array().cloned().unwrap_or_default()
}

fn idp_cert(idps: &MockIdps, vendor: Vendor) -> Vec<u8> {
    let t = idps.tenant(vendor, "acme").expect("tenant");
    let der = t.state.lock().keys.active().cert_der().to_vec();
    der
}

fn request_xml(
    idps: &MockIdps,
    id: &str,
    session_index: &str,
    destination: Option<String>,
) -> String {
    build_logout_request(&LogoutRequestSpec {
        id: id.into(),
        issue_instant: idps.options().clock.now(),
        destination,
        issuer: SP.into(),
        name_id: ALICE.into(),
        name_id_format: None,
        session_index: Some(session_index.into()),
        protocol_prefix: "samlp".into(),
        assertion_prefix: "saml".into(),
    })
    .to_xml()
}

/// The IdP's SLO endpoint path for app1.
fn idp_slo(idps: &MockIdps, vendor: Vendor) -> String {
    let t = idps.tenant(vendor, "acme").expect("tenant");
    let app = t.saml_app(SP).expect("app");
    mock_idps::saml_idp::slo::idp_slo_url(&t, &app).expect("slo url")
}

/// The LogoutResponse in an auto-submitting form.
fn form_response(body: &str) -> String {
    let marker = "name=\"SAMLResponse\" value=\"";
    let i = body.find(marker).expect("SAMLResponse") + marker.len();
    let b64 = &body[i..i + body[i..].find('"').expect("end")];
    String::from_utf8(saml::b64_decode("SAMLResponse", b64).expect("b64")).expect("utf8")
}

fn status_of(xml: &str) -> (String, Option<String>, Option<String>) {
    match logout::parse_logout_message(xml).expect("parses") {
        LogoutMessage::Response(r) => (r.status, r.sub_status, r.in_response_to),
        other => panic!("not a response: {other:?}"),
    }
}

fn xmlsec1_verify(xml_text: &str, cert_der: &[u8], element: &str, node_id: &str) -> bool {
    let pem = openssl::x509::X509::from_der(cert_der)
        .and_then(|c| c.to_pem())
        .expect("pem");
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = dir.path().join("m.xml");
    let cert = dir.path().join("c.pem");
    std::fs::write(&doc, xml_text).expect("write");
    std::fs::write(&cert, pem).expect("write");
    Command::new("xmlsec1")
        .args(["--verify", "--pubkey-cert-pem"])
        .arg(&cert)
        .args([
            "--id-attr:ID",
            &format!("urn:oasis:names:tc:SAML:2.0:protocol:{element}"),
            "--node-id",
            node_id,
        ])
        .arg(&doc)
        .output()
        .expect("xmlsec1 is installed by `make deps`")
        .status
        .success()
}

#[tokio::test]
async fn okta_slo_is_off_until_enabled_and_needs_the_sp_certificate() {
    let (idps, _) = idps();
    tenant(&idps, Vendor::Okta);
    let md_url = {
        let t = idps.tenant(Vendor::Okta, "acme").expect("tenant");
        let app = t.saml_app(SP).expect("app");
        path_of(&t.app_path(t.personality().saml.metadata_path, &app))
    };
    let md = get(&idps, &md_url).await;
    assert!(
        !md.body.contains("SingleLogoutService"),
        "S12: no SLO in Okta metadata unless enabled"
    );
    let no_cert = send_json(
        &idps,
        "PUT",
        &slo_url(Vendor::Okta),
        &json!({"url": SP_SLO}).to_string(),
    )
    .await;
    assert_eq!(no_cert.status, StatusCode::BAD_REQUEST);
    assert!(
        no_cert.body.contains("signed LogoutRequests"),
        "{}",
        no_cert.body
    );
    let redirect = send_json(
        &idps,
        "PUT",
        &slo_url(Vendor::Okta),
        &json!({"url": SP_SLO, "binding": "redirect", "certificate": sp_key(&idps).cert_pem()})
            .to_string(),
    )
    .await;
    assert_eq!(
        redirect.status,
        StatusCode::BAD_REQUEST,
        "Okta answers over POST only"
    );
    let not_url = send_json(
        &idps,
        "PUT",
        &slo_url(Vendor::Okta),
        &json!({"url": "nope", "certificate": sp_key(&idps).cert_pem()}).to_string(),
    )
    .await;
    assert_eq!(not_url.status, StatusCode::BAD_REQUEST);
    let t = idps.tenant(Vendor::Okta, "acme").expect("tenant");
    assert!(
        t.saml_app(SP).expect("app").slo.is_none(),
        "refusals change nothing"
    );

    let v = enable(&idps, Vendor::Okta, &sp_key(&idps)).await;
    let idp_url = v["idp_slo_url"].as_str().expect("url");
    assert!(idp_url.ends_with("/slo/saml"), "{idp_url}");
    assert!(idp_url.contains("/app/acme_idpsim_app_1/"), "{idp_url}");
    let md = get(&idps, &md_url).await;
    assert!(md.body.contains("SingleLogoutService"), "{}", md.body);
    assert!(md.body.contains(idp_url), "{}", md.body);
}

#[tokio::test]
async fn google_has_no_single_logout() {
    let (idps, _) = idps();
    tenant(&idps, Vendor::Google);
    let a = send_json(
        &idps,
        "PUT",
        &slo_url(Vendor::Google),
        &json!({"url": SP_SLO, "certificate": sp_key(&idps).cert_pem()}).to_string(),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.body.contains("no single logout"), "{}", a.body);
    let t = idps.tenant(Vendor::Google, "acme").expect("tenant");
    let app = t.saml_app(SP).expect("app");
    assert!(mock_idps::saml_idp::slo::idp_slo_url(&t, &app).is_none());
    let logout = send_json(
        &idps,
        "POST",
        "/_idpsim/tenants/google/acme/saml-apps/app1/logout",
        &json!({"user": ALICE}).to_string(),
    )
    .await;
    assert_eq!(logout.status, StatusCode::BAD_REQUEST, "{}", logout.body);
}

/// (what, LogoutRequest XML, signing key, expected top-level status, second-level status).
type Case = (
    &'static str,
    String,
    Option<SigningKey>,
    &'static str,
    Option<&'static str>,
);

#[tokio::test]
async fn saml_slo_1_okta_sp_initiated_logout_ends_the_session_and_answers_signed_over_post() {
    let (idps, _) = idps();
    tenant(&idps, Vendor::Okta);
    let sp = sp_key(&idps);
    enable(&idps, Vendor::Okta, &sp).await;
    let si = login(&idps, Vendor::Okta).await;
    let slo = idp_slo(&idps, Vendor::Okta);
    let send = |xml: String, key: Option<SigningKey>| {
        let slo = slo.clone();
        let idps = idps.clone();
        async move {
            let q = encode_redirect_message(
                Param::Request,
                &xml,
                Some("rs-1"),
                key.as_ref().map(|k| (k, SignatureAlgorithm::RsaSha256)),
            )
            .expect("encode");
            get(&idps, &format!("{}?{q}", path_of(&slo))).await
        }
    };

    // Refusals first: each is a non-Success LogoutResponse and ends nothing.
    let cases: Vec<Case> = vec![
        (
            "unsigned",
            request_xml(&idps, "_u", &si, Some(slo.clone())),
            None,
            uri::STATUS_REQUESTER,
            Some(uri::STATUS_REQUEST_DENIED),
        ),
        (
            "another key",
            request_xml(&idps, "_f", &si, Some(slo.clone())),
            Some(sp_key(&idps)),
            uri::STATUS_REQUESTER,
            Some(uri::STATUS_REQUEST_DENIED),
        ),
        (
            "unknown session",
            request_xml(&idps, "_x", "_nosuchsession", Some(slo.clone())),
            Some(sp.clone()),
            uri::STATUS_REQUESTER,
            Some(STATUS_UNKNOWN_PRINCIPAL),
        ),
        (
            "wrong destination",
            request_xml(
                &idps,
                "_d",
                &si,
                Some("https://elsewhere.example/slo".into()),
            ),
            Some(sp.clone()),
            uri::STATUS_REQUESTER,
            None,
        ),
    ];
    for (what, xml, key, top, sub) in cases {
        let a = send(xml, key).await;
        assert_eq!(a.status, StatusCode::OK, "{what}: {}", a.body);
        assert!(
            a.body.contains(SP_SLO),
            "{what}: posted to the SP's SLO URL"
        );
        let (status, sub_status, _) = status_of(&form_response(&a.body));
        assert_eq!(
            (status.as_str(), sub_status.as_deref()),
            (top, sub),
            "{what}"
        );
        assert_eq!(
            sessions(&idps, Vendor::Okta).await.len(),
            1,
            "{what} ends nothing"
        );
    }

    let a = send(
        request_xml(&idps, "_ok", &si, Some(slo.clone())),
        Some(sp.clone()),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(
        a.body.contains("name=\"RelayState\" value=\"rs-1\""),
        "RelayState comes back"
    );
    let xml = form_response(&a.body);
    let (status, _, irt) = status_of(&xml);
    assert_eq!(status, uri::STATUS_SUCCESS);
    assert_eq!(irt.as_deref(), Some("_ok"));
    assert!(
        xml.contains("<saml2p:LogoutResponse"),
        "Okta's prefixes: {xml}"
    );
    let cert = idp_cert(&idps, Vendor::Okta);
    logout::verify_post_message(&xml, &cert).expect("signed by the IdP");
    let id = xml
        .split("ID=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("id");
    assert!(
        xmlsec1_verify(&xml, &cert, "LogoutResponse", id),
        "xmlsec1 verifies"
    );
    assert!(
        sessions(&idps, Vendor::Okta).await.is_empty(),
        "the IdP session is gone"
    );

    // The same request again: the session no longer exists.
    let again = send(
        request_xml(&idps, "_ok2", &si, Some(slo.clone())),
        Some(sp.clone()),
    )
    .await;
    assert_eq!(
        status_of(&form_response(&again.body)).1.as_deref(),
        Some(STATUS_UNKNOWN_PRINCIPAL)
    );
}

#[tokio::test]
async fn bad_logout_messages_get_an_error_page_where_no_answer_can_be_addressed() {
    let (idps, _) = idps();
    tenant(&idps, Vendor::Okta);
    let sp = sp_key(&idps);
    let slo = path_of(&idp_slo(&idps, Vendor::Okta));
    // SLO not enabled for the app yet.
    let xml = request_xml(&idps, "_a", "_s", None);
    let q = encode_redirect_message(
        Param::Request,
        &xml,
        None,
        Some((&sp, SignatureAlgorithm::RsaSha256)),
    )
    .expect("q");
    let a = get(&idps, &format!("{slo}?{q}")).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.body.contains("not enabled"), "{}", a.body);
    enable(&idps, Vendor::Okta, &sp).await;
    for (what, query) in [
        ("bad base64", "SAMLRequest=%%%".to_string()),
        (
            "not deflate",
            format!("SAMLRequest={}", saml::b64_encode(b"plain text")),
        ),
        ("no message", "RelayState=x".to_string()),
    ] {
        let a = get(&idps, &format!("{slo}?{query}")).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{what}");
        assert!(a.body.contains("Single Logout"), "{what}: {}", a.body);
    }
    let stranger = xml.replace(SP, "https://evil.example/sp");
    let q = encode_redirect_message(Param::Request, &stranger, None, None).expect("q");
    let a = get(&idps, &format!("{slo}?{q}")).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.body.contains("evil.example"), "{}", a.body);
}

#[tokio::test]
async fn entra_answers_over_redirect_with_the_signature_inside_the_xml() {
    let (idps, _) = idps();
    tenant(&idps, Vendor::Entra);
    let sp = sp_key(&idps);
    enable(&idps, Vendor::Entra, &sp).await;
    let si = login(&idps, Vendor::Entra).await;
    let slo = idp_slo(&idps, Vendor::Entra);
    assert!(slo.contains("/saml2"), "S3: the SSO URL: {slo}");
    // Entra documents no signature on LogoutRequests: an unsigned one is accepted.
    let q = encode_redirect_message(
        Param::Request,
        &request_xml(&idps, "_e", &si, None),
        None,
        None,
    )
    .expect("q");
    let a = get(&idps, &format!("{}&{q}", path_of(&slo))).await;
    assert_eq!(a.status, StatusCode::FOUND, "{}", a.body);
    let location = a.headers["location"]
        .to_str()
        .expect("location")
        .to_string();
    assert!(
        location.starts_with(&format!("{SP_SLO}?SAMLResponse=")),
        "{location}"
    );
    assert!(
        !location.contains("Signature="),
        "no query signature: {location}"
    );
    let received =
        logout::decode_redirect_message(location.split_once('?').expect("query").1, 1 << 16)
            .expect("decode");
    let (status, _, irt) = status_of(&received.xml);
    assert_eq!(
        (status.as_str(), irt.as_deref()),
        (uri::STATUS_SUCCESS, Some("_e"))
    );
    logout::verify_post_message(&received.xml, &idp_cert(&idps, Vendor::Entra))
        .expect("enveloped signature");
    assert!(sessions(&idps, Vendor::Entra).await.is_empty());
    // A forged signature is still refused.
    let si = login(&idps, Vendor::Entra).await;
    let q = encode_redirect_message(
        Param::Request,
        &request_xml(&idps, "_f", &si, None),
        None,
        Some((&sp_key(&idps), SignatureAlgorithm::RsaSha256)),
    )
    .expect("q");
    let a = get(&idps, &format!("{}&{q}", path_of(&slo))).await;
    let location = a.headers["location"]
        .to_str()
        .expect("location")
        .to_string();
    let received =
        logout::decode_redirect_message(location.split_once('?').expect("query").1, 1 << 16)
            .expect("decode");
    assert_eq!(
        status_of(&received.xml).1.as_deref(),
        Some(uri::STATUS_REQUEST_DENIED)
    );
    assert_eq!(sessions(&idps, Vendor::Entra).await.len(), 1);
}

#[tokio::test]
async fn saml_slo_2_idp_initiated_logout_sends_a_signed_request_and_records_the_answer() {
    let (idps, _) = idps();
    tenant(&idps, Vendor::Okta);
    let sp = sp_key(&idps);
    enable(&idps, Vendor::Okta, &sp).await;
    let si = login(&idps, Vendor::Okta).await;
    let start = |body: Value| {
        let idps = idps.clone();
        async move {
            send_json(
                &idps,
                "POST",
                "/_idpsim/tenants/okta/acme/saml-apps/app1/logout",
                &body.to_string(),
            )
            .await
        }
    };
    let a = start(json!({"user": "bob@acme.example"})).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "unknown user");
    let a = start(json!({"user": ALICE})).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let v: Value = serde_json::from_str(&a.body).expect("json");
    let xml = v["logout_request"].as_str().expect("xml").to_string();
    let id = v["request_id"].as_str().expect("id").to_string();
    assert!(v["form_html"].as_str().expect("form").contains(SP_SLO));
    assert!(xml.contains(&si), "names the session");
    let cert = idp_cert(&idps, Vendor::Okta);
    assert!(
        xmlsec1_verify(&xml, &cert, "LogoutRequest", &id),
        "xmlsec1 verifies"
    );
    assert!(
        sessions(&idps, Vendor::Okta).await.is_empty(),
        "the IdP ended its session"
    );

    // The SP answers (POST, signed): the IdP records it.
    let mut el = build_logout_response(&LogoutResponseSpec {
        id: "_spr".into(),
        issue_instant: idps.options().clock.now(),
        destination: Some(idp_slo(&idps, Vendor::Okta)),
        in_response_to: id.clone(),
        issuer: SP.into(),
        status: uri::STATUS_SUCCESS.into(),
        sub_status: None,
        status_message: None,
        protocol_prefix: "samlp".into(),
        assertion_prefix: "saml".into(),
    });
    logout::sign_message(&mut el, &sp, SignatureAlgorithm::RsaSha256).expect("sign");
    let b64 = saml::b64_encode(el.to_document().as_bytes());
    let slo = path_of(&idp_slo(&idps, Vendor::Okta));
    let a = post_form(&idps, &slo, &[("SAMLResponse", &b64)]).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let again = post_form(&idps, &slo, &[("SAMLResponse", &b64)]).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "answered once");
    let logouts = get(&idps, "/_idpsim/tenants/okta/acme/saml-logouts").await;
    let v: Value = serde_json::from_str(&logouts.body).expect("json");
    let answer = &v["saml_logouts"][0]["response"];
    assert_eq!(answer["status"], uri::STATUS_SUCCESS);
    assert_eq!(answer["signature"], "verified");

    // Faults: unsigned, and signed by a key the SP does not trust.
    login(&idps, Vendor::Okta).await;
    let v: Value = serde_json::from_str(&start(json!({"user": ALICE, "sign": "none"})).await.body)
        .expect("json");
    assert!(!v["logout_request"]
        .as_str()
        .expect("xml")
        .contains("SignatureValue"));
    login(&idps, Vendor::Okta).await;
    let v: Value =
        serde_json::from_str(&start(json!({"user": ALICE, "sign": "foreign"})).await.body)
            .expect("json");
    let xml = v["logout_request"].as_str().expect("xml");
    assert!(
        logout::verify_post_message(xml, &cert).is_err(),
        "not the IdP's key"
    );
    let a = start(json!({"user": ALICE})).await;
    assert_eq!(
        a.status,
        StatusCode::BAD_REQUEST,
        "no session left: {}",
        a.body
    );
}
