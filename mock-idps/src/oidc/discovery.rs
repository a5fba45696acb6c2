//! `/.well-known/openid-configuration` and the JWKS.

use super::{json, text_page};
use crate::personality::{Personality, SubjectStyle};
use crate::server::noted;
use crate::tenant::Tenant;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use protocols::jose::Jwks;
use protocols::KeyKind;
use serde_json::{json, Value};

/// The discovery document of a tenant, as data: a function of the personality, the tenant's
/// URLs and the kinds of key it publishes.
pub fn metadata(
    p: &Personality,
    issuer: &str,
    url: impl Fn(&str) -> String,
    has_ec: bool,
) -> Value {
    let o = &p.oidc;
    let mut algs = vec!["RS256"];
    if has_ec {
        algs.push("ES256");
    }
    let mut claims: Vec<&str> = vec!["iss", "sub", "aud", "iat", "exp", "nonce", "at_hash"];
    claims.extend(o.fixed_claims.iter().map(|(n, _)| *n));
    claims.extend(o.profile_claims.iter().map(|(n, _, _)| *n));
    claims.extend(o.groups_claim);
    let mut seen = std::collections::BTreeSet::new();
    claims.retain(|c| seen.insert(*c));
    let mut doc = json!({
        "issuer": issuer,
        "authorization_endpoint": url(o.authorize_path),
        "token_endpoint": url(o.token_path),
        "userinfo_endpoint": url(o.userinfo_path),
        "jwks_uri": url(o.jwks_path),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": [match o.subject {
            SubjectStyle::UserId => "public",
            SubjectStyle::Pairwise => "pairwise",
        }],
        "id_token_signing_alg_values_supported": algs,
        "scopes_supported": o.scopes,
        "token_endpoint_auth_methods_supported":
            o.token_auth.iter().map(|a| a.as_str()).collect::<Vec<_>>(),
        "claims_supported": claims,
        "code_challenge_methods_supported": ["S256", "plain"],
        "request_parameter_supported": false,
        "claims_parameter_supported": false,
    });
    if let (Some(path), Some(obj)) = (o.end_session_path, doc.as_object_mut()) {
        obj.insert("end_session_endpoint".into(), json!(url(path)));
    }
    doc
}

pub fn discovery(t: &Tenant) -> Response {
    let has_ec = t
        .state
        .lock()
        .keys
        .all()
        .iter()
        .any(|k| k.kind() == KeyKind::Ec);
    let mut doc = metadata(t.personality(), &t.oidc_issuer(), |p| t.url(p), has_ec);
    // OIDC-DISC-1 acts while the attack is pending: RPs read discovery before any login.
    let pending = t
        .state
        .lock()
        .next_login
        .as_ref()
        .and_then(|n| n.oidc.attack);
    protocols::jose::attacks::discovery(pending, &mut doc);
    let note = match pending {
        Some(a) if a.stage() == protocols::jose::attacks::Stage::Discovery => {
            format!("discovery document, attack {a}")
        }
        _ => "discovery document".to_string(),
    };
    noted(cors(json(StatusCode::OK, &doc)), note)
}

pub fn jwks(t: &Tenant) -> Response {
    let keys = t.state.lock().keys.all().to_vec();
    match Jwks::from_keys(&keys) {
        Ok(set) => {
            let body = serde_json::to_value(&set).unwrap_or_default();
            noted(
                cors(json(StatusCode::OK, &body)),
                format!("JWKS with {} keys", set.keys.len()),
            )
        }
        Err(e) => noted(
            text_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "JWKS unavailable",
                &e.to_string(),
            ),
            format!("JWKS failed: {e}"),
        ),
    }
}

/// Browser-based RPs fetch metadata and keys cross-origin.
fn cors(mut resp: Response) -> Response {
    resp.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    resp
}
