//! The OpenID Connect provider of every tenant: discovery, JWKS, authorize (code + PKCE), token
//! (authorization_code and refresh_token; client_secret_basic and client_secret_post), userinfo
//! and end-session.
//!
//! Shape: [`serve`] reads the request once (bounded), hands a plain [`Input`] to one sync handler
//! per endpoint, and each handler returns a response with a note for the request log. What goes
//! into an id_token is decided by the pure functions in [`claims`]; the handlers only look up
//! tenant state, call them and translate the outcome to HTTP. Time comes from `tenant.now()` and
//! every code, token and id from `tenant.ids`.
//!
//! Files: [`params`] (bounded form/query parsing), [`error`] (OAuth error codes and their HTTP
//! forms), [`discovery`] (metadata and JWKS), [`authorize`], [`token`], [`userinfo`],
//! [`end_session`].

pub mod authorize;
pub mod claims;
pub mod discovery;
pub mod end_session;
pub mod error;
pub mod multi_tenant;
pub mod params;
pub mod provider;
pub mod token;
pub mod userinfo;

use crate::respond::noted;
use crate::routes::{AuthzServer, OidcEndpoint};
use crate::tenant::{SharedTenant, Tenant};
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use params::{InputError, Params};

/// Largest request body any OIDC endpoint reads.
pub const MAX_BODY: usize = 64 * 1024;

/// One request, read and bounded, as the handlers see it.
#[derive(Debug)]
pub struct Input {
    pub method: Method,
    pub headers: HeaderMap,
    /// Query parameters (authorize GET, end-session GET).
    pub query: Result<Params, InputError>,
    /// Form body parameters (POST); empty for other methods.
    pub form: Result<Params, InputError>,
    /// The body was not `application/x-www-form-urlencoded` (POST only).
    pub form_content_type_ok: bool,
}

impl Input {
    /// The parameters of a request that may come as GET query or POST form (authorize, userinfo,
    /// end-session): the form for POST, the query otherwise.
    pub fn params(&self) -> &Result<Params, InputError> {
        if self.method == Method::POST {
            &self.form
        } else {
            &self.query
        }
    }
}

/// Serve one OIDC endpoint of `tenant`.
pub async fn serve(
    tenant: SharedTenant,
    endpoint: OidcEndpoint,
    server: AuthzServer,
    req: Request,
) -> Response {
    let input = read_input(req).await;
    handle(&tenant, endpoint, server, &input)
}

/// Read a request once, bounded, into an [`Input`].
pub async fn read_input(req: Request) -> Input {
    let (parts, body) = req.into_parts();
    let is_post = parts.method == Method::POST;
    let query = Params::parse(parts.uri.query().unwrap_or("").as_bytes());
    let (form, form_content_type_ok) = if is_post {
        let ct_ok = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
            // An RP that sends no body at all often sends no content type either.
            .unwrap_or(true);
        match axum::body::to_bytes(body, MAX_BODY).await {
            Ok(bytes) => (Params::parse(&bytes), ct_ok),
            Err(_) => (Err(InputError::TooLarge), ct_ok),
        }
    } else {
        (Ok(Params::default()), true)
    };
    Input {
        method: parts.method,
        headers: parts.headers,
        query,
        form,
        form_content_type_ok,
    }
}

/// Route a read request to its handler. Sync: nothing here awaits. An unknown authorization
/// server is refused before anything else, so it spends nothing.
pub fn handle(
    tenant: &Tenant,
    endpoint: OidcEndpoint,
    server: AuthzServer,
    input: &Input,
) -> Response {
    let op = match provider::Provider::resolve(tenant, server) {
        Ok(op) => op,
        Err(e) => return e.response(),
    };
    let allowed: &[Method] = match endpoint {
        OidcEndpoint::Discovery | OidcEndpoint::Jwks | OidcEndpoint::AuthServerMetadata => {
            &[Method::GET, Method::HEAD]
        }
        OidcEndpoint::Token => &[Method::POST],
        // No HEAD: an authorization has side effects (it spends the next login, mints a code).
        OidcEndpoint::Authorize | OidcEndpoint::Userinfo | OidcEndpoint::EndSession => {
            &[Method::GET, Method::POST]
        }
    };
    if !allowed.contains(&input.method) {
        return method_not_allowed(allowed);
    }
    match endpoint {
        OidcEndpoint::Discovery => discovery::discovery(&op),
        OidcEndpoint::AuthServerMetadata => discovery::authorization_server_metadata(&op),
        OidcEndpoint::Jwks => discovery::jwks(&op),
        OidcEndpoint::Authorize => authorize::authorize(&op, input),
        OidcEndpoint::Token => token::token(&op, input),
        OidcEndpoint::Userinfo => userinfo::userinfo(&op, input),
        OidcEndpoint::EndSession => end_session::end_session(&op, input),
    }
}

fn method_not_allowed(allowed: &[Method]) -> Response {
    let list = allowed
        .iter()
        .map(Method::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    let mut resp = text_page(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed", &list);
    if let Ok(v) = HeaderValue::from_str(&list) {
        resp.headers_mut().insert(header::ALLOW, v);
    }
    noted(resp, format!("method not allowed (allowed: {list})"))
}

/// A small HTML page for answers a browser sees (errors that must not redirect, signed out).
pub fn text_page(status: StatusCode, title: &str, message: &str) -> Response {
    let body = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{t}</title></head>\
         <body><h1>{t}</h1><p>{m}</p></body></html>\n",
        t = html_escape(title),
        m = html_escape(message),
    );
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        Body::from(body),
    )
        .into_response()
}

/// A JSON answer.
pub fn json(status: StatusCode, value: &serde_json::Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        Body::from(value.to_string()),
    )
        .into_response()
}

/// Add `Cache-Control: no-store` and `Pragma: no-cache` (RFC 6749 5.1).
pub fn no_store(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    resp
}

/// A 302 to `location`. The location was built with `url::Url`, so it is a valid header value;
/// if it still is not, the caller gets a 500 page rather than a panic.
pub fn redirect(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(v) => {
            let mut resp = StatusCode::FOUND.into_response();
            resp.headers_mut().insert(header::LOCATION, v);
            resp.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            resp
        }
        Err(_) => text_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Cannot redirect",
            "the redirect location is not a valid header value",
        ),
    }
}

pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Shorten a caller-supplied value for a log note.
pub(crate) fn clip(s: &str) -> String {
    const MAX: usize = 80;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(MAX).collect::<String>())
    }
}

/// Compare secrets without an early exit on the first differing byte.
pub(crate) fn secret_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && openssl::memcmp::eq(a.as_bytes(), b.as_bytes())
}
