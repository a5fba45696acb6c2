//! Role mapping [ROLE-*] and resource-group mapping [RG-*].

use crate::common::*;
use mock_idps::directory::NewUser;
use mock_idps::Vendor;
use reference_sp::Flaw;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A managed org "acme" over Okta SAML with `mapping`, one IdP user with `role_values`.
async fn setup(w: &World, org_extra: Value, mapping: Value, role_values: &[&str]) -> Browser {
    w.create_org("acme", "managed", org_extra).await;
    let t = w.tenant(
        Vendor::Okta,
        "acme",
        "acme",
        vec![idp_user("kim@acme.example", &[(ROLE_ATTR, role_values)])],
    );
    w.configure_sso("acme", &t, Protocol::Saml, mapping).await;
    w.browser()
}

async fn login_role(w: &World, b: &mut Browser) -> String {
    let p = b.browse("/organizations/acme/sso/login").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let m = w.member("acme", "kim").await.expect("member");
    m["role"].as_str().unwrap_or("").to_string()
}

#[tokio::test]
async fn role_3_several_matches_the_most_privileged_wins() {
    let w = World::new().await;
    let mut b = setup(
        &w,
        json!({}),
        role_mapping(),
        &["readers", "admins", "writers"],
    )
    .await;
    assert_eq!(login_role(&w, &mut b).await, "admin");
}

#[tokio::test]
async fn role_3_first_match_role_flaw_takes_the_first_rule() {
    let w = World::with_flaw(Flaw::FirstMatchRole).await;
    let mut b = setup(&w, json!({}), role_mapping(), &["admins", "readers"]).await;
    assert_eq!(login_role(&w, &mut b).await, "read");
}

#[tokio::test]
async fn role_4_no_match_falls_back_to_the_invitation_role_then_the_default() {
    let w = World::new().await;
    w.create_org("acme", "managed", json!({"default_role": "contributor"}))
        .await;
    let t = w.tenant(
        Vendor::Okta,
        "acme",
        "acme",
        vec![
            idp_user("kim@acme.example", &[(ROLE_ATTR, &["nothing"])]),
            idp_user("lee@acme.example", &[(ROLE_ATTR, &["nothing"])]),
        ],
    );
    w.configure_sso("acme", &t, Protocol::Saml, role_mapping())
        .await;
    w.admin_ok(
        "POST",
        "/_admin/orgs/acme/invitations",
        json!({"email": "kim@acme.example", "role": "write"}),
        201,
    )
    .await;
    w.next_login(&t, "kim@acme.example");
    w.browser().browse("/organizations/acme/sso/login").await;
    w.next_login(&t, "lee@acme.example");
    w.browser().browse("/organizations/acme/sso/login").await;
    assert_eq!(w.member("acme", "kim").await.expect("kim")["role"], "write");
    assert_eq!(
        w.member("acme", "lee").await.expect("lee")["role"],
        "contributor"
    );
}

#[tokio::test]
async fn role_2_a_mapping_without_admin_is_refused_and_nothing_is_stored() {
    let w = World::new().await;
    w.create_org("acme", "basic", json!({})).await;
    let t = w.tenant(Vendor::Okta, "acme", "acme", vec![]);
    let (s, v) = w
        .admin(
            "PUT",
            "/_admin/orgs/acme/sso",
            Some(json!({
                "protocol": "saml",
                "metadata_url": w.saml_metadata_url(&t),
                "role_mapping": {"attribute": ROLE_ATTR, "rules": [{"value": "x", "role": "write"}]},
            })),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["code"], "admin-mapping-required");
    assert_eq!(
        w.admin("GET", "/_admin/orgs/acme/sso", None).await.0,
        StatusCode::NOT_FOUND
    );
    // A good configuration stays as it was when a later one is refused.
    w.configure_sso("acme", &t, Protocol::Saml, role_mapping())
        .await;
    let (s, _) = w
        .admin(
            "PUT",
            "/_admin/orgs/acme/sso",
            Some(json!({"protocol": "oidc", "issuer": "not a url", "client_id": "c", "client_secret": "s"})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(
        w.get_admin("/_admin/orgs/acme/sso").await["sso"]["protocol"],
        "saml"
    );
}

#[tokio::test]
async fn role_5_roles_resync_on_every_login() {
    let w = World::new().await;
    w.create_org("acme", "managed", json!({})).await;
    let t = w.tenant(
        Vendor::Entra,
        "acme",
        "acme",
        vec![idp_user("kim@acme.example", &[(ROLE_ATTR, &["writers"])])],
    );
    w.configure_sso("acme", &t, Protocol::Oidc, role_mapping())
        .await;
    let mut b = w.browser();
    assert_eq!(login_role(&w, &mut b).await, "write");
    w.set_idp_attribute(&t, "kim@acme.example", ROLE_ATTR, &["readers"]);
    assert_eq!(login_role(&w, &mut b).await, "read");
    w.set_idp_attribute(&t, "kim@acme.example", ROLE_ATTR, &["admins"]);
    assert_eq!(login_role(&w, &mut b).await, "admin");
}

#[tokio::test]
async fn role_1_vendor_native_attributes_drive_the_mapping() {
    // Okta SAML groups (names), Okta OIDC groups claim (groups scope), Entra SAML role URI,
    // Entra OIDC roles claim.
    let cases: [(Vendor, Protocol, &str, &str); 4] = [
        (Vendor::Okta, Protocol::Saml, "groups", "ml-admins"),
        (Vendor::Okta, Protocol::Oidc, "groups", "ml-admins"),
        (
            Vendor::Entra,
            Protocol::Saml,
            "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
            "Org.Admin",
        ),
        (Vendor::Entra, Protocol::Oidc, "roles", "Org.Admin"),
    ];
    let w = World::new().await;
    for (i, (vendor, proto, attribute, value)) in cases.into_iter().enumerate() {
        let org = format!("native-{i}");
        w.create_org(&org, "managed", json!({})).await;
        let user = NewUser {
            login: Some(format!("nat{i}@acme.example")),
            groups: vec!["ml-admins".into(), "everyone".into()],
            roles: vec!["Org.Admin".into()],
            ..NewUser::default()
        };
        let t = w.tenant(vendor, &org, &org, vec![user]);
        w.configure_sso(
            &org,
            &t,
            proto,
            json!({"role_mapping": {"attribute": attribute, "rules": [
                {"value": "everyone", "role": "read"},
                {"value": value, "role": "admin"},
            ]}}),
        )
        .await;
        let mut b = w.browser();
        let p = b.browse(&format!("/organizations/{org}/sso/login")).await;
        assert_eq!(p.status, StatusCode::OK, "{vendor:?} {proto:?}: {}", p.body);
        assert_eq!(
            p.json()["role"],
            "admin",
            "{vendor:?} {proto:?} {attribute}"
        );
    }
}

#[tokio::test]
async fn rg_2_rg_3_resource_groups_are_additive_and_resync() {
    let w = World::new().await;
    w.create_org("acme", "managed", json!({})).await;
    for g in ["models", "datasets", "secret"] {
        w.admin_ok(
            "POST",
            "/_admin/orgs/acme/resource-groups",
            json!({"name": g}),
            201,
        )
        .await;
    }
    w.create_repo("acme", "m", Some("models")).await;
    w.create_repo("acme", "s", Some("secret")).await;
    let t = w.tenant(
        Vendor::Okta,
        "acme",
        "acme",
        vec![idp_user(
            "kim@acme.example",
            &[(ROLE_ATTR, &["readers"]), ("sp_groups", &["ml", "data"])],
        )],
    );
    w.configure_sso(
        "acme",
        &t,
        Protocol::Saml,
        json!({
            "role_mapping": role_mapping()["role_mapping"],
            "resource_group_mapping": {"attribute": "sp_groups", "rules": [
                {"value": "ml", "group": "models", "role": "read"},
                {"value": "data", "group": "datasets", "role": "write"},
                {"value": "ml-leads", "group": "models", "role": "admin"},
            ]},
        }),
    )
    .await;
    let mut b = w.browser();
    let p = b.browse("/acme/m").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(p.json()["via"], "resource-group");
    let groups = |m: &Value| -> Vec<(String, String)> {
        m["resource_groups"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|g| {
                        (
                            g["name"].as_str().unwrap_or("").to_string(),
                            g["role"].as_str().unwrap_or("").to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let m = w.member("acme", "kim").await.expect("member");
    assert_eq!(
        groups(&m),
        vec![
            ("datasets".to_string(), "write".to_string()),
            ("models".to_string(), "read".to_string())
        ]
    );
    // Not in "secret": the member's org role does not reach group resources.
    let p = b.get("/acme/s").await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(p.code(), "not-in-resource-group");
    // An admin adds kim to "secret" by hand; the IdP drops "ml" and adds "ml-leads".
    w.admin_ok(
        "PUT",
        "/_admin/orgs/acme/resource-groups/secret/members/kim",
        json!({"role": "read"}),
        200,
    )
    .await;
    w.set_idp_attribute(&t, "kim@acme.example", "sp_groups", &["ml-leads"]);
    b.browse("/organizations/acme/sso/login").await;
    let m = w.member("acme", "kim").await.expect("member");
    assert_eq!(
        groups(&m),
        vec![
            ("models".to_string(), "admin".to_string()),
            ("secret".to_string(), "read".to_string())
        ]
    );
    // No value matches: no SSO group at all [RG-3]; the manual one stays.
    w.set_idp_attribute(&t, "kim@acme.example", "sp_groups", &["nothing"]);
    b.browse("/organizations/acme/sso/login").await;
    let m = w.member("acme", "kim").await.expect("member");
    assert_eq!(groups(&m), vec![("secret".to_string(), "read".to_string())]);
}

#[tokio::test]
async fn a_mapping_naming_an_unknown_group_is_refused() {
    let w = World::new().await;
    w.create_org("acme", "basic", json!({})).await;
    let t = w.tenant(Vendor::Okta, "acme", "acme", vec![]);
    let (s, v) = w
        .admin(
            "PUT",
            "/_admin/orgs/acme/sso",
            Some(json!({
                "protocol": "saml",
                "metadata_url": w.saml_metadata_url(&t),
                "resource_group_mapping": {"attribute": "g", "rules": [{"value": "x", "group": "ghost", "role": "read"}]},
            })),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["code"], "unknown-resource-group");
}
