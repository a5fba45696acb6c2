//! RP-initiated logout. There is no IdP session to end; what matters to an RP is where it lands:
//! its `post_logout_redirect_uri` when that is registered for the client (open mode: any loopback
//! URL), else a plain "signed out" page. The `id_token_hint` is checked loosely: signed by this
//! tenant and issued by it, expiry ignored.

use super::params::{InputError, Repeated};
use super::provider::Provider;
use super::{clip, redirect, text_page, Input};
use crate::respond::{is_loopback_redirect, noted};
use crate::tenant::Mode;
use axum::http::StatusCode;
use axum::response::Response;
use protocols::jose::{JoseError, Jwks};
use serde_json::Value;

/// Why an end-session request signs out without redirecting (the log note).
#[derive(Debug, thiserror::Error)]
enum NoRedirect {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Repeated(#[from] Repeated),
    #[error(transparent)]
    Jwks(JoseError),
    #[error("id_token_hint rejected: {0}")]
    HintRejected(#[source] JoseError),
    #[error("id_token_hint was issued by someone else")]
    ForeignHint,
    #[error("id_token_hint has an empty aud")]
    EmptyAudience,
    #[error("id_token_hint has no aud")]
    NoAudience,
    #[error("client_id differs from the id_token_hint's audience")]
    ClientMismatch,
    #[error("post_logout_redirect_uri {0:?} is not registered")]
    Unregistered(String),
    #[error(transparent)]
    BadUrl(#[from] url::ParseError),
}

/// The client an id_token_hint names, when the hint is this tenant's.
fn hint_client(op: &Provider, hint: &str) -> Result<String, NoRedirect> {
    let keys = op.t.state.lock().keys.all().to_vec();
    let jwks = Jwks::from_keys(&keys).map_err(NoRedirect::Jwks)?;
    let decoded = protocols::jose::verify(hint, &jwks, &["RS256", "ES256"])
        .map_err(NoRedirect::HintRejected)?;
    if decoded.claims.get("iss").and_then(Value::as_str) != Some(op.issuer().as_str()) {
        return Err(NoRedirect::ForeignHint);
    }
    match decoded.claims.get("aud") {
        Some(Value::String(a)) => Ok(a.clone()),
        Some(Value::Array(a)) => a
            .first()
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or(NoRedirect::EmptyAudience),
        _ => Err(NoRedirect::NoAudience),
    }
}

/// Where to send the browser, or why not.
fn destination(op: &Provider, input: &Input) -> Result<Option<url::Url>, NoRedirect> {
    let params = input.params().as_ref().map_err(|e| e.clone())?;
    let one = |n: &'static str| params.one(n);
    let Some(target) = one("post_logout_redirect_uri")? else {
        return Ok(None);
    };
    let from_hint = match one("id_token_hint")? {
        Some(h) => Some(hint_client(op, h)?),
        None => None,
    };
    let client_id = match (from_hint, one("client_id")?) {
        (Some(h), Some(c)) if h != c => return Err(NoRedirect::ClientMismatch),
        (h, c) => h.or(c.map(str::to_string)),
    };
    let t = op.t;
    let allowed = match client_id.as_deref().and_then(|c| t.oidc_client(c)) {
        Some(c) => c.post_logout_redirect_uris.iter().any(|u| u == target),
        None => t.mode == Mode::Open && is_loopback_redirect(target),
    };
    if !allowed {
        return Err(NoRedirect::Unregistered(clip(target)));
    }
    let mut u = url::Url::parse(target)?;
    if let Some(state) = one("state")? {
        u.query_pairs_mut().append_pair("state", state);
    }
    Ok(Some(u))
}

pub fn end_session(op: &Provider, input: &Input) -> Response {
    let signed_out = || text_page(StatusCode::OK, "Signed out", "You have been signed out.");
    match destination(op, input) {
        Ok(Some(u)) => noted(
            redirect(u.as_str()),
            format!("signed out; back to {}", clip(u.as_str())),
        ),
        Ok(None) => noted(signed_out(), "signed out"),
        Err(why) => noted(
            signed_out(),
            format!("signed out, not redirected: {}", clip(&why.to_string())),
        ),
    }
}
