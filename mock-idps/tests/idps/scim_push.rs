//! SCIM push clients (reference/vendors.md, SCIM (client)): the planner's exact request
//! sequences per dialect. Full lifecycles against the reference SP are in `scim_push_sp`, the
//! hostile server in `scim_push_hostile`.

use mock_idps::personality::ScimSupport;
use mock_idps::scim_push::*;
use mock_idps::Vendor;
use percent_encoding::percent_decode_str;
use protocols::SeededIds;
use serde_json::{json, Value};

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
