//! The userinfo endpoint: the bearer access token (header, or `access_token` in a POST form per
//! RFC 6750 2.2) buys the profile claims and the same `sub` as the id_token.

use super::claims::{self, IssuerFacts, LoginFacts};
use super::error::{ErrorCode, OAuthError};
use super::provider::Provider;
use super::{json, no_store, Input};
use crate::respond::noted;
use axum::http::{header, Method, StatusCode};
use axum::response::Response;

fn bearer(input: &Input) -> Result<Option<String>, OAuthError> {
    let from_header = match input.headers.get(header::AUTHORIZATION) {
        Some(v) => {
            let v = v.to_str().map_err(|_| {
                OAuthError::invalid_request("the Authorization header is not ASCII")
            })?;
            match v.trim().split_once(' ') {
                Some((scheme, tok))
                    if scheme.eq_ignore_ascii_case("bearer") && !tok.trim().is_empty() =>
                {
                    Some(tok.trim().to_string())
                }
                _ => {
                    return Err(OAuthError::invalid_request(
                        "the Authorization header is not a Bearer token",
                    ))
                }
            }
        }
        None => None,
    };
    let from_form = if input.method == Method::POST {
        match &input.form {
            Ok(f) => f
                .one("access_token")
                .map_err(|e| OAuthError::invalid_request(e.to_string()))?
                .map(str::to_string),
            Err(e) => return Err(OAuthError::invalid_request(e.to_string())),
        }
    } else {
        None
    };
    match (from_header, from_form) {
        (Some(_), Some(_)) => Err(OAuthError::invalid_request("access token sent twice")),
        (a, b) => Ok(a.or(b)),
    }
}

pub fn userinfo(op: &Provider, input: &Input) -> Response {
    let t = op.t;
    let realm = op.issuer();
    let refuse = |e: OAuthError| {
        let note = format!("userinfo refused: {e}");
        noted(e.bearer_response(&realm), note)
    };
    let token = match bearer(input) {
        Ok(Some(tok)) => tok,
        Ok(None) => {
            // RFC 6750 3.1: no credentials, no error code; just the challenge.
            let mut resp = no_store(json(
                StatusCode::UNAUTHORIZED,
                &serde_json::json!({"error": "invalid_request", "error_description": "no access token"}),
            ));
            if let Ok(v) = format!("Bearer realm=\"{realm}\"").parse() {
                resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
            }
            return noted(resp, "userinfo refused: no access token");
        }
        Err(e) => return refuse(e),
    };
    let now = t.now();
    let invalid = |d: &str| OAuthError::new(ErrorCode::InvalidToken, d);
    let (grant, user, groups) = {
        let st = t.state.lock();
        let Some(grant) = st.access_tokens.get(&token).cloned() else {
            drop(st);
            return refuse(invalid("unknown or revoked access token"));
        };
        let Some(user) = st.directory.find(&grant.user_id).cloned() else {
            drop(st);
            return refuse(invalid("the user no longer exists"));
        };
        let groups: Vec<_> = st.directory.groups_of(&user).into_iter().cloned().collect();
        (grant, user, groups)
    };
    if grant.server != op.server {
        return refuse(invalid(
            "the access token was issued by another authorization server",
        ));
    }
    if now >= grant.expires {
        return refuse(invalid("the access token expired"));
    }
    if !user.active {
        return refuse(invalid("the user is deactivated"));
    }
    let p = t.personality();
    let issuer = op.issuer();
    let facts = IssuerFacts {
        oidc: op.oidc,
        issuer: &issuer,
        tenant_id: t.id.as_str(),
        domain: &t.domain,
        group_id: p.ids.group,
    };
    let login = LoginFacts {
        user: &user,
        groups: &groups,
        client_id: &grant.client_id,
        nonce: grant.nonce.as_deref(),
        scopes: &grant.scopes,
        auth_time: grant.auth_time,
        login: &grant.login,
        groups_configured: t
            .oidc_client(&grant.client_id)
            .is_some_and(|c| c.groups_claim),
    };
    let body = serde_json::Value::Object(claims::userinfo_claims(&facts, &login));
    noted(
        no_store(json(StatusCode::OK, &body)),
        format!("userinfo for {}", user.login),
    )
}
