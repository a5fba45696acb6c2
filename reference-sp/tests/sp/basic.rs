//! Basic SSO: an access layer over personal accounts [MODE-1], [BASIC-*], [EXT-1].

use crate::common::*;
use reference_sp::Flaw;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn basic_1_basic_3_proto_1_login_over_saml_and_oidc_for_each_vendor() {
    let w = World::new().await;
    for vendor in VENDORS {
        for proto in PROTOCOLS {
            let case = format!("{}-{}", vendor.as_str(), proto.as_str());
            let org = format!("b-{case}");
            let user = format!("u-{case}");
            let email = format!("{user}@{org}.example");
            w.create_org(&org, "basic", json!({})).await;
            let t = w.tenant(
                vendor,
                &org,
                &org,
                vec![idp_user(&email, &[(ROLE_ATTR, &["writers"])])],
            );
            w.configure_sso(&org, &t, proto, role_mapping()).await;
            w.create_user(&user, "pw", &[&email]).await;
            w.create_repo(&org, "model", None).await;

            let mut b = w.browser();
            // Signed out: the platform login comes first [BASIC-1].
            let p = b.get(&format!("/{org}/model")).await;
            assert_eq!(p.status, StatusCode::FOUND, "{case}");
            assert!(
                p.location.as_deref().unwrap_or("").starts_with("/login?"),
                "{case}: {:?}",
                p.location
            );
            assert_eq!(
                b.password_login(&user, "pw").await.status,
                StatusCode::SEE_OTHER
            );
            // Signed in: the org resource asks for SSO, which joins and maps the role.
            let p = b.browse(&format!("/{org}/model")).await;
            assert_eq!(
                p.status,
                StatusCode::OK,
                "{case}: {} via {:#?}",
                p.body,
                b.hops
            );
            assert_eq!(p.json()["role"], "write", "{case}");
            assert!(
                b.hops.iter().any(|h| h.contains("/sso/login")),
                "{case}: {:#?}",
                b.hops
            );
            let me = b.whoami().await.json();
            assert_eq!(me["account"]["username"], user.as_str());
            assert_eq!(me["account"]["managed"], false, "{case}");
            let o = whoami_org(&me, &org).unwrap_or_else(|| panic!("{case}: {me}"));
            assert_eq!(o["role"], "write");
            assert_eq!(o["source"], "sso");
            assert_eq!(o["sso"]["session"], "active", "{case}: {o}");
            // Personal namespace stays open to Basic accounts [BASIC-3].
            let p = b
                .post_json(&format!("/{user}/repos"), json!({"name": "notes"}))
                .await;
            assert_eq!(p.status, StatusCode::CREATED, "{case}: {}", p.body);
        }
    }
}

#[tokio::test]
async fn basic_1_sso_start_when_signed_out_goes_to_the_platform_login_first() {
    let w = World::new().await;
    w.create_org("acme", "basic", json!({})).await;
    let t = w.tenant(mock_idps::Vendor::Okta, "acme", "acme", vec![]);
    w.configure_sso("acme", &t, Protocol::Saml, json!({})).await;
    let mut b = w.browser();
    let p = b.browse("/organizations/acme/sso/login").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.url.contains("/login?return_to="), "{}", p.url);
    assert!(p.body.contains("<form"), "the login page");
    assert_eq!(w.count("saml_requests"), 0, "no AuthnRequest was sent");
}

#[tokio::test]
async fn basic_7_email_mismatch_is_a_clear_error_and_changes_nothing() {
    let w = World::new().await;
    w.create_org("acme", "basic", json!({})).await;
    let t = w.tenant(
        mock_idps::Vendor::Entra,
        "acme",
        "acme",
        vec![idp_user("carol@acme.example", &[(ROLE_ATTR, &["admins"])])],
    );
    w.configure_sso("acme", &t, Protocol::Saml, role_mapping())
        .await;
    w.create_user("carol", "pw", &["carol@home.example"]).await;
    w.create_repo("acme", "r", None).await;
    let mut b = w.browser();
    b.password_login("carol", "pw").await;
    let sessions_before = w.count("sessions");
    let p = b.browse("/acme/r").await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
    assert_eq!(p.json()["error"], "sso-refused");
    assert_eq!(p.code(), "email-mismatch");
    assert!(p.json()["message"]
        .as_str()
        .unwrap_or("")
        .contains("carol@acme.example"));
    assert!(w.member("acme", "carol").await.is_none());
    assert_eq!(w.count("memberships"), 0);
    assert_eq!(w.count("sso_identities"), 0);
    assert_eq!(w.count("org_sso_sessions"), 0);
    assert_eq!(
        w.count("saml_replay"),
        0,
        "the replay cache rolled back too"
    );
    assert_eq!(w.count("sessions"), sessions_before);
    assert!(whoami_org(&b.whoami().await.json(), "acme").is_none());
}

#[tokio::test]
async fn basic_7_skip_email_match_flaw_links_any_identity() {
    let w = World::with_flaw(Flaw::SkipEmailMatch).await;
    w.create_org("acme", "basic", json!({})).await;
    let t = w.tenant(
        mock_idps::Vendor::Okta,
        "acme",
        "acme",
        vec![idp_user("carol@acme.example", &[])],
    );
    w.configure_sso("acme", &t, Protocol::Oidc, json!({})).await;
    w.create_user("carol", "pw", &["carol@home.example"]).await;
    let mut b = w.browser();
    b.password_login("carol", "pw").await;
    let p = b.browse("/organizations/acme/sso/login").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(w.member("acme", "carol").await.is_some());
}

#[tokio::test]
async fn basic_8_join_link_runs_sso_and_joins_with_the_invitation_role() {
    let w = World::new().await;
    w.create_org("acme", "basic", json!({"default_role": "read"}))
        .await;
    let t = w.tenant(
        mock_idps::Vendor::Google,
        "acme",
        "acme",
        vec![idp_user("dave@acme.example", &[])],
    );
    w.configure_sso("acme", &t, Protocol::Saml, json!({})).await;
    w.create_user("dave", "pw", &["dave@acme.example"]).await;
    let inv = w
        .admin_ok(
            "POST",
            "/_admin/orgs/acme/invitations",
            json!({"email": "dave@acme.example", "role": "write"}),
            201,
        )
        .await;
    let join = inv["join_url"].as_str().expect("join url").to_string();
    assert!(join.ends_with("/organizations/acme/sso/join"));
    let mut b = w.browser();
    b.password_login("dave", "pw").await;
    let p = b.browse(&join).await;
    assert_eq!(p.status, StatusCode::OK, "{} {:#?}", p.body, b.hops);
    assert!(p.url.ends_with("/organizations/acme"), "{}", p.url);
    assert_eq!(p.json()["role"], "write");
    let m = w.member("acme", "dave").await.expect("member");
    assert_eq!(m["role"], "write");
    assert_eq!(m["invited_role"], "write");
    let invs = w.get_admin("/_admin/orgs/acme/invitations").await;
    assert_eq!(invs["invitations"][0]["accepted"], true);
}

#[tokio::test]
async fn basic_4_a_basic_account_belongs_to_several_organisations() {
    let w = World::new().await;
    w.create_user("erin", "pw", &["erin@one.example", "erin@two.example"])
        .await;
    let mut b = w.browser();
    b.password_login("erin", "pw").await;
    for (org, email) in [("one", "erin@one.example"), ("two", "erin@two.example")] {
        w.create_org(org, "basic", json!({})).await;
        let t = w.tenant(
            mock_idps::Vendor::Okta,
            org,
            org,
            vec![idp_user(email, &[])],
        );
        w.configure_sso(org, &t, Protocol::Saml, json!({})).await;
        let p = b.browse(&format!("/organizations/{org}/sso/join")).await;
        assert_eq!(p.status, StatusCode::OK, "{org}: {}", p.body);
    }
    let me = b.whoami().await.json();
    assert!(
        whoami_org(&me, "one").is_some() && whoami_org(&me, "two").is_some(),
        "{me}"
    );
}

#[tokio::test]
async fn ext_1_external_collaborators_skip_sso_but_resource_groups_apply() {
    let w = World::new().await;
    w.create_org("acme", "basic", json!({})).await;
    let t = w.tenant(mock_idps::Vendor::Okta, "acme", "acme", vec![]);
    w.configure_sso("acme", &t, Protocol::Saml, json!({})).await;
    w.admin_ok(
        "POST",
        "/_admin/orgs/acme/resource-groups",
        json!({"name": "models"}),
        201,
    )
    .await;
    w.create_repo("acme", "in-group", Some("models")).await;
    w.create_repo("acme", "outside", None).await;
    w.create_user("eve", "pw", &["eve@partner.example"]).await;
    w.admin_ok(
        "POST",
        "/_admin/orgs/acme/members",
        json!({"username": "eve", "role": "read", "external_collaborator": true}),
        201,
    )
    .await;
    w.admin_ok(
        "PUT",
        "/_admin/orgs/acme/resource-groups/models/members/eve",
        json!({"role": "write"}),
        200,
    )
    .await;
    let b = w.browser();
    b.password_login("eve", "pw").await;
    let p = b.get("/acme/in-group").await;
    assert_eq!(p.status, StatusCode::OK, "no SSO asked: {}", p.body);
    assert_eq!(p.json()["via"], "external-collaborator");
    assert_eq!(p.json()["role"], "write");
    let p = b.get("/acme/outside").await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(p.code(), "not-in-resource-group");
}

#[tokio::test]
async fn basic_6_optional_sso_lets_members_in_with_a_banner() {
    let w = World::new().await;
    w.create_org("acme", "basic", json!({"sso_enforced": false}))
        .await;
    let t = w.tenant(mock_idps::Vendor::Okta, "acme", "acme", vec![]);
    w.configure_sso("acme", &t, Protocol::Saml, json!({})).await;
    w.create_repo("acme", "r", None).await;
    w.create_user("finn", "pw", &["finn@acme.example"]).await;
    w.admin_ok(
        "POST",
        "/_admin/orgs/acme/members",
        json!({"username": "finn", "role": "write"}),
        201,
    )
    .await;
    let b = w.browser();
    b.password_login("finn", "pw").await;
    let p = b.get("/acme/r").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(p.json()["sso_banner"], true);
}

#[tokio::test]
async fn saml_irt_2_idp_initiated_login_only_where_the_org_allows_it() {
    for allow in [false, true] {
        let w = World::new().await;
        w.create_org("acme", "basic", json!({"allow_idp_initiated": allow}))
            .await;
        let t = w.tenant(
            mock_idps::Vendor::Okta,
            "acme",
            "acme",
            vec![idp_user("gus@acme.example", &[])],
        );
        w.configure_sso("acme", &t, Protocol::Saml, json!({})).await;
        w.create_user("gus", "pw", &["gus@acme.example"]).await;
        let mut b = w.browser();
        b.password_login("gus", "pw").await;
        let app = t.default_saml_app();
        let url = t.app_path(t.personality().saml.idp_initiated_path, &app);
        let p = b.browse(&url).await;
        if allow {
            assert_eq!(p.status, StatusCode::OK, "{}", p.body);
            assert!(w.member("acme", "gus").await.is_some());
        } else {
            assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
            assert_eq!(p.json()["error"], "saml-rejected");
            assert!(w.member("acme", "gus").await.is_none());
        }
    }
}
