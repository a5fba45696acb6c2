//! SCIM push clients, full lifecycles against the reference SP's SCIM server over real HTTP,
//! per dialect, and the control API's push endpoints.

use crate::common::*;
use crate::scim_push::*;
use axum::body::Body;
use axum::http::StatusCode;
use mock_idps::directory::NewUser;
use mock_idps::scim_push::*;
use mock_idps::tenant::SharedTenant;
use mock_idps::{MockIdps, NewTenant, Options, Vendor};
use protocols::{ManualClock, SeededIds};
use reference_sp::{Flaws, LocalOptions, Store};
use serde_json::{json, Value};
use std::sync::Arc;

// ---------------------------------------------------------------------------------------------
// Against the reference SP's SCIM server, over real HTTP

struct Sp {
    state: reference_sp::AppState,
    http: reqwest::Client,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Drop for Sp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Sp {
    async fn start() -> Sp {
        let clock = ManualClock::fixed();
        let (state, task) = reference_sp::spawn_local(LocalOptions {
            store: Arc::new(Store::in_memory().expect("store")),
            clock: Arc::new(clock),
            ids: Arc::new(SeededIds::new(12)),
            flaws: Flaws::none(),
            clock_control: None,
        })
        .await
        .expect("reference SP");
        Sp {
            state,
            http: reqwest::Client::new(),
            task,
        }
    }

    async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self
            .http
            .request(m, format!("{}{path}", self.state.base_url()));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("admin call");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn ok(&self, method: &str, path: &str, body: Option<Value>, want: u16) -> Value {
        let (s, v) = self.admin(method, path, body).await;
        assert_eq!(s, want, "{method} {path}: {v}");
        v
    }

    /// Create an org and mint a SCIM token: (base URL, token).
    async fn org(&self, slug: &str, mode: &str) -> (String, String) {
        self.ok(
            "POST",
            "/_admin/orgs",
            Some(json!({"slug": slug, "mode": mode})),
            201,
        )
        .await;
        let v = self
            .ok(
                "POST",
                &format!("/_admin/orgs/{slug}/scim-tokens"),
                None,
                201,
            )
            .await;
        (
            v["scim_base_url"].as_str().expect("base").to_string(),
            v["token"].as_str().expect("token").to_string(),
        )
    }

    async fn member(&self, org: &str, username: &str) -> Option<Value> {
        let (s, v) = self
            .admin(
                "GET",
                &format!("/_admin/orgs/{org}/members/{username}"),
                None,
            )
            .await;
        (s == 200).then_some(v)
    }

    async fn account(&self, username: &str) -> Option<Value> {
        let (s, v) = self
            .admin("GET", &format!("/_admin/users/{username}"), None)
            .await;
        (s == 200).then_some(v)
    }

    async fn rg_members(&self, org: &str, group: &str) -> Vec<(String, String)> {
        let v = self
            .ok(
                "GET",
                &format!("/_admin/orgs/{org}/resource-groups"),
                None,
                200,
            )
            .await;
        let g = v["resource_groups"]
            .as_array()
            .and_then(|a| a.iter().find(|g| g["name"] == group))
            .unwrap_or_else(|| panic!("no group {group}: {v}"));
        let mut out: Vec<(String, String)> = g["members"]
            .as_array()
            .map(|ms| {
                ms.iter()
                    .map(|m| {
                        (
                            m["username"].as_str().unwrap_or("").to_string(),
                            m["role"].as_str().unwrap_or("").to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.sort();
        out
    }

    async fn pushed_groups(&self, org: &str) -> Vec<Value> {
        let v = self
            .ok("GET", &format!("/_admin/orgs/{org}/scim-groups"), None, 200)
            .await;
        v["scim_groups"].as_array().cloned().unwrap_or_default()
    }
}

fn idps() -> MockIdps {
    MockIdps::new(Options {
        base_url: "http://idp.test".into(),
        clock: Arc::new(ManualClock::fixed()),
        ids: Arc::new(SeededIds::new(7)),
        control_token: None,
    })
}

fn vendor_of(d: DialectId) -> Vendor {
    match d {
        OKTA_OIN | OKTA_AIW => Vendor::Okta,
        ENTRA | AAD => Vendor::Entra,
    }
}

fn person(login: &str, given: &str, family: &str, groups: &[&str]) -> NewUser {
    NewUser {
        login: Some(login.into()),
        given_name: Some(given.into()),
        family_name: Some(family.into()),
        groups: groups.iter().map(|g| g.to_string()).collect(),
        ..NewUser::default()
    }
}

async fn push(t: &SharedTenant, e: TenantEvent) -> PushOutcome {
    t.scim_push(e.clone())
        .await
        .unwrap_or_else(|err| panic!("{e:?}: {err}"))
}

/// Push and insist the vendor got what it wanted, with nothing to report.
async fn push_clean(t: &SharedTenant, e: TenantEvent) -> PushOutcome {
    let o = push(t, e).await;
    assert!(o.is_clean(), "{o:#?}");
    o
}

fn ev_user(kind: &str, user: &str) -> TenantEvent {
    serde_json::from_value(json!({"event": kind, "user": user})).expect("event")
}

async fn managed_lifecycle(d: DialectId, org: &str) {
    let sp = Sp::start().await;
    let (base, token) = sp.org(org, "managed").await;
    sp.ok(
        "POST",
        &format!("/_admin/orgs/{org}/resource-groups"),
        Some(json!({"name": "research"})),
        201,
    )
    .await;
    let idps = idps();
    let t = idps
        .create_tenant(NewTenant {
            vendor: Some(vendor_of(d)),
            id: Some(org.into()),
            seed_users: Some(0),
            users: vec![
                person(
                    &format!("grace-{org}@{org}.example"),
                    "Grace",
                    "Hopper",
                    &["Research"],
                ),
                person(
                    &format!("alan-{org}@{org}.example"),
                    "Alan",
                    "Turing",
                    &["Research"],
                ),
            ],
            ..NewTenant::default()
        })
        .expect("tenant");
    // Directory logins; LoginPrefix makes the SP usernames.
    let (grace, alan) = (format!("grace-{org}"), format!("alan-{org}"));
    let grace_login = format!("{grace}@{org}.example");
    let alan_login = format!("{alan}@{org}.example");
    let view = t
        .configure_scim_push(PushTarget {
            base_url: base.clone(),
            token,
            dialect: Some(d),
            user_name: UserNameFormat::LoginPrefix,
            timeout_ms: None,
            user_agent: None,
            user_lookup: None,
        })
        .await
        .expect("configure");
    assert_eq!(view.dialect, d);

    push_clean(&t, TenantEvent::TestConnection).await;

    // [SCIM-M1]: created and a member at once.
    let o = push_clean(&t, ev_user("assign", &grace_login)).await;
    let sent = o.requests(&base);
    assert_eq!(sent.len(), 2, "lookup, then create: {sent:?}");
    assert!(sent[0].starts_with("GET /Users?filter="), "{sent:?}");
    assert_eq!(sent[1], "POST /Users");
    let ua = d.dialect().user_agent;
    assert!(o.exchanges.iter().all(|x| x
        .request
        .headers
        .contains(&("user-agent".into(), ua.into()))));
    push_clean(&t, ev_user("assign", &alan_login)).await;
    let acct = sp.account(&grace).await.expect("account");
    assert_eq!(acct["managed"], true, "{acct}");
    assert_eq!(acct["display_name"], "Grace Hopper");
    let m = sp.member(org, &grace).await.expect("member");
    assert_eq!(
        (m["source"].as_str(), m["active"].as_bool()),
        (Some("scim"), Some(true))
    );

    // [SCIM-M2]: profile updates apply.
    push_clean(
        &t,
        serde_json::from_value(json!({"event": "update", "user": grace_login,
            "changes": {"given_name": "Gracie", "display_name": "Gracie Hopper"}}))
        .expect("event"),
    )
    .await;
    assert_eq!(
        sp.account(&grace).await.expect("account")["display_name"],
        "Gracie Hopper"
    );

    // [SCIM-M4]: suspended, removed from the org; reversible.
    push_clean(&t, ev_user("suspend", &grace_login)).await;
    assert!(sp.member(org, &grace).await.is_none());
    assert_eq!(sp.account(&grace).await.expect("account")["active"], false);
    push_clean(&t, ev_user("reactivate", &grace_login)).await;
    assert_eq!(
        sp.member(org, &grace).await.expect("member")["active"],
        true
    );
    assert_eq!(sp.account(&grace).await.expect("account")["active"], true);

    // [SCIM-6], [SCIM-7]: the group arrives with its members; linked, they are placed.
    push_clean(
        &t,
        TenantEvent::PushGroup {
            group: "Research".into(),
        },
    )
    .await;
    let pushed = sp.pushed_groups(org).await;
    assert_eq!(pushed.len(), 1, "{pushed:?}");
    assert_eq!(pushed[0]["display_name"], "Research");
    assert_eq!(pushed[0]["members"], 2);
    let gid = pushed[0]["id"].as_str().expect("id").to_string();
    let known = t.scim_push_evidence().known;
    assert_eq!(
        known.groups.values().next().map(|g| g.scim_id.as_str()),
        Some(gid.as_str())
    );
    sp.ok(
        "PUT",
        &format!("/_admin/orgs/{org}/scim-groups/{gid}/link"),
        Some(json!({"resource_group": "research", "role": "write"})),
        200,
    )
    .await;
    let both = vec![
        (alan.clone(), "write".to_string()),
        (grace.clone(), "write".to_string()),
    ];
    assert_eq!(sp.rg_members(org, "research").await, both);
    push_clean(
        &t,
        TenantEvent::RemoveMember {
            group: "Research".into(),
            user: alan_login.clone(),
        },
    )
    .await;
    assert_eq!(
        sp.rg_members(org, "research").await,
        [(grace.clone(), "write".to_string())]
    );
    push_clean(
        &t,
        TenantEvent::AddMember {
            group: "Research".into(),
            user: alan_login.clone(),
        },
    )
    .await;
    assert_eq!(sp.rg_members(org, "research").await, both);
    push_clean(
        &t,
        TenantEvent::RenameGroup {
            group: "Research".into(),
            name: "Research Lab".into(),
        },
    )
    .await;
    assert_eq!(
        sp.pushed_groups(org).await[0]["display_name"],
        "Research Lab"
    );
    assert!(t.state.lock().directory.group("Research Lab").is_some());

    // Unassigned: deprovisioned and out of the linked group.
    push_clean(&t, ev_user("unassign", &alan_login)).await;
    assert!(sp.member(org, &alan).await.is_none());
    assert_eq!(
        sp.rg_members(org, "research").await,
        [(grace.clone(), "write".to_string())]
    );
    // Unlinked at the IdP: DELETE /Groups, the places it gave go.
    push_clean(
        &t,
        TenantEvent::DeleteGroup {
            group: "Research Lab".into(),
        },
    )
    .await;
    assert!(sp.pushed_groups(org).await.is_empty());
    assert!(sp.rg_members(org, "research").await.is_empty());

    // Deleted in the IdP: Okta deactivates [SCIM-M4], Entra soft-deletes then DELETEs [SCIM-M5].
    let o = push_clean(&t, ev_user("delete", &grace_login)).await;
    match d.dialect().user_delete {
        mock_idps::scim_push::dialect::UserDelete::Deactivate => {
            assert_eq!(sp.account(&grace).await.expect("kept")["active"], false);
            assert!(o.exchanges.iter().all(|x| x.request.method != "DELETE"));
        }
        mock_idps::scim_push::dialect::UserDelete::SoftThenDelete => {
            assert!(sp.account(&grace).await.is_none(), "account deleted");
            assert_eq!(
                o.exchanges.last().map(|x| x.request.method.as_str()),
                Some("DELETE")
            );
        }
    }
    assert!(t.state.lock().directory.find(&grace_login).is_none());

    let ev = t.scim_push_evidence();
    assert!(ev.findings.is_empty(), "{:#?}", ev.findings);
    assert!(ev.exchanges.len() >= 12, "{}", ev.exchanges.len());
    assert!(ev
        .exchanges
        .iter()
        .all(|x| x.response.as_ref().is_some_and(|r| r.status < 300)));
}

#[tokio::test]
async fn managed_lifecycle_okta_catalogue() {
    managed_lifecycle(OKTA_OIN, "m-oin").await;
}

#[tokio::test]
async fn managed_lifecycle_okta_custom() {
    managed_lifecycle(OKTA_AIW, "m-aiw").await;
}

#[tokio::test]
async fn managed_lifecycle_entra_default() {
    managed_lifecycle(ENTRA, "m-entra").await;
}

#[tokio::test]
async fn managed_lifecycle_entra_aadoptscim062020() {
    managed_lifecycle(AAD, "m-aad").await;
}

async fn basic_lifecycle(d: DialectId, org: &str) {
    let sp = Sp::start().await;
    let (base, token) = sp.org(org, "basic").await;
    let email = format!("ada@{org}.example");
    let username = format!("ada-{org}");
    sp.ok(
        "POST",
        "/_admin/users",
        Some(json!({"username": username, "password": "pw", "emails": [email]})),
        201,
    )
    .await;
    let idps = idps();
    let t = idps
        .create_tenant(NewTenant {
            vendor: Some(vendor_of(d)),
            id: Some(org.into()),
            seed_users: Some(0),
            users: vec![person(&email, "Ada", "Lovelace", &[])],
            ..NewTenant::default()
        })
        .expect("tenant");
    t.configure_scim_push(PushTarget {
        base_url: base,
        token,
        dialect: Some(d),
        user_name: UserNameFormat::Login,
        timeout_ms: None,
        user_agent: None,
        user_lookup: None,
    })
    .await
    .expect("configure");
    let pending = |v: &Value| {
        v["pending_invitations"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };

    // [SCIM-B1]: an invitation for the existing account, not a membership.
    push_clean(&t, ev_user("assign", &email)).await;
    let members = sp
        .ok("GET", &format!("/_admin/orgs/{org}/members"), None, 200)
        .await;
    assert_eq!(members["members"], json!([]), "{members}");
    let inv = pending(&members);
    assert_eq!(inv.len(), 1, "{members}");
    assert_eq!(inv[0]["username"], username.as_str());
    assert_eq!(inv[0]["source"], "scim");

    // [SCIM-B2]: the profile is the user's own: refused with a SCIM Error, not a finding.
    let o = push(
        &t,
        serde_json::from_value(json!({"event": "update", "user": email,
            "changes": {"given_name": "Augusta"}}))
        .expect("event"),
    )
    .await;
    match &o.status {
        EventStatus::Refused {
            status, scim_type, ..
        } => assert_eq!((*status, scim_type.as_deref()), (400, Some("mutability"))),
        other => panic!("{d}: expected a refusal, got {other:?}"),
    }
    assert!(o.findings.is_empty(), "{:#?}", o.findings);

    // [SCIM-B4]: deactivated and back.
    push_clean(&t, ev_user("deactivate", &email)).await;
    let members = sp
        .ok("GET", &format!("/_admin/orgs/{org}/members"), None, 200)
        .await;
    assert_eq!(pending(&members)[0]["active"], false, "{members}");
    push_clean(&t, ev_user("reactivate", &email)).await;
    let members = sp
        .ok("GET", &format!("/_admin/orgs/{org}/members"), None, 200)
        .await;
    assert_eq!(pending(&members)[0]["active"], true, "{members}");

    // [SCIM-B5]: Entra's DELETE drops the invitation; Okta only deactivates. The account stays.
    push_clean(&t, ev_user("delete", &email)).await;
    let members = sp
        .ok("GET", &format!("/_admin/orgs/{org}/members"), None, 200)
        .await;
    match d.dialect().user_delete {
        mock_idps::scim_push::dialect::UserDelete::Deactivate => {
            assert_eq!(pending(&members)[0]["active"], false, "{members}")
        }
        mock_idps::scim_push::dialect::UserDelete::SoftThenDelete => {
            assert!(pending(&members).is_empty(), "{members}")
        }
    }
    assert_eq!(sp.account(&username).await.expect("kept")["active"], true);
    assert!(t.scim_push_evidence().findings.is_empty());
}

#[tokio::test]
async fn basic_invitations_okta_catalogue() {
    basic_lifecycle(OKTA_OIN, "b-oin").await;
}

#[tokio::test]
async fn basic_invitations_okta_custom() {
    basic_lifecycle(OKTA_AIW, "b-aiw").await;
}

#[tokio::test]
async fn basic_invitations_entra_default() {
    basic_lifecycle(ENTRA, "b-entra").await;
}

#[tokio::test]
async fn basic_invitations_entra_aadoptscim062020() {
    basic_lifecycle(AAD, "b-aad").await;
}

#[tokio::test]
async fn the_control_api_configures_pushes_and_shows_the_evidence() {
    let sp = Sp::start().await;
    let (base, token) = sp.org("ctl", "managed").await;
    let (idps, _) = crate::common::idps();
    let a = send_json(
        &idps,
        "POST",
        "/_idpsim/tenants",
        r#"{"vendor":"entra","id":"ctl","seed_users":0,
            "users":[{"login":"lin@ctl.example","given_name":"Lin","family_name":"Chen"}]}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let url = "/_idpsim/tenants/entra/ctl/scim";

    let a = send_json(
        &idps,
        "POST",
        &format!("{url}/events"),
        r#"{"event":"test_connection"}"#,
    )
    .await;
    assert_eq!(
        a.status,
        StatusCode::CONFLICT,
        "not configured yet: {}",
        a.body
    );

    // The flag on the tenant URL selects the dialect, as in Entra's portal.
    let target = json!({"base_url": format!("{base}?aadOptscim062020"), "token": token,
                        "user_name": "login_prefix"});
    let a = send_json(&idps, "PUT", &format!("{url}/target"), &target.to_string()).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let v: Value = serde_json::from_str(&a.body).expect("json");
    assert_eq!(v["dialect"], "entra-aadoptscim062020");
    assert_eq!(v["base_url"], base.as_str());
    assert!(!a.body.contains(&token), "the token is never shown");

    for body in [
        r#"{"event":"assign","user":"lin@ctl.example"}"#,
        r#"{"event":"suspend","user":"lin@ctl.example"}"#,
    ] {
        let a = send_json(&idps, "POST", &format!("{url}/events"), body).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let o: PushOutcome = serde_json::from_str(&a.body).expect("outcome");
        assert!(o.is_clean(), "{o:#?}");
    }
    assert!(sp.member("ctl", "lin").await.is_none(), "suspended");
    assert_eq!(sp.account("lin").await.expect("account")["active"], false);

    let ex: Value =
        serde_json::from_str(&get(&idps, &format!("{url}/exchanges")).await.body).expect("json");
    let methods: Vec<&str> = ex["exchanges"]
        .as_array()
        .expect("exchanges")
        .iter()
        .map(|x| x["request"]["method"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(methods, ["GET", "POST", "PATCH"]);
    assert_eq!(ex["findings"], json!([]));
    let patch = &ex["exchanges"][2]["request"];
    assert_eq!(
        serde_json::from_str::<Value>(patch["body"].as_str().expect("body")).expect("json"),
        json!({"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "active", "value": false}]})
    );
    assert!(!ex.to_string().contains(&token), "the token is redacted");
    let known: Value =
        serde_json::from_str(&get(&idps, &format!("{url}/known")).await.body).expect("json");
    assert_eq!(
        known["users"].as_object().map(|m| m.len()),
        Some(1),
        "{known}"
    );

    let a = call(
        &idps,
        axum::http::Request::delete(format!("{url}/exchanges"))
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    let ex: Value =
        serde_json::from_str(&get(&idps, &format!("{url}/exchanges")).await.body).expect("json");
    assert_eq!(ex["exchanges"], json!([]));

    // Refusals: unknown users, bad events, Google, a dialect of another vendor.
    let a = send_json(
        &idps,
        "POST",
        &format!("{url}/events"),
        r#"{"event":"assign","user":"nobody"}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.body);
    for body in [
        r#"{"event":"explode"}"#,
        r#"{"event":"assign","user":"lin@ctl.example","bogus":1}"#,
    ] {
        let a = send_json(&idps, "POST", &format!("{url}/events"), body).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{body}: {}", a.body);
    }
    let zero = json!({"base_url": base, "token": "x", "timeout_ms": 0});
    let a = send_json(&idps, "PUT", &format!("{url}/target"), &zero.to_string()).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.body);
    let bad = json!({"base_url": base, "token": "x", "dialect": "okta-custom"});
    let a = send_json(&idps, "PUT", &format!("{url}/target"), &bad.to_string()).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.body);
    let a = send_json(
        &idps,
        "POST",
        "/_idpsim/tenants",
        r#"{"vendor":"google","id":"g"}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED);
    let a = send_json(
        &idps,
        "PUT",
        "/_idpsim/tenants/google/g/scim/target",
        &json!({"base_url": base, "token": "x"}).to_string(),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.body);
    let v: Value = serde_json::from_str(&a.body).expect("json");
    assert_eq!(v["error"], "no_scim");
    assert!(v["message"].as_str().unwrap_or("").contains("SSO"), "{v}");
}
