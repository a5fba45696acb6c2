//! The test world: an SP, the mock IdPs, one virtual clock, and browsers.

#![allow(dead_code)] // each module uses its own part

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request};
use http_body_util::BodyExt;
use mock_idps::control::{NewOidcClient, NewSamlApp};
use mock_idps::directory::NewUser;
use mock_idps::personality::TokenAuth;
use mock_idps::tenant::SharedTenant;
use mock_idps::{MockIdps, Mode, NewTenant, NextLogin, Options, Vendor};
use protocols::{ManualClock, SeededIds};
use reference_sp::{AppState, ClockControl, Flaw, Flaws, LocalOptions, SpOptions, Store};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

pub const VENDORS: [Vendor; 3] = [Vendor::Okta, Vendor::Entra, Vendor::Google];
pub const CLIENT_SECRET: &str = "sp-client-secret";
/// The custom attribute every vendor releases (SAML attribute and OIDC claim alike).
pub const ROLE_ATTR: &str = "sp_role";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Saml,
    Oidc,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Saml => "saml",
            Protocol::Oidc => "oidc",
        }
    }
}

pub const PROTOCOLS: [Protocol; 2] = [Protocol::Saml, Protocol::Oidc];

/// The base URL of an SP (and of the IdPs) that only ever answers in process.
pub const IN_PROCESS_SP: &str = "http://sp.test";
pub const IN_PROCESS_IDPS: &str = "http://idp.test";

/// Send one request to `router` in process with `oneshot`, as the axum examples do: no socket.
pub async fn call(router: &axum::Router, req: Request<Body>) -> (StatusCode, HeaderMap, Bytes) {
    let resp = tower::ServiceExt::oneshot(router.clone(), req)
        .await
        .expect("infallible router");
    let (parts, body) = resp.into_parts();
    let bytes = body.collect().await.expect("body").to_bytes();
    (parts.status, parts.headers, bytes)
}

/// How a test reaches the SP.
#[derive(Clone)]
pub enum Transport {
    /// Over a socket: the SP and the IdPs serve on 127.0.0.1:0, for browsers that follow
    /// redirects between them and for the SP's own calls to the IdPs.
    Socket(reqwest::Client),
    /// The SP's router in process, through [`call`]: for tests that talk only to the SP.
    InProcess(axum::Router),
}

impl Transport {
    /// Send one request to an absolute `url` of the SP: (status, headers, body).
    pub async fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<String>,
    ) -> (StatusCode, HeaderMap, Bytes) {
        match self {
            Transport::Socket(client) => {
                let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
                let mut req = client.request(m, url);
                for (k, v) in headers {
                    req = req.header(*k, *v);
                }
                if let Some(b) = body {
                    req = req.body(b);
                }
                let resp = req.send().await.expect("call");
                let status = resp.status();
                let headers = resp.headers().clone();
                let bytes = resp.bytes().await.expect("body");
                (status, headers, bytes)
            }
            Transport::InProcess(router) => {
                // The router sees what a server would: the path and query, not the origin.
                let target = match url::Url::parse(url) {
                    Ok(u) => match u.query() {
                        Some(q) => format!("{}?{q}", u.path()),
                        None => u.path().to_string(),
                    },
                    Err(_) => url.to_string(),
                };
                let mut req = Request::builder().method(method).uri(target);
                for (k, v) in headers {
                    req = req.header(*k, *v);
                }
                let req = req
                    .body(body.map(Body::from).unwrap_or_else(Body::empty))
                    .expect("request");
                call(router, req).await
            }
        }
    }
}

pub struct World {
    pub clock: ManualClock,
    pub idps: MockIdps,
    pub sp: AppState,
    pub store: Arc<Store>,
    pub transport: Transport,
    tasks: Vec<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Drop for World {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl World {
    pub async fn new() -> Self {
        Self::build(Flaws::none(), Arc::new(Store::in_memory().expect("store"))).await
    }

    pub async fn with_flaw(f: Flaw) -> Self {
        Self::build(
            Flaws::none().with(f),
            Arc::new(Store::in_memory().expect("store")),
        )
        .await
    }

    pub async fn build(flaws: Flaws, store: Arc<Store>) -> Self {
        let clock = ManualClock::fixed();
        let (idps, idp_task) =
            mock_idps::spawn_local(Arc::new(clock.clone()), Arc::new(SeededIds::new(11)))
                .await
                .expect("idps");
        let (sp, sp_task) = reference_sp::spawn_local(LocalOptions {
            store: store.clone(),
            clock: Arc::new(clock.clone()),
            ids: Arc::new(SeededIds::new(12)),
            flaws,
            clock_control: Some(ClockControl::Manual(clock.clone())),
        })
        .await
        .expect("sp");
        Self {
            clock,
            idps,
            sp,
            store,
            transport: Transport::Socket(reqwest::Client::new()),
            tasks: vec![sp_task, idp_task],
        }
    }

    /// A world with no socket: the SP's router answers in process through [`call`]. For tests
    /// that talk only to the SP (admin API, SCIM, metadata); the IdPs exist but serve nothing.
    pub fn in_process() -> Self {
        Self::build_in_process(Flaws::none(), Arc::new(Store::in_memory().expect("store")))
    }

    pub fn build_in_process(flaws: Flaws, store: Arc<Store>) -> Self {
        let clock = ManualClock::fixed();
        let idps = MockIdps::new(Options {
            base_url: IN_PROCESS_IDPS.into(),
            clock: Arc::new(clock.clone()),
            ids: Arc::new(SeededIds::new(11)),
            control_token: None,
        });
        let sp = AppState::new(SpOptions {
            base_url: IN_PROCESS_SP.into(),
            store: store.clone(),
            clock: Arc::new(clock.clone()),
            ids: Arc::new(SeededIds::new(12)),
            flaws,
            clock_control: Some(ClockControl::Manual(clock.clone())),
            admin_token: None,
        });
        Self {
            clock,
            idps,
            transport: Transport::InProcess(reference_sp::app(sp.clone())),
            sp,
            store,
            tasks: Vec::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sp.base_url())
    }

    /// Call the admin API; answers (status, JSON or Null).
    pub async fn admin(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let (headers, body): (&[(&str, &str)], _) = match body {
            Some(b) => (&[("content-type", "application/json")], Some(b.to_string())),
            None => (&[], None),
        };
        let (status, _, bytes) = self
            .transport
            .send(method, &self.url(path), headers, body)
            .await;
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// Call the admin API and insist on `want`.
    pub async fn admin_ok(&self, method: &str, path: &str, body: Value, want: u16) -> Value {
        let (s, v) = self.admin(method, path, Some(body)).await;
        assert_eq!(s.as_u16(), want, "{method} {path}: {v}");
        v
    }

    pub async fn get_admin(&self, path: &str) -> Value {
        let (s, v) = self.admin("GET", path, None).await;
        assert_eq!(s, StatusCode::OK, "GET {path}: {v}");
        v
    }

    pub async fn create_org(&self, slug: &str, mode: &str, extra: Value) -> Value {
        let mut body = json!({"slug": slug, "mode": mode});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        self.admin_ok("POST", "/_admin/orgs", body, 201).await
    }

    pub async fn create_user(&self, username: &str, password: &str, emails: &[&str]) -> Value {
        self.admin_ok(
            "POST",
            "/_admin/users",
            json!({"username": username, "password": password, "emails": emails}),
            201,
        )
        .await
    }

    /// A strict tenant of `vendor` that knows `org`'s SAML app and OIDC client.
    pub fn tenant(&self, vendor: Vendor, id: &str, org: &str, users: Vec<NewUser>) -> SharedTenant {
        let urls = self.sp.org_urls(org);
        self.idps
            .create_tenant(NewTenant {
                vendor: Some(vendor),
                id: Some(id.into()),
                mode: Mode::Strict,
                seed_users: Some(0),
                users,
                saml_apps: vec![NewSamlApp {
                    sp_entity_id: urls.sp_entity_id.clone(),
                    acs_urls: vec![urls.saml_acs.clone()],
                    send_groups: true,
                    // Okta sends groups and profile attributes only from the app's
                    // statements (S12).
                    groups_attribute: (vendor == Vendor::Okta).then(|| "groups".to_string()),
                    attribute_statements: (vendor == Vendor::Okta)
                        .then(mock_idps::control::okta_profile_statements),
                    allow_idp_initiated: Some(true),
                    ..NewSamlApp::default()
                }],
                oidc_clients: vec![NewOidcClient {
                    client_id: Some(format!("client-{org}").into()),
                    client_secret: Some(CLIENT_SECRET.into()),
                    redirect_uris: vec![urls.oidc_redirect.clone()],
                    auth_method: Some(TokenAuth::ClientSecretPost),
                    require_pkce: true,
                    post_logout_redirect_uris: vec![],
                    groups_claim: true,
                }],
                ..NewTenant::default()
            })
            .expect("tenant")
    }

    pub fn saml_metadata_url(&self, t: &SharedTenant) -> String {
        self.idps
            .index()
            .tenants
            .into_iter()
            .find(|i| i.vendor == t.vendor && i.id == t.id)
            .map(|i| i.saml.metadata_url)
            .expect("tenant in index")
    }

    /// Configure `org`'s SSO against tenant `t` over `protocol`, with extra fields (mappings).
    pub async fn configure_sso(
        &self,
        org: &str,
        t: &SharedTenant,
        protocol: Protocol,
        extra: Value,
    ) -> Value {
        let mut body = match protocol {
            Protocol::Saml => json!({
                "protocol": "saml",
                "metadata_url": self.saml_metadata_url(t),
            }),
            Protocol::Oidc => {
                let mut scopes = vec!["openid", "email", "profile"];
                if t.vendor == Vendor::Okta {
                    scopes.push("groups");
                }
                json!({
                    "protocol": "oidc",
                    "issuer": t.oidc_issuer(),
                    "client_id": format!("client-{org}"),
                    "client_secret": CLIENT_SECRET,
                    "scopes": scopes,
                })
            }
        };
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        self.admin_ok("PUT", &format!("/_admin/orgs/{org}/sso"), body, 200)
            .await
    }

    pub fn browser(&self) -> Browser {
        Browser::new(self.sp.base_url())
    }

    /// Steer the tenant's next login.
    pub fn next_login(&self, t: &SharedTenant, user: &str) {
        t.state.lock().next_login = Some(NextLogin {
            user: Some(user.to_string()),
            ..NextLogin::default()
        });
    }

    pub fn set_next_login(&self, t: &SharedTenant, n: NextLogin) {
        t.state.lock().next_login = Some(n);
    }

    /// Change a directory user's extra attributes at the IdP.
    pub fn set_idp_attribute(&self, t: &SharedTenant, user: &str, name: &str, values: &[&str]) {
        let mut st = t.state.lock();
        let u = st.directory.find_mut(user).expect("user at the IdP");
        u.attributes.insert(
            name.to_string(),
            values.iter().map(|s| s.to_string()).collect(),
        );
    }

    /// The member entry of `username` in `org`, from the admin API.
    pub async fn member(&self, org: &str, username: &str) -> Option<Value> {
        let (s, v) = self
            .admin(
                "GET",
                &format!("/_admin/orgs/{org}/members/{username}"),
                None,
            )
            .await;
        (s == StatusCode::OK).then_some(v)
    }

    pub async fn create_repo(&self, owner: &str, name: &str, group: Option<&str>) {
        let mut body = json!({"owner": owner, "name": name});
        if let Some(g) = group {
            body["resource_group"] = json!(g);
        }
        self.admin_ok("POST", "/_admin/repos", body, 201).await;
    }

    pub async fn advance(&self, seconds: i64) {
        self.admin_ok(
            "POST",
            "/_admin/clock/advance",
            json!({"seconds": seconds}),
            200,
        )
        .await;
    }

    /// Count rows of a table, straight from the store.
    pub fn count(&self, table: &str) -> i64 {
        self.store
            .read(|c| {
                c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
                    .map_err(reference_sp::store::StoreError::from)
            })
            .expect("count")
    }
}

/// A directory user with a login and extra attributes.
pub fn idp_user(login: &str, attrs: &[(&str, &[&str])]) -> NewUser {
    NewUser {
        login: Some(login.to_string()),
        given_name: Some("Test".into()),
        family_name: Some("User".into()),
        attributes: attrs
            .iter()
            .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
            .collect::<BTreeMap<_, _>>(),
        ..NewUser::default()
    }
}

/// The usual role table over [`ROLE_ATTR`].
pub fn role_mapping() -> Value {
    json!({"role_mapping": {"attribute": ROLE_ATTR, "rules": [
        {"value": "readers", "role": "read"},
        {"value": "admins", "role": "admin"},
        {"value": "writers", "role": "write"},
    ]}})
}

/// One answer as the browser saw it.
#[derive(Debug, Clone)]
pub struct Page {
    pub url: String,
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

impl Page {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or("").to_string()
    }
}

/// A browser: a cookie jar, no automatic redirects (followed by hand, each hop recorded), and
/// SAML POST forms submitted the way a page's onload script would.
pub struct Browser {
    client: reqwest::Client,
    base: String,
    pub hops: Vec<String>,
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

fn attr_after<'a>(html: &'a str, marker: &str) -> Option<&'a str> {
    let i = html.find(marker)? + marker.len();
    let rest = &html[i..];
    rest.find('"').map(|j| &rest[..j])
}

/// (action, SAMLResponse, RelayState) of an auto-submitting SAML form.
pub fn saml_form(html: &str) -> Option<(String, String, Option<String>)> {
    let resp = attr_after(html, "name=\"SAMLResponse\" value=\"")?;
    let action = attr_after(html, "action=\"")?;
    let relay = attr_after(html, "name=\"RelayState\" value=\"");
    Some((unescape(action), unescape(resp), relay.map(unescape)))
}

impl Browser {
    pub fn new(base: &str) -> Self {
        Self {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base: base.to_string(),
            hops: Vec::new(),
        }
    }

    fn abs(&self, url: &str) -> String {
        if url.starts_with("http://") || url.starts_with("https://") {
            url.to_string()
        } else {
            format!("{}{url}", self.base)
        }
    }

    async fn page(url: String, resp: reqwest::Response) -> Page {
        let status = resp.status();
        let location = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = resp.text().await.unwrap_or_default();
        Page {
            url,
            status,
            location,
            body,
        }
    }

    pub async fn get(&self, url: &str) -> Page {
        let url = self.abs(url);
        let resp = self.client.get(&url).send().await.expect("GET");
        Self::page(url, resp).await
    }

    pub async fn post_form(&self, url: &str, fields: &[(&str, &str)]) -> Page {
        let url = self.abs(url);
        let resp = self
            .client
            .post(&url)
            .form(fields)
            .send()
            .await
            .expect("POST");
        Self::page(url, resp).await
    }

    pub async fn post_json(&self, url: &str, body: Value) -> Page {
        let url = self.abs(url);
        let resp = self
            .client
            .post(&url)
            .json(&body)
            .send()
            .await
            .expect("POST");
        Self::page(url, resp).await
    }

    /// Follow `page` through redirects and SAML POST forms until an answer that is neither.
    pub async fn follow_from(&mut self, mut page: Page) -> Page {
        for _ in 0..20 {
            self.hops
                .push(format!("{} {}", page.status.as_u16(), page.url));
            if page.status.is_redirection() {
                let Some(loc) = page.location.clone() else {
                    return page;
                };
                let next = url::Url::parse(&page.url)
                    .and_then(|u| u.join(&loc))
                    .map(String::from)
                    .unwrap_or(loc);
                page = self.get(&next).await;
                continue;
            }
            if page.status == StatusCode::OK {
                if let Some((action, resp, relay)) = saml_form(&page.body) {
                    let mut fields = vec![("SAMLResponse", resp.as_str())];
                    if let Some(r) = relay.as_deref() {
                        fields.push(("RelayState", r));
                    }
                    page = self.post_form(&action, &fields).await;
                    continue;
                }
            }
            return page;
        }
        panic!("too many hops: {:#?}", self.hops);
    }

    /// GET `url` and follow everything.
    pub async fn browse(&mut self, url: &str) -> Page {
        self.hops.clear();
        let p = self.get(url).await;
        self.follow_from(p).await
    }

    /// Follow up to the SAML form without submitting it: (ACS action, SAMLResponse, RelayState).
    pub async fn until_saml_form(&mut self, url: &str) -> (String, String, Option<String>) {
        let mut page = self.get(url).await;
        for _ in 0..20 {
            if let Some(f) = saml_form(&page.body) {
                return f;
            }
            let loc = page.location.clone().unwrap_or_else(|| {
                panic!(
                    "no SAML form and no redirect: {} {}",
                    page.status, page.body
                )
            });
            let next = url::Url::parse(&page.url)
                .and_then(|u| u.join(&loc))
                .map(String::from)
                .unwrap_or(loc);
            page = self.get(&next).await;
        }
        panic!("no SAML form reached");
    }

    /// Password login [BASIC-1]; returns the answer to the POST.
    pub async fn password_login(&self, user: &str, password: &str) -> Page {
        self.post_form("/login", &[("username", user), ("password", password)])
            .await
    }

    pub async fn whoami(&self) -> Page {
        self.get("/whoami").await
    }
}

/// The org entry of `whoami` for `org`.
pub fn whoami_org<'a>(whoami: &'a Value, org: &str) -> Option<&'a Value> {
    whoami["organizations"]
        .as_array()?
        .iter()
        .find(|o| o["organization"] == org)
}
