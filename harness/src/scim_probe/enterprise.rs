//! Probes of PATCH on the enterprise User extension (RFC 7643 §4.3; RFC 7644 §3.5.2 and §3.10
//! address its attributes as `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:attr`).
//! They run when /ResourceTypes/User lists the extension, and cover each attribute that the
//! extension's /Schemas document advertises as writable: an advertised attribute is one the
//! server stores, so PATCH on it is a MUST.

use reqwest::Method;
use serde_json::{json, Value};

use super::{Level, Prober};

pub(super) const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// The simple string attributes of the extension, with a probe value each.
const STRINGS: [(&str, &str); 5] = [
    ("employeeNumber", "701"),
    ("costCenter", "CC-4130"),
    ("organization", "Probe Org"),
    ("division", "Probe Division"),
    ("department", "Probe Department"),
];

/// The writable attribute names of the extension's schema document.
fn writable(schema: &Value) -> Vec<String> {
    schema["attributes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|a| a["mutability"] != "readOnly")
        .filter_map(|a| a["name"].as_str().map(str::to_string))
        .collect()
}

fn has(list: &[String], name: &str) -> bool {
    list.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// Runs the checks on the User `id`; `manager` is another User's id to point at.
pub(super) async fn probe(p: &mut Prober, id: &str, manager: &str) -> anyhow::Result<()> {
    use Level::*;
    let rt = p.call(Method::GET, "/ResourceTypes/User", None).await?;
    let listed = rt.body["schemaExtensions"]
        .as_array()
        .is_some_and(|a| a.iter().any(|e| e["schema"] == ENTERPRISE));
    if !listed {
        return Ok(());
    }
    let schema = p
        .call(Method::GET, &format!("/Schemas/{ENTERPRISE}"), None)
        .await?;
    let attrs = writable(&schema.body);
    let at = format!("/Users/{id}");
    let ext = |u: &Value, name: &str| u[ENTERPRISE][name].clone();

    // One attribute per PATCH, alternating add and replace, by the qualified path.
    for (n, (name, value)) in STRINGS.iter().enumerate() {
        if !has(&attrs, name) {
            continue;
        }
        let op = if n % 2 == 0 { "add" } else { "replace" };
        let path = format!("{ENTERPRISE}:{name}");
        let (r, g) = p
            .patch_then_get(&at, json!([{"op": op, "path": path, "value": value}]))
            .await?;
        p.check(
            &format!("ENT-{}", n + 1),
            "enterprise",
            Must,
            &format!("PATCH {op} {ENTERPRISE}:{name}"),
            matches!(r.status, 200 | 204) && ext(&g.body, name) == *value,
            format!("{} → {}", r.short(), ext(&g.body, name)),
        );
    }
    if has(&attrs, "manager") {
        let path = format!("{ENTERPRISE}:manager.value");
        let (r, g) = p
            .patch_then_get(&at, json!([{"op": "add", "path": path, "value": manager}]))
            .await?;
        p.check(
            "ENT-6",
            "enterprise",
            Must,
            &format!("PATCH add {ENTERPRISE}:manager.value"),
            matches!(r.status, 200 | 204) && ext(&g.body, "manager")["value"] == manager,
            format!("{} → {}", r.short(), ext(&g.body, "manager")),
        );
    }
    let g = p.call(Method::GET, &at, None).await?;
    p.check(
        "ENT-7",
        "enterprise",
        Must,
        "a User with extension attributes lists the extension in schemas",
        g.body["schemas"]
            .as_array()
            .is_some_and(|a| a.iter().any(|s| s == ENTERPRISE)),
        g.short(),
    );

    if has(&attrs, "department") && has(&attrs, "costCenter") {
        // The whole extension as the path, its attributes as the value.
        let (r, g) = p
            .patch_then_get(
                &at,
                json!([{"op": "add", "path": ENTERPRISE,
                    "value": {"department": "Whole Dept", "costCenter": "CC-whole"}}]),
            )
            .await?;
        p.check(
            "ENT-8",
            "enterprise",
            Should,
            "PATCH add with the extension URN as the path and an object value",
            matches!(r.status, 200 | 204)
                && ext(&g.body, "department") == "Whole Dept"
                && ext(&g.body, "costCenter") == "CC-whole",
            format!("{} → {}", r.short(), g.body[ENTERPRISE]),
        );
    }
    if has(&attrs, "division") {
        // No path: the value is the resource, extension attributes under their URN.
        let (r, g) = p
            .patch_then_get(
                &at,
                json!([{"op": "replace",
                    "value": {ENTERPRISE: {"division": "Pathless Division"}}}]),
            )
            .await?;
        p.check(
            "ENT-9",
            "enterprise",
            Must,
            "PATCH replace without a path, the value holding the extension URN",
            matches!(r.status, 200 | 204) && ext(&g.body, "division") == "Pathless Division",
            format!("{} → {}", r.short(), g.body[ENTERPRISE]),
        );
    }
    if has(&attrs, "manager") {
        // RFC 7643 §8.3's own example manager, readOnly displayName included: a server may
        // refuse that sub-attribute (RFC 7644 §3.5.2) or ignore it as in a PUT (§3.5.1).
        let (r, g) = p
            .patch_then_get(
                &at,
                json!([{"op": "replace", "path": ENTERPRISE, "value": {
                    "manager": {"value": manager, "$ref": format!("../Users/{manager}"),
                                "displayName": "Probe Manager"}}}]),
            )
            .await?;
        p.check(
            "ENT-11",
            "enterprise",
            May,
            "PATCH with RFC 7643 §8.3's manager object (readOnly displayName included) is accepted",
            matches!(r.status, 200 | 204) && ext(&g.body, "manager")["value"] == manager,
            format!("{} → {}", r.short(), ext(&g.body, "manager")),
        );
    }
    if has(&attrs, "department") {
        let path = format!("{ENTERPRISE}:department");
        let (r, g) = p
            .patch_then_get(&at, json!([{"op": "remove", "path": path}]))
            .await?;
        p.check(
            "ENT-10",
            "enterprise",
            Must,
            &format!("PATCH remove {ENTERPRISE}:department"),
            matches!(r.status, 200 | 204) && ext(&g.body, "department").is_null(),
            format!("{} → {}", r.short(), g.body[ENTERPRISE]),
        );
    }
    Ok(())
}
