//! SCIM provisioning wired to the platform [SCIM-*], over real HTTP: tokens minted by the admin
//! API, requests shaped as Okta and Entra send them (reference/vendors.md), effects checked
//! through the admin API and through a browser signing in with SSO.

use crate::common::*;
use mock_idps::Vendor;
use reference_sp::{Flaw, Flaws, Store};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::Arc;

const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// A SCIM client of one organisation, as an IdP's provisioning connector is configured.
struct Scim {
    transport: Transport,
    base: String,
    token: String,
}

impl Scim {
    /// Mint a token through the admin API and point a client at the SCIM base URL it names.
    async fn connect(w: &World, org: &str) -> Scim {
        let v = w
            .admin_ok(
                "POST",
                &format!("/_admin/orgs/{org}/scim-tokens"),
                json!({}),
                201,
            )
            .await;
        let base = v["scim_base_url"].as_str().expect("scim_base_url");
        assert_eq!(base, w.url(&format!("/scim/v2/organizations/{org}")));
        let org_view = w.get_admin(&format!("/_admin/orgs/{org}")).await;
        assert_eq!(org_view["scim_base_url"], base);
        Scim {
            transport: w.transport.clone(),
            base: base.to_string(),
            token: v["token"].as_str().expect("token").to_string(),
        }
    }

    fn with_token(&self, token: &str) -> Scim {
        Scim {
            transport: self.transport.clone(),
            base: self.base.clone(),
            token: token.to_string(),
        }
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let bearer = format!("Bearer {}", self.token);
        let mut headers = vec![
            ("user-agent", "Okta SCIM Client 1.0.0"),
            ("authorization", bearer.as_str()),
        ];
        if body.is_some() {
            headers.push(("content-type", "application/scim+json"));
        }
        let (status, resp_headers, bytes) = self
            .transport
            .send(
                method,
                &format!("{}{path}", self.base),
                &headers,
                body.map(|b| b.to_string()),
            )
            .await;
        if status != StatusCode::NO_CONTENT {
            let ct = resp_headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            assert!(
                ct.starts_with("application/scim+json"),
                "{method} {path}: {ct}"
            );
        }
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    async fn ok(&self, method: &str, path: &str, body: Option<Value>, want: u16) -> Value {
        let (s, v) = self.call(method, path, body).await;
        assert_eq!(s.as_u16(), want, "{method} {path}: {v:#}");
        v
    }

    async fn patch(&self, path: &str, ops: Value, want: u16) -> Value {
        self.ok(
            "PATCH",
            path,
            Some(json!({"schemas": [PATCH_OP], "Operations": ops})),
            want,
        )
        .await
    }

    /// Okta's create: look the userName up first, then POST [SCIM-9].
    async fn okta_create(&self, user_name: &str, email: &str, okta_id: &str) -> String {
        let filter: String =
            url::form_urlencoded::byte_serialize(format!("userName eq \"{user_name}\"").as_bytes())
                .collect();
        let found = self
            .ok(
                "GET",
                &format!("/Users?filter={filter}&startIndex=1&count=100"),
                None,
                200,
            )
            .await;
        assert_eq!(found["totalResults"], 0, "{found}");
        let body = json!({
            "schemas": [USER_SCHEMA],
            "userName": user_name,
            "name": {"givenName": "Grace", "familyName": "Hopper"},
            "emails": [{"primary": true, "value": email, "type": "work"}],
            "displayName": "Grace Hopper",
            "locale": "en-US",
            "externalId": okta_id,
            "groups": [],
            "password": "rAnd0m!pw",
            "active": true
        });
        let v = self.ok("POST", "/Users", Some(body), 201).await;
        v["id"].as_str().expect("id").to_string()
    }

    /// Entra's create, with the enterprise extension and its object id as externalId.
    async fn entra_create(&self, user_name: &str, email: &str, object_id: &str) -> (u16, Value) {
        let body = json!({
            "schemas": [USER_SCHEMA, ENTERPRISE],
            "externalId": object_id,
            "userName": user_name,
            "active": true,
            "emails": [{"primary": true, "type": "work", "value": email}],
            "name": {"formatted": "Ada Lovelace", "familyName": "Lovelace", "givenName": "Ada"},
            "roles": [],
            ENTERPRISE: {"department": "Engines"}
        });
        let (s, v) = self.call("POST", "/Users", Some(body)).await;
        (s.as_u16(), v)
    }

    async fn create_group(&self, name: &str, members: &[&str]) -> String {
        let members: Vec<Value> = members.iter().map(|m| json!({"value": m})).collect();
        let v = self
            .ok(
                "POST",
                "/Groups",
                Some(json!({"schemas": [GROUP_SCHEMA], "displayName": name, "members": members})),
                201,
            )
            .await;
        v["id"].as_str().expect("id").to_string()
    }
}

/// (username, role, source) of each member of resource group `group`.
async fn rg_members(w: &World, org: &str, group: &str) -> Vec<(String, String, String)> {
    let v = w
        .get_admin(&format!("/_admin/orgs/{org}/resource-groups"))
        .await;
    let g = v["resource_groups"]
        .as_array()
        .and_then(|a| a.iter().find(|g| g["name"] == group))
        .unwrap_or_else(|| panic!("no group {group}: {v}"))
        .clone();
    g["members"]
        .as_array()
        .map(|ms| {
            ms.iter()
                .map(|m| {
                    let s = |k: &str| m[k].as_str().unwrap_or("").to_string();
                    (s("username"), s("role"), s("source"))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn placed(name: &str, role: &str) -> (String, String, String) {
    (name.into(), role.into(), "scim".into())
}

#[tokio::test]
async fn scim_m1_m2_m4_m5_managed_okta_create_sso_deactivate_reactivate_delete() {
    let w = World::new().await;
    w.create_org("acme", "managed", json!({})).await;
    let t = w.tenant(
        Vendor::Okta,
        "acme",
        "acme",
        vec![idp_user("grace.hopper@acme.example", &[])],
    );
    w.configure_sso("acme", &t, Protocol::Saml, json!({})).await;
    w.create_repo("acme", "model", None).await;
    let scim = Scim::connect(&w, "acme").await;

    // [SCIM-M1]: the account exists and is a member at once, before any login.
    let id = scim
        .okta_create("grace-hopper", "grace.hopper@acme.example", "00u1abcd")
        .await;
    let user = w.get_admin("/_admin/users/grace-hopper").await;
    assert_eq!(user["managed"], true, "{user}");
    assert_eq!(user["managed_by"], "acme");
    assert_eq!(user["active"], true);
    assert_eq!(
        user["has_password"], false,
        "the SCIM password is never kept"
    );
    assert_eq!(user["emails"], json!(["grace.hopper@acme.example"]));
    assert_eq!(user["display_name"], "Grace Hopper");
    let m = w.member("acme", "grace-hopper").await.expect("member");
    assert_eq!(
        (m["source"].as_str(), m["active"].as_bool()),
        (Some("scim"), Some(true))
    );
    assert_eq!(m["role"], "read", "the org's default role");

    // The first SSO finds the provisioned account instead of creating one just in time.
    let mut b = w.browser();
    let p = b.browse("/acme/model").await;
    assert_eq!(p.status, StatusCode::OK, "{} {:#?}", p.body, b.hops);
    let me = b.whoami().await.json();
    assert_eq!(me["account"]["username"], "grace-hopper", "{me}");
    assert_eq!(
        whoami_org(&me, "acme").expect("org")["sso"]["session"],
        "active"
    );
    let members = w.get_admin("/_admin/orgs/acme/members").await;
    assert_eq!(
        members["members"].as_array().map(Vec::len),
        Some(1),
        "{members}"
    );

    // [SCIM-M4], [MAN-6]: Entra's string "False" deprovisions at once.
    let v = scim
        .patch(
            &format!("/Users/{id}"),
            json!([{"op": "Replace", "path": "active", "value": "False"}]),
            200,
        )
        .await;
    assert_eq!(v["active"], false);
    let me = b.whoami().await;
    assert_eq!(
        me.status,
        StatusCode::UNAUTHORIZED,
        "no session left: {}",
        me.body
    );
    let p = b.get("/acme/model").await;
    assert_eq!(p.status, StatusCode::FOUND);
    assert!(
        p.location
            .as_deref()
            .unwrap_or("")
            .starts_with("/organizations/acme/sso/login?"),
        "{:?}",
        p.location
    );
    assert!(
        w.member("acme", "grace-hopper").await.is_none(),
        "removed from the org"
    );
    let user = w.get_admin("/_admin/users/grace-hopper").await;
    assert_eq!(
        (user["active"].as_bool(), user["sessions"].as_i64()),
        (Some(false), Some(0))
    );
    // SSO cannot bring the user back just in time.
    let p = b.follow_from(p).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
    assert_eq!(p.code(), "account-deactivated");
    assert!(w.member("acme", "grace-hopper").await.is_none());

    // Reversible with active=true (Okta's path-less replace).
    scim.patch(
        &format!("/Users/{id}"),
        json!([{"op": "replace", "value": {"active": true}}]),
        200,
    )
    .await;
    let m = w
        .member("acme", "grace-hopper")
        .await
        .expect("member again");
    assert_eq!(m["active"], true);
    assert_eq!(m["account_active"], true);
    let p = b.browse("/acme/model").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(
        b.whoami().await.json()["account"]["username"],
        "grace-hopper"
    );

    // [SCIM-M2]: profile updates apply.
    scim.patch(
        &format!("/Users/{id}"),
        json!([{"op": "Replace", "path": "name.givenName", "value": "Amazing"}]),
        200,
    )
    .await;
    // [SCIM-M5]: DELETE deletes the account.
    scim.ok("DELETE", &format!("/Users/{id}"), None, 204).await;
    let (s, _) = w.admin("GET", "/_admin/users/grace-hopper", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(w.count("sessions"), 0);
    assert_eq!(b.whoami().await.status, StatusCode::UNAUTHORIZED);
    scim.ok("GET", &format!("/Users/{id}"), None, 404).await;
}

#[tokio::test]
async fn scim_b1_b2_b5_basic_create_invites_profile_is_read_only_delete_keeps_the_account() {
    let w = World::new().await;
    w.create_org("bas", "basic", json!({})).await;
    let t = w.tenant(
        Vendor::Entra,
        "bas",
        "bas",
        vec![idp_user("ada@bas.example", &[])],
    );
    w.configure_sso("bas", &t, Protocol::Oidc, json!({})).await;
    w.create_user("ada", "pw", &["ada@bas.example"]).await;
    w.admin_ok(
        "POST",
        "/_admin/orgs/bas/resource-groups",
        json!({"name": "models"}),
        201,
    )
    .await;
    w.create_repo("bas", "r", None).await;
    let scim = Scim::connect(&w, "bas").await;

    // [SCIM-B1]: no account for the email, no user.
    let (s, v) = scim
        .entra_create("nobody@bas.example", "nobody@bas.example", "oid-0")
        .await;
    assert_eq!(s, 400, "{v}");
    assert_eq!(v["scimType"], "invalidValue");
    // An existing account is invited, not added.
    let (s, v) = scim
        .entra_create("ada@bas.example", "ada@bas.example", "oid-1")
        .await;
    assert_eq!(s, 201, "{v}");
    let id = v["id"].as_str().expect("id").to_string();
    let members = w.get_admin("/_admin/orgs/bas/members").await;
    assert_eq!(members["members"], json!([]), "{members}");
    let pending = &members["pending_invitations"];
    assert_eq!(pending.as_array().map(Vec::len), Some(1), "{members}");
    assert_eq!(pending[0]["username"], "ada");
    assert_eq!(pending[0]["source"], "scim");
    assert_eq!(pending[0]["active"], true);

    // [SCIM-B2]: the profile is the user's own.
    let (s, v) = scim
        .call(
            "PATCH",
            &format!("/Users/{id}"),
            Some(json!({"schemas": [PATCH_OP], "Operations": [
                {"op": "Replace", "path": "name.givenName", "value": "Augusta"}]})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["scimType"], "mutability");
    let user = w.get_admin("/_admin/users/ada").await;
    assert_eq!(user["display_name"], Value::Null, "{user}");

    // The invitation is accepted by the user's first SSO with the org.
    let mut b = w.browser();
    assert_eq!(
        b.password_login("ada", "pw").await.status,
        StatusCode::SEE_OTHER
    );
    let p = b.browse("/bas/r").await;
    assert_eq!(p.status, StatusCode::OK, "{} {:#?}", p.body, b.hops);
    assert!(w.member("bas", "ada").await.is_some());
    w.admin_ok(
        "PUT",
        "/_admin/orgs/bas/resource-groups/models/members/ada",
        json!({"role": "write"}),
        200,
    )
    .await;

    // [SCIM-B5]: DELETE removes from the org and its resource groups, ends the org session...
    scim.ok("DELETE", &format!("/Users/{id}"), None, 204).await;
    assert!(w.member("bas", "ada").await.is_none());
    assert!(rg_members(&w, "bas", "models").await.is_empty());
    let me = b.whoami().await;
    assert_eq!(me.status, StatusCode::OK, "the platform login stays");
    assert!(whoami_org(&me.json(), "bas").is_none(), "{}", me.body);
    assert_eq!(b.get("/bas/r").await.status, StatusCode::FOUND);
    // ... and leaves the account: it still signs in with its password.
    let user = w.get_admin("/_admin/users/ada").await;
    assert_eq!(
        (user["active"].as_bool(), user["emails"].clone()),
        (Some(true), json!(["ada@bas.example"]))
    );
    let b2 = w.browser();
    assert_eq!(
        b2.password_login("ada", "pw").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(b2.whoami().await.json()["account"]["username"], "ada");
}

#[tokio::test]
async fn scim_b4_basic_active_false_deactivates_access_and_the_org_session() {
    let w = World::new().await;
    w.create_org("bas", "basic", json!({})).await;
    let t = w.tenant(
        Vendor::Okta,
        "bas",
        "bas",
        vec![idp_user("kay@bas.example", &[])],
    );
    w.configure_sso("bas", &t, Protocol::Saml, json!({})).await;
    w.create_user("kay", "pw", &["kay@bas.example"]).await;
    w.create_repo("bas", "r", None).await;
    let scim = Scim::connect(&w, "bas").await;
    let (s, v) = scim.entra_create("kay", "kay@bas.example", "oid-k").await;
    assert_eq!(s, 201, "{v}");
    let id = v["id"].as_str().expect("id").to_string();
    let mut b = w.browser();
    b.password_login("kay", "pw").await;
    assert_eq!(b.browse("/bas/r").await.status, StatusCode::OK);

    // [SCIM-B4]
    scim.patch(
        &format!("/Users/{id}"),
        json!([{"op": "Replace", "path": "active", "value": "False"}]),
        200,
    )
    .await;
    let m = w.member("bas", "kay").await.expect("still listed");
    assert_eq!(m["active"], false);
    let me = b.whoami().await.json();
    assert_eq!(
        whoami_org(&me, "bas").expect("org")["sso"]["session"],
        "none",
        "{me}"
    );
    let p = b.get("/bas/r").await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
    assert_eq!(p.code(), "membership-deactivated");
    scim.patch(
        &format!("/Users/{id}"),
        json!([{"op": "replace", "value": {"active": true}}]),
        200,
    )
    .await;
    assert_eq!(
        w.member("bas", "kay").await.expect("member")["active"],
        true
    );
    assert_eq!(b.browse("/bas/r").await.status, StatusCode::OK);
}

#[tokio::test]
async fn scim_7_pushed_group_linked_to_a_resource_group_backfills_syncs_and_locks_manual_changes() {
    let w = World::new().await;
    w.create_org("grp", "managed", json!({})).await;
    let t = w.tenant(
        Vendor::Okta,
        "grp",
        "grp",
        vec![idp_user("ada.lovelace@grp.example", &[])],
    );
    w.configure_sso("grp", &t, Protocol::Oidc, json!({})).await;
    for rg in ["research", "ops"] {
        w.admin_ok(
            "POST",
            "/_admin/orgs/grp/resource-groups",
            json!({"name": rg}),
            201,
        )
        .await;
    }
    w.create_repo("grp", "paper", Some("research")).await;
    let scim = Scim::connect(&w, "grp").await;
    let alan = scim
        .okta_create("alan-turing", "alan@grp.example", "00u-alan")
        .await;
    let ada = scim
        .okta_create("ada-lovelace", "ada.lovelace@grp.example", "00u-ada")
        .await;
    let gid = scim.create_group("Research", &[&alan]).await;

    let pushed = w.get_admin("/_admin/orgs/grp/scim-groups").await;
    let g = &pushed["scim_groups"][0];
    assert_eq!(
        (
            g["id"].as_str(),
            g["display_name"].as_str(),
            g["members"].as_u64()
        ),
        (Some(gid.as_str()), Some("Research"), Some(1)),
        "{pushed}"
    );
    assert_eq!(g["link"], Value::Null);

    // Link: the members are backfilled [SCIM-7].
    let linked = w
        .admin_ok(
            "PUT",
            &format!("/_admin/orgs/grp/scim-groups/{gid}/link"),
            json!({"resource_group": "research", "role": "write"}),
            200,
        )
        .await;
    assert_eq!(linked["link"]["resource_group"], "research", "{linked}");
    assert_eq!(linked["link"]["role"], "write");
    assert_eq!(
        rg_members(&w, "grp", "research").await,
        [placed("alan-turing", "write")]
    );

    // Later membership changes follow (Okta's remove-by-filter, then add).
    scim.patch(
        &format!("/Groups/{gid}"),
        json!([{"op": "add", "path": "members", "value": [{"value": ada, "display": "Ada"}]}]),
        204,
    )
    .await;
    let mut research = rg_members(&w, "grp", "research").await;
    research.sort();
    assert_eq!(
        research,
        [
            placed("ada-lovelace", "write"),
            placed("alan-turing", "write")
        ]
    );
    scim.patch(
        &format!("/Groups/{gid}"),
        json!([{"op": "remove", "path": format!("members[value eq \"{alan}\"]")}]),
        204,
    )
    .await;
    assert_eq!(
        rg_members(&w, "grp", "research").await,
        [placed("ada-lovelace", "write")]
    );

    // The synced member reaches the group's repository after SSO.
    let mut b = w.browser();
    let p = b.browse("/grp/paper").await;
    assert_eq!(p.status, StatusCode::OK, "{} {:#?}", p.body, b.hops);
    assert_eq!(
        (p.json()["role"].as_str(), p.json()["via"].as_str()),
        (Some("write"), Some("resource-group"))
    );

    // Manual changes to a SCIM-managed group are refused, and change nothing.
    for (method, name, body) in [
        ("PUT", "alan-turing", Some(json!({"role": "read"}))),
        ("PUT", "ada-lovelace", Some(json!({"role": "admin"}))),
        ("DELETE", "ada-lovelace", None),
    ] {
        let (s, v) = w
            .admin(
                method,
                &format!("/_admin/orgs/grp/resource-groups/research/members/{name}"),
                body,
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{method} {name}: {v}");
        assert_eq!(
            (v["error"].as_str(), v["code"].as_str()),
            (Some("forbidden"), Some("scim-managed"))
        );
    }
    assert_eq!(
        rg_members(&w, "grp", "research").await,
        [placed("ada-lovelace", "write")]
    );
    // Other groups stay manual; a group with manual members cannot be linked.
    w.admin_ok(
        "PUT",
        "/_admin/orgs/grp/resource-groups/ops/members/alan-turing",
        json!({"role": "read"}),
        200,
    )
    .await;
    let (s, v) = w
        .admin(
            "PUT",
            &format!("/_admin/orgs/grp/scim-groups/{gid}/link"),
            Some(json!({"resource_group": "ops", "role": "read"})),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("resource-group-not-empty")),
        "{v}"
    );
    for (path, body) in [
        (
            "/_admin/orgs/grp/scim-groups/no-such-group/link",
            json!({"resource_group": "research", "role": "read"}),
        ),
        (
            &*format!("/_admin/orgs/grp/scim-groups/{gid}/link"),
            json!({"resource_group": "nope", "role": "read"}),
        ),
    ] {
        let (s, v) = w.admin("PUT", path, Some(body)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}: {v}");
    }

    // A new role on the link applies to every member; unlinking hands the group back.
    w.admin_ok(
        "PUT",
        &format!("/_admin/orgs/grp/scim-groups/{gid}/link"),
        json!({"resource_group": "research", "role": "read"}),
        200,
    )
    .await;
    assert_eq!(
        rg_members(&w, "grp", "research").await,
        [placed("ada-lovelace", "read")]
    );
    let (s, _) = w
        .admin(
            "DELETE",
            &format!("/_admin/orgs/grp/scim-groups/{gid}/link"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert!(rg_members(&w, "grp", "research").await.is_empty());
    w.admin_ok(
        "PUT",
        "/_admin/orgs/grp/resource-groups/research/members/alan-turing",
        json!({"role": "read"}),
        200,
    )
    .await;
    let pushed = w.get_admin("/_admin/orgs/grp/scim-groups").await;
    assert_eq!(pushed["scim_groups"][0]["link"], Value::Null);
}

#[tokio::test]
async fn scimsec_auth_1_a_wrong_token_or_another_orgs_token_gets_401() {
    let w = World::in_process();
    w.create_org("one", "managed", json!({})).await;
    w.create_org("two", "managed", json!({})).await;
    let one = Scim::connect(&w, "one").await;
    let two = Scim::connect(&w, "two").await;
    one.ok("GET", "/Users", None, 200).await;
    let body = json!({"schemas": [USER_SCHEMA], "userName": "eve"});
    for (who, client) in [
        ("wrong token", one.with_token("scim_not-a-token")),
        ("another org's token", one.with_token(&two.token)),
        ("empty token", one.with_token("")),
    ] {
        for (method, path, b) in [
            ("GET", "/Users", None),
            ("POST", "/Users", Some(body.clone())),
            ("GET", "/ServiceProviderConfig", None),
        ] {
            let (s, v) = client.call(method, path, b).await;
            assert_eq!(s, StatusCode::UNAUTHORIZED, "{who} {method} {path}: {v}");
            assert_eq!(v["status"], "401");
        }
    }
    assert!(w.member("one", "eve").await.is_none());
    let (s, _) = w.admin("GET", "/_admin/users/eve", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Revoking the tokens locks the connector out.
    let v = w
        .admin_ok("DELETE", "/_admin/orgs/one/scim-tokens", json!({}), 200)
        .await;
    assert_eq!(v["revoked"], 1);
    one.ok("GET", "/Users", None, 401).await;
    two.ok("GET", "/Users", None, 200).await;
    let (s, _) = w.admin("POST", "/_admin/orgs/nope/scim-tokens", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn sess_3_keep_sessions_on_deprovision_flaw_applies_to_scim_as_to_the_admin_api() {
    let w = World::with_flaw(Flaw::KeepSessionsOnDeprovision).await;
    w.create_org("acme", "managed", json!({})).await;
    let t = w.tenant(
        Vendor::Okta,
        "acme",
        "acme",
        vec![idp_user("grace.hopper@acme.example", &[])],
    );
    w.configure_sso("acme", &t, Protocol::Saml, json!({})).await;
    let scim = Scim::connect(&w, "acme").await;
    let id = scim
        .okta_create("grace-hopper", "grace.hopper@acme.example", "00u1")
        .await;
    let mut b = w.browser();
    assert_eq!(
        b.browse("/organizations/acme/sso/login").await.status,
        StatusCode::OK
    );
    scim.patch(
        &format!("/Users/{id}"),
        json!([{"op": "replace", "value": {"active": false}}]),
        200,
    )
    .await;
    assert!(w.member("acme", "grace-hopper").await.is_none());
    assert_eq!(
        b.whoami().await.status,
        StatusCode::OK,
        "the flaw keeps the session"
    );
    assert_eq!(w.count("sessions"), 1);
}

#[tokio::test]
async fn tokens_and_provisioned_users_survive_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("sp.db");
    let (token, id) = {
        let w = World::build_in_process(
            Flaws::none(),
            Arc::new(Store::open_file(&path).expect("store")),
        );
        w.create_org("acme", "managed", json!({})).await;
        let scim = Scim::connect(&w, "acme").await;
        let id = scim
            .okta_create("grace-hopper", "grace@acme.example", "00u1")
            .await;
        (scim.token, id)
    };
    let w = World::build_in_process(
        Flaws::none(),
        Arc::new(Store::open_file(&path).expect("reopen")),
    );
    let scim = Scim {
        transport: w.transport.clone(),
        base: w.url("/scim/v2/organizations/acme"),
        token,
    };
    let v = scim.ok("GET", &format!("/Users/{id}"), None, 200).await;
    assert_eq!(v["userName"], "grace-hopper");
    assert!(w.member("acme", "grace-hopper").await.is_some());
}

#[tokio::test]
async fn scim_adopts_a_managed_account_made_just_in_time() {
    let w = World::new().await;
    w.create_org("acme", "managed", json!({})).await;
    let t = w.tenant(
        Vendor::Entra,
        "acme",
        "acme",
        vec![idp_user("lin@acme.example", &[])],
    );
    w.configure_sso("acme", &t, Protocol::Oidc, json!({})).await;
    let mut b = w.browser();
    assert_eq!(
        b.browse("/organizations/acme/sso/login").await.status,
        StatusCode::OK
    );
    assert_eq!(b.whoami().await.json()["account"]["username"], "lin");
    // The IdP pushes the same person later: the account is taken over, renamed, still a member.
    let scim = Scim::connect(&w, "acme").await;
    let (s, v) = scim
        .entra_create("lin-chen", "lin@acme.example", "oid-lin")
        .await;
    assert_eq!(s, 201, "{v}");
    let user = w.get_admin("/_admin/users/lin-chen").await;
    assert_eq!(
        (user["managed"].as_bool(), user["active"].as_bool()),
        (Some(true), Some(true))
    );
    let members = w.get_admin("/_admin/orgs/acme/members").await;
    assert_eq!(
        members["members"].as_array().map(Vec::len),
        Some(1),
        "{members}"
    );
    assert_eq!(b.whoami().await.json()["account"]["username"], "lin-chen");
    // A second SCIM user with the same email is not adopted twice.
    let (s, v) = scim
        .entra_create("lin-two", "lin@acme.example", "oid-lin-2")
        .await;
    assert_eq!(s, 400, "{v}");
}

/// Issue 15's gaps over the real platform: `/.search` answers as GET and creates no account,
/// the enterprise extension takes RFC 7643 §8.3's object by its URN, and a member's `display`
/// is the server's.
#[tokio::test]
async fn search_enterprise_patch_and_member_display_on_the_real_platform() {
    let w = World::in_process();
    w.create_org("acme", "managed", json!({})).await;
    let scim = Scim::connect(&w, "acme").await;
    let grace = scim
        .okta_create("grace-hopper", "grace@acme.example", "00u1")
        .await;
    let (s, ada) = scim
        .entra_create("ada-lovelace", "ada@acme.example", "oid-1")
        .await;
    assert_eq!(s, 201, "{ada}");
    let ada = ada["id"].as_str().expect("id").to_string();
    let members_before = w.get_admin("/_admin/orgs/acme/members").await;

    let search = |filter: &str| {
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
               "filter": filter, "attributes": ["userName"]})
    };
    let v = scim
        .ok(
            "POST",
            "/Users/.search",
            Some(search("userName sw \"ada\"")),
            200,
        )
        .await;
    assert_eq!(v["totalResults"], 1);
    assert_eq!(
        v["Resources"][0],
        json!({"schemas": [USER_SCHEMA], "id": ada, "userName": "ada-lovelace"})
    );
    // A User body sent to /.search is refused, not provisioned.
    let (s, v) = scim
        .call(
            "POST",
            "/Users/.search",
            Some(json!({"schemas": [USER_SCHEMA], "userName": "mallory"})),
        )
        .await;
    assert_eq!(
        (s.as_u16(), v["scimType"].clone()),
        (400, json!("invalidSyntax"))
    );
    assert_eq!(
        w.get_admin("/_admin/orgs/acme/members").await,
        members_before
    );

    let manager = json!({"value": grace, "$ref": format!("../Users/{grace}"),
                         "displayName": "Grace Hopper"});
    let v = scim
        .patch(
            &format!("/Users/{ada}"),
            json!([{"op": "replace", "path": ENTERPRISE, "value": {
                "employeeNumber": "701984", "costCenter": "4130", "organization": "Analytical",
                "division": "Engines", "department": "Notes", "manager": manager}}]),
            200,
        )
        .await;
    assert_eq!(
        v[ENTERPRISE],
        json!({"employeeNumber": "701984", "costCenter": "4130", "organization": "Analytical",
               "division": "Engines", "department": "Notes",
               "manager": {"value": grace, "$ref": format!("../Users/{grace}")}})
    );

    let gid = scim.create_group("Engines", &[]).await;
    scim.patch(
        &format!("/Groups/{gid}"),
        json!([{"op": "add", "path": "members", "value": [{"value": grace, "display": "Amazing Grace"}]}]),
        204,
    )
    .await;
    let g = scim.ok("GET", &format!("/Groups/{gid}"), None, 200).await;
    assert_eq!(g["members"][0]["value"], json!(grace));
    assert_eq!(g["members"][0]["display"], json!("Grace Hopper"));
}
