//! Router tests of the SCIM server: the real router in-process (`oneshot`), an in-memory
//! SQLite database holding both the SCIM tables and [`TestPlatform`]'s, a pinned clock and
//! seeded ids. Every refusal is checked to leave the whole database byte-for-byte unchanged.
//!
//! Test names carry the requirement ids of hub-sso.md and catalogue.md they pin.

mod basic;
mod enterprise;
mod groups;
mod managed;
mod platform;
mod protocol;
mod search;
mod vendors;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use parking_lot::Mutex;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use protocols::{ManualClock, SeededIds, SharedIdGen};
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use serde_json::{json, Value};
use tower::ServiceExt;

use super::{migrate, mint_token, router, AccountId, OrgMode, ScimState};
use crate::flaws::{Flaw, Flaws};
use platform::TestPlatform;

pub(super) const ORG: &str = "acme";
pub(super) const OTHER_ORG: &str = "globex";
pub(super) const BASE: &str = "https://sp.example/scim/v2/organizations";
pub(super) const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub(super) const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub(super) const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub(super) const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

pub(super) struct Env {
    pub app: Router,
    pub conn: Arc<Mutex<Connection>>,
    pub token: String,
    pub other_token: String,
    pub clock: ManualClock,
}

#[derive(Debug)]
pub(super) struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn id(&self) -> String {
        self.body["id"].as_str().unwrap_or_default().to_string()
    }

    /// Asserts a SCIM Error answer with this status and scimType.
    #[track_caller]
    pub fn assert_error(&self, status: u16, scim_type: Option<&str>) {
        assert_eq!(self.status.as_u16(), status, "{:#}", self.body);
        assert_eq!(self.header("content-type"), Some("application/scim+json"));
        assert_eq!(
            self.body["schemas"],
            json!(["urn:ietf:params:scim:api:messages:2.0:Error"])
        );
        assert_eq!(self.body["status"], json!(status.to_string()));
        assert_eq!(
            self.body.get("scimType").and_then(Value::as_str),
            scim_type,
            "{:#}",
            self.body
        );
        assert!(self.body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }

    #[track_caller]
    pub fn assert_status(&self, status: u16) -> &Self {
        assert_eq!(self.status.as_u16(), status, "{:#}", self.body);
        self
    }
}

/// Percent-encodes a query value (filters carry spaces and quotes).
pub(super) fn enc(s: &str) -> String {
    utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
}

pub(super) fn patch(ops: Value) -> Value {
    json!({"schemas": [PATCH_OP], "Operations": ops})
}

/// Okta's create body (reference/vendors.md).
pub(super) fn okta_user(user_name: &str, email: &str, external_id: &str) -> Value {
    json!({
        "schemas": [USER_SCHEMA],
        "userName": user_name,
        "name": {"givenName": "Alice", "familyName": "Liddell"},
        "emails": [{"primary": true, "value": email, "type": "work"}],
        "displayName": "Alice Liddell",
        "locale": "en-US",
        "externalId": external_id,
        "groups": [],
        "password": "xK9!rAnd0m",
        "active": true
    })
}

pub(super) enum Auth<'a> {
    Org,
    None,
    Header(&'a str),
}

impl Env {
    pub fn new(mode: OrgMode) -> Env {
        Env::with_flaws(mode, Flaws::none())
    }

    pub fn with_flaw(mode: OrgMode, flaw: Flaw) -> Env {
        Env::with_flaws(mode, Flaws::none().with(flaw))
    }

    pub fn with_flaws(mode: OrgMode, flaws: Flaws) -> Env {
        let conn = Connection::open_in_memory().expect("sqlite");
        migrate(&conn).expect("migrate");
        migrate(&conn).expect("migrate is idempotent");
        TestPlatform::migrate(&conn).expect("platform tables");
        TestPlatform::add_org(&conn, ORG, mode).expect("org");
        TestPlatform::add_org(&conn, OTHER_ORG, OrgMode::Managed).expect("other org");
        let ids: SharedIdGen = Arc::new(SeededIds::new(7));
        let token = mint_token(&conn, ids.as_ref(), ORG).expect("token");
        let other = mint_token(&conn, ids.as_ref(), OTHER_ORG).expect("token");
        assert!(!format!("{token:?}").contains(token.expose()));
        let clock = ManualClock::fixed();
        let conn = Arc::new(Mutex::new(conn));
        let state = ScimState {
            conn: conn.clone(),
            platform: Arc::new(TestPlatform::new(ids.clone()).with_flaws(flaws.clone())),
            clock: Arc::new(clock.clone()),
            ids,
            flaws,
            base_url: BASE.into(),
        };
        Env {
            app: Router::new().nest("/scim/v2/organizations", router(state)),
            conn,
            token: token.expose().to_string(),
            other_token: other.expose().to_string(),
            clock,
        }
    }

    pub fn db<T>(&self, f: impl FnOnce(&Connection) -> T) -> T {
        f(&self.conn.lock())
    }

    /// Every row of every table, as text: what "nothing changed" is checked against.
    pub fn dump(&self) -> Vec<String> {
        self.db(|c| {
            let mut stmt = c
                .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                .expect("tables");
            let tables: Vec<String> = stmt
                .query_map([], |r| r.get(0))
                .expect("tables")
                .collect::<Result<_, _>>()
                .expect("tables");
            let mut out = Vec::new();
            for t in tables {
                let mut s = c.prepare(&format!("SELECT * FROM {t}")).expect("select");
                let n = s.column_count();
                let mut rows = s.query([]).expect("rows");
                let mut lines = Vec::new();
                while let Some(r) = rows.next().expect("row") {
                    let cols: Vec<String> = (0..n)
                        .map(|i| match r.get_ref(i).expect("col") {
                            ValueRef::Null => "NULL".into(),
                            ValueRef::Integer(v) => v.to_string(),
                            ValueRef::Real(v) => v.to_string(),
                            ValueRef::Text(v) | ValueRef::Blob(v) => {
                                String::from_utf8_lossy(v).into_owned()
                            }
                        })
                        .collect();
                    lines.push(format!("{t}|{}", cols.join("|")));
                }
                lines.sort();
                out.extend(lines);
            }
            out
        })
    }

    pub async fn call(&self, req: Request<Body>) -> Resp {
        let resp = self.app.clone().oneshot(req).await.expect("infallible");
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Resp {
            status,
            headers,
            body,
        }
    }

    pub fn builder(
        &self,
        method: &str,
        path: &str,
        auth: Auth<'_>,
    ) -> axum::http::request::Builder {
        let uri = format!("/scim/v2/organizations/{ORG}{path}");
        let b = Request::builder().method(method).uri(uri);
        match auth {
            Auth::Org => b.header(header::AUTHORIZATION, format!("Bearer {}", self.token)),
            Auth::None => b,
            Auth::Header(h) => b.header(header::AUTHORIZATION, h),
        }
    }

    /// `method path` on the org with its token; a JSON body as application/scim+json.
    pub async fn send(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        self.send_with(method, path, body, &[]).await
    }

    pub async fn send_with(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut b = self.builder(method, path, Auth::Org);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let req = match body {
            Some(v) => b
                .header(header::CONTENT_TYPE, "application/scim+json")
                .body(Body::from(v.to_string())),
            None => b.body(Body::empty()),
        };
        self.call(req.expect("request")).await
    }

    /// Sends a request that must fail with `status`/`scim_type` and change nothing at all.
    pub async fn refused(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        status: u16,
        scim_type: Option<&str>,
    ) -> Resp {
        let before = self.dump();
        let r = self.send(method, path, body).await;
        r.assert_error(status, scim_type);
        assert_eq!(self.dump(), before, "{method} {path} changed the database");
        r
    }

    /// POST /Users that must succeed; the created resource.
    pub async fn create_user(&self, body: Value) -> Resp {
        let r = self.send("POST", "/Users", Some(body)).await;
        r.assert_status(201);
        r
    }

    pub async fn create_group(&self, name: &str, members: &[&str]) -> Resp {
        let members: Vec<Value> = members.iter().map(|m| json!({"value": m})).collect();
        let r = self
            .send(
                "POST",
                "/Groups",
                Some(json!({"schemas": [GROUP_SCHEMA], "displayName": name, "members": members})),
            )
            .await;
        r.assert_status(201);
        r
    }

    /// A personal account for Basic mode.
    pub fn personal(&self, username: &str, email: &str) -> AccountId {
        self.db(|c| TestPlatform::add_personal_account(c, username, &[email]).expect("account"))
    }

    /// The account a SCIM user provisioned.
    pub fn account_of(&self, scim_id: &str) -> AccountId {
        self.db(|c| {
            super::store::user(c, ORG, scim_id)
                .expect("user")
                .expect("exists")
                .account
        })
    }

    /// Runs `f` in a committed transaction, for the admin-side functions (link_group...).
    pub fn admin<T>(&self, f: impl FnOnce(&TestPlatform, &rusqlite::Transaction<'_>) -> T) -> T {
        let mut c = self.conn.lock();
        let tx = c.transaction().expect("tx");
        let p = TestPlatform::new(Arc::new(SeededIds::new(99)));
        let out = f(&p, &tx);
        tx.commit().expect("commit");
        out
    }
}
