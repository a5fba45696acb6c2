//! PATCH on the enterprise User extension (RFC 7643 §4.3; RFC 7644 §3.5.2, §3.10): every
//! attribute the server stores, by its qualified path, by the extension URN as the path, and
//! path-less with the URN as a key; the readOnly `manager.displayName` is the server's.

use serde_json::{json, Value};

use super::*;

/// RFC 7643 §8.3's enterprise object.
fn rfc_example(manager: &str) -> Value {
    json!({"employeeNumber": "701984", "costCenter": "4130",
        "organization": "Universal Studios", "division": "Theme Park",
        "department": "Tour Operations",
        "manager": {"value": manager, "$ref": format!("../Users/{manager}"),
                    "displayName": "John Smith"}})
}

fn stored(manager: &str) -> Value {
    json!({"employeeNumber": "701984", "costCenter": "4130",
        "organization": "Universal Studios", "division": "Theme Park",
        "department": "Tour Operations",
        "manager": {"value": manager, "$ref": format!("../Users/{manager}")}})
}

async fn two_users(mode: OrgMode) -> (Env, String, String) {
    let env = Env::new(mode);
    if mode == OrgMode::Basic {
        env.personal("ann", "ann@example.com");
        env.personal("bob", "bob@example.com");
    }
    let mut ids = Vec::new();
    for name in ["ann", "bob"] {
        let body = json!({"schemas": [USER_SCHEMA], "userName": name,
            "emails": [{"value": format!("{name}@example.com"), "type": "work"}]});
        ids.push(env.create_user(body).await.id());
    }
    let bob = ids.pop().unwrap_or_default();
    let ann = ids.pop().unwrap_or_default();
    (env, ann, bob)
}

#[tokio::test]
async fn rfc7644_3_5_2_every_enterprise_attribute_in_every_patch_form() {
    for mode in [OrgMode::Managed, OrgMode::Basic] {
        let (env, ann, bob) = two_users(mode).await;
        let at = format!("/Users/{ann}");
        let q = |attr: &str| format!("{ENTERPRISE}:{attr}");
        let forms: Vec<Value> = vec![
            json!([{"op": "add", "path": ENTERPRISE, "value": rfc_example(&bob)}]),
            json!([{"op": "replace", "path": ENTERPRISE, "value": rfc_example(&bob)}]),
            json!([{"op": "Replace", "value": {ENTERPRISE: rfc_example(&bob)}}]),
            json!([{"op": "add", "value": {ENTERPRISE: rfc_example(&bob)}}]),
            json!([
                {"op": "add", "path": q("employeeNumber"), "value": "701984"},
                {"op": "replace", "path": q("costCenter"), "value": "4130"},
                {"op": "add", "path": q("organization"), "value": "Universal Studios"},
                {"op": "replace", "path": q("division"), "value": "Theme Park"},
                {"op": "add", "path": q("department"), "value": "Tour Operations"},
                {"op": "replace", "path": q("manager"), "value": rfc_example(&bob)["manager"]}
            ]),
            json!([
                {"op": "replace", "value": {q("employeeNumber"): "701984", q("costCenter"): "4130",
                    q("organization"): "Universal Studios", q("division"): "Theme Park",
                    q("department"): "Tour Operations"}},
                {"op": "add", "path": q("manager.value"), "value": bob},
                {"op": "add", "path": q("manager.$ref"), "value": format!("../Users/{bob}")}
            ]),
        ];
        for ops in forms {
            // Start from a user without the extension each time.
            env.send(
                "PATCH",
                &at,
                Some(patch(json!([{"op": "remove", "path": ENTERPRISE}]))),
            )
            .await
            .assert_status(200);
            let r = env.send("PATCH", &at, Some(patch(ops.clone()))).await;
            r.assert_status(200);
            assert_eq!(r.body[ENTERPRISE], stored(&bob), "{mode:?} {ops}");
            assert_eq!(r.body["schemas"], json!([USER_SCHEMA, ENTERPRISE]));
            let g = env.send("GET", &at, None).await;
            assert_eq!(g.body[ENTERPRISE], stored(&bob), "{mode:?} {ops}: stored");
        }
        // Each attribute can be removed by its qualified path.
        for attr in [
            "employeeNumber",
            "costCenter",
            "organization",
            "division",
            "department",
        ] {
            let r = env
                .send(
                    "PATCH",
                    &at,
                    Some(patch(json!([{"op": "remove", "path": q(attr)}]))),
                )
                .await;
            r.assert_status(200);
            assert!(r.body[ENTERPRISE].get(attr).is_none(), "{attr}");
        }
        let r = env
            .send(
                "PATCH",
                &at,
                Some(patch(json!([{"op": "remove", "path": q("manager.value")}]))),
            )
            .await;
        assert_eq!(
            r.body[ENTERPRISE],
            json!({"manager": {"$ref": format!("../Users/{bob}")}})
        );
        let r = env
            .send(
                "PATCH",
                &at,
                Some(patch(json!([{"op": "remove", "path": q("manager")}]))),
            )
            .await;
        assert!(r.body.get(ENTERPRISE).is_none(), "{:#}", r.body);
        assert_eq!(r.body["schemas"], json!([USER_SCHEMA]));
        // The extension filters and projects like any attribute.
        env.send(
            "PATCH",
            &at,
            Some(patch(
                json!([{"op": "add", "path": q("department"), "value": "Ops"}]),
            )),
        )
        .await
        .assert_status(200);
        let r = env
            .send(
                "GET",
                &format!(
                    "/Users?filter={}&attributes={}",
                    enc(&format!("{} eq \"ops\"", q("department"))),
                    q("department")
                ),
                None,
            )
            .await;
        assert_eq!(r.body["totalResults"], json!(1));
        assert_eq!(
            r.body["Resources"][0][ENTERPRISE],
            json!({"department": "Ops"})
        );
    }
}

#[tokio::test]
async fn put_ignores_the_managers_read_only_display_name() {
    let (env, ann, bob) = two_users(OrgMode::Managed).await;
    let body = json!({"schemas": [USER_SCHEMA, ENTERPRISE], "userName": "ann",
        "emails": [{"value": "ann@example.com", "type": "work"}], ENTERPRISE: rfc_example(&bob)});
    let r = env.send("PUT", &format!("/Users/{ann}"), Some(body)).await;
    r.assert_status(200);
    assert_eq!(r.body[ENTERPRISE], stored(&bob));
}

#[tokio::test]
async fn scimsec_bad_1_bad_enterprise_patches_are_refused_and_change_nothing() {
    let (env, ann, bob) = two_users(OrgMode::Managed).await;
    let at = format!("/Users/{ann}");
    env.send(
        "PATCH",
        &at,
        Some(patch(
            json!([{"op": "add", "path": ENTERPRISE, "value": rfc_example(&bob)}]),
        )),
    )
    .await
    .assert_status(200);
    let q = |attr: &str| format!("{ENTERPRISE}:{attr}");
    for (ops, scim_type) in [
        (
            json!([{"op": "replace", "path": q("manager.displayName"), "value": "Boss"}]),
            "mutability",
        ),
        (
            json!([{"op": "replace", "path": q("employeeNumber"), "value": 701984}]),
            "invalidValue",
        ),
        (
            json!([{"op": "replace", "path": q("department"), "value": {"name": "x"}}]),
            "invalidValue",
        ),
        (
            json!([{"op": "add", "path": ENTERPRISE, "value": "Ops"}]),
            "invalidValue",
        ),
        (
            json!([{"op": "add", "path": q("nickname2"), "value": "x"}]),
            "invalidPath",
        ),
        (
            json!([{"op": "add", "path": ENTERPRISE, "value": {"nickname2": "x"}}]),
            "invalidPath",
        ),
        (
            json!([{"op": "add", "path": format!("{ENTERPRISE}.department"), "value": "x"}]),
            "invalidPath",
        ),
        (
            json!([{"op": "add", "path": q("department.value"), "value": "x"}]),
            "invalidPath",
        ),
        (
            json!([{"op": "add", "path": format!("{ENTERPRISE}:manager[value eq \"x\"]"), "value": "x"}]),
            "invalidPath",
        ),
        (
            json!([
                {"op": "replace", "path": q("department"), "value": "Applied first"},
                {"op": "replace", "path": q("manager.displayName"), "value": "Then refused"}
            ]),
            "mutability",
        ),
    ] {
        env.refused("PATCH", &at, Some(patch(ops)), 400, Some(scim_type))
            .await;
    }
}
