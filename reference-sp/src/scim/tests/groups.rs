//! Pushed groups and their resource-group links [SCIM-6], [SCIM-7].

use serde_json::json;

use super::*;
use crate::scim::{
    is_scim_managed, link_group, pushed_groups, unlink_group, LinkError, ResourceGroupId, Role,
};

async fn managed_users(env: &Env, names: &[&str]) -> Vec<(String, AccountId)> {
    let mut out = Vec::new();
    for n in names {
        let id = env
            .create_user(json!({"schemas": [USER_SCHEMA], "userName": n}))
            .await
            .id();
        let acc = env.account_of(&id);
        out.push((id, acc));
    }
    out
}

fn roles(env: &Env, rg: &ResourceGroupId) -> Vec<(AccountId, Role)> {
    env.db(|c| TestPlatform::rg_roles(c, ORG, rg).expect("roles"))
}

fn link(env: &Env, gid: &str, rg: &ResourceGroupId, role: Role) -> Result<(), LinkError> {
    env.admin(|p, tx| link_group(p, tx, ORG, gid, rg, role))
}

fn sorted(mut v: Vec<(AccountId, Role)>) -> Vec<(AccountId, Role)> {
    v.sort();
    v
}

#[tokio::test]
async fn scim_6_groups_carry_display_name_members_and_external_id() {
    let env = Env::new(OrgMode::Managed);
    let u = managed_users(&env, &["ann", "bea"]).await;
    let body = json!({"schemas": [GROUP_SCHEMA], "displayName": "Engineering", "externalId": "grp-1",
                      "members": [{"value": u[0].0, "display": "whatever"}, {"value": u[0].0}]});
    let r = env.send("POST", "/Groups", Some(body)).await;
    r.assert_status(201);
    let gid = r.id();
    assert_eq!(r.body["externalId"], json!("grp-1"));
    assert_eq!(
        r.body["members"],
        json!([{"value": u[0].0, "display": "ann", "type": "User",
                "$ref": format!("{BASE}/{ORG}/Users/{}", u[0].0)}])
    );
    assert_eq!(
        r.header("location"),
        Some(format!("{BASE}/{ORG}/Groups/{gid}").as_str())
    );
    // The user's read-only groups attribute follows.
    let ann = env.send("GET", &format!("/Users/{}", u[0].0), None).await;
    assert_eq!(ann.body["groups"][0]["value"], json!(gid));
    assert_eq!(ann.body["groups"][0]["display"], json!("Engineering"));
    let f = env
        .send(
            "GET",
            &format!(
                "/Users?filter={}",
                enc(&format!("groups[value eq \"{gid}\"]"))
            ),
            None,
        )
        .await;
    assert_eq!(f.body["totalResults"], json!(1));
    // PUT replaces members; GET by externalId; members must be this org's Users.
    let put = json!({"schemas": [GROUP_SCHEMA], "displayName": "Eng", "externalId": "grp-1",
                     "members": [{"value": u[1].0}]});
    let r = env.send("PUT", &format!("/Groups/{gid}"), Some(put)).await;
    assert_eq!(r.body["members"][0]["value"], json!(u[1].0));
    assert_eq!(r.header("etag"), Some("W/\"2\""));
    let f = env
        .send(
            "GET",
            &format!("/Groups?filter={}", enc("externalId eq \"grp-1\"")),
            None,
        )
        .await;
    assert_eq!(f.body["Resources"][0]["displayName"], json!("Eng"));
    for members in [
        json!([{"value": "no-such-user"}]),
        json!([{"value": gid, "type": "Group"}]),
        json!([{"display": "x"}]),
    ] {
        let body = json!({"schemas": [GROUP_SCHEMA], "displayName": "Bad", "members": members});
        env.refused("POST", "/Groups", Some(body), 400, Some("invalidValue"))
            .await;
    }
    let p = patch(json!([{"op": "add", "path": "members", "value": [{"value": "ghost"}]}]));
    env.refused(
        "PATCH",
        &format!("/Groups/{gid}"),
        Some(p),
        400,
        Some("invalidValue"),
    )
    .await;
    assert_eq!(
        pushed_groups(&env.conn.lock(), ORG).expect("groups")[0].members,
        1
    );
    env.send("DELETE", &format!("/Groups/{gid}"), None)
        .await
        .assert_status(204);
    env.send("GET", &format!("/Groups/{gid}"), None)
        .await
        .assert_error(404, None);
}

#[tokio::test]
async fn scim_7_link_backfills_members_and_syncs_later_changes() {
    let env = Env::new(OrgMode::Managed);
    let u = managed_users(&env, &["ann", "bea", "cid"]).await;
    let gid = env.create_group("Research", &[&u[0].0, &u[1].0]).await.id();
    let rg = env.db(|c| TestPlatform::add_rg(c, ORG, "research").expect("rg"));
    assert!(!is_scim_managed(&env.conn.lock(), ORG, &rg).expect("q"));
    link(&env, &gid, &rg, Role::Write).expect("link");
    assert!(is_scim_managed(&env.conn.lock(), ORG, &rg).expect("q"));
    assert_eq!(
        roles(&env, &rg),
        sorted(vec![
            (u[0].1.clone(), Role::Write),
            (u[1].1.clone(), Role::Write)
        ])
    );
    // Okta: remove by filter plus add.
    let p = patch(json!([
        {"op": "remove", "path": format!("members[value eq \"{}\"]", u[0].0)},
        {"op": "add", "path": "members", "value": [{"value": u[2].0, "display": "cid"}]}
    ]));
    env.send("PATCH", &format!("/Groups/{gid}"), Some(p))
        .await
        .assert_status(204);
    assert_eq!(
        roles(&env, &rg),
        sorted(vec![
            (u[1].1.clone(), Role::Write),
            (u[2].1.clone(), Role::Write)
        ])
    );
    // A refused PATCH leaves the resource group alone too.
    let p = patch(json!([{"op": "add", "path": "members", "value": [{"value": "ghost"}]}]));
    env.refused(
        "PATCH",
        &format!("/Groups/{gid}"),
        Some(p),
        400,
        Some("invalidValue"),
    )
    .await;
    // Deactivating a member drops them; reactivating restores them.
    let off = patch(json!([{"op": "replace", "value": {"active": false}}]));
    env.send("PATCH", &format!("/Users/{}", u[1].0), Some(off))
        .await
        .assert_status(200);
    assert_eq!(roles(&env, &rg), [(u[2].1.clone(), Role::Write)]);
    let on = patch(json!([{"op": "replace", "value": {"active": true}}]));
    env.send("PATCH", &format!("/Users/{}", u[1].0), Some(on))
        .await
        .assert_status(200);
    assert_eq!(roles(&env, &rg).len(), 2);
    // Deleting a user drops them.
    env.send("DELETE", &format!("/Users/{}", u[2].0), None)
        .await
        .assert_status(204);
    assert_eq!(roles(&env, &rg), [(u[1].1.clone(), Role::Write)]);
    // Deleting the group (Okta's unlink) empties the resource group and unmanages it.
    env.send("DELETE", &format!("/Groups/{gid}"), None)
        .await
        .assert_status(204);
    assert!(roles(&env, &rg).is_empty());
    assert!(!is_scim_managed(&env.conn.lock(), ORG, &rg).expect("q"));
}

#[tokio::test]
async fn scim_7_only_an_empty_resource_group_can_be_linked() {
    let env = Env::new(OrgMode::Managed);
    let u = managed_users(&env, &["ann"]).await;
    let gid = env.create_group("Research", &[&u[0].0]).await.id();
    let outsider = env.personal("outsider", "o@example.com");
    let busy = env.db(|c| {
        let rg = TestPlatform::add_rg(c, ORG, "busy").expect("rg");
        TestPlatform::add_member_manually(c, ORG, &outsider, Some((&rg, Role::Admin))).expect("m");
        rg
    });
    assert!(matches!(
        link(&env, &gid, &busy, Role::Read),
        Err(LinkError::ResourceGroupNotEmpty { .. })
    ));
    assert_eq!(roles(&env, &busy), [(outsider, Role::Admin)]);
    let nowhere = ResourceGroupId("nowhere".into());
    assert!(matches!(
        link(&env, &gid, &nowhere, Role::Read),
        Err(LinkError::ResourceGroupNotFound { .. })
    ));
    let empty = env.db(|c| TestPlatform::add_rg(c, ORG, "empty").expect("rg"));
    let before_empty = env.dump();
    assert!(matches!(
        link(&env, "ghost", &empty, Role::Read),
        Err(LinkError::GroupNotFound { .. })
    ));
    assert_eq!(env.dump(), before_empty);
    // A second pushed group may join an already SCIM-managed resource group.
    link(&env, &gid, &empty, Role::Read).expect("link");
    let other = env.create_group("Research admins", &[]).await.id();
    link(&env, &other, &empty, Role::Admin).expect("second link to a managed group");
}

#[tokio::test]
async fn scim_7_a_user_removed_from_a_group_keeps_the_highest_role_from_other_links() {
    let env = Env::new(OrgMode::Managed);
    let u = managed_users(&env, &["ann", "bea"]).await;
    let rg = env.db(|c| TestPlatform::add_rg(c, ORG, "research").expect("rg"));
    let readers = env.create_group("Readers", &[&u[0].0, &u[1].0]).await.id();
    let writers = env.create_group("Writers", &[&u[0].0]).await.id();
    let admins = env.create_group("Admins", &[&u[0].0]).await.id();
    link(&env, &readers, &rg, Role::Read).expect("link");
    link(&env, &writers, &rg, Role::Write).expect("link");
    link(&env, &admins, &rg, Role::Admin).expect("link");
    assert_eq!(
        roles(&env, &rg),
        sorted(vec![
            (u[0].1.clone(), Role::Admin),
            (u[1].1.clone(), Role::Read)
        ])
    );
    // Entra's default member removal.
    let rm = patch(json!([{"op": "Remove", "path": "members", "value": [{"value": u[0].0}]}]));
    env.send("PATCH", &format!("/Groups/{admins}"), Some(rm.clone()))
        .await
        .assert_status(204);
    assert_eq!(roles(&env, &rg)[0], (u[0].1.clone(), Role::Write));
    env.send("PATCH", &format!("/Groups/{writers}"), Some(rm))
        .await
        .assert_status(204);
    assert_eq!(roles(&env, &rg)[0], (u[0].1.clone(), Role::Read));
    // Unlinking the readers' group leaves nobody.
    env.admin(|p, tx| unlink_group(p, tx, ORG, &readers))
        .expect("unlink");
    assert!(roles(&env, &rg).is_empty());
}

#[tokio::test]
async fn scim_7_changing_the_link_role_updates_every_member() {
    let env = Env::new(OrgMode::Managed);
    let u = managed_users(&env, &["ann", "bea", "cid"]).await;
    let ids: Vec<&str> = u.iter().map(|x| x.0.as_str()).collect();
    let gid = env.create_group("Everyone", &ids).await.id();
    let rg = env.db(|c| TestPlatform::add_rg(c, ORG, "all").expect("rg"));
    link(&env, &gid, &rg, Role::Read).expect("link");
    assert!(roles(&env, &rg).iter().all(|(_, r)| *r == Role::Read));
    link(&env, &gid, &rg, Role::Contributor).expect("relink");
    let r = roles(&env, &rg);
    assert_eq!(r.len(), 3);
    assert!(r.iter().all(|(_, r)| *r == Role::Contributor));
    // Moving the link to another (empty) resource group moves the members.
    let rg2 = env.db(|c| TestPlatform::add_rg(c, ORG, "all-2").expect("rg"));
    link(&env, &gid, &rg2, Role::Write).expect("move");
    assert!(roles(&env, &rg).is_empty());
    assert_eq!(roles(&env, &rg2).len(), 3);
    let listed = pushed_groups(&env.conn.lock(), ORG).expect("groups");
    assert_eq!(listed[0].link, Some((rg2, Role::Write)));
}

/// A member's `display` is computed by the server (the User's displayName, else userName) and
/// /Schemas says so (readOnly): what a PATCH or PUT sends is ignored, a path naming it is
/// refused (docs/scim-probes.md, "members.display").
#[tokio::test]
async fn member_display_is_server_computed_and_advertised_read_only() {
    let env = Env::new(OrgMode::Managed);
    let ann = env
        .create_user(json!({"schemas": [USER_SCHEMA], "userName": "ann", "displayName": "Ann A."}))
        .await
        .id();
    let bea = managed_users(&env, &["bea"]).await.remove(0).0;
    let schema = env
        .send(
            "GET",
            "/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group",
            None,
        )
        .await;
    let subs = schema.body["attributes"][1]["subAttributes"]
        .as_array()
        .expect("members' sub-attributes")
        .clone();
    let display = subs
        .iter()
        .find(|s| s["name"] == "display")
        .expect("display is described");
    assert_eq!(display["mutability"], json!("readOnly"));
    let gid = env.create_group("Eng", &[]).await.id();
    let at = format!("/Groups/{gid}");
    let displays = |r: &Resp| -> Vec<(String, String)> {
        r.body["members"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|m| {
                (
                    m["value"].as_str().unwrap_or_default().to_string(),
                    m["display"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    env.send(
        "PATCH",
        &at,
        Some(patch(json!([{"op": "add", "path": "members",
            "value": [{"value": ann, "display": "Sent by the client"}]}]))),
    )
    .await
    .assert_status(204);
    let r = env.send("GET", &at, None).await;
    assert_eq!(displays(&r), [(ann.clone(), "Ann A.".to_string())]);
    env.send(
        "PATCH",
        &at,
        Some(patch(json!([{"op": "replace", "path": "members",
            "value": [{"value": ann, "display": "x"}, {"value": bea, "display": "y"}]}]))),
    )
    .await
    .assert_status(204);
    let r = env.send("GET", &at, None).await;
    assert_eq!(
        displays(&r),
        [
            (ann.clone(), "Ann A.".to_string()),
            (bea.clone(), "bea".to_string())
        ]
    );
    // It follows the User, since it is never stored.
    env.send(
        "PATCH",
        &format!("/Users/{bea}"),
        Some(patch(
            json!([{"op": "add", "path": "displayName", "value": "Bea B."}]),
        )),
    )
    .await
    .assert_status(200);
    let r = env.send("GET", &at, None).await;
    assert_eq!(displays(&r)[1].1, "Bea B.");
    // Naming it is an incompatible operation (RFC 7644 §3.5.2).
    env.refused(
        "PATCH",
        &at,
        Some(patch(json!([{"op": "replace",
            "path": format!("members[value eq \"{ann}\"].display"), "value": "Forced"}]))),
        400,
        Some("mutability"),
    )
    .await;
    // PUT ignores it too.
    let r = env
        .send(
            "PUT",
            &at,
            Some(json!({"schemas": [GROUP_SCHEMA], "displayName": "Eng",
                "members": [{"value": bea, "display": "Put display"}]})),
        )
        .await;
    r.assert_status(200);
    assert_eq!(displays(&r), [(bea, "Bea B.".to_string())]);
}
