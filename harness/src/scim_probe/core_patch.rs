//! PATCH on each core attribute of a User: one case a rule (PATCH-*), each read back with a GET.

use super::{patch_op, Level, Prober};
use reqwest::Method;
use serde_json::{json, Value};

pub(super) async fn probe(p: &mut Prober, id: &str) -> anyhow::Result<()> {
    use Level::*;
    let path_of = |id: &str| format!("/Users/{id}");
    type Get = fn(&Value) -> Value;
    let cases: Vec<(&str, Level, Value, Get, Value)> = vec![
        (
            "PATCH-1",
            Must,
            json!([{"op": "replace", "path": "name.givenName", "value": "Repl"}]),
            |u| u["name"]["givenName"].clone(),
            json!("Repl"),
        ),
        (
            "PATCH-2",
            Must,
            json!([{"op": "replace", "path": "name.familyName", "value": "Fam"}]),
            |u| u["name"]["familyName"].clone(),
            json!("Fam"),
        ),
        (
            "PATCH-3",
            Must,
            json!([{"op": "replace", "path": "displayName", "value": "Disp"}]),
            |u| u["displayName"].clone(),
            json!("Disp"),
        ),
        (
            "PATCH-4",
            Must,
            json!([{"op": "replace", "path": "externalId", "value": "ext-patched"}]),
            |u| u["externalId"].clone(),
            json!("ext-patched"),
        ),
        (
            "PATCH-5",
            Must,
            json!([{"op": "replace", "path": "active", "value": false}]),
            |u| u["active"].clone(),
            json!(false),
        ),
        (
            "PATCH-6",
            Must,
            json!([{"op": "replace", "value": {"active": true}}]),
            |u| u["active"].clone(),
            json!(true),
        ),
        (
            "PATCH-7",
            Must,
            json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "patched@probe.example"}]),
            |u| {
                u["emails"]
                    .as_array()
                    .and_then(|a| a.iter().find(|e| e["type"] == "work"))
                    .map(|e| e["value"].clone())
                    .unwrap_or_default()
            },
            json!("patched@probe.example"),
        ),
        (
            "PATCH-8",
            Must,
            json!([{"op": "add", "path": "name.givenName", "value": "Added"}]),
            |u| u["name"]["givenName"].clone(),
            json!("Added"),
        ),
        (
            "PATCH-9",
            Should,
            json!([{"op": "add", "value": {"displayName": "AddedDisp"}}]),
            |u| u["displayName"].clone(),
            json!("AddedDisp"),
        ),
        (
            "PATCH-10",
            Should,
            json!([{"op": "remove", "path": "displayName"}]),
            |u| u["displayName"].clone(),
            Value::Null,
        ),
        (
            "PATCH-11",
            Should,
            json!([{"op": "remove", "path": "externalId"}]),
            |u| u["externalId"].clone(),
            Value::Null,
        ),
        (
            "PATCH-12",
            Should,
            json!([{"op": "Replace", "path": "name.familyName", "value": "Cased"}]),
            |u| u["name"]["familyName"].clone(),
            json!("Cased"),
        ),
    ];
    for (cid, level, ops, get, want) in cases {
        let title = format!("PATCH {}", ops[0]);
        let (r, g) = p.patch_then_get(&path_of(id), ops).await?;
        let ok = matches!(r.status, 200 | 204) && get(&g.body) == want;
        let got = get(&g.body);
        p.check(
            cid,
            "patch",
            level,
            &title,
            ok,
            format!("{} → {got}", r.short()),
        );
    }
    let new_name = format!("probe-{}-renamed", p.tag);
    let (r, g) = p
        .patch_then_get(
            &path_of(id),
            json!([{"op": "replace", "path": "userName", "value": new_name}]),
        )
        .await?;
    p.check(
        "PATCH-13",
        "patch",
        Must,
        "PATCH replace userName",
        matches!(r.status, 200 | 204) && g.body["userName"] == new_name.as_str(),
        r.short(),
    );
    let r = p
        .call(
            Method::PATCH,
            &path_of(id),
            Some(&patch_op(json!(
                [{"op": "frobnicate", "path": "displayName", "value": "x"}]
            ))),
        )
        .await?;
    p.check(
        "PATCH-14",
        "patch",
        Should,
        "unknown op: 400",
        r.status == 400,
        r.short(),
    );
    Ok(())
}
