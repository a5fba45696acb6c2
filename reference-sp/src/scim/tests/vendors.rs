//! The request sequences of reference/vendors.md, replayed as Okta and Entra send them.

use serde_json::{json, Value};

use super::platform::Membership;
use super::*;
use crate::scim::Role;

const OKTA_UA: (&str, &str) = ("user-agent", "Okta SCIM Client 1.0.0");

/// Okta: lookup, create, lookup again, deactivate by PATCH without a path, GET then full PUT,
/// import paging, then group push, membership remove+add, rename and unlink.
async fn okta_sequence(env: &Env, user_name: &str, email: &str) -> (String, AccountId) {
    let lookup = format!(
        "/Users?filter={}&startIndex=1&count=100",
        enc(&format!("userName eq \"{user_name}\""))
    );
    let r = env.send_with("GET", &lookup, None, &[OKTA_UA]).await;
    r.assert_status(200);
    assert_eq!(r.body["totalResults"], json!(0));
    assert_eq!(r.body["Resources"], json!([]));

    let r = env
        .send_with(
            "POST",
            "/Users",
            Some(okta_user(user_name, email, "00u1fcia6d6EMsf331d8")),
            &[OKTA_UA],
        )
        .await;
    r.assert_status(201);
    assert!(r.body.is_object(), "Okta treats an empty body as an error");
    let id = r.id();
    let account = env.account_of(&id);
    let again = env
        .send_with(
            "POST",
            "/Users",
            Some(okta_user(user_name, email, "00u1other")),
            &[OKTA_UA],
        )
        .await;
    again.assert_error(409, Some("uniqueness"));

    let r = env.send_with("GET", &lookup, None, &[OKTA_UA]).await;
    assert_eq!(r.body["Resources"][0]["id"], json!(id));
    assert_eq!(r.body["Resources"][0]["active"], json!(true));

    let off = json!({"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": false}}]});
    let r = env
        .send_with("PATCH", &format!("/Users/{id}"), Some(off), &[OKTA_UA])
        .await;
    r.assert_status(200);
    assert_eq!(r.body["active"], json!(false));

    // Other changes: GET, then PUT the whole user back with the change.
    let mut full = env
        .send_with("GET", &format!("/Users/{id}"), None, &[OKTA_UA])
        .await
        .body;
    full["active"] = json!(true);
    full["locale"] = json!("fr-FR");
    full["title"] = json!("Duchess");
    let r = env
        .send_with("PUT", &format!("/Users/{id}"), Some(full), &[OKTA_UA])
        .await;
    r.assert_status(200);
    assert_eq!(
        (r.body["locale"].clone(), r.body["active"].clone()),
        (json!("fr-FR"), json!(true))
    );

    let import = env
        .send_with("GET", "/Users?startIndex=1&count=100", None, &[OKTA_UA])
        .await;
    assert_eq!(import.body["totalResults"], json!(1));
    assert_eq!(import.body["itemsPerPage"], json!(1));

    // Group push.
    let r = env
        .send_with(
            "POST",
            "/Groups",
            Some(json!({"schemas": [GROUP_SCHEMA], "displayName": "Engineering", "members": []})),
            &[OKTA_UA],
        )
        .await;
    r.assert_status(201);
    assert_eq!(r.body["members"], json!([]));
    let gid = r.id();
    let add = json!({"schemas": [PATCH_OP], "Operations": [
        {"op": "remove", "path": "members[value eq \"someone-gone\"]"},
        {"op": "add", "path": "members", "value": [{"value": id, "display": user_name}]}]});
    env.send_with("PATCH", &format!("/Groups/{gid}"), Some(add), &[OKTA_UA])
        .await
        .assert_status(204);
    let remove = json!({"schemas": [PATCH_OP], "Operations": [
        {"op": "remove", "path": format!("members[value eq \"{id}\"]")},
        {"op": "add", "path": "members", "value": []}]});
    env.send_with("PATCH", &format!("/Groups/{gid}"), Some(remove), &[OKTA_UA])
        .await
        .assert_status(204);
    let rename = json!({"schemas": [PATCH_OP], "Operations": [
        {"op": "replace", "value": {"id": gid, "displayName": "Platform Engineering"}}]});
    env.send_with("PATCH", &format!("/Groups/{gid}"), Some(rename), &[OKTA_UA])
        .await
        .assert_status(204);
    let g = env
        .send_with("GET", &format!("/Groups/{gid}"), None, &[OKTA_UA])
        .await;
    assert_eq!(g.body["displayName"], json!("Platform Engineering"));
    assert_eq!(g.body["members"], json!([]));
    env.send_with("DELETE", &format!("/Groups/{gid}"), None, &[OKTA_UA])
        .await
        .assert_status(204);
    (id, account)
}

#[tokio::test]
async fn okta_sequence_in_basic_mode() {
    let env = Env::new(OrgMode::Basic);
    env.personal("alice", "alice@example.com");
    let (_, account) = okta_sequence(&env, "alice@example.com", "alice@example.com").await;
    let m = env.db(|c| TestPlatform::membership(c, ORG, &account).expect("m"));
    assert_eq!(
        m,
        Some(Membership {
            state: "invited".into(),
            active: true,
            role: None
        })
    );
}

#[tokio::test]
async fn okta_sequence_in_managed_mode() {
    let env = Env::new(OrgMode::Managed);
    let (_, account) = okta_sequence(&env, "alice-liddell", "alice@corp.example").await;
    let m = env.db(|c| TestPlatform::membership(c, ORG, &account).expect("m"));
    assert_eq!(
        m.map(|m| (m.state, m.active)),
        Some(("member".into(), true))
    );
}

fn entra_user(user_name: &str, object_id: &str) -> Value {
    json!({
        "schemas": [USER_SCHEMA, ENTERPRISE],
        "externalId": object_id,
        "userName": user_name,
        "active": "True",
        "emails": [{"primary": "True", "type": "work", "value": "alice@contoso.example"}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "Alice Liddell", "familyName": "Liddell", "givenName": "Alice"},
        "roles": [],
        ENTERPRISE: {"department": "Research", "manager": "mgr-object-id"}
    })
}

/// Entra: test connection, create, lookups by userName and externalId, group by displayName
/// without members, membership add and removal, disable, hard delete. `capitalised` picks the
/// default dialect, otherwise the aadOptscim062020 one.
async fn entra_sequence(env: &Env, user_name: &str, capitalised: bool) -> AccountId {
    let (add, replace, remove) = if capitalised {
        ("Add", "Replace", "Remove")
    } else {
        ("add", "replace", "remove")
    };
    // Test connection: a random user and group that do not exist.
    let probe = format!(
        "/Users?filter={}",
        enc("userName eq \"c2b3cf0e-5b1f-4ea3-a5d5-6e1a6dd2d3f1\"")
    );
    assert_eq!(
        env.send("GET", &probe, None).await.body["totalResults"],
        json!(0)
    );
    let probe = format!(
        "/Groups?excludedAttributes=members&filter={}",
        enc("displayName eq \"0f3b2a4c-9d8e-4f1a-b2c3-d4e5f6a7b8c9\"")
    );
    assert_eq!(
        env.send("GET", &probe, None).await.body["Resources"],
        json!([])
    );

    let oid = "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef";
    let by_ext = format!("/Users?filter={}", enc(&format!("externalId eq \"{oid}\"")));
    assert_eq!(
        env.send("GET", &by_ext, None).await.body["totalResults"],
        json!(0)
    );
    let r = env.create_user(entra_user(user_name, oid)).await;
    let id = r.id();
    assert_eq!(r.body["active"], json!(true));
    assert_eq!(
        r.body[ENTERPRISE]["manager"],
        json!({"value": "mgr-object-id"})
    );
    let account = env.account_of(&id);
    let found = env.send("GET", &by_ext, None).await;
    assert_eq!(found.body["Resources"][0]["id"], json!(id));
    let by_name = format!(
        "/Users?filter={}",
        enc(&format!("userName eq \"{user_name}\""))
    );
    assert_eq!(
        env.send("GET", &by_name, None).await.body["totalResults"],
        json!(1)
    );

    let r = env.create_group("Research", &[]).await;
    let gid = r.id();
    let by_display = format!(
        "/Groups?excludedAttributes=members&filter={}",
        enc("displayName eq \"Research\"")
    );
    let found = env.send("GET", &by_display, None).await;
    assert_eq!(found.body["Resources"][0]["id"], json!(gid));
    assert!(found.body["Resources"][0].get("members").is_none());

    let add_member = patch(json!([{"op": add, "path": "members", "value": [{"value": id}]}]));
    let r = env
        .send("PATCH", &format!("/Groups/{gid}"), Some(add_member.clone()))
        .await;
    assert_eq!((r.status.as_u16(), r.body.clone()), (204, Value::Null));
    // Entra retries: adding an existing member is a no-op.
    env.send("PATCH", &format!("/Groups/{gid}"), Some(add_member))
        .await
        .assert_status(204);
    let removal = if capitalised {
        json!([{"op": remove, "path": "members", "value": [{"value": id}]}])
    } else {
        json!([{"op": remove, "path": format!("members[value eq \"{id}\"]")}])
    };
    env.send(
        "PATCH",
        &format!("/Groups/{gid}"),
        Some(patch(removal.clone())),
    )
    .await
    .assert_status(204);
    env.send("PATCH", &format!("/Groups/{gid}"), Some(patch(removal)))
        .await
        .assert_status(204);
    let g = env.send("GET", &format!("/Groups/{gid}"), None).await;
    assert_eq!(g.body["members"], json!([]));
    assert_eq!(
        g.header("etag"),
        Some("W/\"3\""),
        "no-op PATCHes keep the version"
    );

    let disable = if capitalised {
        json!([{"op": replace, "path": "active", "value": "False"}])
    } else {
        json!([{"op": replace, "value": {"active": false}}])
    };
    let r = env
        .send("PATCH", &format!("/Users/{id}"), Some(patch(disable)))
        .await;
    r.assert_status(200);
    assert_eq!(r.body["active"], json!(false));
    // About 30 days later, the hard delete.
    env.clock.advance(chrono::Duration::days(30));
    env.send("DELETE", &format!("/Users/{id}"), None)
        .await
        .assert_status(204);
    account
}

#[tokio::test]
async fn entra_default_dialect_in_managed_mode() {
    let env = Env::new(OrgMode::Managed);
    let account = entra_sequence(&env, "alice-liddell", true).await;
    assert!(env
        .db(|c| TestPlatform::account(c, &account).expect("q"))
        .is_none());
}

#[tokio::test]
async fn entra_flag_dialect_in_managed_mode() {
    let env = Env::new(OrgMode::Managed);
    let account = entra_sequence(&env, "alice-liddell", false).await;
    assert!(env
        .db(|c| TestPlatform::account(c, &account).expect("q"))
        .is_none());
}

#[tokio::test]
async fn entra_both_dialects_in_basic_mode() {
    for capitalised in [true, false] {
        let env = Env::new(OrgMode::Basic);
        let acc = env.personal("alice", "alice@contoso.example");
        let account = entra_sequence(&env, "alice@contoso.example", capitalised).await;
        assert_eq!(account, acc);
        assert!(
            env.db(|c| TestPlatform::account(c, &acc).expect("q"))
                .is_some(),
            "B5: kept"
        );
        assert_eq!(
            env.db(|c| TestPlatform::membership(c, ORG, &acc).expect("m")),
            None
        );
    }
}

#[tokio::test]
async fn entra_profile_updates_in_both_dialects_in_managed_mode() {
    let env = Env::new(OrgMode::Managed);
    let id = env
        .create_user(entra_user("alice-liddell", "oid-1"))
        .await
        .id();
    let account = env.account_of(&id);
    // Default: one Replace per attribute, string booleans, enterprise paths.
    let p = patch(json!([
        {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "ally@contoso.example"},
        {"op": "Replace", "path": "name.givenName", "value": "Ally"},
        {"op": "Replace", "path": format!("{ENTERPRISE}:department"), "value": "Sales"},
        {"op": "Add", "path": format!("{ENTERPRISE}:manager"), "value": "mgr-2"},
        {"op": "Replace", "path": "active", "value": "True"}
    ]));
    let r = env.send("PATCH", &format!("/Users/{id}"), Some(p)).await;
    r.assert_status(200);
    assert_eq!(r.body[ENTERPRISE]["department"], json!("Sales"));
    // aadOptscim062020: several dotted keys in one replace.
    let p = patch(json!([{"op": "replace", "value": {
        "name.familyName": "Hargreaves", "displayName": "Ally H.", "title": "Lead"}}]));
    env.send("PATCH", &format!("/Users/{id}"), Some(p))
        .await
        .assert_status(200);
    let rec = env.db(|c| {
        TestPlatform::account(c, &account)
            .expect("q")
            .expect("account")
    });
    assert_eq!(
        (
            rec.given_name.as_deref(),
            rec.family_name.as_deref(),
            rec.emails.first().map(String::as_str)
        ),
        (
            Some("Ally"),
            Some("Hargreaves"),
            Some("ally@contoso.example")
        )
    );
    assert_eq!(
        env.db(|c| TestPlatform::membership(c, ORG, &account).expect("m"))
            .and_then(|m| m.role),
        None::<Role>
    );
}

#[tokio::test]
async fn flaw_scim_patch_case_sensitive_refuses_only_capitalised_ops() {
    let replace = |op: &str| patch(json!([{"op": op, "path": "title", "value": op}]));
    for flawed in [false, true] {
        let env = if flawed {
            Env::with_flaw(OrgMode::Managed, Flaw::ScimPatchCaseSensitive)
        } else {
            Env::new(OrgMode::Managed)
        };
        let id = env
            .create_user(json!({"schemas": [USER_SCHEMA], "userName": "alice-liddell"}))
            .await
            .id();
        let path = format!("/Users/{id}");
        env.send("PATCH", &path, Some(replace("replace")))
            .await
            .assert_status(200);
        for op in ["Replace", "REPLACE"] {
            if flawed {
                env.refused(
                    "PATCH",
                    &path,
                    Some(replace(op)),
                    400,
                    Some("invalidSyntax"),
                )
                .await;
            } else {
                let r = env.send("PATCH", &path, Some(replace(op))).await;
                r.assert_status(200);
                assert_eq!(r.body["title"], json!(op));
            }
        }
        // Group PATCH follows the same rule; everything else is untouched by the flaw.
        let gid = env.create_group("Eng", &[]).await.id();
        let add = patch(json!([{"op": "Add", "path": "members", "value": [{"value": id}]}]));
        let r = env
            .send("PATCH", &format!("/Groups/{gid}"), Some(add))
            .await;
        assert_eq!(r.status.as_u16(), if flawed { 400 } else { 204 });
        env.refused(
            "PATCH",
            &path,
            Some(replace("move")),
            400,
            Some("invalidSyntax"),
        )
        .await;
    }
}
