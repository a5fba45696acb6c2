use super::*;
use axum::extract::Form as AxumForm;
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use mock_idps::control::NewSamlApp;
use mock_idps::{Mode, NewTenant, Vendor};
use protocols::saml::{build_authn_request, encode_redirect, AuthnRequestSpec};
use std::collections::HashMap;
use std::sync::Arc;

/// A toy SP: its ACS sets a cookie holding the NameID and redirects home; home greets the cookie.
async fn toy_sp() -> String {
    async fn acs(AxumForm(f): AxumForm<HashMap<String, String>>) -> Response {
        let xml = protocols::saml::b64_decode("SAMLResponse", &f["SAMLResponse"])
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_default();
        let name = xml
            .split("NameID")
            .nth(1)
            .and_then(|s| s.split('>').nth(1))
            .and_then(|s| s.split('<').next())
            .unwrap_or("nobody")
            .to_string();
        (
            axum::http::StatusCode::SEE_OTHER,
            [
                (LOCATION, "/home".to_string()),
                (SET_COOKIE, format!("who={name}; Path=/")),
            ],
        )
            .into_response()
    }
    async fn home(headers: axum::http::HeaderMap) -> String {
        let who = headers
            .get("cookie")
            .and_then(|c| c.to_str().ok())
            .and_then(|c| c.strip_prefix("who="))
            .unwrap_or("stranger")
            .to_string();
        format!("hello {who}")
    }
    let app = Router::new()
        .route("/acs", post(acs))
        .route("/home", get(home));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

#[tokio::test]
async fn browse_follows_redirects_submits_saml_forms_keeps_cookies_and_records_evidence() {
    let sp = toy_sp().await;
    let (idps, _h) = mock_idps::spawn_local(
        Arc::new(protocols::ManualClock::fixed()),
        Arc::new(protocols::SeededIds::new(3)),
    )
    .await
    .expect("idps");
    let t = idps
        .create_tenant(NewTenant {
            vendor: Some(Vendor::Okta),
            id: Some("acme".into()),
            mode: Mode::Strict,
            saml_apps: vec![NewSamlApp {
                sp_entity_id: "urn:toy".into(),
                acs_urls: vec![format!("{sp}/acs")],
                ..NewSamlApp::default()
            }],
            ..NewTenant::default()
        })
        .expect("tenant");
    let app = t.saml_app("urn:toy").expect("app");
    let sso = t.app_path(t.personality().saml.sso_path, &app);
    let req = build_authn_request(&AuthnRequestSpec {
        id: "_r1".into(),
        issue_instant: protocols::clock::snapshot_epoch(),
        issuer: "urn:toy".into(),
        destination: None,
        acs_url: Some(format!("{sp}/acs")),
        protocol_binding: None,
        name_id_policy: None,
        force_authn: None,
        is_passive: None,
        subject_name_id: None,
    });
    let url = format!(
        "{sso}?{}",
        encode_redirect(&req, Some("rs"), None).expect("encode")
    );

    let alice = UserAgent::new("alice").expect("agent");
    let j = alice.browse(&url).await.expect("journey");
    let first_user = t.users()[0].login.clone();
    assert_eq!(j.page.status, StatusCode::OK);
    assert_eq!(
        j.page.body,
        format!("hello {first_user}"),
        "cookie kept across hops"
    );
    assert_eq!(j.hops, 2, "form post, then the ACS redirect");

    let trace = alice.trace();
    assert_eq!(trace.exchanges.len(), 3);
    assert!(
        matches!(&trace.exchanges[0].decoded[..], [Decoded::Saml { field, xml }] if field == "SAMLRequest" && xml.contains("_r1"))
    );
    let posted = &trace.exchanges[1];
    assert_eq!(posted.method, "POST");
    assert!(
        matches!(&posted.decoded[..], [Decoded::Saml { field, xml }] if field == "SAMLResponse" && xml.contains("InResponseTo=\"_r1\""))
    );
    assert_eq!(posted.set_cookies, vec!["who".to_string()]);
    assert_eq!(trace.exchanges[2].url, format!("{sp}/home"));

    // Another actor has its own jar.
    let bob = UserAgent::new("bob").expect("agent");
    assert_eq!(
        bob.get(&format!("{sp}/home")).await.expect("page").body,
        "hello stranger"
    );
}

#[tokio::test]
async fn redirect_loops_are_reported_not_followed_forever() {
    let app = Router::new().route(
        "/loop",
        get(|| async { (axum::http::StatusCode::FOUND, [(LOCATION, "/loop")]) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let a = UserAgent::new("a").expect("agent");
    let e = a
        .browse(&format!("http://{addr}/loop"))
        .await
        .expect_err("loop");
    assert!(matches!(e, AgentError::TooManyHops { .. }), "{e}");
    assert_eq!(a.trace().exchanges.len(), MAX_HOPS + 1);
}

#[test]
fn forms_resolve_actions_and_skip_buttons() {
    let page = Page {
        url: Url::parse("http://sp.test/a/b").expect("url"),
        status: StatusCode::OK,
        headers: {
            let mut h = HeaderMap::new();
            h.insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            h
        },
        body: r#"<html><body><form method="post" action="../acs">
            <input type="hidden" name="SAMLResponse" value="PHg+"/>
            <input type="hidden" name="RelayState" value="a&amp;b"/>
            <input type="submit" value="Continue"/></form></body></html>"#
            .into(),
    };
    let f = page.auto_submit_form().expect("form");
    assert_eq!(f.action.as_str(), "http://sp.test/acs");
    assert_eq!(f.field("RelayState"), Some("a&b"));
    assert_eq!(f.fields.len(), 2);
}

/// A black-box journey visits the IdP at most as often as allowed: an SP that sends the browser
/// back to the IdP after refusing does not get a second, honest answer.
#[tokio::test]
async fn a_guarded_journey_stops_at_a_second_idp_visit() {
    use axum::{response::Redirect, routing::get, Router};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let b = base.clone();
    let app = Router::new()
        // The SP: every visit sends the browser to the IdP.
        .route(
            "/sp",
            get(move || {
                let b = b.clone();
                async move { Redirect::to(&format!("{b}/idp/sso")) }
            }),
        )
        // The IdP: straight back to the SP.
        .route("/idp/sso", get(|| async { Redirect::to("/sp") }));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let agent = UserAgent::new("t").expect("agent");
    let idp = format!("{base}/idp");
    let j = agent
        .browse_guarded(&format!("{base}/sp"), Some(&idp), 1)
        .await
        .expect("journey");
    let why = j.stopped.expect("stopped");
    assert!(why.contains("/idp/sso"), "{why}");
    let visits = agent
        .trace()
        .exchanges
        .iter()
        .filter(|e| e.url.starts_with(&idp))
        .count();
    assert_eq!(visits, 1);
    // With no visit allowed, the journey ends at the SP's first redirect.
    let j = agent
        .browse_guarded(&format!("{base}/sp"), Some(&idp), 0)
        .await
        .expect("journey");
    assert!(j.stopped.is_some());
    assert_eq!(j.page.url.path(), "/sp");
    // Unguarded, the same SP is a redirect loop.
    assert!(agent.browse(&format!("{base}/sp")).await.is_err());
}
