//! Response helpers the protocol handlers share: the notes and messages a handler attaches for
//! the tenant's request log, the plain-text 404, the query as a map, and open mode's loopback
//! redirect rule. Nothing here knows tenants or routes.

use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A note a handler attaches to its response for the tenant's request log.
#[derive(Debug, Clone)]
pub struct LogNote(pub String);

/// Attach a log note to a response.
pub fn noted(mut resp: Response, note: impl Into<String>) -> Response {
    resp.extensions_mut().insert(LogNote(note.into()));
    resp
}

/// A protocol message of one exchange, kept in the tenant's request log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogMessage {
    /// `AuthnRequest` or `SAMLResponse` (XML), or `id_token` (the JWT of a token answer).
    pub kind: String,
    pub content: String,
}

/// Messages a handler attaches to its response for the tenant's request log.
#[derive(Debug, Clone, Default)]
pub struct LogMessages(pub Vec<LogMessage>);

/// Add a message to a response's log messages.
pub fn with_message(mut resp: Response, kind: &str, content: impl Into<String>) -> Response {
    let msg = LogMessage {
        kind: kind.to_string(),
        content: content.into(),
    };
    match resp.extensions_mut().get_mut::<LogMessages>() {
        Some(m) => m.0.push(msg),
        None => {
            resp.extensions_mut().insert(LogMessages(vec![msg]));
        }
    }
    resp
}

pub(crate) fn query_map(query: Option<&str>) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

pub(crate) fn not_found(msg: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        Body::from(msg.to_string()),
    )
        .into_response()
}

/// Whether `uri` is an http(s) URL on a loopback host (open mode's redirect_uri rule).
pub fn is_loopback_redirect(uri: &str) -> bool {
    let Ok(u) = url::Url::parse(uri) else {
        return false;
    };
    if !matches!(u.scheme(), "http" | "https") {
        return false;
    }
    match u.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}
