//! `/.well-known/openid-configuration` and the JWKS.

use super::provider::Provider;
use super::{json, text_page};
use crate::personality::{DiscoveryValue, OidcPersonality, SubjectStyle};
use crate::respond::noted;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use protocols::jose::Jwks;
use protocols::KeyKind;
use serde_json::{json, Value};

/// The discovery document of one authorization server, as data: a function of its OIDC facts,
/// its issuer and URLs and the kinds of key it publishes.
pub fn metadata(
    o: &OidcPersonality,
    issuer: &str,
    url: impl Fn(&str) -> String,
    has_ec: bool,
) -> Value {
    let mut algs = vec!["RS256"];
    if has_ec {
        algs.push("ES256");
    }
    let mut claims: Vec<&str> = vec!["iss", "sub", "aud", "iat", "exp", "nonce"];
    if o.at_hash {
        claims.push("at_hash");
    }
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
        "request_parameter_supported": false,
        "claims_parameter_supported": false,
    });
    if let Some(obj) = doc.as_object_mut() {
        if o.advertise_response_modes {
            obj.insert("response_modes_supported".into(), json!(o.response_modes));
        }
        if o.advertise_pkce {
            obj.insert(
                "code_challenge_methods_supported".into(),
                json!(o.pkce_methods),
            );
        }
        if let Some(path) = o.end_session_path {
            obj.insert("end_session_endpoint".into(), json!(url(path)));
        }
        // The vendor's own lists win over the computed ones (claims_supported as published).
        for (k, v) in o.discovery_extra {
            let v = match v {
                DiscoveryValue::Str(s) => json!(s),
                DiscoveryValue::Bool(b) => json!(b),
                DiscoveryValue::List(l) => json!(l),
            };
            obj.insert((*k).to_string(), v);
        }
    }
    doc
}

/// RFC 8414 metadata (`/.well-known/oauth-authorization-server`): the discovery document
/// without the OIDC-only members.
pub fn authorization_server_document(oidc_doc: &Value) -> Value {
    let mut doc = oidc_doc.clone();
    if let Some(obj) = doc.as_object_mut() {
        for k in [
            "userinfo_endpoint",
            "subject_types_supported",
            "id_token_signing_alg_values_supported",
            "claims_parameter_supported",
        ] {
            obj.remove(k);
        }
    }
    doc
}

fn has_ec(op: &Provider) -> bool {
    op.t.state
        .lock()
        .keys
        .all()
        .iter()
        .any(|k| k.kind() == KeyKind::Ec)
}

pub fn discovery(op: &Provider) -> Response {
    let t = op.t;
    let mut doc = metadata(op.oidc, &op.issuer(), |p| op.url(p), has_ec(op));
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

pub fn authorization_server_metadata(op: &Provider) -> Response {
    let doc = metadata(op.oidc, &op.issuer(), |p| op.url(p), has_ec(op));
    noted(
        cors(json(StatusCode::OK, &authorization_server_document(&doc))),
        "authorization server metadata",
    )
}

/// The JWKS of `keys` in the vendor's shape: certificates only where the vendor publishes them.
pub fn jwks_of(
    o: &OidcPersonality,
    keys: &[protocols::SigningKey],
) -> Result<Jwks, protocols::jose::JoseError> {
    let mut set = Jwks::from_keys(keys)?;
    if !o.jwks.x5c {
        for k in &mut set.keys {
            k.x5c = None;
            k.x5t = None;
        }
    }
    Ok(set)
}

pub fn jwks(op: &Provider) -> Response {
    let keys = op.t.state.lock().keys.all().to_vec();
    match jwks_of(op.oidc, &keys) {
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

/// A JSON answer with the CORS header discovery and keys carry.
pub fn cors_json(resp: Response) -> Response {
    cors(resp)
}

/// Browser-based RPs fetch metadata and keys cross-origin.
fn cors(mut resp: Response) -> Response {
    resp.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    resp
}
