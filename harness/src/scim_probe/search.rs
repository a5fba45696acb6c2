//! Probes of `POST /Users/.search` (RFC 7644 §3.4.3): run when ServiceProviderConfig says
//! `filter.supported`, since a SearchRequest is the same query in a body. The first check says
//! whether the server answers it at all (SHOULD: clients MAY send it); the others grade what
//! a server that answers owes as the same GET would (§3.4.2), and that bad requests are
//! refused as SCIM errors without changing anything (§3.4.3: a query).

use reqwest::Method;
use serde_json::{json, Value};

use super::{list_ok, Level, Prober, Resp};

pub(super) const SEARCH: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

/// A SearchRequest body with these parameters.
pub(super) fn body(params: Value) -> Value {
    let mut b = json!({"schemas": [SEARCH]});
    if let (Some(m), Value::Object(p)) = (b.as_object_mut(), params) {
        m.extend(p);
    }
    b
}

/// The ids of the Resources of a list answer, in order.
fn ids(r: &Resp) -> Vec<String> {
    r.body["Resources"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The probe's users and groups with their versions: what "changed nothing" compares.
pub(super) async fn snapshot(p: &Prober) -> anyhow::Result<Vec<(String, Value)>> {
    let mut out = Vec::new();
    for (endpoint, attr) in [("Users", "userName"), ("Groups", "displayName")] {
        let f = super::enc(&format!("{attr} sw \"probe-{}\"", p.tag));
        let r = p
            .call(
                Method::GET,
                &format!("/{endpoint}?filter={f}&count=200"),
                None,
            )
            .await?;
        for x in r.body["Resources"].as_array().into_iter().flatten() {
            out.push((
                format!("{endpoint}/{}", x["id"].as_str().unwrap_or_default()),
                x["meta"]["version"].clone(),
            ));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Sends raw text to `path` as application/scim+json.
async fn post_text(p: &Prober, path: &str, text: &str) -> anyhow::Result<Resp> {
    let url = format!("{}{path}", p.base);
    let resp = p
        .http
        .post(&url)
        .bearer_auth(&p.token)
        .header("accept", "application/scim+json")
        .header("content-type", "application/scim+json")
        .body(text.to_string())
        .send()
        .await?;
    Ok(Resp::read(resp).await)
}

/// The User probes; sets `p.search` when the server answers /.search.
pub(super) async fn probe_users(p: &mut Prober, spc: &Value) -> anyhow::Result<()> {
    use Level::*;
    if spc["filter"]["supported"] != true {
        return Ok(());
    }
    let tag = p.tag.clone();
    let second = format!("probe-{tag}-2");
    let r = p
        .call(
            Method::POST,
            "/Users/.search",
            Some(&body(
                json!({"filter": format!("userName eq \"{second}\"")}),
            )),
        )
        .await?;
    let ok = matches!(list_ok(&r), Ok((1, 1))) && r.body["Resources"][0]["userName"] == second;
    p.check(
        "SRCH-1",
        "search",
        Should,
        "POST /Users/.search with a SearchRequest filter: a ListResponse (filter.supported)",
        ok,
        r.short(),
    );
    if !ok {
        return Ok(());
    }
    p.search = true;

    // Paging: the same page as the same GET.
    let sw = format!("userName sw \"probe-{tag}\"");
    let r = p
        .call(
            Method::POST,
            "/Users/.search",
            Some(&body(json!({"filter": sw, "startIndex": 2, "count": 1}))),
        )
        .await?;
    let g = p
        .list(&format!("filter={}&startIndex=2&count=1", super::enc(&sw)))
        .await?;
    let ok = matches!(list_ok(&r), Ok((t, 1)) if t >= 3)
        && r.body["startIndex"] == 2
        && r.body["itemsPerPage"] == 1
        && r.body["totalResults"] == g.body["totalResults"]
        && ids(&r) == ids(&g);
    p.check(
        "SRCH-2",
        "search",
        Must,
        "/.search startIndex/count: the page the same GET gives",
        ok,
        format!("{} / GET {}", r.short(), g.short()),
    );

    let only = json!({"filter": format!("userName eq \"{second}\""), "attributes": ["userName"]});
    let r = p
        .call(Method::POST, "/Users/.search", Some(&body(only)))
        .await?;
    let u = &r.body["Resources"][0];
    p.check(
        "SRCH-3",
        "search",
        Should,
        "/.search attributes: id and what was asked only",
        r.status == 200
            && u["userName"] == second
            && u["id"].is_string()
            && u["displayName"].is_null()
            && u["emails"].is_null(),
        r.short(),
    );
    let without =
        json!({"filter": format!("userName eq \"{second}\""), "excludedAttributes": ["emails"]});
    let r = p
        .call(Method::POST, "/Users/.search", Some(&body(without)))
        .await?;
    let u = &r.body["Resources"][0];
    p.check(
        "SRCH-4",
        "search",
        Should,
        "/.search excludedAttributes leaves them out",
        r.status == 200 && u["userName"] == second && u["emails"].is_null(),
        r.short(),
    );

    // Bad requests: refused as SCIM errors, and nothing changes.
    let before = snapshot(p).await?;
    let r = post_text(p, "/Users/.search", "{\"schemas\": [").await?;
    p.check(
        "SRCH-5",
        "search",
        Must,
        "/.search with a malformed body: 400",
        r.status == 400,
        r.short(),
    );
    p.check(
        "SRCH-6",
        "search",
        Should,
        "malformed body: a SCIM Error with scimType invalidSyntax",
        r.is_scim_error() && r.body["scimType"] == "invalidSyntax",
        r.short(),
    );
    // A User body sent to /.search: a naive route would create it.
    let mut user = p.user_body("search");
    user["filter"] = json!("userName pr");
    let r = p.call(Method::POST, "/Users/.search", Some(&user)).await?;
    if let Some(extra) = r.body["id"].as_str() {
        p.users.push(extra.to_string());
    }
    p.check(
        "SRCH-7",
        "search",
        Should,
        "/.search without the SearchRequest schema: 400 invalidSyntax",
        r.status == 400 && r.body["scimType"] == "invalidSyntax",
        r.short(),
    );
    let r = p
        .call(
            Method::POST,
            "/Users/.search",
            Some(&body(json!({"filter": "userName eq"}))),
        )
        .await?;
    p.check(
        "SRCH-8",
        "search",
        Should,
        "/.search with a malformed filter: 400 invalidFilter",
        r.status == 400 && r.body["scimType"] == "invalidFilter",
        r.short(),
    );
    let r = p
        .call(
            Method::POST,
            "/Users/.search",
            Some(&body(json!({"filter": "probeNoSuchAttribute eq \"x\""}))),
        )
        .await?;
    p.check(
        "SRCH-9",
        "search",
        May,
        "/.search filtering on an attribute no schema defines: 400 invalidFilter",
        r.status == 400 && r.body["scimType"] == "invalidFilter",
        r.short(),
    );
    let long = format!("userName eq \"{}\"", "x".repeat(8 * 1024));
    let r = p
        .call(
            Method::POST,
            "/Users/.search",
            Some(&body(json!({"filter": long}))),
        )
        .await?;
    let ok = match r.status {
        200 => list_ok(&r).is_ok(),
        400 | 413 => r.is_scim_error() && r.body["scimType"].is_string(),
        _ => false,
    };
    p.check(
        "SRCH-10",
        "search",
        Should,
        "/.search with a filter over 8 KiB: a ListResponse or a SCIM error with scimType, never 5xx",
        ok,
        format!("{} ({} bytes of filter)", r.short(), long.len()),
    );
    let after = snapshot(p).await?;
    p.check(
        "SRCH-11",
        "search",
        Must,
        "/.search is a query: the refused searches created and changed nothing",
        !before.is_empty() && before == after,
        format!("before {before:?}, after {after:?}"),
    );
    Ok(())
}

/// `POST /Groups/.search` for the probe's group, when /Users/.search worked.
pub(super) async fn probe_groups(p: &mut Prober, display_name: &str) -> anyhow::Result<()> {
    if !p.search {
        return Ok(());
    }
    let r = p
        .call(
            Method::POST,
            "/Groups/.search",
            Some(&body(
                json!({"filter": format!("displayName eq \"{display_name}\"")}),
            )),
        )
        .await?;
    p.check(
        "SRCH-12",
        "search",
        Level::Must,
        "POST /Groups/.search by displayName",
        matches!(list_ok(&r), Ok((1, 1))) && r.body["Resources"][0]["displayName"] == display_name,
        r.short(),
    );
    Ok(())
}
