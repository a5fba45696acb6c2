//! Vendor fidelity of the SCIM push requests: the structural facts of the vendor audit
//! (shared/reference/vendor-audit.md) per dialect, each assertion naming its source (S6 Entra
//! "Use SCIM to provision users and groups", S7 Entra "SCIM 2.0 protocol compliance", S11 Okta
//! "SCIM 2.0 Protocol Reference").

use crate::scim_push::*;
use mock_idps::scim_push::dialect::LookupAttribute;
use mock_idps::scim_push::*;
use serde_json::{json, Value};

const ADSCIM_GROUP: &str =
    "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group";

fn research() -> PushGroup {
    PushGroup {
        idp_id: "g-research".into(),
        display_name: "Research".into(),
        members: vec!["00u-alice".into()],
    }
}

fn body_of(d: DialectId, k: &Knowledge, e: &ScimEvent, method: &str) -> Value {
    steps(d, k, e)
        .into_iter()
        .find(|s| s.method.as_str() == method)
        .and_then(|s| s.body)
        .unwrap_or_else(|| panic!("{d}: no {method} with a body for {e:?}"))
}

#[test]
fn entra_looks_users_up_by_username_and_external_id_is_selectable() {
    let e = ScimEvent::Assign { user: alice() };
    for d in [ENTRA, AAD] {
        assert_eq!(
            lines(d, &Knowledge::default(), &e)[0],
            r#"GET /Users?filter=userName eq "alice@acme.example""#,
            "S6: a generic Entra app queries userName eq (the UPN) ({d})"
        );
    }
    let mut legacy = ENTRA.dialect().clone();
    legacy.user_lookup.attribute = LookupAttribute::ExternalId;
    let s = plan(
        &legacy,
        &Knowledge::default(),
        &e,
        &protocols::SeededIds::new(1),
    )
    .expect("plan");
    assert_eq!(
        s[0].query[0],
        (
            "filter".to_string(),
            r#"externalId eq "00u-alice""#.to_string()
        ),
        "S15: the externalId = objectId mapping stays selectable"
    );
}

#[test]
fn entra_post_users_carries_meta_resource_type() {
    let e = ScimEvent::Assign { user: alice() };
    for d in [ENTRA, AAD] {
        let b = body_of(d, &Knowledge::default(), &e, "POST");
        assert_eq!(b["meta"], json!({"resourceType": "User"}), "S6: {d}");
        assert_eq!(b["schemas"], json!([USER_SCHEMA, ENTERPRISE]), "S6: {d}");
    }
    let b = body_of(OKTA_OIN, &Knowledge::default(), &e, "POST");
    assert!(
        b.get("meta").is_none(),
        "S11: Okta's POST /Users has no meta"
    );
}

#[test]
fn entra_post_groups_carries_the_adscim_schema_and_meta() {
    let e = ScimEvent::PushGroup { group: research() };
    for d in [ENTRA, AAD] {
        let b = body_of(d, &known_without_research(), &e, "POST");
        assert_eq!(
            b["schemas"],
            json!([GROUP_SCHEMA, ADSCIM_GROUP]),
            "S6: core and ADSCIM Group schemas ({d})"
        );
        assert_eq!(
            b["meta"],
            json!({"resourceType": "Group"}),
            "S6: meta ({d})"
        );
    }
    let b = body_of(OKTA_OIN, &known_without_research(), &e, "POST");
    assert_eq!(b["schemas"], json!([GROUP_SCHEMA]), "S11");
}

fn known_without_research() -> Knowledge {
    let mut k = known();
    k.groups.remove("g-research");
    k
}

#[test]
fn entra_member_values_carry_a_null_ref() {
    let e = ScimEvent::Members {
        group: "g-research".into(),
        add: vec!["00u-bob".into()],
        remove: vec!["00u-alice".into()],
    };
    let b = body_of(ENTRA, &known(), &e, "PATCH");
    assert_eq!(
        b["Operations"],
        json!([
            {"op": "Remove", "path": "members", "value": [{"value": "sp-alice", "$ref": null}]},
            {"op": "Add", "path": "members", "value": [{"value": "sp-bob", "$ref": null}]},
        ]),
        "S6: \"$ref\": null on member values"
    );
}

#[test]
fn entra_display_name_change_is_pushed_and_the_flag_keeps_the_email_path() {
    let mut changed = alice();
    changed.display_name = "Alice L.".into();
    changed.email = "alice.l@acme.example".into();
    let e = ScimEvent::Update { user: changed };
    let b = body_of(ENTRA, &known(), &e, "PATCH");
    let ops = b["Operations"].as_array().expect("ops");
    assert!(
        ops.iter()
            .any(|o| o["path"] == "displayName" && o["value"] == "Alice L."),
        "S6: a displayName change produces an op: {ops:?}"
    );
    let b = body_of(AAD, &known(), &e, "PATCH");
    assert_eq!(
        b["Operations"],
        json!([
            {"op": "replace", "value": {"displayName": "Alice L."}},
            {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "alice.l@acme.example"},
        ]),
        "S7: emails[type eq \"work\"].value stays its own op with that path"
    );
}

#[test]
fn okta_custom_apps_put_groups_for_renames_and_membership() {
    let rename = ScimEvent::RenameGroup {
        group: "g-research".into(),
        display_name: "R&D".into(),
    };
    assert_eq!(
        lines(OKTA_AIW, &known(), &rename),
        ["PUT /Groups/sp-research"],
        "S11: AIW apps PUT the group to rename it"
    );
    let put = steps(OKTA_AIW, &known(), &rename).remove(0);
    assert!(put.body_id, "the PUT carries the group's id");
    assert_eq!(
        put.body,
        Some(json!({
            "schemas": [GROUP_SCHEMA],
            "displayName": "R&D",
            "members": [{"value": "sp-alice", "display": "alice@acme.example"}],
        })),
        "S11"
    );
    let members = ScimEvent::Members {
        group: "g-research".into(),
        add: vec!["00u-bob".into()],
        remove: vec!["00u-alice".into()],
    };
    assert_eq!(
        lines(OKTA_AIW, &known(), &members),
        ["PUT /Groups/sp-research"],
        "S11: AIW apps PUT the group for membership changes"
    );
    assert_eq!(
        body_of(OKTA_AIW, &known(), &members, "PUT")["members"],
        json!([{"value": "sp-bob", "display": "bob@acme.example"}]),
        "S11: the PUT lists the whole new membership"
    );
}

#[test]
fn okta_membership_patches_repeat_the_rename_op() {
    let members = ScimEvent::Members {
        group: "g-research".into(),
        add: vec!["00u-bob".into()],
        remove: vec![],
    };
    let b = body_of(OKTA_OIN, &known(), &members, "PATCH");
    assert_eq!(
        b["Operations"][0],
        json!({"op": "replace", "value": {"id": "sp-research", "displayName": "Research"}}),
        "S11: the rename op comes with every membership update"
    );
    assert_eq!(b["Operations"][1]["op"], "add");
}
