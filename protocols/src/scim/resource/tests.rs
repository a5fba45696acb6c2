use super::*;
use crate::scim::error::ScimType;
use crate::scim::schema::ENTERPRISE_USER_SCHEMA;
use serde_json::json;

fn okta_create() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "alice@example.com",
        "name": {"givenName": "Alice", "familyName": "Liddell"},
        "emails": [{"primary": true, "value": "alice@example.com", "type": "work"}],
        "displayName": "Alice Liddell",
        "locale": "en-US",
        "externalId": "00u1fcia6d6EMsf331d8",
        "groups": [],
        "password": "xK9!random",
        "active": true
    })
}

fn entra_create() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        "userName": "Test_User_ab6490ee@contoso.com",
        "active": "True",
        "emails": [{"primary": "TRUE", "type": "work", "value": "Test_User_fd0ea19b@contoso.com"}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
        "roles": [],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "department": "Dept", "manager": "mgr-id"
        }
    })
}

#[test]
fn reads_okta_create_and_redacts_password() {
    let u = User::from_json(&okta_create(), UnknownAttributes::Refuse).expect("user");
    assert_eq!(u.user_name, "alice@example.com");
    assert_eq!(u.active, Some(true));
    assert_eq!(u.primary_email(), Some("alice@example.com"));
    assert_eq!(u.external_id.as_deref(), Some("00u1fcia6d6EMsf331d8"));
    assert!(!format!("{u:?}").contains("xK9"));
}

#[test]
fn reads_entra_strings_and_manager() {
    let u = User::from_json(&entra_create(), UnknownAttributes::Refuse).expect("user");
    assert_eq!(u.active, Some(true));
    assert_eq!(u.emails[0].primary, Some(true));
    let ent = u.enterprise.clone().expect("enterprise");
    assert_eq!(ent.department.as_deref(), Some("Dept"));
    assert_eq!(ent.manager.and_then(|m| m.value).as_deref(), Some("mgr-id"));
    let out = u.to_json();
    assert_eq!(out["active"], json!(true));
    assert_eq!(out["schemas"][1], json!(ENTERPRISE_USER_SCHEMA));
    // The serde rename literal agrees with the constant.
    assert_eq!(out[ENTERPRISE_USER_SCHEMA]["department"], json!("Dept"));
}

#[test]
fn rfc7643_2_1_names_are_case_insensitive_and_canonicalised() {
    let m = normalize_resource(
            &json!({"USERNAME": "a", "Name": {"GIVENNAME": "A"}, "Active": "false",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "D",
                    "URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER": {"EmployeeNumber": "7"}}),
            &USER_RESOURCE,
            UnknownAttributes::Refuse,
        )
        .expect("normalise");
    assert_eq!(
        Value::Object(m),
        json!({"userName": "a", "name": {"givenName": "A"}, "active": false,
                   ENTERPRISE_USER_SCHEMA: {"department": "D", "employeeNumber": "7"}})
    );
}

#[test]
fn unknown_attributes_per_policy() {
    let input = json!({"userName": "a", "favouriteColour": "teal"});
    let e =
        normalize_resource(&input, &USER_RESOURCE, UnknownAttributes::Refuse).expect_err("refused");
    assert_eq!(e.scim_type(), Some(ScimType::InvalidSyntax));
    let kept = normalize_resource(&input, &USER_RESOURCE, UnknownAttributes::Keep).expect("kept");
    assert_eq!(kept.get("favouriteColour"), Some(&json!("teal")));
    let u = User::from_json(&input, UnknownAttributes::Keep).expect("user");
    assert_eq!(u.other.get("favouriteColour"), Some(&json!("teal")));
    let dropped =
        normalize_resource(&input, &USER_RESOURCE, UnknownAttributes::Ignore).expect("ignored");
    assert!(dropped.get("favouriteColour").is_none());
}

#[test]
fn bad_values_are_invalid_value() {
    for bad in [
        json!({"userName": "a", "active": "yes"}),
        json!({"userName": "a", "active": 1}),
        json!({"userName": 5}),
        json!({"userName": "a", "name": "Alice"}),
        json!({"userName": "a", "emails": [{"value": "x", "primary": "maybe"}]}),
        json!({"userName": "a", "meta": {"created": "yesterday"}}),
        json!({"displayName": "no userName"}),
        json!({"userName": ""}),
    ] {
        let e = User::from_json(&bad, UnknownAttributes::Keep).expect_err("bad");
        assert_eq!(e.scim_type(), Some(ScimType::InvalidValue), "{bad}: {e}");
    }
    for bad in [
        json!([]),
        json!({"userName": "a", "USERNAME": "b"}),
        json!({"userName": "a", "schemas": "urn:x"}),
    ] {
        let e = User::from_json(&bad, UnknownAttributes::Keep).expect_err("bad");
        assert_eq!(e.scim_type(), Some(ScimType::InvalidSyntax), "{bad}: {e}");
    }
}

#[test]
fn read_only_attributes_are_stripped_for_writes() {
    let m = normalize_resource(&okta_create(), &USER_RESOURCE, UnknownAttributes::Refuse)
        .expect("normalise");
    let mut with_id = m.clone();
    with_id.insert("id".into(), json!("1"));
    let stripped = without_read_only(with_id, &USER_RESOURCE);
    assert!(stripped.get("groups").is_none());
    assert!(stripped.get("id").is_none());
    assert!(stripped.get("password").is_some());
    let user = json!({"schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA], "userName": "a",
            ENTERPRISE_USER_SCHEMA: {"department": "D",
                "manager": {"value": "m1", "$ref": "../Users/m1", "displayName": "Boss"}}});
    let m =
        normalize_resource(&user, &USER_RESOURCE, UnknownAttributes::Refuse).expect("normalise");
    assert_eq!(
        without_read_only(m, &USER_RESOURCE)[ENTERPRISE_USER_SCHEMA],
        json!({"department": "D", "manager": {"value": "m1", "$ref": "../Users/m1"}})
    );
    let group = json!({"schemas": [GROUP_SCHEMA], "displayName": "G",
            "members": [{"value": "u1", "display": "Sent", "type": "User"}]});
    let m =
        normalize_resource(&group, &GROUP_RESOURCE, UnknownAttributes::Refuse).expect("normalise");
    assert_eq!(
        without_read_only(m, &GROUP_RESOURCE)["members"],
        json!([{"value": "u1", "type": "User"}])
    );
}

#[test]
fn groups_round_trip() {
    let g = Group::from_json(
            &json!({"schemas": [GROUP_SCHEMA], "displayName": "Eng", "members": [
                {"value": "u1", "display": "Alice", "$ref": "https://sp/Users/u1", "type": "User"}]}),
            UnknownAttributes::Refuse,
        )
        .expect("group");
    assert_eq!(
        g.members[0].reference.as_deref(),
        Some("https://sp/Users/u1")
    );
    let out = Group::new("Empty").to_json();
    assert_eq!(
        out,
        json!({"schemas": [GROUP_SCHEMA], "displayName": "Empty", "members": []})
    );
}

#[test]
fn rfc7644_3_14_meta_uses_weak_etags() {
    let t = DateTime::parse_from_rfc3339("2024-01-02T03:04:05Z")
        .expect("time")
        .with_timezone(&Utc);
    let m = Meta::new("User", t, t, "https://sp/scim/v2/Users/1", 3);
    let v = to_json(&m);
    assert_eq!(v["version"], json!("W/\"3\""));
    assert_eq!(v["created"], json!("2024-01-02T03:04:05Z"));
}
