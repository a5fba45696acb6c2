//! Group probes: create with a member, read, rename, member add and remove by PATCH (the
//! member's `display` in `display`, group search in `search`), and delete.

use super::{display, enc, list_ok, search, Level, Prober, GROUP, PATCH};
use reqwest::Method;
use serde_json::{json, Value};

pub(super) async fn probe(
    p: &mut Prober,
    id: &str,
    second: &str,
    third: &str,
) -> anyhow::Result<()> {
    use Level::*;
    let patch = |ops: Value| json!({"schemas": [PATCH], "Operations": ops});
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
        let r = p
            .call(
                Method::PATCH,
                &gp,
                Some(&patch(
                    json!([{"op": "add", "path": "members", "value": [{"value": second}]}]),
                )),
            )
            .await?;
        let got = p.call(Method::GET, &gp, None).await?;
        let n = got.body["members"].as_array().map(Vec::len).unwrap_or(0);
        p.check(
            "GRP-2",
            "groups",
            Must,
            "PATCH add members",
            matches!(r.status, 200 | 204) && n == 2,
            format!("{} members={n}", r.short()),
        );
        let r = p
            .call(
                Method::PATCH,
                &gp,
                Some(&patch(
                    json!([{"op": "remove", "path": format!("members[value eq \"{id}\"]")}]),
                )),
            )
            .await?;
        let got = p.call(Method::GET, &gp, None).await?;
        let n = got.body["members"].as_array().map(Vec::len).unwrap_or(0);
        p.check(
            "GRP-3",
            "groups",
            Must,
            "PATCH remove members[value eq]",
            matches!(r.status, 200 | 204) && n == 1,
            format!("{} members={n}", r.short()),
        );
        let r = p
            .call(
                Method::PATCH,
                &gp,
                Some(&patch(
                    json!([{"op": "remove", "path": "members", "value": [{"value": second}]}]),
                )),
            )
            .await?;
        let got = p.call(Method::GET, &gp, None).await?;
        let n = got.body["members"].as_array().map(Vec::len).unwrap_or(0);
        p.check(
            "GRP-4",
            "groups",
            Should,
            "PATCH remove members with a value array (Entra)",
            matches!(r.status, 200 | 204) && n == 0,
            format!("{} members={n}", r.short()),
        );
        let r = p.call(Method::PATCH, &gp, Some(&patch(json!([{"op": "replace", "path": "displayName", "value": format!("probe-{}-renamed", p.tag)}])))).await?;
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
