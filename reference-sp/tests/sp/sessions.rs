//! Session timeout under virtual time [SESS-*]: no sleeps, the SP and the IdPs share one
//! ManualClock moved through the admin API.

use crate::common::*;
use mock_idps::tenant::SharedTenant;
use mock_idps::Vendor;
use reference_sp::Flaw;
use reqwest::StatusCode;
use serde_json::json;

const WEEK: i64 = 7 * 24 * 3600;

fn no_logout_sent(t: &SharedTenant) {
    let st = t.state.lock();
    for e in &st.log {
        let p = e.path.to_ascii_lowercase();
        assert!(
            !p.contains("logout") && !p.contains("slo") && !p.contains("end_session"),
            "the SP sent the IdP a logout: {} {}",
            e.method,
            e.path
        );
    }
}

#[tokio::test]
async fn sess_2_sess_4_basic_org_session_expires_while_the_platform_login_stays() {
    let w = World::new().await;
    w.create_org("acme", "basic", json!({"session_timeout_secs": 3600}))
        .await;
    let t = w.tenant(
        Vendor::Okta,
        "acme",
        "acme",
        vec![idp_user("mia@acme.example", &[])],
    );
    w.configure_sso("acme", &t, Protocol::Saml, json!({})).await;
    w.create_user("mia", "pw", &["mia@acme.example"]).await;
    w.create_repo("acme", "r", None).await;
    let mut b = w.browser();
    b.password_login("mia", "pw").await;
    assert_eq!(b.browse("/acme/r").await.status, StatusCode::OK);

    w.advance(3599).await;
    assert_eq!(b.get("/acme/r").await.status, StatusCode::OK);
    w.advance(1).await;
    let p = b.get("/acme/r").await;
    assert_eq!(p.status, StatusCode::FOUND, "expired: SSO again");
    assert!(p
        .location
        .as_deref()
        .unwrap_or("")
        .starts_with("/organizations/acme/sso/login?return_to=%2Facme%2Fr"));
    // The platform login itself stays [SESS-2].
    let me = b.whoami().await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(
        whoami_org(&me.json(), "acme").expect("member")["sso"]["session"],
        "expired"
    );
    // Running SSO again restores access.
    let p = b.follow_from(p).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    no_logout_sent(&t);
}

#[tokio::test]
async fn sess_1_sess_4_managed_login_ends_with_the_default_seven_day_session() {
    let w = World::new().await;
    let org = w.create_org("acme", "managed", json!({})).await;
    assert_eq!(org["session_timeout_secs"], WEEK);
    let t = w.tenant(
        Vendor::Entra,
        "acme",
        "acme",
        vec![idp_user("ned@acme.example", &[])],
    );
    w.configure_sso("acme", &t, Protocol::Oidc, json!({})).await;
    w.create_repo("acme", "r", None).await;
    let mut b = w.browser();
    assert_eq!(b.browse("/acme/r").await.status, StatusCode::OK);
    w.advance(WEEK - 1).await;
    assert_eq!(b.whoami().await.status, StatusCode::OK);
    w.advance(1).await;
    // The whole platform login of a managed account hangs on its SSO session [MODE-2].
    let me = b.whoami().await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me.code(), "sso-session-expired");
    let p = b.get("/acme/r").await;
    assert_eq!(p.status, StatusCode::FOUND);
    let p = b.follow_from(p).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(b.whoami().await.status, StatusCode::OK);
    no_logout_sent(&t);
}

#[tokio::test]
async fn sess_2_ignore_session_timeout_flaw_keeps_sessions_forever() {
    let w = World::with_flaw(Flaw::IgnoreSessionTimeout).await;
    w.create_org("acme", "managed", json!({"session_timeout_secs": 60}))
        .await;
    let t = w.tenant(
        Vendor::Google,
        "acme",
        "acme",
        vec![idp_user("ola@acme.example", &[])],
    );
    w.configure_sso("acme", &t, Protocol::Saml, json!({})).await;
    w.create_repo("acme", "r", None).await;
    let mut b = w.browser();
    assert_eq!(b.browse("/acme/r").await.status, StatusCode::OK);
    w.advance(30 * 24 * 3600).await;
    assert_eq!(b.get("/acme/r").await.status, StatusCode::OK);
}

#[tokio::test]
async fn sess_3_removing_a_basic_member_ends_the_org_session_at_once() {
    let w = World::new().await;
    w.create_org("acme", "basic", json!({})).await;
    let t = w.tenant(
        Vendor::Okta,
        "acme",
        "acme",
        vec![idp_user("pat@acme.example", &[])],
    );
    w.configure_sso("acme", &t, Protocol::Saml, json!({})).await;
    w.create_user("pat", "pw", &["pat@acme.example"]).await;
    w.create_repo("acme", "r", None).await;
    let mut b = w.browser();
    b.password_login("pat", "pw").await;
    assert_eq!(b.browse("/acme/r").await.status, StatusCode::OK);
    assert_eq!(w.count("org_sso_sessions"), 1);
    let (s, _) = w
        .admin("DELETE", "/_admin/orgs/acme/members/pat", None)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(w.count("org_sso_sessions"), 0);
    let p = b.get("/acme/r").await;
    assert_eq!(p.status, StatusCode::FOUND, "the SSO session is gone");
    assert_eq!(
        b.whoami().await.status,
        StatusCode::OK,
        "the platform login stays"
    );
}
