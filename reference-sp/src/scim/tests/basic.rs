//! Basic mode: SCIM invites existing personal accounts and never edits their profile
//! [SCIM-B1], [SCIM-B2], [SCIM-3], [SCIM-B4], [SCIM-B5].

use serde_json::json;

use super::platform::Membership;
use super::*;
use crate::scim::{link_group, ResourceGroupId, Role};

fn member(env: &Env, account: &AccountId) -> Option<Membership> {
    env.db(|c| TestPlatform::membership(c, ORG, account).expect("membership"))
}

fn invited(active: bool) -> Option<Membership> {
    Some(Membership {
        state: "invited".into(),
        active,
        role: None,
    })
}

async fn alice(env: &Env) -> (AccountId, String) {
    let account = env.personal("alice", "alice@example.com");
    let id = env
        .create_user(okta_user("alice@example.com", "alice@example.com", "00u1"))
        .await
        .id();
    (account, id)
}

#[tokio::test]
async fn scim_b1_create_invites_the_existing_account_who_must_accept() {
    let env = Env::new(OrgMode::Basic);
    let (account, id) = alice(&env).await;
    assert_eq!(env.account_of(&id), account);
    assert_eq!(
        member(&env, &account),
        invited(true),
        "invited, not yet a member"
    );
    assert!(env.db(|c| TestPlatform::accept_invitation(c, ORG, &account).expect("accept")));
    assert_eq!(
        member(&env, &account).map(|m| m.state),
        Some("member".into())
    );
    // The account is found by any of its emails, case-insensitively, or by userName.
    let bob = env.db(|c| {
        TestPlatform::add_personal_account(c, "bob", &["bob@home.example", "Bob@Work.example"])
            .expect("bob")
    });
    let body = okta_user("bob", "bob@work.example", "00u2");
    let r = env.create_user(body).await;
    assert_eq!(env.account_of(&r.id()), bob);
    // A role in `roles` becomes the invitation's role.
    let carol = env.personal("carol", "carol@example.com");
    let mut body = okta_user("carol@example.com", "nobody@example.com", "00u3");
    body["emails"] = json!([]);
    body["roles"] = json!([{"value": "Write"}, {"value": "read"}, {"value": "pilot"}]);
    env.create_user(body).await;
    assert_eq!(member(&env, &carol).and_then(|m| m.role), Some(Role::Write));
}

#[tokio::test]
async fn scim_b1_no_account_with_the_email_is_400_invalid_value() {
    let env = Env::new(OrgMode::Basic);
    let body = okta_user("zed@example.com", "zed@example.com", "00u9");
    let r = env
        .refused("POST", "/Users", Some(body), 400, Some("invalidValue"))
        .await;
    let detail = r.body["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("zed@example.com") && detail.contains("sign up"),
        "{detail}"
    );
}

#[tokio::test]
async fn scim_b1_a_second_scim_user_for_the_same_account_is_409() {
    let env = Env::new(OrgMode::Basic);
    alice(&env).await;
    let body = okta_user("alice-again", "ALICE@example.com", "00u7");
    env.refused("POST", "/Users", Some(body), 409, Some("uniqueness"))
        .await;
}

#[tokio::test]
async fn scim_b2_profile_fields_are_read_only_and_never_applied() {
    let env = Env::new(OrgMode::Basic);
    let (account, id) = alice(&env).await;
    let path = format!("/Users/{id}");
    let before = env.db(|c| TestPlatform::account(c, &account).expect("account"));
    for (op_path, value) in [
        ("userName", "mallory@example.com"),
        ("name.givenName", "Mallory"),
        ("name.familyName", "Evil"),
        ("emails[type eq \"work\"].value", "mallory@evil.example"),
    ] {
        // Entra's default dialect, one Replace per attribute.
        let p = patch(json!([{"op": "Replace", "path": op_path, "value": value}]));
        let r = env
            .refused("PATCH", &path, Some(p), 400, Some("mutability"))
            .await;
        let detail = r.body["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains(op_path.split('[').next().unwrap_or(op_path)),
            "{detail}"
        );
    }
    // The aadOptscim062020 dialect, all in one value object.
    let p = patch(json!([{"op": "replace", "value": {"name.givenName": "M", "active": false}}]));
    env.refused("PATCH", &path, Some(p), 400, Some("mutability"))
        .await;
    // Okta's full PUT with a changed name.
    let mut put = okta_user("alice@example.com", "alice@example.com", "00u1");
    put["name"]["familyName"] = json!("Hargreaves");
    env.refused("PUT", &path, Some(put), 400, Some("mutability"))
        .await;
    assert_eq!(
        env.db(|c| TestPlatform::account(c, &account).expect("account")),
        before
    );
    // The same profile with other attributes changed is fine.
    let mut put = okta_user("alice@example.com", "alice@example.com", "00u1");
    put["displayName"] = json!("Alice H.");
    put["title"] = json!("Queen");
    put["emails"] = json!([{"value": "alice@example.com", "type": "work", "primary": true},
                           {"value": "alice@home.example", "type": "home"}]);
    let r = env.send("PUT", &path, Some(put)).await;
    r.assert_status(200);
    assert_eq!(r.body["title"], json!("Queen"));
    assert_eq!(
        env.db(|c| TestPlatform::account(c, &account).expect("account")),
        before
    );
}

#[tokio::test]
async fn flaw_basic_profile_updates_applies_read_only_fields() {
    let env = Env::with_flaw(OrgMode::Basic, Flaw::BasicProfileUpdates);
    let (account, id) = alice(&env).await;
    let p = patch(json!([
        {"op": "Replace", "path": "name.givenName", "value": "Mallory"},
        {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "mallory@evil.example"}
    ]));
    let r = env.send("PATCH", &format!("/Users/{id}"), Some(p)).await;
    r.assert_status(200);
    let acc = env.db(|c| {
        TestPlatform::account(c, &account)
            .expect("q")
            .expect("account")
    });
    assert_eq!(acc.given_name.as_deref(), Some("Mallory"));
    assert_eq!(
        acc.emails.first().map(String::as_str),
        Some("mallory@evil.example")
    );
    // Only that behaviour flips: an unknown account is still refused, active still works.
    let body = okta_user("zed@example.com", "zed@example.com", "00u9");
    env.refused("POST", "/Users", Some(body), 400, Some("invalidValue"))
        .await;
    let p = patch(json!([{"op": "replace", "value": {"active": false}}]));
    env.send("PATCH", &format!("/Users/{id}"), Some(p))
        .await
        .assert_status(200);
    assert_eq!(member(&env, &account), invited(false));
}

#[tokio::test]
async fn scim_3_external_id_and_active_are_writable_in_basic_mode() {
    let env = Env::new(OrgMode::Basic);
    let (account, id) = alice(&env).await;
    let p = patch(json!([
        {"op": "Replace", "path": "externalId", "value": "0a21f0f2-8d2a"},
        {"op": "Replace", "path": "active", "value": "False"}
    ]));
    let r = env.send("PATCH", &format!("/Users/{id}"), Some(p)).await;
    r.assert_status(200);
    assert_eq!(r.body["externalId"], json!("0a21f0f2-8d2a"));
    assert_eq!(r.body["active"], json!(false));
    assert_eq!(member(&env, &account), invited(false));
    let found = env
        .send(
            "GET",
            &format!("/Users?filter={}", enc("externalId eq \"0a21f0f2-8d2a\"")),
            None,
        )
        .await;
    assert_eq!(found.body["Resources"][0]["id"], json!(id));
}

#[tokio::test]
async fn scim_b4_active_false_deactivates_the_invitation_and_access() {
    let env = Env::new(OrgMode::Basic);
    let (account, id) = alice(&env).await;
    env.db(|c| {
        TestPlatform::add_session(c, &account, None).expect("platform login");
        TestPlatform::add_session(c, &account, Some(ORG)).expect("org session");
        TestPlatform::add_session(c, &account, Some(OTHER_ORG)).expect("other org session");
    });
    let off = patch(json!([{"op": "replace", "value": {"active": false}}]));
    env.send("PATCH", &format!("/Users/{id}"), Some(off.clone()))
        .await
        .assert_status(200);
    assert_eq!(member(&env, &account), invited(false));
    assert!(!env.db(|c| TestPlatform::accept_invitation(c, ORG, &account).expect("accept")));
    // Only this org's SSO sessions end [SESS-3]; the platform login stays [SESS-2].
    let sessions = env.db(|c| TestPlatform::sessions(c, &account).expect("sessions"));
    assert_eq!(sessions, [None, Some(OTHER_ORG.to_string())]);
    // Reversible: the invitation can be accepted again, and then access can be switched off.
    let on = patch(json!([{"op": "replace", "value": {"active": true}}]));
    env.send("PATCH", &format!("/Users/{id}"), Some(on))
        .await
        .assert_status(200);
    assert!(env.db(|c| TestPlatform::accept_invitation(c, ORG, &account).expect("accept")));
    env.send("PATCH", &format!("/Users/{id}"), Some(off))
        .await
        .assert_status(200);
    let m = member(&env, &account).expect("membership");
    assert_eq!((m.state.as_str(), m.active), ("member", false));
    assert!(env
        .db(|c| TestPlatform::account(c, &account).expect("q"))
        .is_some());
}

#[tokio::test]
async fn scim_b5_delete_removes_from_org_and_all_resource_groups_account_untouched() {
    let env = Env::new(OrgMode::Basic);
    let (account, id) = alice(&env).await;
    env.db(|c| TestPlatform::accept_invitation(c, ORG, &account).expect("accept"));
    let (linked, manual) = env.db(|c| {
        let linked = TestPlatform::add_rg(c, ORG, "research").expect("rg");
        let manual = TestPlatform::add_rg(c, ORG, "ops").expect("rg");
        TestPlatform::add_member_manually(c, ORG, &account, Some((&manual, Role::Write)))
            .expect("manual");
        TestPlatform::add_content(c, &account, "alice/notes").expect("content");
        TestPlatform::add_session(c, &account, None).expect("session");
        (linked, manual)
    });
    let gid = env.create_group("Research", &[&id]).await.id();
    env.admin(|p, tx| link_group(p, tx, ORG, &gid, &linked, Role::Read))
        .expect("link");
    let roles =
        |rg: &ResourceGroupId| env.db(|c| TestPlatform::rg_roles(c, ORG, rg).expect("roles"));
    assert_eq!(roles(&linked), [(account.clone(), Role::Read)]);
    let before = env.db(|c| TestPlatform::account(c, &account).expect("account"));

    env.send("DELETE", &format!("/Users/{id}"), None)
        .await
        .assert_status(204);
    assert_eq!(member(&env, &account), None);
    assert!(roles(&linked).is_empty() && roles(&manual).is_empty());
    assert_eq!(
        env.db(|c| TestPlatform::account(c, &account).expect("account")),
        before
    );
    assert_eq!(
        env.db(|c| TestPlatform::content(c, &account).expect("content")),
        ["alice/notes"]
    );
    assert_eq!(
        env.db(|c| TestPlatform::sessions(c, &account).expect("sessions")),
        [None]
    );
    env.send("GET", &format!("/Users/{id}"), None)
        .await
        .assert_error(404, None);
    let g = env.send("GET", &format!("/Groups/{gid}"), None).await;
    assert_eq!(g.body["members"], json!([]));
}
