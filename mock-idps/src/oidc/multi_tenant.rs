//! Entra's tenant-independent endpoints: `/common` and `/organizations` (v2.0 and v1.0) serve
//! every tenant of the vendor. Their discovery names the issuer with a literal `{tenantid}`
//! (S4, S5), which a multi-tenant RP fills with the token's `tid`; their JWKS lists the keys of
//! every tenant. A sign-in goes to the tenant the client is registered in, and the tokens carry
//! that tenant's own issuer, as Entra's do. The token endpoint finds the tenant by the code or
//! refresh token (else the client), userinfo by the access token.

use super::discovery::{jwks_of, metadata};
use super::{handle, json, read_input, Input};
use crate::personality::{OidcPersonality, Vendor};
use crate::registry::MockIdps;
use crate::respond::{not_found, noted, LogNote};
use crate::routes::{route, AuthzServer, Endpoint, OidcEndpoint};
use crate::tenant::SharedTenant;
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::response::Response;
use std::collections::BTreeMap;

/// The issuer a multi-tenant discovery document shows.
pub fn issuer_template(idps_base: &str, vendor: Vendor, oidc: &OidcPersonality) -> String {
    match oidc.issuer_template {
        Some(t) => t.replace("{tenant}", "{tenantid}"),
        None => {
            let base = format!(
                "{}/{}/{{tenantid}}",
                idps_base.trim_end_matches('/'),
                vendor.as_str()
            );
            if oidc.issuer_path.is_empty() {
                base
            } else {
                format!("{base}/{}", oidc.issuer_path)
            }
        }
    }
}

/// Which tenant a request at `/common` belongs to.
fn owner(tenants: &[SharedTenant], endpoint: OidcEndpoint, input: &Input) -> Option<SharedTenant> {
    let params = input.params().as_ref().ok();
    let form = input.form.as_ref().ok();
    let has_client = |id: &str| {
        tenants
            .iter()
            .find(|t| t.oidc_client(id).is_some())
            .cloned()
    };
    match endpoint {
        OidcEndpoint::Authorize | OidcEndpoint::EndSession => {
            has_client(params?.one("client_id").ok()??)
        }
        OidcEndpoint::Token => {
            let form = form?;
            let by_code = form.one("code").ok().flatten().and_then(|c| {
                tenants
                    .iter()
                    .find(|t| {
                        let st = t.state.lock();
                        st.codes.contains_key(c) || st.used_codes.contains_key(c)
                    })
                    .cloned()
            });
            let by_refresh = || {
                let r = form.one("refresh_token").ok().flatten()?;
                tenants
                    .iter()
                    .find(|t| t.state.lock().refresh_tokens.contains_key(r))
                    .cloned()
            };
            by_code
                .or_else(by_refresh)
                .or_else(|| has_client(form.one("client_id").ok()??))
        }
        OidcEndpoint::Userinfo => {
            let bearer = input
                .headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().split_once(' '))
                .map(|(_, t)| t.trim().to_string())
                .or_else(|| form?.one("access_token").ok().flatten().map(str::to_string))?;
            tenants
                .iter()
                .find(|t| t.state.lock().access_tokens.contains_key(&bearer))
                .cloned()
        }
        _ => None,
    }
}

pub async fn serve(
    idps: &MockIdps,
    vendor: Vendor,
    segment: &str,
    rest: &str,
    req: Request,
) -> Response {
    let p = vendor.personality();
    let (endpoint, server) = match route(p, rest, &BTreeMap::new()) {
        Some(Endpoint::Oidc(e, s @ (AuthzServer::Org | AuthzServer::V1))) => (e, s),
        _ => {
            return not_found(&format!(
                "{} has no endpoint at /{segment}/{rest}",
                p.display_name
            ))
        }
    };
    let oidc = match server {
        AuthzServer::V1 => p.oidc.v1.as_deref().unwrap_or(&p.oidc),
        _ => &p.oidc,
    };
    let tenants: Vec<SharedTenant> = idps
        .tenants()
        .into_iter()
        .filter(|t| t.vendor == vendor)
        .collect();
    let base = format!(
        "{}/{}/{segment}",
        idps.base_url().trim_end_matches('/'),
        vendor.as_str()
    );
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let input = read_input(req).await;
    match endpoint {
        OidcEndpoint::Discovery => {
            let issuer = issuer_template(idps.base_url(), vendor, oidc);
            let doc = metadata(oidc, &issuer, |path| format!("{base}/{path}"), false);
            super::discovery::cors_json(noted(json(StatusCode::OK, &doc), "multi-tenant discovery"))
        }
        OidcEndpoint::Jwks => {
            let mut keys: Vec<protocols::SigningKey> = Vec::new();
            for t in &tenants {
                for k in t.state.lock().keys.all() {
                    if !keys.iter().any(|have| have.kid() == k.kid()) {
                        keys.push(k.clone());
                    }
                }
            }
            if keys.is_empty() {
                keys = crate::keys::pinned_keys(vendor).published.clone();
            }
            match jwks_of(oidc, &keys) {
                Ok(set) => super::discovery::cors_json(json(
                    StatusCode::OK,
                    &serde_json::to_value(&set).unwrap_or_default(),
                )),
                Err(e) => super::text_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "JWKS unavailable",
                    &e.to_string(),
                ),
            }
        }
        OidcEndpoint::AuthServerMetadata => not_found("no such endpoint"),
        _ => match owner(&tenants, endpoint, &input) {
            Some(t) => {
                let resp = handle(&t, endpoint, server, &input);
                let note = resp
                    .extensions()
                    .get::<LogNote>()
                    .map(|n| n.0.clone())
                    .unwrap_or_default();
                t.log(
                    &method,
                    &path,
                    resp.status().as_u16(),
                    format!("/{segment}: {note}"),
                );
                resp
            }
            None => super::text_page(
                StatusCode::BAD_REQUEST,
                "No tenant",
                &format!(
                    "/{segment} found no {} tenant for this request: the client is registered in \
                     none, or the code or token is unknown",
                    p.display_name
                ),
            ),
        },
    }
}
