//! Request bodies read by hand, so that every malformed one gets a clear JSON error rather than
//! axum's plain-text rejection.

use super::error::ApiError;
use axum::body::{to_bytes, Body};
use axum::http::{header, HeaderMap};
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;

/// Bodies larger than this are refused.
pub const MAX_BODY: usize = 1 << 20;

pub async fn bytes(body: Body) -> Result<axum::body::Bytes, ApiError> {
    to_bytes(body, MAX_BODY).await.map_err(|_| {
        ApiError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "invalid-request",
            "body-too-large",
            format!("the body is larger than {MAX_BODY} bytes or could not be read"),
        )
    })
}

/// A JSON body into `T`; an empty body reads as `{}`.
pub async fn json<T: DeserializeOwned>(headers: &HeaderMap, body: Body) -> Result<T, ApiError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // Lenient on purpose: `curl -d` sends form-urlencoded; anything else that is not JSON is
    // refused.
    let ct_l = ct.to_ascii_lowercase();
    let acceptable = ct.is_empty()
        || ct_l.contains("json")
        || ct_l.starts_with("application/x-www-form-urlencoded")
        || ct_l.starts_with("text/plain");
    if !acceptable {
        return Err(ApiError::new(
            axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "invalid-request",
            "unsupported-media-type",
            format!("expected a JSON body, got content-type {ct:?}"),
        ));
    }
    let b = bytes(body).await?;
    let b: &[u8] = if b.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        &b
    };
    serde_json::from_slice(b)
        .map_err(|e| ApiError::invalid("malformed-json", format!("the JSON body is invalid: {e}")))
}

/// A form body (or query string) as a map; a repeated key keeps its first value.
pub fn form(raw: &[u8]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (k, v) in url::form_urlencoded::parse(raw) {
        out.entry(k.into_owned()).or_insert_with(|| v.into_owned());
    }
    out
}

/// The form fields of a request: urlencoded or JSON object of strings.
pub async fn form_or_json(
    headers: &HeaderMap,
    body: Body,
) -> Result<BTreeMap<String, String>, ApiError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ct.contains("json") {
        let v: BTreeMap<String, serde_json::Value> = json(headers, body).await?;
        return Ok(v
            .into_iter()
            .filter_map(|(k, v)| match v {
                serde_json::Value::String(s) => Some((k, s)),
                serde_json::Value::Null => None,
                other => Some((k, other.to_string())),
            })
            .collect());
    }
    Ok(form(&bytes(body).await?))
}

/// Whether `to` is a same-site path safe to redirect to (no open redirect).
pub fn local_path(to: &str) -> bool {
    to.starts_with('/')
        && !to.starts_with("//")
        && !to.starts_with("/\\")
        && !to.chars().any(|c| c.is_control())
}
