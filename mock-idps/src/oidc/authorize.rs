//! The authorization endpoint (code flow with PKCE). There is no interactive login: the user is
//! the one the next login names, else the `login_hint`, else the tenant's first active user, so
//! `prompt=none`, `login` and `consent` are all accepted.
//!
//! Order of checks (RFC 6749 4.1.2.1): an unknown client or a redirect URI that is not registered
//! gets an error page and never a redirect; every later error goes back to the redirect URI.

use super::error::{ErrorCode, OAuthError};
use super::params::Params;
use super::provider::Provider;
use super::{clip, html_escape, redirect, text_page, Input};
use crate::personality::{OfflineAccess, OidcPersonality};
use crate::respond::{is_loopback_redirect, noted};
use crate::tenant::{CodeGrant, Mode, OidcClient};
use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Duration;

/// How long an authorization code stays redeemable.
pub const CODE_LIFETIME_SECS: i64 = 60;

/// A PKCE challenge as sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeMethod {
    S256,
    Plain,
}

impl ChallengeMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            ChallengeMethod::S256 => "S256",
            ChallengeMethod::Plain => "plain",
        }
    }
}

/// How the authorization response travels back (OAuth 2.0 Multiple Response Types, Form Post
/// Response Mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResponseMode {
    #[default]
    Query,
    Fragment,
    FormPost,
}

impl ResponseMode {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "query" => Some(Self::Query),
            "fragment" => Some(Self::Fragment),
            "form_post" => Some(Self::FormPost),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Query => "query",
            Self::Fragment => "fragment",
            Self::FormPost => "form_post",
        }
    }
}

/// Send `pairs` to the client's redirect URI in `mode`: a 302 with them in the query or the
/// fragment, or a 200 page whose form posts them there.
pub fn deliver(redirect_uri: &url::Url, mode: ResponseMode, pairs: &[(&str, &str)]) -> Response {
    let encoded = || {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
    };
    match mode {
        ResponseMode::Query => {
            let mut u = redirect_uri.clone();
            u.query_pairs_mut().extend_pairs(pairs);
            redirect(u.as_str())
        }
        ResponseMode::Fragment => {
            let mut u = redirect_uri.clone();
            u.set_fragment(Some(&encoded()));
            redirect(u.as_str())
        }
        ResponseMode::FormPost => {
            let inputs: String = pairs
                .iter()
                .map(|(k, v)| {
                    format!(
                        "<input type=\"hidden\" name=\"{}\" value=\"{}\"/>",
                        html_escape(k),
                        html_escape(v)
                    )
                })
                .collect();
            let body = format!(
                "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Submit This Form</title></head>\
                 <body onload=\"javascript:document.forms[0].submit()\">\
                 <form method=\"post\" action=\"{}\">{inputs}\
                 <noscript><button type=\"submit\">Continue</button></noscript></form></body></html>\n",
                html_escape(redirect_uri.as_str())
            );
            (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                    (header::CACHE_CONTROL, "no-store"),
                ],
                Body::from(body),
            )
                .into_response()
        }
    }
}

/// An OAuth error at the client's redirect URI, in `mode`.
pub fn deliver_error(
    redirect_uri: &url::Url,
    mode: ResponseMode,
    state: Option<&str>,
    error: &OAuthError,
) -> Response {
    let mut pairs = vec![
        ("error", error.code.as_str()),
        ("error_description", error.description.as_str()),
    ];
    if let Some(s) = state {
        pairs.push(("state", s));
    }
    deliver(redirect_uri, mode, &pairs)
}

/// A validated authorization request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthRequest {
    pub client_id: String,
    /// As sent (the token request must repeat it exactly).
    pub redirect_uri: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    /// Granted scopes: the requested ones this vendor knows, in request order.
    pub scopes: Vec<String>,
    pub code_challenge: Option<(String, ChallengeMethod)>,
    pub login_hint: Option<String>,
    pub response_mode: ResponseMode,
    /// The token response will carry a refresh token (`offline_access`, or Google's
    /// `access_type=offline` with `prompt=consent`).
    pub offline: bool,
}

/// Why an authorization request is refused, and how the refusal is delivered.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// The client or its redirect URI cannot be trusted: an error page, never a redirect.
    Page(String),
    /// Tell the client at its (validated) redirect URI.
    Redirect {
        redirect_uri: Box<url::Url>,
        state: Option<String>,
        mode: ResponseMode,
        error: OAuthError,
    },
}

/// RFC 7636 4.1: 43 to 128 characters of `[A-Z a-z 0-9 - . _ ~]`; the same rule covers a
/// plain challenge and an S256 one (base64url of 32 bytes is 43 characters).
pub fn valid_pkce_value(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// Check an authorization request. `client` is the registration of the request's client_id,
/// when there is one; `lookup` finds it.
pub fn validate(
    mode: Mode,
    o: &OidcPersonality,
    params: &Params,
    lookup: impl Fn(&str) -> Option<OidcClient>,
) -> Result<AuthRequest, Refusal> {
    let page = |m: String| Refusal::Page(m);
    let client_id = params
        .one("client_id")
        .map_err(|e| page(e.to_string()))?
        .ok_or_else(|| page("client_id is required".into()))?;
    let redirect_raw = params
        .one("redirect_uri")
        .map_err(|e| page(e.to_string()))?
        .ok_or_else(|| page("redirect_uri is required".into()))?;
    let client = lookup(client_id);
    match (&client, mode) {
        (Some(c), _) => {
            if !c.redirect_uris.iter().any(|r| r == redirect_raw) {
                return Err(page(format!(
                    "redirect_uri {redirect_raw:?} is not registered for client {client_id:?}"
                )));
            }
        }
        (None, Mode::Strict) => return Err(page(format!("unknown client {client_id:?}"))),
        (None, Mode::Open) => {
            if !is_loopback_redirect(redirect_raw) {
                return Err(page(format!(
                    "redirect_uri {redirect_raw:?} must be a loopback http(s) URL for an unregistered client"
                )));
            }
        }
    }
    let redirect_uri = url::Url::parse(redirect_raw)
        .map_err(|e| page(format!("redirect_uri {redirect_raw:?} is not a URL: {e}")))?;
    if redirect_uri.fragment().is_some() {
        return Err(page("redirect_uri must not contain a fragment".into()));
    }

    // From here on the client is told at its redirect URI, in the response mode it asked for
    // when that one is valid (query otherwise).
    let state = params.one("state").ok().flatten().map(str::to_string);
    let asked_mode = params.one("response_mode").ok().flatten();
    let response_mode = asked_mode
        .and_then(ResponseMode::parse)
        .filter(|m| o.response_modes.contains(&m.as_str()))
        .unwrap_or_default();
    let fail = |error: OAuthError| Refusal::Redirect {
        redirect_uri: Box::new(redirect_uri.clone()),
        state: state.clone(),
        mode: response_mode,
        error,
    };
    let one = |name: &'static str| {
        params
            .one(name)
            .map_err(|e| fail(OAuthError::invalid_request(e.to_string())))
    };
    one("state")?;
    if let Some(m) = one("response_mode")? {
        if !o.response_modes.contains(&m) {
            return Err(fail(OAuthError::invalid_request(format!(
                "response_mode {:?} is not supported ({})",
                clip(m),
                o.response_modes.join(", ")
            ))));
        }
    }
    if params.contains("request") {
        return Err(fail(OAuthError::new(
            ErrorCode::Other("request_not_supported".into()),
            "request objects are not supported",
        )));
    }
    if params.contains("request_uri") {
        return Err(fail(OAuthError::new(
            ErrorCode::Other("request_uri_not_supported".into()),
            "request_uri is not supported",
        )));
    }
    match one("response_type")? {
        None => {
            return Err(fail(OAuthError::invalid_request(
                "response_type is required",
            )))
        }
        Some("code") => {}
        Some(other) => {
            return Err(fail(OAuthError::new(
                ErrorCode::UnsupportedResponseType,
                format!("response_type {:?} is not supported; use code", clip(other)),
            )))
        }
    }
    let requested: Vec<&str> = one("scope")?
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .collect();
    if !requested.contains(&"openid") {
        return Err(fail(OAuthError::new(
            ErrorCode::InvalidScope,
            "scope must include openid",
        )));
    }
    let mut scopes: Vec<String> = Vec::new();
    for s in requested {
        if o.scopes.contains(&s) && !scopes.iter().any(|g| g == s) {
            scopes.push(s.to_string());
        }
    }
    let nonce = one("nonce")?.map(str::to_string);
    let code_challenge = match (one("code_challenge")?, one("code_challenge_method")?) {
        (None, None) => None,
        (None, Some(_)) => {
            return Err(fail(OAuthError::invalid_request(
                "code_challenge_method without code_challenge",
            )))
        }
        (Some(ch), method) => {
            // RFC 7636 4.3: no method means plain, which Okta does not take (S9).
            let asked = method.unwrap_or("plain");
            let method = match asked {
                "S256" => Some(ChallengeMethod::S256),
                "plain" => Some(ChallengeMethod::Plain),
                _ => None,
            }
            .filter(|m| o.pkce_methods.contains(&m.as_str()))
            .ok_or_else(|| {
                fail(OAuthError::invalid_request(format!(
                    "code_challenge_method {:?} is not supported ({})",
                    clip(asked),
                    o.pkce_methods.join(", ")
                )))
            })?;
            if !valid_pkce_value(ch) {
                return Err(fail(OAuthError::invalid_request(
                    "code_challenge must be 43 to 128 characters of [A-Za-z0-9-._~]",
                )));
            }
            Some((ch.to_string(), method))
        }
    };
    if code_challenge.is_none() && client.as_ref().is_some_and(|c| c.require_pkce) {
        return Err(fail(OAuthError::invalid_request(
            "this client must use PKCE (code_challenge)",
        )));
    }
    let prompt: Vec<&str> = one("prompt")?
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .collect();
    if prompt.contains(&"none") && prompt.len() > 1 {
        return Err(fail(OAuthError::invalid_request(
            "prompt=none cannot be combined with other values",
        )));
    }
    let offline = match o.offline {
        // access_type is not a parameter these vendors define: ignored (RFC 6749 3.1).
        OfflineAccess::Scope => scopes.iter().any(|s| s == "offline_access"),
        // S14: online (default) or offline; a refresh token comes with the consent that grants
        // offline access, which the mock models as prompt=consent.
        OfflineAccess::AccessTypeOfflineWithConsent => match one("access_type")? {
            None | Some("online") => false,
            Some("offline") => prompt.contains(&"consent"),
            Some(other) => {
                return Err(fail(OAuthError::invalid_request(format!(
                    "Invalid access_type: {} (online, offline)",
                    clip(other)
                ))))
            }
        },
    };
    let login_hint = one("login_hint")?.map(str::to_string);
    Ok(AuthRequest {
        client_id: client_id.to_string(),
        redirect_uri: redirect_raw.to_string(),
        state,
        nonce,
        scopes,
        code_challenge,
        login_hint,
        response_mode,
        offline,
    })
}

pub fn authorize(op: &Provider, input: &Input) -> Response {
    let t = op.t;
    let params = match input.params() {
        Ok(p) => p,
        Err(e) => {
            return noted(
                text_page(
                    StatusCode::BAD_REQUEST,
                    "Bad authorization request",
                    &e.to_string(),
                ),
                format!("authorize refused: {e}"),
            )
        }
    };
    let req = match validate(t.mode, op.oidc, params, |id| t.oidc_client(id)) {
        Ok(r) => r,
        Err(Refusal::Page(msg)) => {
            return noted(
                text_page(StatusCode::BAD_REQUEST, "Bad authorization request", &msg),
                format!("authorize refused with an error page: {}", clip(&msg)),
            )
        }
        Err(Refusal::Redirect {
            redirect_uri,
            state,
            mode,
            error,
        }) => {
            return noted(
                deliver_error(&redirect_uri, mode, state.as_deref(), &error),
                format!("authorize error redirected: {}", clip(&error.to_string())),
            )
        }
    };
    // Only a well-formed request from a trusted client spends the next login.
    let login = t.take_next_login();
    if let Err(e) = login.oidc.check() {
        let e = e.to_string();
        return noted(
            text_page(StatusCode::BAD_REQUEST, "Bad next-login overrides", &e),
            format!("authorize refused: next-login {}", clip(&e)),
        );
    }
    let attack = login.oidc.attack;
    let tell = |error: OAuthError| {
        // validate() parsed this URI already.
        match url::Url::parse(&req.redirect_uri) {
            Ok(u) => noted(
                deliver_error(&u, req.response_mode, req.state.as_deref(), &error),
                format!("authorize error redirected: {}", clip(&error.to_string())),
            ),
            Err(e) => noted(
                text_page(
                    StatusCode::BAD_REQUEST,
                    "Bad authorization request",
                    &e.to_string(),
                ),
                "authorize refused: redirect_uri unparsable",
            ),
        }
    };
    if let Some(code) = &login.oidc.authorize_error {
        return tell(OAuthError::new(
            ErrorCode::Other(code.clone()),
            "error requested by the next-login override",
        ));
    }
    let now = t.now();
    let user = {
        let st = t.state.lock();
        let dir = &st.directory;
        match login.user.as_deref().or(req.login_hint.as_deref()) {
            Some(key) => dir
                .find(key)
                .cloned()
                .ok_or_else(|| format!("no user {:?}", clip(key))),
            None => dir
                .users()
                .iter()
                .find(|u| u.active)
                .cloned()
                .ok_or_else(|| "the tenant has no active user".to_string()),
        }
    };
    let user = match user {
        Ok(u) if u.active => u,
        Ok(u) => {
            return tell(OAuthError::new(
                ErrorCode::AccessDenied,
                format!("user {} is deactivated", u.login),
            ))
        }
        Err(msg) => return tell(OAuthError::new(ErrorCode::AccessDenied, msg)),
    };
    let code = t.ids.token(32);
    let grant = CodeGrant {
        server: op.server.clone(),
        offline: req.offline,
        client_id: req.client_id.clone(),
        redirect_uri: req.redirect_uri.clone(),
        user_id: user.id.clone(),
        nonce: req.nonce.clone(),
        scopes: req.scopes.clone(),
        code_challenge: req
            .code_challenge
            .as_ref()
            .map(|(c, m)| (c.clone(), m.as_str().to_string())),
        login,
        auth_time: now,
        expires: now + Duration::seconds(CODE_LIFETIME_SECS),
    };
    {
        let mut st = t.state.lock();
        st.codes.retain(|_, g| g.expires > now);
        st.codes.insert(code.clone(), grant);
    }
    let location = match url::Url::parse(&req.redirect_uri) {
        Ok(u) => u,
        Err(e) => {
            return noted(
                text_page(
                    StatusCode::BAD_REQUEST,
                    "Bad authorization request",
                    &e.to_string(),
                ),
                "authorize refused: redirect_uri unparsable",
            )
        }
    };
    let mut pairs = vec![("code", code.clone())];
    // The state attacks of the catalogue (OIDC-STATE-1) act here.
    if let Some(s) = protocols::jose::attacks::callback_state(attack, req.state.as_deref()) {
        pairs.push(("state", s));
    }
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    noted(
        deliver(&location, req.response_mode, &pairs),
        format!(
            "code issued to {} for client {}{}{}",
            user.login,
            clip(&req.client_id),
            match req.response_mode {
                ResponseMode::Query => "",
                ResponseMode::Fragment => " (fragment)",
                ResponseMode::FormPost => " (form_post)",
            },
            if req.code_challenge.is_some() {
                " (PKCE)"
            } else {
                ""
            }
        ),
    )
}
