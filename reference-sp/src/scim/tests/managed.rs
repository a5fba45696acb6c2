//! Managed mode: SCIM owns the account's whole lifecycle [SCIM-M1], [SCIM-M2], [SCIM-M4],
//! [SCIM-M5], [SCIM-8].

use serde_json::{json, Value};

use super::platform::{AccountRecord, Membership};
use super::*;
use crate::scim::Role;

fn user(user_name: &str) -> Value {
    json!({
        "schemas": [USER_SCHEMA],
        "userName": user_name,
        "name": {"givenName": "Alice", "familyName": "Liddell"},
        "emails": [{"value": "alice@corp.example", "type": "work", "primary": true}],
        "active": true
    })
}

fn account(env: &Env, id: &AccountId) -> Option<AccountRecord> {
    env.db(|c| TestPlatform::account(c, id).expect("account"))
}

fn member(env: &Env, id: &AccountId) -> Option<Membership> {
    env.db(|c| TestPlatform::membership(c, ORG, id).expect("membership"))
}

#[tokio::test]
async fn scim_m1_create_makes_an_org_owned_account_and_member_at_once() {
    let env = Env::new(OrgMode::Managed);
    let mut body = user("alice-liddell");
    body["roles"] = json!([{"value": "admin"}]);
    let id = env.create_user(body).await.id();
    let acc = env.account_of(&id);
    let rec = account(&env, &acc).expect("account created");
    assert_eq!(rec.username, "alice-liddell");
    assert_eq!(rec.managed_by.as_deref(), Some(ORG));
    assert_eq!(rec.given_name.as_deref(), Some("Alice"));
    assert_eq!(rec.emails, ["alice@corp.example"]);
    assert_eq!(
        member(&env, &acc),
        Some(Membership {
            state: "member".into(),
            active: true,
            role: Some(Role::Admin)
        })
    );
    // Created inactive: the account exists but is not a member.
    let mut body = user("bob-inactive");
    body["active"] = json!("False");
    let id = env.create_user(body).await.id();
    assert_eq!(member(&env, &env.account_of(&id)), None);
}

#[tokio::test]
async fn scim_8_usernames_breaking_the_rules_are_400_invalid_value() {
    let env = Env::new(OrgMode::Managed);
    for bad in [
        "a",
        &"x".repeat(43),
        "alice@corp.example",
        "alice liddell",
        "al--ice",
        "-alice",
        "alice-",
        "12345",
        "ålice",
    ] {
        let r = env
            .refused("POST", "/Users", Some(user(bad)), 400, Some("invalidValue"))
            .await;
        assert!(
            r.body["detail"]
                .as_str()
                .is_some_and(|d| d.contains("username")),
            "{bad}"
        );
    }
    for good in ["ab", "a1", "Alice-Liddell-2", &"x".repeat(42)] {
        env.create_user(user(good)).await;
    }
    // Taken by an account outside this org's SCIM users: the platform says no, still a 400.
    env.personal("taken-name", "someone@else.example");
    env.refused(
        "POST",
        "/Users",
        Some(user("TAKEN-name")),
        400,
        Some("invalidValue"),
    )
    .await;
    // A duplicate of one of this org's SCIM users is the RFC's 409.
    env.refused("POST", "/Users", Some(user("AB")), 409, Some("uniqueness"))
        .await;
    // Renames follow the same rules.
    let id = env.create_user(user("carol")).await.id();
    let rename = |to: &str| patch(json!([{"op": "replace", "path": "userName", "value": to}]));
    let path = format!("/Users/{id}");
    env.refused(
        "PATCH",
        &path,
        Some(rename("ca--rol")),
        400,
        Some("invalidValue"),
    )
    .await;
    env.refused(
        "PATCH",
        &path,
        Some(rename("taken-name")),
        400,
        Some("invalidValue"),
    )
    .await;
    env.send("PATCH", &path, Some(rename("carol-2")))
        .await
        .assert_status(200);
    let rec = account(&env, &env.account_of(&id)).expect("account");
    assert_eq!(rec.username, "carol-2");
}

#[tokio::test]
async fn scim_m2_profile_updates_are_applied() {
    let env = Env::new(OrgMode::Managed);
    let id = env.create_user(user("alice-liddell")).await.id();
    let acc = env.account_of(&id);
    let p = patch(json!([
        {"op": "Replace", "path": "name.givenName", "value": "Alicia"},
        {"op": "Replace", "path": "name.familyName", "value": "Hargreaves"},
        {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "alicia@corp.example"},
        {"op": "Replace", "path": "displayName", "value": "Alicia H."}
    ]));
    let r = env.send("PATCH", &format!("/Users/{id}"), Some(p)).await;
    r.assert_status(200);
    let rec = account(&env, &acc).expect("account");
    assert_eq!(
        (
            rec.given_name.as_deref(),
            rec.family_name.as_deref(),
            rec.display_name.as_deref()
        ),
        (Some("Alicia"), Some("Hargreaves"), Some("Alicia H."))
    );
    assert_eq!(rec.emails, ["alicia@corp.example"]);
    let mut put = user("alicia-h");
    put["name"] = json!({"givenName": "Ali", "familyName": "H"});
    env.send("PUT", &format!("/Users/{id}"), Some(put))
        .await
        .assert_status(200);
    let rec = account(&env, &acc).expect("account");
    assert_eq!(
        (rec.username.as_str(), rec.given_name.as_deref()),
        ("alicia-h", Some("Ali"))
    );
}

#[tokio::test]
async fn scim_m4_deactivation_removes_from_org_ends_sessions_keeps_account_and_is_reversible() {
    let env = Env::new(OrgMode::Managed);
    let id = env.create_user(user("alice-liddell")).await.id();
    let acc = env.account_of(&id);
    env.db(|c| {
        TestPlatform::add_session(c, &acc, None).expect("session");
        TestPlatform::add_session(c, &acc, Some(ORG)).expect("session");
        TestPlatform::add_content(c, &acc, "acme/model").expect("content");
    });
    let p = patch(json!([{"op": "Replace", "path": "active", "value": "False"}]));
    let r = env.send("PATCH", &format!("/Users/{id}"), Some(p)).await;
    assert_eq!(r.body["active"], json!(false));
    assert_eq!(member(&env, &acc), None, "removed from the org");
    assert!(
        env.db(|c| TestPlatform::sessions(c, &acc).expect("s"))
            .is_empty(),
        "sessions ended"
    );
    assert!(account(&env, &acc).is_some(), "account kept");
    assert_eq!(
        env.db(|c| TestPlatform::content(c, &acc).expect("c")),
        ["acme/model"]
    );
    let p = patch(json!([{"op": "replace", "value": {"active": true}}]));
    env.send("PATCH", &format!("/Users/{id}"), Some(p))
        .await
        .assert_status(200);
    assert_eq!(
        member(&env, &acc).map(|m| (m.state, m.active)),
        Some(("member".into(), true))
    );
}

#[tokio::test]
async fn flaw_keep_sessions_on_deprovision_leaves_sessions_alive() {
    let env = Env::with_flaw(OrgMode::Managed, Flaw::KeepSessionsOnDeprovision);
    let id = env.create_user(user("alice-liddell")).await.id();
    let acc = env.account_of(&id);
    env.db(|c| TestPlatform::add_session(c, &acc, None).expect("session"));
    let p = patch(json!([{"op": "replace", "value": {"active": false}}]));
    env.send("PATCH", &format!("/Users/{id}"), Some(p))
        .await
        .assert_status(200);
    assert_eq!(member(&env, &acc), None);
    assert_eq!(
        env.db(|c| TestPlatform::sessions(c, &acc).expect("s")),
        [None]
    );
}

#[tokio::test]
async fn scim_m5_delete_deletes_the_account_and_its_content() {
    let env = Env::new(OrgMode::Managed);
    let id = env.create_user(user("alice-liddell")).await.id();
    let acc = env.account_of(&id);
    env.db(|c| {
        TestPlatform::add_content(c, &acc, "acme/model").expect("content");
        TestPlatform::add_session(c, &acc, None).expect("session");
    });
    env.send("DELETE", &format!("/Users/{id}"), None)
        .await
        .assert_status(204);
    assert_eq!(account(&env, &acc), None);
    assert!(env
        .db(|c| TestPlatform::content(c, &acc).expect("c"))
        .is_empty());
    assert!(env
        .db(|c| TestPlatform::sessions(c, &acc).expect("s"))
        .is_empty());
    assert_eq!(member(&env, &acc), None);
    env.send("GET", &format!("/Users/{id}"), None)
        .await
        .assert_error(404, None);
    // The username is free again.
    env.create_user(user("alice-liddell")).await;
}
