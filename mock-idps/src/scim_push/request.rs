//! Turning a planned [`Step`] into the exact request on the wire: URL, query, headers, body.
//! Pure; the executor only sends what this renders.

use super::dialect::ScimDialect;
use super::knowledge::Knowledge;
use super::plan::PlanError;
use super::step::{Method, Step, Target};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;
use serde_json::Value;

/// RFC 3986 unreserved characters stay; everything else is percent-encoded (spaces as `%20`,
/// as Okta's documented lookups show).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The SCIM server's bearer token. Never printed: Debug and evidence show it redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct BearerToken(String);

impl BearerToken {
    pub fn new(token: impl Into<String>) -> Self {
        BearerToken(token.into())
    }

    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BearerToken(<redacted>)")
    }
}

/// What the evidence shows in place of the token.
pub const REDACTED_AUTHORIZATION: &str = "Bearer <redacted>";

/// The headers a dialect sends, overridable per client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WireHeaders {
    pub user_agent: String,
    pub accept: String,
    /// Content-Type of request bodies.
    pub content_type: String,
}

impl WireHeaders {
    pub fn of(d: &ScimDialect) -> Self {
        WireHeaders {
            user_agent: d.user_agent.into(),
            accept: d.accept.into(),
            content_type: d.content_type.into(),
        }
    }
}

/// A request ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub method: Method,
    pub url: String,
    /// Every header but Authorization, in sending order.
    pub headers: Vec<(String, String)>,
    pub authorization: BearerToken,
    pub body: Option<String>,
}

impl Prepared {
    /// The headers as the evidence records them: Authorization first, redacted.
    pub fn recorded_headers(&self) -> Vec<(String, String)> {
        let mut h = vec![(
            "authorization".to_string(),
            REDACTED_AUTHORIZATION.to_string(),
        )];
        h.extend(self.headers.iter().cloned());
        h
    }

    /// The body as JSON (tests and evidence).
    pub fn json(&self) -> Option<Value> {
        self.body
            .as_deref()
            .and_then(|b| serde_json::from_str(b).ok())
    }

    /// Path and query below the base URL, e.g. `/Users?filter=...`.
    pub fn path_below(&self, base_url: &str) -> String {
        let base = base_url
            .split('?')
            .next()
            .unwrap_or("")
            .trim_end_matches('/');
        self.url.strip_prefix(base).unwrap_or(&self.url).to_string()
    }
}

fn encode(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

/// The SCIM id behind a target, from what the client knows.
fn resolve(target: &Target, known: &Knowledge) -> Result<String, PlanError> {
    Ok(match target {
        Target::Users => "/Users".into(),
        Target::Groups => "/Groups".into(),
        Target::User(idp) => {
            let k = known
                .user(idp)
                .ok_or_else(|| PlanError::UnknownUser(idp.clone()))?;
            format!("/Users/{}", encode(&k.scim_id))
        }
        Target::Group(idp) => {
            let k = known
                .group(idp)
                .ok_or_else(|| PlanError::UnknownGroup(idp.clone()))?;
            format!("/Groups/{}", encode(&k.scim_id))
        }
    })
}

/// The wire form of `step` against `base_url` (which may carry a query of its own).
pub fn render(
    step: &Step,
    base_url: &str,
    wire: &WireHeaders,
    token: &BearerToken,
    known: &Knowledge,
) -> Result<Prepared, PlanError> {
    let (base, base_query) = match base_url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (base_url, None),
    };
    let mut url = format!(
        "{}{}",
        base.trim_end_matches('/'),
        resolve(&step.target, known)?
    );
    let mut query: Vec<String> = base_query
        .filter(|q| !q.is_empty())
        .map(|q| vec![q.to_string()])
        .unwrap_or_default();
    query.extend(
        step.query
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v))),
    );
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query.join("&"));
    }
    let body = match &step.body {
        None => None,
        // Most bodies go out as planned: serialised in place, not copied first.
        Some(b) if !step.body_id => Some(b.to_string()),
        Some(b) => {
            let mut b = b.clone();
            if step.body_id {
                let id = match &step.target {
                    Target::User(idp) => known.user(idp).map(|k| k.scim_id.clone()),
                    Target::Group(idp) => known.group(idp).map(|k| k.scim_id.clone()),
                    _ => None,
                };
                if let (Some(id), Some(m)) = (id, b.as_object_mut()) {
                    m.insert("id".into(), Value::String(id));
                }
            }
            Some(b.to_string())
        }
    };
    let mut headers = vec![
        ("user-agent".to_string(), wire.user_agent.clone()),
        ("accept".to_string(), wire.accept.clone()),
    ];
    if body.is_some() {
        headers.push(("content-type".to_string(), wire.content_type.clone()));
    }
    Ok(Prepared {
        method: step.method,
        url,
        headers,
        authorization: token.clone(),
        body,
    })
}
