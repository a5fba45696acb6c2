//! Managed SSO: the IdP owns the accounts and guards the whole platform [MODE-2], [MAN-*].

use crate::common::*;
use mock_idps::Vendor;
use reference_sp::Flaw;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn man_1_man_2_man_3_login_over_saml_and_oidc_for_each_vendor_creates_the_account() {
    let w = World::new().await;
    for vendor in VENDORS {
        for proto in PROTOCOLS {
            let case = format!("{}-{}", vendor.as_str(), proto.as_str());
            let org = format!("m-{case}");
            let email = format!("{case}.user@{org}.example");
            w.create_org(&org, "managed", json!({})).await;
            let t = w.tenant(
                vendor,
                &org,
                &org,
                vec![idp_user(&email, &[(ROLE_ATTR, &["admins"])])],
            );
            w.configure_sso(&org, &t, proto, role_mapping()).await;
            w.create_repo(&org, "model", None).await;

            let mut b = w.browser();
            // Signed out, the org resource goes straight to SSO: no password login exists.
            let p = b.get(&format!("/{org}/model")).await;
            assert_eq!(p.status, StatusCode::FOUND, "{case}");
            assert!(
                p.location
                    .as_deref()
                    .unwrap_or("")
                    .starts_with(&format!("/organizations/{org}/sso/login?")),
                "{case}: {:?}",
                p.location
            );
            let p = b.follow_from(p).await;
            assert_eq!(p.status, StatusCode::OK, "{case}: {} {:#?}", p.body, b.hops);
            assert_eq!(p.json()["role"], "admin", "{case}");

            let me = b.whoami().await.json();
            let username = me["account"]["username"].as_str().unwrap_or("").to_string();
            assert_eq!(username, format!("{case}-user"), "{case}: {me}");
            assert_eq!(me["account"]["managed"], true);
            assert_eq!(me["account"]["managed_by"], org.as_str());
            assert_eq!(me["account"]["emails"][0], email.as_str());
            assert_eq!(me["session"]["kind"], "sso");
            let o = whoami_org(&me, &org).expect("member");
            assert_eq!(o["role"], "admin");

            // [MAN-3]: no content in the personal namespace.
            let p = b
                .post_json(&format!("/{username}/repos"), json!({"name": "notes"}))
                .await;
            assert_eq!(p.status, StatusCode::FORBIDDEN, "{case}");
            assert_eq!(p.code(), "managed-personal-namespace");
            // Org content is fine.
            let p = b
                .post_json(&format!("/{org}/repos"), json!({"name": "new-model"}))
                .await;
            assert_eq!(p.status, StatusCode::CREATED, "{case}: {}", p.body);
            // [MAN-1]: no password login for managed accounts.
            let p = w.browser().password_login(&username, "anything").await;
            assert_eq!(p.status, StatusCode::FORBIDDEN);
            assert_eq!(p.code(), "managed-account-password-login");
        }
    }
}

#[tokio::test]
async fn man_2_a_second_login_reuses_the_account_and_a_taken_username_gets_a_suffix() {
    let w = World::new().await;
    w.create_user("ada", "pw", &["ada@home.example"]).await;
    w.create_org("acme", "managed", json!({})).await;
    let t = w.tenant(
        Vendor::Entra,
        "acme",
        "acme",
        vec![idp_user("ada@acme.example", &[])],
    );
    w.configure_sso("acme", &t, Protocol::Oidc, json!({})).await;
    for _ in 0..2 {
        let mut b = w.browser();
        let p = b.browse("/organizations/acme/sso/login").await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        let me = b.whoami().await.json();
        assert_eq!(me["account"]["username"], "ada-2", "{me}");
    }
    let members = w.get_admin("/_admin/orgs/acme/members").await;
    assert_eq!(members["members"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn man_4_managed_accounts_cannot_join_other_organisations() {
    let w = World::new().await;
    w.create_org("acme", "managed", json!({})).await;
    let t = w.tenant(
        Vendor::Okta,
        "acme",
        "acme",
        vec![idp_user("hal@acme.example", &[])],
    );
    w.configure_sso("acme", &t, Protocol::Saml, json!({})).await;
    let mut b = w.browser();
    b.browse("/organizations/acme/sso/login").await;
    let username = b.whoami().await.json()["account"]["username"]
        .as_str()
        .expect("signed in")
        .to_string();

    w.create_org("other", "basic", json!({})).await;
    let t2 = w.tenant(
        Vendor::Okta,
        "other",
        "other",
        vec![idp_user("hal@acme.example", &[])],
    );
    w.configure_sso("other", &t2, Protocol::Saml, json!({}))
        .await;
    let (s, v) = w
        .admin(
            "POST",
            "/_admin/orgs/other/members",
            Some(json!({"username": username, "role": "read"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["code"], "managed-account-restricted");
    let p = b.browse("/organizations/other/sso/join").await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
    assert_eq!(p.code(), "managed-account-restricted");
    assert!(w.member("other", &username).await.is_none());
}

#[tokio::test]
async fn man_3_managed_personal_namespace_flaw_lets_content_in() {
    let w = World::with_flaw(Flaw::ManagedPersonalNamespace).await;
    w.create_org("acme", "managed", json!({})).await;
    let t = w.tenant(
        Vendor::Google,
        "acme",
        "acme",
        vec![idp_user("ivy@acme.example", &[])],
    );
    w.configure_sso("acme", &t, Protocol::Oidc, json!({})).await;
    let mut b = w.browser();
    b.browse("/organizations/acme/sso/login").await;
    let p = b.post_json("/ivy/repos", json!({"name": "notes"})).await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.body);
}

#[tokio::test]
async fn man_6_deactivating_a_managed_account_ends_its_sessions_and_refuses_sso() {
    let w = World::new().await;
    w.create_org("acme", "managed", json!({})).await;
    let t = w.tenant(
        Vendor::Okta,
        "acme",
        "acme",
        vec![idp_user("jo@acme.example", &[])],
    );
    w.configure_sso("acme", &t, Protocol::Saml, json!({})).await;
    let mut b = w.browser();
    b.browse("/organizations/acme/sso/login").await;
    assert_eq!(b.whoami().await.status, StatusCode::OK);
    w.admin_ok("PATCH", "/_admin/users/jo", json!({"active": false}), 200)
        .await;
    assert_eq!(b.whoami().await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(w.count("sessions"), 0);
    let p = b.browse("/organizations/acme/sso/login").await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(p.code(), "account-deactivated");
}

#[tokio::test]
async fn sess_3_keep_sessions_on_deprovision_flaw_leaves_the_session_alive() {
    let w = World::with_flaw(Flaw::KeepSessionsOnDeprovision).await;
    w.create_org("acme", "managed", json!({})).await;
    let t = w.tenant(
        Vendor::Okta,
        "acme",
        "acme",
        vec![idp_user("jo@acme.example", &[])],
    );
    w.configure_sso("acme", &t, Protocol::Saml, json!({})).await;
    let mut b = w.browser();
    b.browse("/organizations/acme/sso/login").await;
    w.admin_ok("PATCH", "/_admin/users/jo", json!({"active": false}), 200)
        .await;
    assert_eq!(b.whoami().await.status, StatusCode::OK);
}
