//! Group probes: create with a member, read, rename, member add and remove by PATCH (the
//! member's `display` in `display`, group search in `search`), and delete.

use super::{display, enc, list_ok, patch_op, search, Level, Prober, GROUP};
use reqwest::Method;
use serde_json::{json, Value};

pub(super) async fn probe(
    p: &mut Prober,
    id: &str,
    second: &str,
    third: &str,
) -> anyhow::Result<()> {
    use Level::*;
    let g = json!({"schemas": [GROUP], "displayName": format!("probe-{}-group", p.tag), "externalId": "g-ext", "members": [{"value": id}]});
    let r = p.call(Method::POST, "/Groups", Some(&g)).await?;
    let gid = r.body["id"].as_str().map(str::to_string);
    p.check(
        "GRP-1",
        "groups",
        Must,
        "POST /Groups with a member: 201",
        r.status == 201 && gid.is_some(),
        r.short(),
    );
    if let Some(gid) = gid {
        p.groups.push(gid.clone());
        let gp = format!("/Groups/{gid}");
        // Each PATCH on the members, then how many members a GET shows; in order, each step
        // starting from where the one before left the group.
        let member_steps: [(&str, Level, &str, Value, usize); 3] = [
            (
                "GRP-2",
                Must,
                "PATCH add members",
                json!([{"op": "add", "path": "members", "value": [{"value": second}]}]),
                2,
            ),
            (
                "GRP-3",
                Must,
                "PATCH remove members[value eq]",
                json!([{"op": "remove", "path": format!("members[value eq \"{id}\"]")}]),
                1,
            ),
            (
                "GRP-4",
                Should,
                "PATCH remove members with a value array (Entra)",
                json!([{"op": "remove", "path": "members", "value": [{"value": second}]}]),
                0,
            ),
        ];
        for (cid, level, title, ops, want) in member_steps {
            let (r, got) = p.patch_then_get(&gp, ops).await?;
            let n = got.body["members"].as_array().map(Vec::len).unwrap_or(0);
            p.check(
                cid,
                "groups",
                level,
                title,
                matches!(r.status, 200 | 204) && n == want,
                format!("{} members={n}", r.short()),
            );
        }
        let r = p.call(Method::PATCH, &gp, Some(&patch_op(json!([{"op": "replace", "path": "displayName", "value": format!("probe-{}-renamed", p.tag)}])))).await?;
        p.check(
            "GRP-5",
            "groups",
            Must,
            "PATCH replace displayName",
            matches!(r.status, 200 | 204),
            r.short(),
        );
        let r = p
            .call(
                Method::GET,
                &format!(
                    "/Groups?filter={}&excludedAttributes=members",
                    enc(&format!("displayName eq \"probe-{}-renamed\"", p.tag))
                ),
                None,
            )
            .await?;
        p.check(
            "GRP-6",
            "groups",
            Must,
            "filter groups by displayName",
            matches!(list_ok(&r), Ok((1, 1))),
            r.short(),
        );
        p.check(
            "GRP-7",
            "groups",
            Should,
            "excludedAttributes=members leaves members out",
            r.body["Resources"][0]["members"].is_null(),
            r.short(),
        );
        let renamed = format!("probe-{}-renamed", p.tag);
        search::probe_groups(p, &renamed).await?;
        display::probe(p, &gid, third).await?;
        let r = p.call(Method::DELETE, &gp, None).await?;
        let after = p.call(Method::GET, &gp, None).await?;
        p.check(
            "GRP-8",
            "groups",
            Must,
            "DELETE /Groups/{id}: 204, then 404",
            r.status == 204 && after.status == 404,
            format!("{} / {}", r.short(), after.short()),
        );
        if after.status == 404 {
            p.groups.retain(|x| x != &gid);
        }
    }
    Ok(())
}
