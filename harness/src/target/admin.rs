//! The target admin API (docs/target-api.md) as one scenario uses it. Every call is recorded,
//! secrets redacted, for the scenario's evidence.

use reqwest::Method;
use serde_json::{json, Value};

/// Keys whose values never go into evidence.
const SECRET_KEYS: &[&str] = &["client_secret", "password", "token"];
/// How much of an answer the evidence keeps.
const EXCERPT: usize = 1024;

/// The admin API refused a call, or could not be reached.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("{method} {path}: expected {expected}, got {status} {code}: {message}")]
    Refused {
        method: String,
        path: String,
        expected: u16,
        status: u16,
        /// The error body's `code` (the rule), when it has one.
        code: String,
        message: String,
    },
    /// The target has no admin API (a black-box SP): the step has no black-box meaning.
    #[error("{NOT_APPLICABLE}{method} {path} needs the target admin API, which a black-box SP does not have")]
    NoAdminApi { method: String, path: String },
    #[error("{method} {path}: {source}")]
    Http {
        method: String,
        path: String,
        #[source]
        source: reqwest::Error,
    },
}

impl AdminError {
    /// The rule the target named, if it refused.
    pub fn code(&self) -> Option<&str> {
        match self {
            AdminError::Refused { code, .. } => Some(code),
            AdminError::Http { .. } | AdminError::NoAdminApi { .. } => None,
        }
    }
}

/// One scenario's admin session.
#[derive(Debug, Clone)]
pub struct Admin {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
    calls: Vec<Value>,
    /// False for a black-box target: every call is refused as not applicable.
    available: bool,
}

/// How a step error that is "not applicable" (not a failure) begins; the runner reports such a
/// scenario as not applicable, with the rest of the message as the reason.
pub const NOT_APPLICABLE: &str = "not applicable: ";

fn redact(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let v = if SECRET_KEYS.contains(&k.as_str()) {
                        json!("<redacted>")
                    } else {
                        redact(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(redact).collect()),
        other => other.clone(),
    }
}

impl Admin {
    pub fn new(http: reqwest::Client, base: String, token: Option<String>) -> Self {
        Self {
            http,
            base: base.trim_end_matches('/').to_string(),
            token,
            calls: Vec::new(),
            available: true,
        }
    }

    /// The admin session of a target without an admin API.
    pub fn unavailable(http: reqwest::Client) -> Self {
        Self {
            available: false,
            ..Self::new(http, String::new(), None)
        }
    }

    pub fn is_available(&self) -> bool {
        self.available
    }

    /// Every call made so far, as `{method, path, request?, status, response}`.
    pub fn calls(&self) -> &[Value] {
        &self.calls
    }

    /// Record a call made on the target by someone else (an IdP's SCIM push), with the
    /// scenario's own calls.
    pub fn record(&mut self, entry: Value) {
        self.calls.push(entry);
    }

    /// One call; any status is an answer.
    pub async fn call(
        &mut self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Value), AdminError> {
        if !self.available {
            return Err(AdminError::NoAdminApi {
                method: method.to_string(),
                path: path.to_string(),
            });
        }
        let url = format!("{}{path}", self.base);
        let mut req = self.http.request(method.clone(), &url);
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let http_err = |source| AdminError::Http {
            method: method.to_string(),
            path: path.to_string(),
            source,
        };
        let resp = req.send().await.map_err(http_err)?;
        let status = resp.status().as_u16();
        let text = resp.text().await.map_err(http_err)?;
        let value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let mut excerpt = redact(&value);
        if excerpt.is_null() && !text.is_empty() {
            excerpt = json!(text.chars().take(EXCERPT).collect::<String>());
        }
        let mut entry = json!({"method": method.as_str(), "path": path, "status": status});
        if let Some(b) = body {
            entry["request"] = redact(b);
        }
        entry["response"] = excerpt;
        self.calls.push(entry);
        Ok((status, value))
    }

    /// One SCIM call (RFC 7644) to an absolute `url` with the org's bearer token, recorded with
    /// the admin calls. Any status is an answer.
    pub async fn scim(
        &mut self,
        method: Method,
        url: &str,
        token: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Value), AdminError> {
        if !self.available {
            return Err(AdminError::NoAdminApi {
                method: method.to_string(),
                path: url.to_string(),
            });
        }
        let mut req = self
            .http
            .request(method.clone(), url)
            .bearer_auth(token)
            .header("accept", "application/scim+json");
        if let Some(b) = body {
            req = req
                .header("content-type", "application/scim+json")
                .body(b.to_string());
        }
        let http_err = |source| AdminError::Http {
            method: method.to_string(),
            path: url.to_string(),
            source,
        };
        let resp = req.send().await.map_err(http_err)?;
        let status = resp.status().as_u16();
        let text = resp.text().await.map_err(http_err)?;
        let value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let mut entry = json!({"method": method.as_str(), "scim": url, "status": status});
        if let Some(b) = body {
            entry["request"] = redact(b);
        }
        entry["response"] = redact(&value);
        self.calls.push(entry);
        Ok((status, value))
    }

    /// One call that must answer `expected`.
    pub async fn expect(
        &mut self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        expected: u16,
    ) -> Result<Value, AdminError> {
        let (status, v) = self.call(method.clone(), path, body).await?;
        if status != expected {
            return Err(AdminError::Refused {
                method: method.to_string(),
                path: path.to_string(),
                expected,
                status,
                code: v["code"].as_str().unwrap_or("").to_string(),
                message: v["message"].as_str().unwrap_or("").to_string(),
            });
        }
        Ok(v)
    }

    /// `POST /orgs`: mode `basic` | `managed`, plus optional NewOrg fields.
    pub async fn create_org(&mut self, slug: &str, mode: &str) -> Result<Value, AdminError> {
        let body = json!({"slug": slug, "mode": mode});
        self.expect(Method::POST, "/orgs", Some(&body), 201).await
    }

    /// `PATCH /orgs/{org}` with an OrgPatch (default role, session timeout, SSO enforced,
    /// IdP-initiated).
    pub async fn patch_org(&mut self, org: &str, patch: Value) -> Result<Value, AdminError> {
        self.expect(Method::PATCH, &format!("/orgs/{org}"), Some(&patch), 200)
            .await
    }

    /// `PUT /orgs/{org}/sso` with an SsoConfig.
    pub async fn configure_sso(&mut self, org: &str, cfg: &Value) -> Result<Value, AdminError> {
        self.expect(Method::PUT, &format!("/orgs/{org}/sso"), Some(cfg), 200)
            .await
    }

    /// `GET /orgs/{org}/sso`: the stored configuration, or None.
    pub async fn sso(&mut self, org: &str) -> Result<Option<Value>, AdminError> {
        let (s, v) = self
            .call(Method::GET, &format!("/orgs/{org}/sso"), None)
            .await?;
        Ok((s == 200).then_some(v))
    }

    /// `POST /users`: a personal account with a password and emails.
    pub async fn create_user(
        &mut self,
        username: &str,
        password: &str,
        emails: &[&str],
    ) -> Result<Value, AdminError> {
        let body = json!({"username": username, "password": password, "emails": emails});
        self.expect(Method::POST, "/users", Some(&body), 201).await
    }

    /// `GET /users/{username}`: the account, or None.
    pub async fn user(&mut self, username: &str) -> Result<Option<Value>, AdminError> {
        let (s, v) = self
            .call(Method::GET, &format!("/users/{username}"), None)
            .await?;
        Ok((s == 200).then_some(v))
    }

    /// `PATCH /users/{username}`.
    pub async fn patch_user(&mut self, username: &str, patch: Value) -> Result<Value, AdminError> {
        self.expect(
            Method::PATCH,
            &format!("/users/{username}"),
            Some(&patch),
            200,
        )
        .await
    }

    /// `POST /orgs/{org}/members`.
    pub async fn add_member(
        &mut self,
        org: &str,
        username: &str,
        role: &str,
        external_collaborator: bool,
    ) -> Result<Value, AdminError> {
        let body = json!({"username": username, "role": role,
                          "external_collaborator": external_collaborator});
        self.expect(
            Method::POST,
            &format!("/orgs/{org}/members"),
            Some(&body),
            201,
        )
        .await
    }

    /// `GET /orgs/{org}/members/{username}`: the member, or None.
    pub async fn member(&mut self, org: &str, username: &str) -> Result<Option<Value>, AdminError> {
        let (s, v) = self
            .call(
                Method::GET,
                &format!("/orgs/{org}/members/{username}"),
                None,
            )
            .await?;
        Ok((s == 200).then_some(v))
    }

    /// `GET /orgs/{org}/members`.
    pub async fn members(&mut self, org: &str) -> Result<Value, AdminError> {
        self.expect(Method::GET, &format!("/orgs/{org}/members"), None, 200)
            .await
    }

    /// `DELETE /orgs/{org}/members/{username}`.
    pub async fn remove_member(&mut self, org: &str, username: &str) -> Result<(), AdminError> {
        self.expect(
            Method::DELETE,
            &format!("/orgs/{org}/members/{username}"),
            None,
            204,
        )
        .await
        .map(|_| ())
    }

    /// `POST /orgs/{org}/invitations` by email.
    pub async fn invite(
        &mut self,
        org: &str,
        email: &str,
        role: &str,
    ) -> Result<Value, AdminError> {
        let body = json!({"email": email, "role": role});
        self.expect(
            Method::POST,
            &format!("/orgs/{org}/invitations"),
            Some(&body),
            201,
        )
        .await
    }

    /// `GET /orgs/{org}/invitations`.
    pub async fn invitations(&mut self, org: &str) -> Result<Value, AdminError> {
        self.expect(Method::GET, &format!("/orgs/{org}/invitations"), None, 200)
            .await
    }

    /// `POST /orgs/{org}/resource-groups`.
    pub async fn create_resource_group(
        &mut self,
        org: &str,
        name: &str,
    ) -> Result<Value, AdminError> {
        let body = json!({"name": name});
        self.expect(
            Method::POST,
            &format!("/orgs/{org}/resource-groups"),
            Some(&body),
            201,
        )
        .await
    }

    /// `PUT /orgs/{org}/resource-groups/{group}/members/{username}`.
    pub async fn place_in_resource_group(
        &mut self,
        org: &str,
        group: &str,
        username: &str,
        role: &str,
    ) -> Result<Value, AdminError> {
        let body = json!({"role": role});
        self.expect(
            Method::PUT,
            &format!("/orgs/{org}/resource-groups/{group}/members/{username}"),
            Some(&body),
            200,
        )
        .await
    }

    /// `GET /orgs/{org}/resource-groups`.
    pub async fn resource_groups(&mut self, org: &str) -> Result<Value, AdminError> {
        self.expect(
            Method::GET,
            &format!("/orgs/{org}/resource-groups"),
            None,
            200,
        )
        .await
    }

    /// `POST /repos`: a repository owned by an org or user, optionally in a resource group.
    pub async fn create_repo(
        &mut self,
        owner: &str,
        name: &str,
        resource_group: Option<&str>,
    ) -> Result<Value, AdminError> {
        let mut body = json!({"owner": owner, "name": name});
        if let Some(g) = resource_group {
            body["resource_group"] = json!(g);
        }
        self.expect(Method::POST, "/repos", Some(&body), 201).await
    }

    /// `GET /orgs/{org}`.
    pub async fn org(&mut self, org: &str) -> Result<Value, AdminError> {
        self.expect(Method::GET, &format!("/orgs/{org}"), None, 200)
            .await
    }

    /// `POST /clock/advance` (capability `clock`).
    pub async fn advance_clock(&mut self, seconds: i64) -> Result<Value, AdminError> {
        let body = json!({"seconds": seconds});
        self.expect(Method::POST, "/clock/advance", Some(&body), 200)
            .await
    }

    /// `POST /orgs/{org}/scim-tokens`: `{token, scim_base_url}`.
    pub async fn scim_token(&mut self, org: &str) -> Result<Value, AdminError> {
        self.expect(Method::POST, &format!("/orgs/{org}/scim-tokens"), None, 201)
            .await
    }
}
