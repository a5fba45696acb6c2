//! The control API's answers: JSON errors `{"error","message"}`, body parsing, and the tenant a
//! path names. Every control handler, the Single Logout ones included, answers through these.

use crate::personality::Vendor;
use crate::registry::MockIdps;
use crate::tenant::{ServerError, SharedTenant};
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::json;

/// Largest control-API body accepted.
pub const MAX_BODY: usize = 1 << 20;

/// A control-API error answer.
#[derive(Debug)]
pub struct ApiError(
    pub(crate) StatusCode,
    pub(crate) &'static str,
    pub(crate) String,
);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({"error": self.1, "message": self.2}))).into_response()
    }
}

impl From<ServerError> for ApiError {
    fn from(e: ServerError) -> Self {
        let (status, code) = match &e {
            ServerError::TenantExists { .. } => (StatusCode::CONFLICT, "conflict"),
            ServerError::NoSuchTenant { .. } => (StatusCode::NOT_FOUND, "not_found"),
            _ => (StatusCode::BAD_REQUEST, "invalid_request"),
        };
        ApiError(status, code, e.to_string())
    }
}

/// A 400 with `msg` (a message or a typed error, by its text).
pub(crate) fn bad(msg: impl std::fmt::Display) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, "invalid_request", msg.to_string())
}

/// A 404 with `msg` (a message or a typed error, by its text).
pub(crate) fn not_found(msg: impl std::fmt::Display) -> ApiError {
    ApiError(StatusCode::NOT_FOUND, "not_found", msg.to_string())
}

/// Parse a JSON body ourselves so the error names the problem and is JSON too.
pub(crate) fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| bad(format!("invalid JSON body: {e}")))
}

pub(crate) fn tenant(idps: &MockIdps, vendor: &str, id: &str) -> Result<SharedTenant, ApiError> {
    let v: Vendor = vendor.parse().map_err(not_found)?;
    idps.tenant(v, id)
        .ok_or_else(|| not_found(format!("no tenant {vendor}/{id}")))
}

pub(crate) type R = Result<Response, ApiError>;

/// The answer for a path under `/_idpsim/` that names no control endpoint.
pub fn unknown_endpoint() -> Response {
    not_found("no such control endpoint (see docs/control-api.md)").into_response()
}

pub(crate) fn ok<T: Serialize>(v: T) -> R {
    Ok(Json(v).into_response())
}

pub(crate) fn created<T: Serialize>(v: T) -> R {
    Ok((StatusCode::CREATED, Json(v)).into_response())
}
