//! OAuth 2.0 / OIDC errors with their spec codes, and their three HTTP forms: a JSON body at the
//! token endpoint (RFC 6749 5.2), a redirect to the client (RFC 6749 4.1.2.1), and a
//! `WWW-Authenticate: Bearer` challenge at userinfo (RFC 6750 3).

use super::{json, no_store, redirect};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::json;

/// An OAuth error code. Unknown codes (from a scenario's `authorize_error`) pass through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorCode {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    UnsupportedResponseType,
    InvalidScope,
    AccessDenied,
    ServerError,
    InvalidToken,
    Other(String),
}

impl ErrorCode {
    pub fn as_str(&self) -> &str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidClient => "invalid_client",
            ErrorCode::InvalidGrant => "invalid_grant",
            ErrorCode::UnauthorizedClient => "unauthorized_client",
            ErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            ErrorCode::UnsupportedResponseType => "unsupported_response_type",
            ErrorCode::InvalidScope => "invalid_scope",
            ErrorCode::AccessDenied => "access_denied",
            ErrorCode::ServerError => "server_error",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::Other(s) => s,
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An OAuth error with its description.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {description}")]
pub struct OAuthError {
    pub code: ErrorCode,
    pub description: String,
}

impl OAuthError {
    pub fn new(code: ErrorCode, description: impl Into<String>) -> Self {
        Self {
            code,
            description: description.into(),
        }
    }

    pub fn invalid_request(d: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidRequest, d)
    }

    pub fn invalid_grant(d: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidGrant, d)
    }

    pub fn invalid_client(d: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidClient, d)
    }

    /// The token endpoint's JSON error. `basic_attempted`: the client tried HTTP Basic, so an
    /// invalid_client answer is a 401 with a Basic challenge (RFC 6749 5.2).
    pub fn token_response(&self, basic_attempted: bool, realm: &str) -> Response {
        let status = match self.code {
            ErrorCode::InvalidClient if basic_attempted => StatusCode::UNAUTHORIZED,
            ErrorCode::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        };
        let mut resp = no_store(json(
            status,
            &json!({"error": self.code.as_str(), "error_description": self.description}),
        ));
        if status == StatusCode::UNAUTHORIZED {
            let challenge = format!("Basic realm=\"{}\"", quote_safe(realm));
            if let Ok(v) = HeaderValue::from_str(&challenge) {
                resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
            }
        }
        resp
    }

    /// Redirect the error to the client's (already validated) redirect URI, with `state`.
    pub fn redirect_response(&self, redirect_uri: &url::Url, state: Option<&str>) -> Response {
        let mut u = redirect_uri.clone();
        {
            let mut q = u.query_pairs_mut();
            q.append_pair("error", self.code.as_str());
            q.append_pair("error_description", &self.description);
            if let Some(s) = state {
                q.append_pair("state", s);
            }
        }
        redirect(u.as_str())
    }

    /// userinfo's 401 with `WWW-Authenticate: Bearer error=...` (RFC 6750 3).
    pub fn bearer_response(&self, realm: &str) -> Response {
        let status = match self.code {
            ErrorCode::InvalidRequest => StatusCode::BAD_REQUEST,
            _ => StatusCode::UNAUTHORIZED,
        };
        let mut resp = no_store(json(
            status,
            &json!({"error": self.code.as_str(), "error_description": self.description}),
        ));
        let challenge = format!(
            "Bearer realm=\"{}\", error=\"{}\", error_description=\"{}\"",
            quote_safe(realm),
            quote_safe(self.code.as_str()),
            quote_safe(&self.description)
        );
        if let Ok(v) = HeaderValue::from_str(&challenge) {
            resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
        resp
    }
}

/// Keep a value inside a quoted-string of a challenge: printable ASCII without `"` and `\`.
fn quote_safe(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '"' | '\\' => '\'',
            c if c.is_ascii_graphic() || c == ' ' => c,
            _ => '?',
        })
        .collect()
}
