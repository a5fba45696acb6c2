//! SCIM push clients (reference/vendors.md, SCIM (client)): the planner's exact request
//! sequences per dialect, full lifecycles against the reference SP's SCIM server over real
//! HTTP, and a hostile server whose garbage becomes findings, never a panic.

use crate::common::*;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use mock_idps::directory::NewUser;
use mock_idps::personality::ScimSupport;
use mock_idps::scim_push::*;
use mock_idps::tenant::SharedTenant;
use mock_idps::{MockIdps, NewTenant, Options, Vendor};
use parking_lot::Mutex;
use percent_encoding::percent_decode_str;
use protocols::{ManualClock, SeededIds};
use reference_sp::{Flaws, LocalOptions, Store};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

pub(crate) const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub(crate) const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub(crate) const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub(crate) const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub(crate) const SP: &str = "https://sp.example/scim/v2/organizations/acme";

pub(crate) use DialectId::{EntraAadOptScim062020 as AAD, EntraDefault as ENTRA};
pub(crate) use DialectId::{OktaCatalogue as OKTA_OIN, OktaCustom as OKTA_AIW};

// ---------------------------------------------------------------------------------------------
// The planner, pure

pub(crate) fn alice() -> PushUser {
    PushUser {
        idp_id: "00u-alice".into(),
        user_name: "alice@acme.example".into(),
        given_name: "Alice".into(),
        family_name: "Liddell".into(),
        display_name: "Alice Liddell".into(),
        email: "alice@acme.example".into(),
        active: true,
    }
}

pub(crate) fn bob() -> PushUser {
    PushUser {
        idp_id: "00u-bob".into(),
        user_name: "bob@acme.example".into(),
        given_name: "Bob".into(),
        family_name: "Dylan".into(),
        display_name: "Bob Dylan".into(),
        email: "bob@acme.example".into(),
        active: true,
    }
}

/// The client has provisioned alice (sp-alice) and bob (sp-bob) and pushed Research
/// (sp-research) with alice in it.
pub(crate) fn known() -> Knowledge {
    let mut k = Knowledge::default();
    k.learn(&Learn::UserCreated { user: alice() }, Some("sp-alice"));
    k.learn(&Learn::UserCreated { user: bob() }, Some("sp-bob"));
    k.learn(
        &Learn::GroupCreated {
            group: "g-research".into(),
            display_name: "Research".into(),
        },
        Some("sp-research"),
    );
    k.learn(
        &Learn::GroupMembers {
            group: "g-research".into(),
            add: vec!["00u-alice".into()],
            remove: vec![],
        },
        None,
    );
    k
}

pub(crate) fn steps(d: DialectId, k: &Knowledge, e: &ScimEvent) -> Vec<Step> {
    plan(d.dialect(), k, e, &SeededIds::new(1)).unwrap_or_else(|err| panic!("{d} {e:?}: {err}"))
}

/// `METHOD /path?query` (decoded for reading) of each step, with its guard when not Always;
/// targets the plan itself creates show as `<new ...>`.
pub(crate) fn lines(d: DialectId, k: &Knowledge, e: &ScimEvent) -> Vec<String> {
    steps(d, k, e)
        .iter()
        .map(|s| {
            let wire = WireHeaders::of(d.dialect());
            let path = match render(s, SP, &wire, &BearerToken::new("t"), k) {
                Ok(p) => percent_decode_str(&p.path_below(SP))
                    .decode_utf8_lossy()
                    .into_owned(),
                Err(_) => match &s.target {
                    Target::Group(g) => format!("/Groups/<new {g}>"),
                    Target::User(u) => format!("/Users/<new {u}>"),
                    t => format!("{t:?}"),
                },
            };
            match s.guard {
                Guard::Always => format!("{} {path}", s.method.as_str()),
                g => format!("{} {path} [{g:?}]", s.method.as_str()),
            }
        })
        .collect()
}

pub(crate) fn bodies(d: DialectId, k: &Knowledge, e: &ScimEvent) -> Vec<Option<Value>> {
    steps(d, k, e).into_iter().map(|s| s.body).collect()
}

pub(crate) fn patch(ops: Value) -> Option<Value> {
    Some(json!({"schemas": [PATCH_OP], "Operations": ops}))
}

#[test]
fn okta_create_looks_the_username_up_then_posts_the_full_user() {
    for d in [OKTA_OIN, OKTA_AIW] {
        let k = Knowledge::default();
        let e = ScimEvent::Assign { user: alice() };
        assert_eq!(
            lines(d, &k, &e),
            [
                r#"GET /Users?filter=userName eq "alice@acme.example"&startIndex=1&count=100"#,
                "PUT /Users/<new 00u-alice> [IfFound]",
                "POST /Users [IfAbsent]",
            ],
            "{d}"
        );
        let s = steps(d, &k, &e);
        // Spaces, quotes and '@' percent-encoded, as in Okta's documented lookup.
        let p = render(
            &s[0],
            SP,
            &WireHeaders::of(d.dialect()),
            &BearerToken::new("t"),
            &k,
        )
        .expect("render");
        assert_eq!(
            p.path_below(SP),
            "/Users?filter=userName%20eq%20%22alice%40acme.example%22&startIndex=1&count=100"
        );
        assert!(s[0].absent_on_404, "an Okta lookup's 404 means absent");
        let mut post = s[2].body.clone().expect("body");
        let password = post["password"].take();
        assert!(
            password.as_str().is_some_and(|p| p.len() >= 16),
            "a random password: {password}"
        );
        assert_eq!(
            post,
            json!({
                "schemas": [USER_SCHEMA],
                "userName": "alice@acme.example",
                "name": {"givenName": "Alice", "familyName": "Liddell"},
                "emails": [{"primary": true, "value": "alice@acme.example", "type": "work"}],
                "displayName": "Alice Liddell",
                "locale": "en-US",
                "externalId": "00u-alice",
                "groups": [],
                "password": null,
                "active": true
            })
        );
        assert_eq!(s[2].expect, [201]);
    }
}

#[test]
fn okta_catalogue_patches_only_active_without_a_path_and_never_deletes() {
    let k = known();
    let off = patch(json!([{"op": "replace", "value": {"active": false}}]));
    for e in [
        ScimEvent::Suspend {
            user: "00u-alice".into(),
        },
        ScimEvent::Deactivate {
            user: "00u-alice".into(),
        },
        ScimEvent::Unassign {
            user: "00u-alice".into(),
        },
        ScimEvent::Delete {
            user: "00u-alice".into(),
        },
    ] {
        assert_eq!(lines(OKTA_OIN, &k, &e), ["PATCH /Users/sp-alice"], "{e:?}");
        assert_eq!(
            bodies(OKTA_OIN, &k, &e),
            std::slice::from_ref(&off),
            "{e:?}"
        );
    }
    let e = ScimEvent::Reactivate {
        user: "00u-alice".into(),
    };
    assert_eq!(
        bodies(OKTA_OIN, &k, &e),
        [patch(json!([{"op": "replace", "value": {"active": true}}]))]
    );
}

#[test]
fn okta_profile_changes_are_get_then_full_put() {
    let k = known();
    let mut changed = alice();
    changed.given_name = "Alicia".into();
    let e = ScimEvent::Update { user: changed };
    for d in [OKTA_OIN, OKTA_AIW] {
        assert_eq!(
            lines(d, &k, &e),
            ["GET /Users/sp-alice", "PUT /Users/sp-alice"],
            "{d}"
        );
        let s = steps(d, &k, &e);
        let p = render(
            &s[1],
            SP,
            &WireHeaders::of(d.dialect()),
            &BearerToken::new("t"),
            &k,
        )
        .expect("render");
        let put = p.json().expect("json");
        assert_eq!(put["id"], "sp-alice", "the PUT carries the id");
        assert_eq!(put["name"]["givenName"], "Alicia");
        assert_eq!(put["active"], true);
        assert!(
            put.get("password").is_none(),
            "no password on update: {put}"
        );
    }
}

#[test]
fn okta_custom_puts_everything_activation_included() {
    let k = known();
    for (e, active) in [
        (
            ScimEvent::Deactivate {
                user: "00u-alice".into(),
            },
            false,
        ),
        (
            ScimEvent::Reactivate {
                user: "00u-alice".into(),
            },
            true,
        ),
        (
            ScimEvent::Delete {
                user: "00u-alice".into(),
            },
            false,
        ),
    ] {
        assert_eq!(
            lines(OKTA_AIW, &k, &e),
            ["GET /Users/sp-alice", "PUT /Users/sp-alice"],
            "{e:?}"
        );
        let put = steps(OKTA_AIW, &k, &e)[1].body.clone().expect("body");
        assert_eq!(put["active"], active);
        assert_eq!(put["userName"], "alice@acme.example");
    }
}

#[test]
fn entra_default_capitalised_ops_string_false_one_replace_per_attribute() {
    let k = known();
    let e = ScimEvent::Deactivate {
        user: "00u-alice".into(),
    };
    assert_eq!(lines(ENTRA, &k, &e), ["PATCH /Users/sp-alice"]);
    assert_eq!(
        bodies(ENTRA, &k, &e),
        [patch(
            json!([{"op": "Replace", "path": "active", "value": "False"}])
        )]
    );
    let e = ScimEvent::Reactivate {
        user: "00u-alice".into(),
    };
    assert_eq!(
        bodies(ENTRA, &k, &e),
        [patch(
            json!([{"op": "Replace", "path": "active", "value": "True"}])
        )]
    );
    // Only what changed, each attribute its own Replace with its path.
    let mut changed = alice();
    changed.given_name = "Alicia".into();
    changed.email = "alicia@acme.example".into();
    let e = ScimEvent::Update { user: changed };
    assert_eq!(lines(ENTRA, &k, &e), ["PATCH /Users/sp-alice"]);
    assert_eq!(
        bodies(ENTRA, &k, &e),
        [patch(json!([
            {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "alicia@acme.example"},
            {"op": "Replace", "path": "name.givenName", "value": "Alicia"},
            {"op": "Replace", "path": "name.formatted", "value": "Alicia Liddell"},
        ]))]
    );
    // Nothing changed: nothing sent.
    assert!(lines(ENTRA, &k, &ScimEvent::Update { user: alice() }).is_empty());
}

#[test]
fn entra_creates_after_a_username_lookup_with_core_and_enterprise_schemas() {
    for d in [ENTRA, AAD] {
        let k = Knowledge::default();
        let e = ScimEvent::Assign { user: alice() };
        assert_eq!(
            lines(d, &k, &e),
            [
                r#"GET /Users?filter=userName eq "alice@acme.example""#,
                "PATCH /Users/<new 00u-alice> [IfFound]",
                "POST /Users [IfAbsent]",
            ],
            "{d}"
        );
        let s = steps(d, &k, &e);
        assert!(!s[0].absent_on_404, "Entra expects a ListResponse");
        assert_eq!(
            s[2].body,
            Some(json!({
                "schemas": [USER_SCHEMA, ENTERPRISE],
                "externalId": "00u-alice",
                "userName": "alice@acme.example",
                "active": true,
                "emails": [{"primary": true, "type": "work", "value": "alice@acme.example"}],
                "name": {"formatted": "Alice Liddell", "familyName": "Liddell", "givenName": "Alice"},
                "roles": [],
                "meta": {"resourceType": "User"}
            })),
            "{d}"
        );
    }
}

#[test]
fn entra_deletes_after_a_soft_delete_okta_never() {
    let mut k = known();
    let e = ScimEvent::Delete {
        user: "00u-alice".into(),
    };
    for d in [ENTRA, AAD] {
        assert_eq!(
            lines(d, &k, &e),
            ["PATCH /Users/sp-alice", "DELETE /Users/sp-alice"],
            "{d}"
        );
    }
    assert_eq!(
        bodies(AAD, &k, &e)[0],
        patch(json!([{"op": "replace", "path": "active", "value": false}]))
    );
    k.learn(
        &Learn::UserActive {
            user: "00u-alice".into(),
            active: false,
        },
        None,
    );
    assert_eq!(lines(ENTRA, &k, &e), ["DELETE /Users/sp-alice"]);
    for d in [OKTA_OIN, OKTA_AIW] {
        assert!(
            steps(d, &k, &e).iter().all(|s| s.method != Method::Delete),
            "{d} never DELETEs users"
        );
    }
}

#[test]
fn entra_flag_lowercase_booleans_and_one_replace_with_dotted_keys() {
    let k = known();
    let e = ScimEvent::Suspend {
        user: "00u-alice".into(),
    };
    assert_eq!(
        bodies(AAD, &k, &e),
        [patch(
            json!([{"op": "replace", "path": "active", "value": false}])
        )]
    );
    let mut changed = alice();
    changed.given_name = "Alicia".into();
    changed.family_name = "Hargreaves".into();
    let e = ScimEvent::Update { user: changed };
    assert_eq!(
        bodies(AAD, &k, &e),
        [patch(json!([{"op": "replace", "value": {
            "name.givenName": "Alicia",
            "name.familyName": "Hargreaves",
            "name.formatted": "Alicia Hargreaves",
        }}]))]
    );
}

#[test]
fn member_changes_per_dialect() {
    let k = known();
    let e = ScimEvent::Members {
        group: "g-research".into(),
        add: vec!["00u-bob".into()],
        remove: vec!["00u-alice".into()],
    };
    for d in [OKTA_OIN, ENTRA, AAD] {
        assert_eq!(lines(d, &k, &e), ["PATCH /Groups/sp-research"], "{d}");
    }
    // S11: AIW apps PUT the whole group; catalogue apps repeat the rename op.
    assert_eq!(lines(OKTA_AIW, &k, &e), ["PUT /Groups/sp-research"]);
    assert_eq!(
        bodies(OKTA_OIN, &k, &e),
        [patch(json!([
            {"op": "replace", "value": {"id": "sp-research", "displayName": "Research"}},
            {"op": "remove", "path": "members[value eq \"sp-alice\"]"},
            {"op": "add", "path": "members", "value": [{"value": "sp-bob", "display": "bob@acme.example"}]},
        ]))]
    );
    assert_eq!(
        bodies(ENTRA, &k, &e),
        [patch(json!([
            {"op": "Remove", "path": "members", "value": [{"value": "sp-alice", "$ref": null}]},
            {"op": "Add", "path": "members", "value": [{"value": "sp-bob", "$ref": null}]},
        ]))]
    );
    assert_eq!(
        bodies(AAD, &k, &e),
        [patch(json!([
            {"op": "remove", "path": "members[value eq \"sp-alice\"]"},
            {"op": "add", "path": "members", "value": [{"value": "sp-bob", "$ref": null}]},
        ]))]
    );
    // Users the client never provisioned are not pushed; nothing left, nothing sent.
    let e = ScimEvent::Members {
        group: "g-research".into(),
        add: vec!["00u-stranger".into()],
        remove: vec![],
    };
    assert!(lines(OKTA_OIN, &k, &e).is_empty());
    assert_eq!(
        DialectId::EntraDefault.dialect().expect.group_patch,
        [204],
        "Entra expects 204 to a group PATCH"
    );
}

#[test]
fn group_push_rename_and_delete_per_dialect() {
    let k = known();
    let research = PushGroup {
        idp_id: "g-ops".into(),
        display_name: "Ops".into(),
        members: vec!["00u-alice".into(), "00u-bob".into(), "00u-stranger".into()],
    };
    let e = ScimEvent::PushGroup { group: research };
    for (d, members) in [(OKTA_OIN, "PATCH"), (OKTA_AIW, "PUT")] {
        assert_eq!(
            lines(d, &k, &e),
            [
                "POST /Groups".to_string(),
                format!("{members} /Groups/<new g-ops>")
            ],
            "{d}"
        );
        let b = bodies(d, &k, &e);
        assert_eq!(
            b[0],
            Some(json!({"schemas": [GROUP_SCHEMA], "displayName": "Ops", "members": []}))
        );
        let values = json!([
            {"value": "sp-alice", "display": "alice@acme.example"},
            {"value": "sp-bob", "display": "bob@acme.example"},
        ]);
        let expected = if d == OKTA_OIN {
            patch(json!([{"op": "add", "path": "members", "value": values}]))
        } else {
            Some(json!({"schemas": [GROUP_SCHEMA], "displayName": "Ops", "members": values}))
        };
        assert_eq!(b[1], expected, "{d}");
    }
    for d in [ENTRA, AAD] {
        assert_eq!(
            lines(d, &k, &e),
            [
                r#"GET /Groups?filter=displayName eq "Ops"&excludedAttributes=members"#,
                "POST /Groups [IfAbsent]",
                "PATCH /Groups/<new g-ops>",
            ],
            "{d}"
        );
        assert_eq!(
            bodies(d, &k, &e)[1],
            Some(json!({
                "schemas": [GROUP_SCHEMA, protocols::scim::ENTRA_ADSCIM_GROUP_SCHEMA],
                "externalId": "g-ops",
                "displayName": "Ops",
                "meta": {"resourceType": "Group"}
            }))
        );
    }
    let e = ScimEvent::RenameGroup {
        group: "g-research".into(),
        display_name: "Research Lab".into(),
    };
    assert_eq!(
        bodies(OKTA_OIN, &k, &e),
        [patch(
            json!([{"op": "replace", "value": {"id": "sp-research", "displayName": "Research Lab"}}])
        )]
    );
    assert_eq!(
        bodies(ENTRA, &k, &e),
        [patch(
            json!([{"op": "Replace", "path": "displayName", "value": "Research Lab"}])
        )]
    );
    assert_eq!(
        bodies(AAD, &k, &e),
        [patch(
            json!([{"op": "replace", "value": {"displayName": "Research Lab"}}])
        )]
    );
    let e = ScimEvent::DeleteGroup {
        group: "g-research".into(),
    };
    for d in DialectId::ALL {
        assert_eq!(lines(d, &k, &e), ["DELETE /Groups/sp-research"], "{d}");
    }
    // A known group pushed again: rename and member diff only.
    let e = ScimEvent::PushGroup {
        group: PushGroup {
            idp_id: "g-research".into(),
            display_name: "Research".into(),
            members: vec!["00u-bob".into()],
        },
    };
    assert_eq!(
        bodies(ENTRA, &k, &e),
        [patch(json!([
            {"op": "Remove", "path": "members", "value": [{"value": "sp-alice", "$ref": null}]},
            {"op": "Add", "path": "members", "value": [{"value": "sp-bob", "$ref": null}]},
        ]))]
    );
}

#[test]
fn test_connection_looks_up_a_random_user_and_group() {
    let k = Knowledge::default();
    let okta = lines(OKTA_OIN, &k, &ScimEvent::TestConnection);
    assert_eq!(okta.len(), 1);
    assert!(
        okta[0].starts_with("GET /Users?filter=userName eq \""),
        "{okta:?}"
    );
    let entra = lines(ENTRA, &k, &ScimEvent::TestConnection);
    assert_eq!(entra.len(), 2);
    assert!(
        entra[1].ends_with("&excludedAttributes=members"),
        "{entra:?}"
    );
}

#[test]
fn events_about_unprovisioned_users_and_groups_are_not_planned() {
    let k = Knowledge::default();
    let d = OKTA_OIN.dialect();
    let ids = SeededIds::new(1);
    let e = ScimEvent::Deactivate {
        user: "00u-nobody".into(),
    };
    assert_eq!(
        plan(d, &k, &e, &ids),
        Err(PlanError::UnknownUser("00u-nobody".into()))
    );
    let e = ScimEvent::RenameGroup {
        group: "g".into(),
        display_name: "x".into(),
    };
    assert_eq!(
        plan(d, &k, &e, &ids),
        Err(PlanError::UnknownGroup("g".into()))
    );
}

#[test]
fn filter_values_are_escaped() {
    let mut u = alice();
    u.user_name = r#"o"brien\x"#.into();
    let l = lines(
        OKTA_OIN,
        &Knowledge::default(),
        &ScimEvent::Assign { user: u },
    );
    assert!(
        l[0].starts_with(r#"GET /Users?filter=userName eq "o\"brien\\x"&"#),
        "{l:?}"
    );
}

#[test]
fn headers_per_dialect_and_the_entra_flag_on_the_tenant_url() {
    let cases = [
        (
            OKTA_OIN,
            "Okta SCIM Client 1.0.0",
            "application/scim+json; charset=utf-8",
        ),
        (
            OKTA_AIW,
            "Okta SCIM Client 1.0.0",
            "application/scim+json; charset=utf-8",
        ),
        (
            ENTRA,
            "Microsoft.Identity.Provisioning/1.0",
            "application/scim+json",
        ),
        (
            AAD,
            "Microsoft.Identity.Provisioning/1.0",
            "application/scim+json",
        ),
    ];
    let k = Knowledge::default();
    for (d, ua, ct) in cases {
        let s = &steps(d, &k, &ScimEvent::Assign { user: alice() })[2];
        let p = render(
            s,
            SP,
            &WireHeaders::of(d.dialect()),
            &BearerToken::new("sekrit"),
            &k,
        )
        .expect("render");
        assert_eq!(
            p.headers,
            [
                ("user-agent".to_string(), ua.to_string()),
                ("accept".to_string(), "application/scim+json".to_string()),
                ("content-type".to_string(), ct.to_string()),
            ],
            "{d}"
        );
        assert_eq!(p.authorization.secret(), "sekrit");
        let recorded = p.recorded_headers();
        assert_eq!(
            recorded[0],
            ("authorization".into(), "Bearer <redacted>".into())
        );
        assert!(!format!("{p:?}{recorded:?}").contains("sekrit"));
    }
    assert_eq!(
        ScimDialect::from_tenant_url("https://sp.example/scim?aadOptscim062020"),
        (Some(AAD), "https://sp.example/scim".to_string())
    );
    assert_eq!(
        ScimDialect::from_tenant_url("https://sp.example/scim?x=1&AADOPTSCIM062020=true"),
        (Some(AAD), "https://sp.example/scim?x=1".to_string())
    );
    assert_eq!(
        ScimDialect::from_tenant_url("https://sp.example/scim?x=1"),
        (None, "https://sp.example/scim?x=1".to_string())
    );
    for d in DialectId::ALL {
        assert_eq!(d.dialect().id, d);
        assert_eq!(d.as_str().parse::<DialectId>(), Ok(d));
    }
}

#[test]
fn google_has_no_scim_users_arrive_by_sso() {
    match &Vendor::Google.personality().scim {
        ScimSupport::None { reason } => assert!(reason.contains("SSO"), "{reason}"),
        other => panic!("Google pushes nothing: {other:?}"),
    }
    for v in [Vendor::Okta, Vendor::Entra] {
        let ScimSupport::Dialects(ds) = &v.personality().scim else {
            panic!("{v} pushes SCIM");
        };
        assert_eq!(ds.len(), 2);
    }
}

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

// ---------------------------------------------------------------------------------------------
// A hostile SCIM server: garbage answers become findings

/// What the stub saw: (method, path and query, headers, body).
type Seen = Arc<Mutex<Vec<(String, String, axum::http::HeaderMap, String)>>>;

fn scim(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/scim+json")],
        body.to_string(),
    )
        .into_response()
}

fn empty_list() -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
           "totalResults": 0, "startIndex": 1, "itemsPerPage": 0, "Resources": []})
}

/// Each first path segment picks a misbehaviour; `well` behaves.
async fn hostile(
    State(seen): State<Seen>,
    Path((mode, _rest)): Path<(String, String)>,
    req: Request,
) -> Response {
    let method = req.method().to_string();
    let uri = req.uri().to_string();
    let headers = req.headers().clone();
    let body = axum::body::to_bytes(req.into_body(), 1 << 20)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    seen.lock().push((method.clone(), uri, headers, body));
    let get = method == "GET";
    match mode.as_str() {
        "hang" => std::future::pending::<Response>().await,
        "notjson" => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/html")],
            "<html>it works!</html>",
        )
            .into_response(),
        "500" => (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response(),
        "strcount" => scim(
            StatusCode::OK,
            json!({"totalResults": "0", "itemsPerPage": "0", "Resources": []}),
        ),
        "empty201" if get => scim(StatusCode::OK, empty_list()),
        "empty201" => (
            StatusCode::CREATED,
            [(header::CONTENT_TYPE, "application/scim+json")],
        )
            .into_response(),
        "noid" if get => scim(StatusCode::OK, empty_list()),
        "noid" => scim(StatusCode::CREATED, json!({"userName": "x"})),
        "200create" if get => scim(StatusCode::OK, empty_list()),
        "200create" => scim(StatusCode::OK, json!({"id": "u-1", "userName": "x"})),
        "html404" => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/html")],
            "<h1>Not Found</h1>",
        )
            .into_response(),
        "redirect" => (
            StatusCode::FOUND,
            [(header::LOCATION, "https://evil.example/")],
        )
            .into_response(),
        "jsonct" if get => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            empty_list().to_string(),
        )
            .into_response(),
        "big" => scim(StatusCode::OK, json!({"pad": "x".repeat(5 << 20)})),
        _ if get => scim(StatusCode::OK, empty_list()),
        _ => scim(StatusCode::CREATED, json!({"id": "u-1", "userName": "x"})),
    }
}

async fn stub() -> (String, Seen, tokio::task::JoinHandle<()>) {
    let seen: Seen = Arc::default();
    let app = Router::new()
        .route("/{mode}/{*rest}", axum::routing::any(hostile))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), seen, task)
}

fn client(d: DialectId, base: &str, mode: &str) -> ScimPushClient {
    ScimPushClient::new(d, format!("{base}/{mode}"), "stub-token")
        .with_ids(Arc::new(SeededIds::new(3)))
        .with_timeout(Duration::from_millis(300))
}

fn kinds(o: &PushOutcome) -> Vec<FindingKind> {
    o.findings.iter().map(|f| f.kind).collect()
}

#[tokio::test]
async fn garbage_answers_become_findings_with_the_request_and_the_answer() {
    let (base, _seen, task) = stub().await;
    let assign = ScimEvent::Assign { user: alice() };
    let cases: [(DialectId, &str, &[FindingKind], bool); 10] = [
        (
            OKTA_OIN,
            "notjson",
            &[FindingKind::WrongContentType, FindingKind::NotJson],
            false,
        ),
        (OKTA_OIN, "500", &[FindingKind::ServerError], false),
        (OKTA_OIN, "strcount", &[FindingKind::BadListResponse], false),
        (OKTA_OIN, "empty201", &[FindingKind::EmptyBody], false),
        (ENTRA, "noid", &[FindingKind::MissingId], false),
        (
            OKTA_OIN,
            "200create",
            &[FindingKind::UnexpectedStatus],
            true,
        ),
        (ENTRA, "html404", &[FindingKind::NotScimError], false),
        (OKTA_OIN, "redirect", &[FindingKind::Redirect], false),
        (ENTRA, "jsonct", &[FindingKind::WrongContentType], true),
        (OKTA_OIN, "big", &[FindingKind::BodyTooLarge], false),
    ];
    for (d, mode, want, done) in cases {
        let mut c = client(d, &base, mode);
        let o = c.push(&assign).await;
        assert_eq!(kinds(&o), want, "{d} {mode}: {o:#?}");
        assert_eq!(
            o.status == EventStatus::Done,
            done,
            "{d} {mode}: {:?}",
            o.status
        );
        for f in &o.findings {
            assert!(f.request.url.contains(mode), "{f:?}");
            assert!(!f.detail.is_empty());
            let x = o
                .exchanges
                .iter()
                .find(|x| x.seq == f.seq)
                .expect("its exchange");
            assert_eq!((&f.request, &f.response), (&x.request, &x.response));
        }
        let last = o.exchanges.last().expect("an exchange");
        assert!(last.response.is_some(), "{mode}: the answer is recorded");
    }
    // Okta reads a 404 to its lookup as "absent" and creates; Entra's 404 is refused above.
    let mut c = client(OKTA_OIN, &base, "html404");
    let o = c.push(&assign).await;
    assert_eq!(o.exchanges.len(), 2, "{o:#?}");
    assert!(matches!(o.status, EventStatus::Refused { status: 404, .. }));
    // Okta takes application/json.
    let o = client(OKTA_OIN, &base, "jsonct").push(&assign).await;
    assert!(o.is_clean(), "{o:#?}");
    task.abort();
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_and_the_run_goes_on() {
    let (base, seen, task) = stub().await;
    let mut c = client(OKTA_OIN, &base, "hang");
    let outcomes = c
        .push_all(&[
            ScimEvent::Assign { user: alice() },
            ScimEvent::Deactivate {
                user: "00u-alice".into(),
            },
            ScimEvent::Assign { user: bob() },
        ])
        .await;
    assert_eq!(
        kinds(&outcomes[0]),
        [FindingKind::Timeout],
        "{:#?}",
        outcomes[0]
    );
    assert!(matches!(outcomes[0].status, EventStatus::Failed { .. }));
    let x = &outcomes[0].exchanges[0];
    assert!(x.response.is_none() && x.error.is_some(), "{x:?}");
    assert!(
        matches!(outcomes[1].status, EventStatus::Skipped { .. }),
        "never provisioned: {:?}",
        outcomes[1].status
    );
    assert!(outcomes[1].exchanges.is_empty());
    assert_eq!(kinds(&outcomes[2]), [FindingKind::Timeout]);
    assert_eq!(seen.lock().len(), 2, "two lookups reached the server");
    // Nobody listening at all: a transport finding.
    let mut c = ScimPushClient::new(OKTA_OIN, "http://127.0.0.1:9/scim", "t")
        .with_timeout(Duration::from_millis(300));
    let o = c.push(&ScimEvent::TestConnection).await;
    assert!(
        matches!(
            kinds(&o)[..],
            [FindingKind::Transport] | [FindingKind::Timeout]
        ),
        "{o:#?}"
    );
    task.abort();
}

#[tokio::test]
async fn the_wire_carries_the_dialect_headers_and_the_bearer_token() {
    let (base, seen, task) = stub().await;
    for d in DialectId::ALL {
        seen.lock().clear();
        let o = client(d, &base, "well")
            .push(&ScimEvent::Assign { user: alice() })
            .await;
        assert!(o.is_clean(), "{d}: {o:#?}");
        let seen = seen.lock();
        assert_eq!(seen.len(), 2, "{d}");
        for (method, _, h, _) in seen.iter() {
            let hv = |n: &str| h.get(n).and_then(|v| v.to_str().ok()).unwrap_or("");
            assert_eq!(hv("user-agent"), d.dialect().user_agent, "{d}");
            assert_eq!(hv("accept"), d.dialect().accept, "{d}");
            assert_eq!(hv("authorization"), "Bearer stub-token", "{d}");
            if method == "POST" {
                assert_eq!(hv("content-type"), d.dialect().content_type, "{d}");
            }
        }
        let (_, uri, _, body) = &seen[1];
        assert!(uri.ends_with("/well/Users"), "{uri}");
        assert_eq!(
            serde_json::from_str::<Value>(body).expect("json")["externalId"],
            "00u-alice"
        );
    }
    let o = client(ENTRA, &base, "well")
        .with_user_agent("Custom/2.0")
        .push(&ScimEvent::TestConnection)
        .await;
    assert!(o.exchanges[0]
        .request
        .headers
        .contains(&("user-agent".into(), "Custom/2.0".into())));
    task.abort();
}
