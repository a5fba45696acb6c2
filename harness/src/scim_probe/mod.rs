//! Vendor-independent SCIM 2.0 server probes (RFC 7643/7644, hub-sso.md SCIM-9): discovery,
//! authentication, CRUD, filters, pagination, `POST /.search`, PATCH on each core attribute and
//! on the enterprise extension, groups and their members' `display`, error format and content
//! type. Each check carries its level (MUST, SHOULD, MAY). The probes clean up what they
//! create. `idpsim scim-probe` and docs/scim-probes.md.

mod core_patch;
mod display;
pub mod embedded;
mod enterprise;
mod groups;
pub mod load;
mod search;

use anyhow::Context as _;
use reqwest::Method;
use serde::Serialize;
use serde_json::{json, Value};
use std::fmt::Write as _;

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
const LIST: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    Must,
    Should,
    May,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
            Level::May => "MAY",
        }
    }
}

/// One check and what it found.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub id: String,
    pub area: &'static str,
    pub level: Level,
    pub title: String,
    pub passed: bool,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProbeReport {
    pub base_url: String,
    pub checks: Vec<Check>,
    /// Resources the probes created and could not delete.
    pub leftovers: Vec<String>,
}

impl ProbeReport {
    pub fn failures(&self, level: Level) -> Vec<&Check> {
        self.checks
            .iter()
            .filter(|c| !c.passed && c.level == level)
            .collect()
    }

    pub fn counts(&self) -> (usize, usize) {
        let passed = self.checks.iter().filter(|c| c.passed).count();
        (passed, self.checks.len())
    }

    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let (p, n) = self.counts();
        let _ = writeln!(s, "# SCIM server probes\n\nTarget: `{}`\n", self.base_url);
        let _ = writeln!(
            s,
            "{p}/{n} checks passed; failures: {} MUST, {} SHOULD, {} MAY.\n",
            self.failures(Level::Must).len(),
            self.failures(Level::Should).len(),
            self.failures(Level::May).len()
        );
        let _ = writeln!(s, "| id | area | level | check | result | detail |");
        let _ = writeln!(s, "|---|---|---|---|---|---|");
        for c in &self.checks {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} |",
                c.id,
                c.area,
                c.level.name(),
                c.title.replace('|', "\\|"),
                if c.passed { "pass" } else { "**FAIL**" },
                c.detail.replace('|', "\\|").replace('\n', " ")
            );
        }
        if !self.leftovers.is_empty() {
            let _ = writeln!(s, "\nNot cleaned up: {}", self.leftovers.join(", "));
        }
        s
    }
}

/// A PatchOp message carrying `ops`.
fn patch_op(ops: Value) -> Value {
    json!({"schemas": [PATCH], "Operations": ops})
}

/// An answer.
#[derive(Debug, Clone)]
struct Resp {
    status: u16,
    content_type: String,
    body: Value,
    text: String,
}

impl Resp {
    /// Status, content type and body of `resp`; the body as JSON, or null when it is none.
    async fn read(resp: reqwest::Response) -> Resp {
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let text = resp.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            content_type,
            body,
            text,
        }
    }

    fn is_scim_error(&self) -> bool {
        self.body["schemas"]
            .as_array()
            .is_some_and(|a| a.iter().any(|s| s == ERROR))
            && self.body["status"].is_string()
    }
    fn short(&self) -> String {
        let t: String = self.text.chars().take(160).collect();
        format!("{} {t}", self.status)
    }
}

struct Prober {
    http: reqwest::Client,
    base: String,
    token: String,
    checks: Vec<Check>,
    users: Vec<String>,
    groups: Vec<String>,
    tag: String,
    /// Whether the server answered `POST /Users/.search` (SRCH-1).
    search: bool,
}

impl Prober {
    async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> anyhow::Result<Resp> {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        };
        let mut r = self
            .http
            .request(method.clone(), &url)
            .header("accept", "application/scim+json");
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        if let Some(b) = body {
            r = r
                .header("content-type", "application/scim+json")
                .body(b.to_string());
        }
        let resp = r.send().await.with_context(|| format!("{method} {url}"))?;
        Ok(Resp::read(resp).await)
    }

    async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> anyhow::Result<Resp> {
        let t = self.token.clone();
        self.send(method, path, Some(&t), body).await
    }

    /// PATCH `path` with `ops` in a PatchOp message, then read `path` back with a GET: the
    /// PATCH's answer and the GET's. Every probe that checks what a PATCH did takes this shape.
    async fn patch_then_get(&self, path: &str, ops: Value) -> anyhow::Result<(Resp, Resp)> {
        let r = self.call(Method::PATCH, path, Some(&patch_op(ops))).await?;
        let g = self.call(Method::GET, path, None).await?;
        Ok((r, g))
    }

    fn check(
        &mut self,
        id: &str,
        area: &'static str,
        level: Level,
        title: &str,
        passed: bool,
        detail: String,
    ) {
        self.checks.push(Check {
            id: id.to_string(),
            area,
            level,
            title: title.to_string(),
            passed,
            detail: if passed { String::new() } else { detail },
        });
    }

    fn user_body(&self, n: &str) -> Value {
        let user_name = format!("probe-{}-{n}", self.tag);
        json!({
            "schemas": [USER],
            "userName": user_name,
            "externalId": format!("ext-{}-{n}", self.tag),
            "name": {"givenName": "Probe", "familyName": format!("User{n}"), "formatted": format!("Probe User{n}")},
            "displayName": format!("Probe User{n}"),
            "emails": [{"value": format!("{user_name}@probe.example"), "type": "work", "primary": true}],
            "active": true,
        })
    }

    async fn create_user(&mut self, n: &str) -> anyhow::Result<(Resp, Option<String>)> {
        let body = self.user_body(n);
        let r = self.call(Method::POST, "/Users", Some(&body)).await?;
        let id = r.body["id"].as_str().map(str::to_string);
        if let Some(id) = &id {
            self.users.push(id.clone());
        }
        Ok((r, id))
    }

    async fn list(&self, query: &str) -> anyhow::Result<Resp> {
        self.call(Method::GET, &format!("/Users?{query}"), None)
            .await
    }
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn list_ok(r: &Resp) -> Result<(i64, usize), String> {
    if r.status != 200 {
        return Err(r.short());
    }
    let schemas_ok = r.body["schemas"]
        .as_array()
        .is_some_and(|a| a.iter().any(|s| s == LIST));
    let total = r.body["totalResults"]
        .as_i64()
        .ok_or_else(|| format!("totalResults is not an integer: {}", r.body["totalResults"]))?;
    let n = match &r.body["Resources"] {
        Value::Array(a) => a.len(),
        Value::Null if total == 0 => 0,
        other => return Err(format!("Resources is not a list: {other}")),
    };
    if !schemas_ok {
        return Err("not a ListResponse (schemas)".into());
    }
    Ok((total, n))
}

/// Run every probe against `base` (the SCIM base URL) with bearer `token`.
pub async fn run(base: &str, token: &str) -> anyhow::Result<ProbeReport> {
    let tag = protocols::IdGen::hex(&protocols::RandomIds, 4);
    let mut p = Prober {
        http: reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .build()?,
        base: base.trim_end_matches('/').to_string(),
        token: token.to_string(),
        checks: Vec::new(),
        users: Vec::new(),
        groups: Vec::new(),
        tag,
        search: false,
    };
    let result = probe_all(&mut p).await;
    let leftovers = cleanup(&mut p).await;
    result?;
    Ok(ProbeReport {
        base_url: p.base.clone(),
        checks: p.checks,
        leftovers,
    })
}

async fn cleanup(p: &mut Prober) -> Vec<String> {
    let mut left = Vec::new();
    for g in std::mem::take(&mut p.groups) {
        match p.call(Method::DELETE, &format!("/Groups/{g}"), None).await {
            Ok(r) if matches!(r.status, 204 | 200 | 404) => {}
            _ => left.push(format!("Groups/{g}")),
        }
    }
    for u in std::mem::take(&mut p.users) {
        match p.call(Method::DELETE, &format!("/Users/{u}"), None).await {
            Ok(r) if matches!(r.status, 204 | 200 | 404) => {}
            _ => left.push(format!("Users/{u}")),
        }
    }
    left
}

async fn probe_all(p: &mut Prober) -> anyhow::Result<()> {
    use Level::*;
    // Authentication.
    let r = p.send(Method::GET, "/Users", None, None).await?;
    p.check(
        "AUTH-1",
        "auth",
        Must,
        "no token: 401",
        r.status == 401,
        r.short(),
    );
    p.check(
        "AUTH-2",
        "auth",
        Should,
        "no token: a SCIM Error body",
        r.is_scim_error(),
        r.short(),
    );
    let r = p
        .send(Method::GET, "/Users", Some("not-a-token"), None)
        .await?;
    p.check(
        "AUTH-3",
        "auth",
        Must,
        "bad token: 401",
        r.status == 401,
        r.short(),
    );

    // Discovery.
    let r = p.call(Method::GET, "/ServiceProviderConfig", None).await?;
    let spc = r.body.clone();
    let ok = r.status == 200
        && r.body["schemas"]
            .to_string()
            .contains("ServiceProviderConfig")
        && r.body["patch"]["supported"].is_boolean()
        && r.body["filter"]["supported"].is_boolean();
    p.check(
        "DISC-1",
        "discovery",
        Must,
        "GET /ServiceProviderConfig with patch, filter",
        ok,
        r.short(),
    );
    p.check(
        "CT-1",
        "content type",
        Must,
        "answers are application/scim+json",
        r.content_type.starts_with("application/scim+json"),
        r.content_type.clone(),
    );
    let r = p.call(Method::GET, "/ResourceTypes", None).await?;
    let text = r.body.to_string();
    p.check(
        "DISC-2",
        "discovery",
        Must,
        "GET /ResourceTypes lists User and Group",
        r.status == 200 && text.contains("\"User\"") && text.contains("\"Group\""),
        r.short(),
    );
    let r = p.call(Method::GET, "/Schemas", None).await?;
    p.check(
        "DISC-3",
        "discovery",
        Must,
        "GET /Schemas includes the core User schema",
        r.status == 200 && r.body.to_string().contains(USER),
        r.short(),
    );
    let r = p
        .call(Method::GET, &format!("/Schemas/{USER}"), None)
        .await?;
    p.check(
        "DISC-4",
        "discovery",
        Should,
        "GET /Schemas/{User URN}",
        r.status == 200 && r.body["id"] == USER,
        r.short(),
    );

    // Create.
    let (r, id) = p.create_user("1").await?;
    let Some(id) = id else {
        p.check(
            "CRUD-1",
            "crud",
            Must,
            "POST /Users: 201 with id",
            false,
            r.short(),
        );
        return Ok(());
    };
    p.check(
        "CRUD-1",
        "crud",
        Must,
        "POST /Users: 201 with id",
        r.status == 201,
        r.short(),
    );
    p.check(
        "CT-2",
        "content type",
        Must,
        "201 is application/scim+json",
        r.content_type.starts_with("application/scim+json"),
        r.content_type.clone(),
    );
    p.check(
        "CRUD-2",
        "crud",
        Should,
        "POST /Users: meta.location and meta.resourceType",
        r.body["meta"]["location"].is_string() && r.body["meta"]["resourceType"] == "User",
        r.short(),
    );
    let user_name = r.body["userName"].as_str().unwrap_or("").to_string();
    let r = p.call(Method::GET, &format!("/Users/{id}"), None).await?;
    p.check(
        "CRUD-3",
        "crud",
        Must,
        "GET /Users/{id}",
        r.status == 200 && r.body["userName"] == user_name.as_str(),
        r.short(),
    );
    let dup = p.user_body("1");
    let r = p.call(Method::POST, "/Users", Some(&dup)).await?;
    if let Some(extra) = r.body["id"].as_str() {
        p.users.push(extra.to_string());
    }
    p.check(
        "ERR-1",
        "errors",
        Must,
        "duplicate userName: 409",
        r.status == 409,
        r.short(),
    );
    p.check(
        "ERR-2",
        "errors",
        Should,
        "duplicate: scimType uniqueness",
        r.body["scimType"] == "uniqueness",
        r.short(),
    );
    let r = p
        .call(
            Method::GET,
            "/Users/00000000-0000-0000-0000-000000000000",
            None,
        )
        .await?;
    p.check(
        "ERR-3",
        "errors",
        Must,
        "unknown id: 404",
        r.status == 404,
        r.short(),
    );
    p.check(
        "ERR-4",
        "errors",
        Must,
        "unknown id: a SCIM Error (schemas, status as a string)",
        r.is_scim_error(),
        r.short(),
    );
    p.check(
        "CT-3",
        "content type",
        Must,
        "errors are application/scim+json",
        r.content_type.starts_with("application/scim+json"),
        r.content_type.clone(),
    );
    let r = p
        .call(Method::POST, "/Users", Some(&json!({"schemas": [USER]})))
        .await?;
    p.check(
        "ERR-5",
        "errors",
        Must,
        "POST without userName: 400",
        r.status == 400,
        r.short(),
    );
    p.check(
        "ERR-6",
        "errors",
        Should,
        "400 carries scimType",
        r.body["scimType"].is_string(),
        r.short(),
    );

    // Replace (PUT).
    let mut put = p.user_body("1");
    put["name"]["givenName"] = json!("Put");
    let r = p
        .call(Method::PUT, &format!("/Users/{id}"), Some(&put))
        .await?;
    p.check(
        "CRUD-4",
        "crud",
        Must,
        "PUT /Users/{id} replaces",
        r.status == 200 && r.body["name"]["givenName"] == "Put",
        r.short(),
    );

    // Filters.
    let r = p
        .list(&format!(
            "filter={}",
            enc(&format!("userName eq \"{user_name}\""))
        ))
        .await?;
    let ok = matches!(list_ok(&r), Ok((1, 1))) && r.body["Resources"][0]["id"] == id.as_str();
    p.check(
        "FIL-1",
        "filters",
        Must,
        "filter userName eq",
        ok,
        r.short(),
    );
    // One filter a check, each a GET /Users?filter=… judged on its ListResponse, in this order.
    type Judge = fn(&Resp) -> bool;
    let one: Judge = |r| matches!(list_ok(r), Ok((1, 1)));
    let some: Judge = |r| matches!(list_ok(r), Ok((t, _)) if t >= 1);
    let none: Judge = |r| matches!(list_ok(r), Ok((0, 0)));
    let filters: [(&str, &'static str, Level, &str, String, Judge); 7] = [
        (
            "FIL-2",
            "filters",
            Should,
            "userName eq is case-insensitive (caseExact false)",
            format!("userName eq \"{}\"", user_name.to_ascii_uppercase()),
            one,
        ),
        (
            "FIL-3",
            "filters",
            Must,
            "filter with and",
            format!("userName eq \"{user_name}\" and active eq true"),
            one,
        ),
        (
            "FIL-4",
            "filters",
            Must,
            "filter externalId eq",
            format!("externalId eq \"ext-{}-1\"", p.tag),
            one,
        ),
        (
            "FIL-5",
            "filters",
            Should,
            "filter co",
            format!("userName co \"{}\"", p.tag),
            some,
        ),
        (
            "FIL-6",
            "filters",
            Should,
            "filter sw",
            format!("userName sw \"probe-{}\"", p.tag),
            some,
        ),
        (
            "FIL-7",
            "filters",
            Should,
            "filter pr",
            "externalId pr".to_string(),
            some,
        ),
        (
            "LIST-1",
            "list",
            Must,
            "zero results: a ListResponse with totalResults 0",
            "userName eq \"nobody-at-all-zz\"".to_string(),
            none,
        ),
    ];
    for (cid, area, level, title, filter, judge) in filters {
        let r = p.list(&format!("filter={}", enc(&filter))).await?;
        p.check(cid, area, level, title, judge(&r), r.short());
    }
    let r = p.list(&format!("filter={}", enc("userName eq"))).await?;
    p.check(
        "FIL-8",
        "filters",
        Should,
        "bad filter: 400 invalidFilter",
        r.status == 400 && r.body["scimType"] == "invalidFilter",
        r.short(),
    );

    // Pagination.
    for n in ["2", "3"] {
        p.create_user(n).await?;
    }
    let sw = enc(&format!("userName sw \"probe-{}\"", p.tag));
    let r1 = p.list(&format!("filter={sw}&startIndex=1&count=2")).await?;
    let r2 = p.list(&format!("filter={sw}&startIndex=3&count=2")).await?;
    let ok = matches!(list_ok(&r1), Ok((3, 2)))
        && matches!(list_ok(&r2), Ok((3, 1)))
        && r1.body["startIndex"] == 1
        && r1.body["itemsPerPage"] == 2
        && r2.body["startIndex"] == 3;
    p.check(
        "PAGE-1",
        "pagination",
        Must,
        "startIndex/count pages through results",
        ok,
        format!("{} / {}", r1.short(), r2.short()),
    );
    let r = p.list("startIndex=1&count=0").await?;
    p.check(
        "PAGE-2",
        "pagination",
        Should,
        "count=0 gives totalResults and no resources",
        matches!(list_ok(&r), Ok((t, 0)) if t >= 3),
        r.short(),
    );
    let all_ok = list_ok(&p.list("startIndex=1&count=1").await?).is_ok();
    p.check(
        "PAGE-3",
        "pagination",
        Must,
        "list without filter",
        all_ok,
        String::new(),
    );

    // POST /.search (when filter.supported).
    search::probe_users(p, &spc).await?;

    // PATCH on each core attribute.
    core_patch::probe(p, &id).await?;

    // The enterprise extension, on the third user (the first is the core PATCH subject).
    let second = p.users.get(1).cloned().unwrap_or_default();
    let third = p.users.get(2).cloned().unwrap_or_default();
    enterprise::probe(p, &third, &second).await?;

    // Groups.
    groups::probe(p, &id, &second, &third).await?;

    // Delete.
    let path_of = |id: &str| format!("/Users/{id}");
    let r = p.call(Method::DELETE, &path_of(&id), None).await?;
    let after = p.call(Method::GET, &path_of(&id), None).await?;
    p.check(
        "CRUD-5",
        "crud",
        Must,
        "DELETE /Users/{id}: 204, then 404",
        r.status == 204 && after.status == 404,
        format!("{} / {}", r.short(), after.short()),
    );
    if after.status == 404 {
        p.users.retain(|x| x != &id);
    }
    Ok(())
}
