//! The admin API and the user-facing endpoints under bad input: clear JSON errors, no panics,
//! nothing changed. Also SP metadata and rejected logins.

use crate::common::*;
use axum::body::Body;
use axum::http::Request;
use mock_idps::next_login::SamlOverrides;
use mock_idps::{NextLogin, Vendor};
use protocols::{ManualClock, SeededIds};
use reference_sp::{AppState, Flaws, SpOptions, Store};
use reqwest::StatusCode;
use serde_json::json;
use std::sync::Arc;

#[tokio::test]
async fn malformed_admin_input_gets_clear_errors_and_changes_nothing() {
    let w = World::in_process();
    w.create_org("acme", "basic", json!({})).await;
    w.create_user("quinn", "pw", &["quinn@acme.example"]).await;
    let cases: &[(&str, &str, &str, u16, &str)] = &[
        ("POST", "/_admin/orgs", "{not json", 400, "malformed-json"),
        (
            "POST",
            "/_admin/orgs",
            r#"{"slug":"x1","mode":"basic","extra":1}"#,
            400,
            "malformed-json",
        ),
        (
            "POST",
            "/_admin/orgs",
            r#"{"slug":"x1","mode":"hybrid"}"#,
            400,
            "malformed-json",
        ),
        (
            "POST",
            "/_admin/orgs",
            r#"{"slug":"-bad-","mode":"basic"}"#,
            400,
            "bad-slug",
        ),
        (
            "POST",
            "/_admin/orgs",
            r#"{"slug":"12345","mode":"basic"}"#,
            400,
            "bad-slug",
        ),
        (
            "POST",
            "/_admin/orgs",
            r#"{"slug":"acme","mode":"basic"}"#,
            409,
            "conflict",
        ),
        (
            "POST",
            "/_admin/orgs",
            r#"{"slug":"quinn","mode":"basic"}"#,
            409,
            "conflict",
        ),
        (
            "POST",
            "/_admin/orgs",
            r#"{"slug":"okay","mode":"basic","session_timeout_secs":0}"#,
            400,
            "bad-session-timeout",
        ),
        (
            "POST",
            "/_admin/orgs",
            r#"{"slug":"okay","mode":"basic","default_role":"owner"}"#,
            400,
            "malformed-json",
        ),
        (
            "POST",
            "/_admin/users",
            r#"{"username":"a--b"}"#,
            400,
            "bad-username",
        ),
        (
            "POST",
            "/_admin/users",
            r#"{"username":"login"}"#,
            409,
            "conflict",
        ),
        (
            "POST",
            "/_admin/users",
            r#"{"username":"rae","emails":["nope"]}"#,
            400,
            "bad-email",
        ),
        (
            "POST",
            "/_admin/users",
            r#"{"username":"rae","emails":["quinn@acme.example"]}"#,
            409,
            "conflict",
        ),
        (
            "POST",
            "/_admin/users",
            r#"{"username":"quinn"}"#,
            409,
            "conflict",
        ),
        (
            "PUT",
            "/_admin/orgs/acme/sso",
            r#"{"protocol":"ws-fed"}"#,
            400,
            "bad-protocol",
        ),
        (
            "PUT",
            "/_admin/orgs/acme/sso",
            r#"{"protocol":"saml"}"#,
            400,
            "saml-source",
        ),
        (
            "PUT",
            "/_admin/orgs/acme/sso",
            r#"{"protocol":"saml","entity_id":"e","sso_url":"https://x","certificates":["garbage"]}"#,
            400,
            "bad-saml-config",
        ),
        (
            "PUT",
            "/_admin/orgs/acme/sso",
            r#"{"protocol":"saml","metadata_xml":"<nope/>"}"#,
            400,
            "bad-saml-config",
        ),
        (
            "PUT",
            "/_admin/orgs/acme/sso",
            r#"{"protocol":"saml","metadata_xml":"<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>"}"#,
            400,
            "bad-saml-config",
        ),
        (
            "PUT",
            "/_admin/orgs/acme/sso",
            r#"{"protocol":"oidc","issuer":"https://i","client_id":"c"}"#,
            400,
            "bad-sso-config",
        ),
        (
            "PUT",
            "/_admin/orgs/acme/sso",
            r#"{"protocol":"oidc","issuer":"https://i","client_id":"c","client_secret":"s","certificates":[]}"#,
            400,
            "field-not-for-protocol",
        ),
        (
            "PUT",
            "/_admin/orgs/ghost/sso",
            r#"{"protocol":"oidc","issuer":"https://i","client_id":"c","client_secret":"s"}"#,
            404,
            "not-found",
        ),
        (
            "POST",
            "/_admin/orgs/acme/members",
            r#"{"username":"ghost","role":"read"}"#,
            404,
            "not-found",
        ),
        (
            "POST",
            "/_admin/orgs/acme/invitations",
            r#"{"role":"read"}"#,
            400,
            "username-or-email",
        ),
        (
            "POST",
            "/_admin/orgs/acme/resource-groups",
            r#"{"name":" "}"#,
            400,
            "bad-group-name",
        ),
        (
            "POST",
            "/_admin/repos",
            r#"{"owner":"acme","name":"../x"}"#,
            400,
            "bad-repo-name",
        ),
        (
            "POST",
            "/_admin/repos",
            r#"{"owner":"ghost","name":"x"}"#,
            404,
            "not-found",
        ),
        (
            "POST",
            "/_admin/clock/advance",
            r#"{"seconds":-5}"#,
            400,
            "bad-seconds",
        ),
        (
            "POST",
            "/_admin/clock/advance",
            r#"{"seconds":"5"}"#,
            400,
            "malformed-json",
        ),
        ("DELETE", "/_admin/orgs", "", 405, "method-not-allowed"),
        ("GET", "/_admin/nothing/here", "", 404, "not-found"),
    ];
    let before = (w.count("orgs"), w.count("accounts"), w.count("org_sso"));
    for (method, path, body, status, code) in cases {
        let (answered, _, bytes) = w
            .transport
            .send(
                method,
                &w.url(path),
                &[("content-type", "application/json")],
                Some(body.to_string()),
            )
            .await;
        let got = answered.as_u16();
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        assert_eq!(got, *status, "{method} {path} {body}: {v}");
        assert_eq!(v["code"], *code, "{method} {path} {body}: {v}");
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    }
    assert_eq!(
        (w.count("orgs"), w.count("accounts"), w.count("org_sso")),
        before
    );
}

#[tokio::test]
async fn clock_endpoint_exists_only_with_the_test_flag() {
    let clock = ManualClock::fixed();
    let sp = reference_sp::app(AppState::new(SpOptions {
        base_url: IN_PROCESS_SP.into(),
        store: Arc::new(Store::in_memory().expect("store")),
        clock: Arc::new(clock.clone()),
        ids: Arc::new(SeededIds::new(1)),
        flaws: Flaws::none(),
        clock_control: None,
        admin_token: None,
    }));
    let (status, _, _) = call(
        &sp,
        Request::post("/_admin/clock/advance")
            .header("content-type", "application/json")
            .body(Body::from(json!({"seconds": 60}).to_string()))
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, _, bytes) = call(
        &sp,
        Request::get("/_admin/")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    let idx: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    assert_eq!(idx["test_clock"], false);
}

#[tokio::test]
async fn sp_metadata_is_served_at_the_entity_id() {
    let w = World::in_process();
    let org = w.create_org("acme", "basic", json!({})).await;
    let entity = org["urls"]["sp_entity_id"].as_str().expect("entity id");
    let (_, _, bytes) = w.transport.send("GET", entity, &[], None).await;
    let xml = String::from_utf8(bytes.to_vec()).expect("text");
    let md = protocols::saml::metadata::parse_sp_metadata(&xml).expect("metadata");
    assert_eq!(md.entity_id, entity);
    assert_eq!(
        md.default_acs().map(|a| a.location.clone()),
        org["urls"]["saml_acs"].as_str().map(str::to_string)
    );
}

#[tokio::test]
async fn garbage_at_the_acs_and_the_callback_is_refused_without_a_session() {
    let w = World::new().await;
    w.create_org("acme", "managed", json!({})).await;
    let t = w.tenant(Vendor::Okta, "acme", "acme", vec![]);
    w.configure_sso("acme", &t, Protocol::Saml, json!({})).await;
    w.create_org("oidco", "managed", json!({})).await;
    let t2 = w.tenant(Vendor::Okta, "oidco", "oidco", vec![]);
    w.configure_sso("oidco", &t2, Protocol::Oidc, json!({}))
        .await;
    let b = w.browser();
    for body in [
        "",
        "SAMLResponse=",
        "SAMLResponse=%%%",
        "SAMLResponse=PHg%2BPC94Pg%3D%3D",
    ] {
        let resp = reqwest::Client::new()
            .post(w.url("/organizations/acme/saml/consume"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("post");
        let status = resp.status();
        let v: serde_json::Value = resp.json().await.unwrap_or_default();
        assert!(status == 400 || status == 403, "{body}: {status} {v}");
        assert!(v["code"].as_str().is_some_and(|c| !c.is_empty()), "{v}");
    }
    let p = b
        .get("/organizations/oidco/oidc/consume?code=x&state=nope")
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(p.code(), "unknown-state");
    let p = b
        .get("/organizations/acme/oidc/consume?code=x&state=y")
        .await;
    assert_eq!(p.code(), "protocol-mismatch");
    let p = b.get("/organizations/ghost/sso/login").await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    let p = b
        .get("/organizations/acme/sso/login?return_to=https://evil.example/")
        .await;
    assert_eq!(p.code(), "bad-return-to");
    assert_eq!(w.count("sessions"), 0);
    assert_eq!(w.count("accounts"), 0);
}

#[tokio::test]
async fn a_rejected_assertion_creates_no_account_and_no_session() {
    let w = World::new().await;
    w.create_org("acme", "managed", json!({})).await;
    let t = w.tenant(
        Vendor::Entra,
        "acme",
        "acme",
        vec![idp_user("sam@acme.example", &[])],
    );
    w.configure_sso("acme", &t, Protocol::Saml, json!({})).await;
    w.set_next_login(
        &t,
        NextLogin {
            saml: SamlOverrides {
                audience: Some("https://someone-else.example".into()),
                ..SamlOverrides::default()
            },
            ..NextLogin::default()
        },
    );
    let mut b = w.browser();
    let p = b.browse("/organizations/acme/sso/login").await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
    assert_eq!(p.json()["error"], "saml-rejected");
    assert!(p.code().contains("audience"), "{}", p.code());
    assert_eq!(w.count("accounts"), 0);
    assert_eq!(w.count("sessions"), 0);
    assert_eq!(w.count("saml_replay"), 0);
    assert_eq!(b.whoami().await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn saml_rpl_1_a_replayed_response_is_refused() {
    let w = World::new().await;
    w.create_org("acme", "managed", json!({"allow_idp_initiated": true}))
        .await;
    let t = w.tenant(
        Vendor::Okta,
        "acme",
        "acme",
        vec![idp_user("tia@acme.example", &[])],
    );
    w.configure_sso("acme", &t, Protocol::Saml, json!({})).await;
    let mut b = w.browser();
    let (acs, resp, relay) = b.until_saml_form("/organizations/acme/sso/login").await;
    let mut fields = vec![("SAMLResponse", resp.as_str())];
    if let Some(r) = relay.as_deref() {
        fields.push(("RelayState", r));
    }
    let first = b.post_form(&acs, &fields).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let again = w.browser().post_form(&acs, &fields).await;
    assert_eq!(again.status, StatusCode::FORBIDDEN, "{}", again.body);
    assert_eq!(again.json()["error"], "saml-rejected");
}
