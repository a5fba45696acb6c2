//! PATCH tests, named after the dialect or rule they pin (reference/vendors.md, RFC 7644 §3.5.2).

use super::*;
use crate::scim::error::ScimType;
use crate::scim::schema::{
    ENTERPRISE_USER_SCHEMA, GROUP_RESOURCE, GROUP_SCHEMA, PATCH_OP, USER_RESOURCE, USER_SCHEMA,
};
use serde_json::json;

const DEPT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department";

fn alice() -> Value {
    json!({
        "schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
        "id": "u1",
        "externalId": "00u1fcia6d6EMsf331d8",
        "userName": "alice@example.com",
        "name": {"givenName": "Alice", "familyName": "Liddell", "formatted": "Alice Liddell"},
        "displayName": "Alice Liddell",
        "emails": [{"value": "alice@example.com", "type": "work", "primary": true}],
        "active": true,
        ENTERPRISE_USER_SCHEMA: {"department": "Eng"},
        "meta": {"resourceType": "User", "created": "2024-01-01T00:00:00Z",
                 "lastModified": "2024-01-01T00:00:00Z",
                 "location": "https://sp/scim/v2/Users/u1", "version": "W/\"1\""}
    })
}

fn eng() -> Value {
    json!({
        "schemas": [GROUP_SCHEMA],
        "id": "g1",
        "displayName": "Engineering",
        "members": [{"value": "u1", "display": "Alice"}, {"value": "u2", "display": "Bob"}],
        "meta": {"resourceType": "Group", "version": "W/\"4\""}
    })
}

fn body(ops: Value) -> PatchRequest {
    PatchRequest::parse(&json!({"schemas": [PATCH_OP], "Operations": ops}))
        .unwrap_or_else(|e| panic!("parse: {e}"))
}

fn user(ops: Value) -> Result<PatchOutcome, ScimError> {
    apply_patch(
        &alice(),
        &body(ops),
        &USER_RESOURCE,
        &PatchOptions::default(),
    )
}

fn group(ops: Value) -> Result<PatchOutcome, ScimError> {
    apply_patch(
        &eng(),
        &body(ops),
        &GROUP_RESOURCE,
        &PatchOptions::default(),
    )
}

fn ok(r: Result<PatchOutcome, ScimError>) -> PatchOutcome {
    r.unwrap_or_else(|e| panic!("patch failed: {e:?}"))
}

fn err(r: Result<PatchOutcome, ScimError>) -> ScimType {
    match r {
        Err(e) => e
            .scim_type()
            .unwrap_or_else(|| panic!("no scimType: {e:?}")),
        Ok(o) => panic!("patch succeeded: {:?}", o.resource),
    }
}

fn changed(o: &PatchOutcome) -> Vec<&str> {
    o.changed.iter().map(String::as_str).collect()
}

fn members(o: &PatchOutcome) -> Vec<&str> {
    o.resource["members"]
        .as_array()
        .map(|a| a.iter().filter_map(|m| m["value"].as_str()).collect())
        .unwrap_or_default()
}

// ---- Okta ---------------------------------------------------------------------------------

#[test]
fn okta_deactivate_without_path() {
    let o = ok(user(json!([{"op": "replace", "value": {"active": false}}])));
    assert_eq!(o.resource["active"], json!(false));
    assert_eq!(changed(&o), ["active"]);
    // Everything else is untouched.
    let mut expected = alice();
    expected["active"] = json!(false);
    assert_eq!(o.resource, expected);
}

#[test]
fn okta_group_membership_remove_then_add() {
    let o = ok(group(json!([
        {"op": "remove", "path": "members[value eq \"u2\"]"},
        {"op": "add", "path": "members", "value": [
            {"value": "u3", "display": "Carol"}, {"value": "u1", "display": "Alice"}]}
    ])));
    assert_eq!(members(&o), ["u1", "u3"]);
    assert_eq!(changed(&o), ["members"]);
}

#[test]
fn okta_group_rename_with_id_in_value() {
    let o = ok(group(json!([
        {"op": "replace", "value": {"id": "g1", "displayName": "Platform"}}
    ])));
    assert_eq!(o.resource["displayName"], json!("Platform"));
    assert_eq!(changed(&o), ["displayName"]);
}

// ---- Entra, default dialect ------------------------------------------------------------------

#[test]
fn entra_disable_with_string_false() {
    let o = ok(user(
        json!([{"op": "Replace", "path": "active", "value": "False"}]),
    ));
    assert_eq!(o.resource["active"], json!(false));
    assert_eq!(changed(&o), ["active"]);
    let o = ok(user(
        json!([{"op": "REPLACE", "path": "ACTIVE", "value": "tRuE"}]),
    ));
    assert!(o.changed.is_empty());
}

#[test]
fn entra_one_replace_per_attribute() {
    let o = ok(user(json!([
        {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "alice@new.example"},
        {"op": "Replace", "path": "name.givenName", "value": "Alicia"},
        {"op": "Replace", "path": "name.familyName", "value": "Liddell"},
        {"op": "Replace", "path": DEPT, "value": "Sales"},
        {"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
         "value": "m1"},
        {"op": "Replace", "path": "externalId", "value": "0a21f0f2"}
    ])));
    let r = &o.resource;
    assert_eq!(
        r["emails"][0],
        json!({"value": "alice@new.example", "type": "work", "primary": true})
    );
    assert_eq!(r["name"]["givenName"], json!("Alicia"));
    assert_eq!(r[ENTERPRISE_USER_SCHEMA]["department"], json!("Sales"));
    assert_eq!(r[ENTERPRISE_USER_SCHEMA]["manager"], json!({"value": "m1"}));
    assert_eq!(
        changed(&o),
        [
            "emails",
            "externalId",
            "name.givenName",
            DEPT,
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
        ]
    );
}

#[test]
fn entra_work_email_is_created_when_missing() {
    let mut bob = alice();
    bob["emails"] = json!([{"value": "bob@home.example", "type": "home"}]);
    let req = body(json!([
        {"op": "Add", "path": "emails[type eq \"work\"].value", "value": "bob@work.example"},
        {"op": "Replace", "path": "emails[type eq \"work\"].primary", "value": "True"}
    ]));
    let o = ok(apply_patch(
        &bob,
        &req,
        &USER_RESOURCE,
        &PatchOptions::default(),
    ));
    assert_eq!(
        o.resource["emails"],
        json!([{"value": "bob@home.example", "type": "home"},
               {"type": "work", "value": "bob@work.example", "primary": true}])
    );
}

#[test]
fn entra_member_removal_with_value_array() {
    let o = ok(group(json!([
        {"op": "Remove", "path": "members", "value": [{"value": "u2"}]}
    ])));
    assert_eq!(members(&o), ["u1"]);
    // Removing someone who is not a member changes nothing and is not an error.
    let o = ok(group(json!([
        {"op": "Remove", "path": "members", "value": [{"value": "nobody"}]}
    ])));
    assert_eq!(members(&o), ["u1", "u2"]);
    assert!(o.changed.is_empty());
    // Adding an existing member does not duplicate it.
    let o = ok(group(
        json!([{"op": "Add", "path": "members", "value": [{"value": "u2"}]}]),
    ));
    assert_eq!(members(&o), ["u1", "u2"]);
    assert!(o.changed.is_empty());
    // Removing the last members leaves the attribute unassigned.
    let o = ok(group(json!([
        {"op": "Remove", "path": "members", "value": [{"value": "u1"}, {"value": "u2"}]}
    ])));
    assert!(o.resource.get("members").is_none());
}

// ---- Entra, aadOptscim062020 ----------------------------------------------------------------

#[test]
fn entra_flag_dotted_keys_in_one_replace() {
    let o = ok(user(json!([{"op": "replace", "value": {
        "name.givenName": "Ally",
        "name.familyName": "Liddell-Hart",
        "emails[type eq \"work\"].value": "ally@example.com",
        "active": false,
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "42"
    }}])));
    let r = &o.resource;
    assert_eq!(r["name"]["givenName"], json!("Ally"));
    assert_eq!(r["name"]["formatted"], json!("Alice Liddell"));
    assert_eq!(r["emails"][0]["value"], json!("ally@example.com"));
    assert_eq!(r["active"], json!(false));
    assert_eq!(r[ENTERPRISE_USER_SCHEMA]["employeeNumber"], json!("42"));
    assert_eq!(
        changed(&o),
        [
            "active",
            "emails",
            "name.familyName",
            "name.givenName",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
        ]
    );
}

#[test]
fn entra_flag_member_removal_by_filter() {
    let o = ok(group(json!([
        {"op": "remove", "path": "members[value eq \"u1\"]"},
        {"op": "add", "path": "members", "value": [{"value": "u9"}]}
    ])));
    assert_eq!(members(&o), ["u2", "u9"]);
}

// ---- rules ------------------------------------------------------------------------------------

#[test]
fn scim_9_op_names_are_case_insensitive_and_unknown_ops_refused() {
    for op in ["add", "Add", "ADD", "aDd"] {
        assert!(PatchRequest::parse(
            &json!({"schemas": [PATCH_OP], "Operations": [{"op": op, "path": "title", "value": "x"}]})
        )
        .is_ok());
    }
    for bad in [
        json!({"schemas": [PATCH_OP], "Operations": [{"op": "move", "path": "title"}]}),
        json!({"schemas": [PATCH_OP], "Operations": [{"op": "copy", "from": "a", "path": "b"}]}),
        json!({"schemas": [PATCH_OP], "Operations": [{"path": "title", "value": "x"}]}),
        json!({"schemas": [PATCH_OP], "Operations": [{"op": 1}]}),
        json!({"schemas": [PATCH_OP], "Operations": ["add"]}),
        json!({"schemas": [PATCH_OP], "Operations": [{"op": "add", "path": "title"}]}),
        json!({"schemas": [PATCH_OP], "Operations": []}),
        json!({"schemas": [PATCH_OP]}),
        json!({"schemas": [USER_SCHEMA], "Operations": [{"op": "remove", "path": "title"}]}),
        json!({"Operations": [{"op": "remove", "path": "title"}]}),
        json!([]),
    ] {
        let e = PatchRequest::parse(&bad).expect_err("refused");
        assert_eq!(e.scim_type(), Some(ScimType::InvalidSyntax), "{bad}: {e}");
    }
    let e = PatchRequest::from_slice(b"{not json").expect_err("bad json");
    assert_eq!(e.scim_type(), Some(ScimType::InvalidSyntax));
    // Member names of the message itself are matched case-insensitively too.
    assert!(PatchRequest::parse(&json!({"Schemas": [PATCH_OP],
        "operations": [{"OP": "remove", "Path": "title"}]}))
    .is_ok());
}

#[test]
fn rfc7644_3_5_2_bad_paths_are_invalid_path() {
    for path in [
        "emails[type eq",
        "name..givenName",
        "emails[type eq \"work\"]x",
        "a b",
        "1x",
    ] {
        let e = PatchRequest::parse(&json!({"schemas": [PATCH_OP],
            "Operations": [{"op": "remove", "path": path}]}))
        .expect_err(path);
        assert_eq!(e.scim_type(), Some(ScimType::InvalidPath), "{path}: {e}");
    }
    // Well-formed but meaningless paths are invalidPath at apply time.
    for path in [
        "favouriteColour",
        "name.nickname",
        "active.value",
        "name[givenName eq \"x\"]",
        "emails[kind eq \"work\"].value",
        "urn:example:params:custom:1.0:User:x",
    ] {
        assert_eq!(
            err(user(json!([{"op": "replace", "path": path, "value": "x"}]))),
            ScimType::InvalidPath,
            "{path}"
        );
    }
    assert_eq!(
        err(user(
            json!([{"op": "replace", "value": {"favouriteColour": "teal"}}])
        )),
        ScimType::InvalidPath
    );
    assert_eq!(
        err(user(
            json!([{"op": "replace", "value": {"emails[type eq": "x"}}])
        )),
        ScimType::InvalidPath
    );
}

#[test]
fn unknown_attributes_per_policy() {
    let req = body(json!([{"op": "add", "path": "favouriteColour", "value": "teal"}]));
    let keep = PatchOptions {
        unknown: UnknownAttributes::Keep,
        ..PatchOptions::default()
    };
    let o = ok(apply_patch(&alice(), &req, &USER_RESOURCE, &keep));
    assert_eq!(o.resource["favouriteColour"], json!("teal"));
    assert_eq!(changed(&o), ["favouriteColour"]);
    let ignore = PatchOptions {
        unknown: UnknownAttributes::Ignore,
        ..PatchOptions::default()
    };
    let o = ok(apply_patch(&alice(), &req, &USER_RESOURCE, &ignore));
    assert!(o.changed.is_empty());
}

#[test]
fn rfc7644_3_5_2_id_meta_and_groups_are_immutable() {
    for ops in [
        json!([{"op": "replace", "path": "id", "value": "u2"}]),
        json!([{"op": "remove", "path": "id"}]),
        json!([{"op": "replace", "value": {"id": "other"}}]),
        json!([{"op": "replace", "path": "meta.version", "value": "W/\"9\""}]),
        json!([{"op": "remove", "path": "meta"}]),
        json!([{"op": "add", "path": "groups", "value": [{"value": "g1"}]}]),
        json!([{"op": "add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName", "value": "Boss"}]),
    ] {
        assert_eq!(err(user(ops.clone())), ScimType::Mutability, "{ops}");
    }
    // The current value is not a change.
    assert!(ok(user(
        json!([{"op": "replace", "value": {"id": "u1", "active": true}}])
    ))
    .changed
    .is_empty());
    // A member's value is immutable once set: replacing it in place is refused...
    assert_eq!(
        err(group(
            json!([{"op": "replace", "path": "members[value eq \"u1\"].value", "value": "u7"}])
        )),
        ScimType::Mutability
    );
}

#[test]
fn rfc7644_3_5_2_error_leaves_the_resource_unchanged() {
    let input = alice();
    let before = input.clone();
    // The first operation is fine; the second violates immutability: nothing is applied.
    let req = body(json!([
        {"op": "replace", "path": "active", "value": false},
        {"op": "replace", "path": "id", "value": "evil"}
    ]));
    let e =
        apply_patch(&input, &req, &USER_RESOURCE, &PatchOptions::default()).expect_err("refused");
    assert_eq!(e.scim_type(), Some(ScimType::Mutability));
    assert_eq!(input, before);
}

#[test]
fn rfc7644_3_5_2_unmatched_filters() {
    // remove: noTarget by default, a no-op when configured.
    assert_eq!(
        err(group(
            json!([{"op": "remove", "path": "members[value eq \"nobody\"]"}])
        )),
        ScimType::NoTarget
    );
    let lenient = PatchOptions {
        unmatched_remove: UnmatchedRemove::Ignore,
        ..PatchOptions::default()
    };
    let req = body(json!([{"op": "remove", "path": "members[value eq \"nobody\"]"}]));
    let o = ok(apply_patch(&eng(), &req, &GROUP_RESOURCE, &lenient));
    assert!(o.changed.is_empty());
    // replace of whole values: noTarget (RFC 7644 §3.5.2.3).
    assert_eq!(
        err(user(
            json!([{"op": "replace", "path": "emails[type eq \"home\"]",
                         "value": {"value": "a@b", "type": "home"}}])
        )),
        ScimType::NoTarget
    );
    // A sub-attribute under a filter that is not a set of eq tests: nothing to create from.
    assert_eq!(
        err(user(
            json!([{"op": "replace", "path": "emails[value co \"@nowhere\"].type",
                         "value": "work"}])
        )),
        ScimType::NoTarget
    );
    // remove without a path.
    assert_eq!(
        err(user(json!([{"op": "remove", "value": {"active": false}}]))),
        ScimType::NoTarget
    );
    // Removing an attribute that is not set is a no-op.
    assert!(ok(user(json!([{"op": "remove", "path": "nickName"}])))
        .changed
        .is_empty());
}

#[test]
fn removing_required_attributes_is_invalid_value() {
    assert_eq!(
        err(user(json!([{"op": "remove", "path": "userName"}]))),
        ScimType::InvalidValue
    );
    assert_eq!(
        err(group(json!([{"op": "remove", "path": "displayName"}]))),
        ScimType::InvalidValue
    );
}

#[test]
fn values_must_fit_their_attributes() {
    for ops in [
        json!([{"op": "replace", "path": "active", "value": "maybe"}]),
        json!([{"op": "replace", "path": "userName", "value": 7}]),
        json!([{"op": "replace", "value": {"active": "nope"}}]),
        json!([{"op": "replace", "value": "active"}]),
        json!([{"op": "add", "path": "emails", "value": [{"value": "x", "primary": "sometimes"}]}]),
        json!([{"op": "replace", "path": "name", "value": ["a"]}]),
    ] {
        assert_eq!(err(user(ops.clone())), ScimType::InvalidValue, "{ops}");
    }
}

#[test]
fn rfc7643_2_4_primary_is_unique() {
    let o = ok(user(json!([{"op": "add", "path": "emails",
        "value": [{"value": "alice@second.example", "type": "other", "primary": "True"}]}])));
    assert_eq!(
        o.resource["emails"],
        json!([{"value": "alice@example.com", "type": "work", "primary": false},
               {"value": "alice@second.example", "type": "other", "primary": true}])
    );
}

#[test]
fn rfc7644_3_5_2_complex_and_multi_valued_semantics() {
    // replace of a complex attribute merges its sub-attributes.
    let o = ok(user(
        json!([{"op": "replace", "path": "name", "value": {"givenName": "Al"}}]),
    ));
    assert_eq!(o.resource["name"]["familyName"], json!("Liddell"));
    assert_eq!(changed(&o), ["name.givenName"]);
    // replace of a multi-valued attribute sets all its values.
    let o = ok(user(
        json!([{"op": "replace", "path": "emails", "value": [{"value": "new@x"}]}]),
    ));
    assert_eq!(o.resource["emails"], json!([{"value": "new@x"}]));
    // remove of a sub-attribute; an emptied complex attribute disappears.
    let o = ok(user(json!([
        {"op": "remove", "path": "name.givenName"},
        {"op": "remove", "path": "name.familyName"},
        {"op": "remove", "path": "name.formatted"}
    ])));
    assert!(o.resource.get("name").is_none());
    assert_eq!(
        changed(&o),
        ["name.familyName", "name.formatted", "name.givenName"]
    );
    // remove by value filter, and of a sub-attribute of the matched values.
    let o = ok(user(
        json!([{"op": "remove", "path": "emails[type eq \"work\"].primary"}]),
    ));
    assert_eq!(
        o.resource["emails"],
        json!([{"value": "alice@example.com", "type": "work"}])
    );
    let o = ok(user(
        json!([{"op": "remove", "path": "emails[type eq \"work\"]"}]),
    ));
    assert!(o.resource.get("emails").is_none());
    // replace members wholesale.
    let o = ok(group(
        json!([{"op": "replace", "path": "members", "value": [{"value": "u5"}]}]),
    ));
    assert_eq!(members(&o), ["u5"]);
    // A null value unassigns.
    let o = ok(user(
        json!([{"op": "replace", "path": "displayName", "value": null}]),
    ));
    assert!(o.resource.get("displayName").is_none());
    // Attribute names in paths and values are case-insensitive; output is canonical.
    let o = ok(user(
        json!([{"op": "add", "path": "NAME.GIVENNAME", "value": "Al"},
                           {"op": "add", "value": {"NICKNAME": "Ali"}}]),
    ));
    assert_eq!(o.resource["name"]["givenName"], json!("Al"));
    assert_eq!(o.resource["nickName"], json!("Ali"));
}

#[test]
fn rfc7643_4_3_enterprise_extension_paths() {
    // The extension as a whole, by its URN, as a path or a key.
    let o = ok(user(json!([{"op": "add", "path": ENTERPRISE_USER_SCHEMA,
                            "value": {"costCenter": "4130", "Department": "Ops"}}])));
    assert_eq!(
        o.resource[ENTERPRISE_USER_SCHEMA],
        json!({"costCenter": "4130", "department": "Ops"})
    );
    let o = ok(user(
        json!([{"op": "replace", "value": {ENTERPRISE_USER_SCHEMA: {"division": "D"}}}]),
    ));
    assert_eq!(o.resource[ENTERPRISE_USER_SCHEMA]["division"], json!("D"));
    // Removing the last extension attribute drops the extension from schemas.
    let o = ok(user(json!([{"op": "remove", "path": DEPT}])));
    assert!(o.resource.get(ENTERPRISE_USER_SCHEMA).is_none());
    assert_eq!(o.resource["schemas"], json!([USER_SCHEMA]));
    assert_eq!(changed(&o), [DEPT]);
    // Adding one to a user without the extension lists it.
    let mut plain = alice();
    if let Some(m) = plain.as_object_mut() {
        m.remove(ENTERPRISE_USER_SCHEMA);
        m.insert("schemas".into(), json!([USER_SCHEMA]));
    }
    let req = body(json!([{"op": "Add", "path": DEPT, "value": "Ops"}]));
    let o = ok(apply_patch(
        &plain,
        &req,
        &USER_RESOURCE,
        &PatchOptions::default(),
    ));
    assert_eq!(
        o.resource["schemas"],
        json!([USER_SCHEMA, ENTERPRISE_USER_SCHEMA])
    );
}

/// RFC 7643 §8.3's enterprise object, manager with its readOnly displayName, through every
/// PATCH form RFC 7644 §3.5.2 and §3.10 allow: the displayName is the server's and is ignored.
#[test]
fn rfc7643_8_3_enterprise_rfc_example_in_every_patch_form() {
    let manager = json!({"value": "26118915", "$ref": "../Users/26118915",
                         "displayName": "John Smith"});
    let whole = json!({"employeeNumber": "701984", "costCenter": "4130",
        "organization": "Universal Studios", "division": "Theme Park",
        "department": "Tour Operations", "manager": manager});
    let stored = json!({"employeeNumber": "701984", "costCenter": "4130",
        "organization": "Universal Studios", "division": "Theme Park",
        "department": "Tour Operations",
        "manager": {"value": "26118915", "$ref": "../Users/26118915"}});
    for op in ["add", "replace", "Replace"] {
        for ops in [
            json!([{"op": op, "path": ENTERPRISE_USER_SCHEMA, "value": whole}]),
            json!([{"op": op, "value": {ENTERPRISE_USER_SCHEMA: whole}}]),
            json!([
                {"op": op, "path": format!("{ENTERPRISE_USER_SCHEMA}:employeeNumber"), "value": "701984"},
                {"op": op, "path": format!("{ENTERPRISE_USER_SCHEMA}:costCenter"), "value": "4130"},
                {"op": op, "path": format!("{ENTERPRISE_USER_SCHEMA}:organization"), "value": "Universal Studios"},
                {"op": op, "path": format!("{ENTERPRISE_USER_SCHEMA}:division"), "value": "Theme Park"},
                {"op": op, "path": DEPT, "value": "Tour Operations"},
                {"op": op, "path": format!("{ENTERPRISE_USER_SCHEMA}:manager"), "value": manager}
            ]),
            json!([
                {"op": op, "value": {
                    format!("{ENTERPRISE_USER_SCHEMA}:employeeNumber"): "701984",
                    format!("{ENTERPRISE_USER_SCHEMA}:costCenter"): "4130",
                    format!("{ENTERPRISE_USER_SCHEMA}:organization"): "Universal Studios",
                    format!("{ENTERPRISE_USER_SCHEMA}:division"): "Theme Park",
                    DEPT: "Tour Operations"}},
                {"op": op, "path": format!("{ENTERPRISE_USER_SCHEMA}:manager.value"), "value": "26118915"},
                {"op": op, "path": format!("{ENTERPRISE_USER_SCHEMA}:manager.$ref"), "value": "../Users/26118915"}
            ]),
        ] {
            let o = ok(user(ops.clone()));
            assert_eq!(o.resource[ENTERPRISE_USER_SCHEMA], stored, "{ops}");
            assert_eq!(
                o.resource["schemas"],
                json!([USER_SCHEMA, ENTERPRISE_USER_SCHEMA]),
                "{ops}"
            );
        }
    }
    // Naming the readOnly sub-attribute itself is still a mutability error.
    let e = err(user(json!([{"op": "replace",
        "path": format!("{ENTERPRISE_USER_SCHEMA}:manager.displayName"), "value": "Boss"}])));
    assert_eq!(e, ScimType::Mutability);
    // Each stored attribute can be removed again, by its qualified path.
    for attr in ["department", "manager.value", "manager"] {
        let ops = json!([
            {"op": "add", "path": ENTERPRISE_USER_SCHEMA, "value": whole},
            {"op": "remove", "path": format!("{ENTERPRISE_USER_SCHEMA}:{attr}")}
        ]);
        let o = ok(user(ops));
        let (name, sub) = attr.split_once('.').unwrap_or((attr, ""));
        let left = &o.resource[ENTERPRISE_USER_SCHEMA][name];
        if sub.is_empty() {
            assert!(left.is_null(), "{attr}: {left}");
        } else {
            assert!(left[sub].is_null() && !left.is_null(), "{attr}: {left}");
        }
    }
}

/// A member's `display` is server-computed (readOnly): sent values are dropped, a path naming
/// it is refused.
#[test]
fn member_display_is_read_only() {
    let o = ok(group(
        json!([{"op": "add", "path": "members", "value": [{"value": "u3", "display": "Sent"}]}]),
    ));
    assert_eq!(o.resource["members"][2], json!({"value": "u3"}));
    let o = ok(group(json!([{"op": "replace", "path": "members",
        "value": [{"value": "u1", "display": "Renamed"}]}])));
    assert_eq!(o.resource["members"], json!([{"value": "u1"}]));
    let e = err(group(json!([{"op": "replace",
        "path": "members[value eq \"u1\"].display", "value": "Forced"}])));
    assert_eq!(e, ScimType::Mutability);
}

#[test]
fn wire_form_in_both_spellings() {
    let req = PatchRequest {
        operations: vec![
            PatchOperation::new(PatchOpKind::Replace, Some("active"), Some(json!("False")))
                .expect("op"),
            PatchOperation::new(PatchOpKind::Remove, Some("members[value eq \"u1\"]"), None)
                .expect("op"),
        ],
    };
    assert_eq!(
        req.to_json(OpStyle::Capitalised),
        json!({"schemas": [PATCH_OP], "Operations": [
            {"op": "Replace", "path": "active", "value": "False"},
            {"op": "Remove", "path": "members[value eq \"u1\"]"}]})
    );
    assert_eq!(
        req.to_json(OpStyle::Lowercase)["Operations"][0]["op"],
        json!("replace")
    );
    assert_eq!(
        PatchRequest::parse(&req.to_json(OpStyle::Capitalised)).expect("parse"),
        req
    );
}

// ---- properties -------------------------------------------------------------------------------

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            prop_oneof![
                Just("True".to_string()),
                Just("u1".to_string()),
                Just("work".to_string()),
                "\\PC{0,8}"
            ]
            .prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(attr_name(), inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn attr_name() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("value".to_string()),
            Just("type".to_string()),
            Just("primary".to_string()),
            Just("active".to_string()),
            Just("id".to_string()),
            Just("userName".to_string()),
            Just("name.givenName".to_string()),
            Just("emails[type eq \"work\"].value".to_string()),
            Just(ENTERPRISE_USER_SCHEMA.to_string()),
            Just(DEPT.to_string()),
            "[a-zA-Z$][a-zA-Z.:\\[\\]\" ]{0,12}",
        ]
    }

    fn path() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            attr_name().prop_map(Value::String),
            Just(json!("members[value eq \"u1\"]")),
            Just(json!("members")),
            Just(json!("emails[type eq \"work\" or primary eq true].type")),
            Just(json!(
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"
            )),
            "\\PC{0,24}".prop_map(Value::String),
            any::<i64>().prop_map(|n| json!(n)),
        ]
    }

    fn operation() -> impl Strategy<Value = Value> {
        (
            prop_oneof![
                Just(json!("add")),
                Just(json!("Replace")),
                Just(json!("REMOVE")),
                "\\PC{0,6}".prop_map(Value::String)
            ],
            path(),
            prop::option::of(json_value()),
        )
            .prop_map(|(op, path, value)| {
                let mut m = Map::new();
                m.insert("op".into(), op);
                if !path.is_null() {
                    m.insert("path".into(), path);
                }
                if let Some(v) = value {
                    m.insert("value".into(), v);
                }
                Value::Object(m)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn patch_never_panics(ops in prop::collection::vec(operation(), 1..5),
                              lenient in any::<bool>(),
                              resource in prop_oneof![Just(alice()), Just(eng()), json_value()]) {
            let body = json!({"schemas": [PATCH_OP], "Operations": ops});
            if let Ok(req) = PatchRequest::parse(&body) {
                let options = PatchOptions {
                    unknown: if lenient { UnknownAttributes::Keep } else { UnknownAttributes::Refuse },
                    unmatched_remove: if lenient { UnmatchedRemove::Ignore } else { UnmatchedRemove::NoTarget },
                };
                for schema in [&USER_RESOURCE, &GROUP_RESOURCE] {
                    let before = resource.clone();
                    if let Ok(o) = apply_patch(&resource, &req, schema, &options) {
                        prop_assert!(o.resource.is_object());
                        // id and meta never change (compared in canonical form).
                        let canon = normalize_resource(&before, schema, UnknownAttributes::Keep)
                            .expect("a patched resource normalises");
                        prop_assert_eq!(o.resource.get("id"), canon.get("id"));
                        prop_assert_eq!(o.resource.get("meta"), canon.get("meta"));
                    }
                    prop_assert_eq!(&resource, &before);
                }
            }
        }
    }
}
