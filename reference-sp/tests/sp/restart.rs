//! A restart on the same database file loses nothing.

use crate::common::*;
use mock_idps::Vendor;
use reference_sp::{Flaws, Store};
use reqwest::StatusCode;
use serde_json::json;
use std::sync::Arc;

#[tokio::test]
async fn restart_with_the_same_file_keeps_orgs_users_memberships_and_sso() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("sp.db");
    let (members, user, sso) = {
        let w = World::build(
            Flaws::none(),
            Arc::new(Store::open_file(&path).expect("store")),
        )
        .await;
        w.create_org("acme", "managed", json!({"default_role": "write"}))
            .await;
        w.admin_ok(
            "POST",
            "/_admin/orgs/acme/resource-groups",
            json!({"name": "models"}),
            201,
        )
        .await;
        let t = w.tenant(
            Vendor::Okta,
            "acme",
            "acme",
            vec![idp_user("uma@acme.example", &[("sp_groups", &["ml"])])],
        );
        w.configure_sso(
            "acme",
            &t,
            Protocol::Saml,
            json!({"resource_group_mapping": {"attribute": "sp_groups", "rules": [
                {"value": "ml", "group": "models", "role": "write"}]}}),
        )
        .await;
        let mut b = w.browser();
        assert_eq!(
            b.browse("/organizations/acme/sso/login").await.status,
            StatusCode::OK
        );
        w.create_user("vic", "pw", &["vic@home.example"]).await;
        w.create_org("basico", "basic", json!({})).await;
        w.admin_ok(
            "POST",
            "/_admin/orgs/basico/members",
            json!({"username": "vic", "role": "admin"}),
            201,
        )
        .await;
        (
            w.get_admin("/_admin/orgs/acme/members").await,
            w.get_admin("/_admin/users/vic").await,
            w.get_admin("/_admin/orgs/acme/sso").await,
        )
        // The world drops here: both servers stop, the store closes.
    };
    let w = World::build(
        Flaws::none(),
        Arc::new(Store::open_file(&path).expect("reopen")),
    )
    .await;
    assert_eq!(w.get_admin("/_admin/orgs/acme/members").await, members);
    assert_eq!(w.get_admin("/_admin/users/vic").await, user);
    let again = w.get_admin("/_admin/orgs/acme/sso").await;
    assert_eq!(again["role_mapping"], sso["role_mapping"]);
    assert_eq!(
        again["resource_group_mapping"],
        sso["resource_group_mapping"]
    );
    assert_eq!(again["sso"], sso["sso"]);
    assert_eq!(
        members["members"][0]["resource_groups"][0]["name"], "models",
        "{members}"
    );
    let b = w.browser();
    assert_eq!(
        b.password_login("vic", "pw").await.status,
        StatusCode::SEE_OTHER
    );
    let me = b.whoami().await.json();
    assert_eq!(whoami_org(&me, "basico").expect("member")["role"], "admin");
}
