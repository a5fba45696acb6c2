//! An organisation's SSO configuration: SAML (metadata, its URL, or entity id + SSO URL +
//! certificates) or OIDC (issuer, client id and secret), with role and resource-group mapping.

use super::lookup::{read_org, transact_org};
use crate::domain::mapping::{GroupMapping, RoleMapping};
use crate::domain::sso_config::{OidcSettings, ProtocolSettings, SamlSettings, SsoConfig};
use crate::http::body;
use crate::http::error::{ApiError, ApiResult};
use crate::http::path;
use crate::sso_adapter;
use crate::state::AppState;
use crate::store::{orgs, resource_groups};
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

/// Metadata fetched from a URL is capped at this size.
const MAX_METADATA_BYTES: usize = 1 << 20;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Configure {
    protocol: String,
    // SAML
    metadata_xml: Option<String>,
    metadata_url: Option<String>,
    entity_id: Option<String>,
    sso_url: Option<String>,
    certificates: Option<Vec<String>>,
    decryption_key: Option<String>,
    decryption_certificate: Option<String>,
    /// Single Logout: `{signing_key, signing_certificate, idp_slo_url?, idp_slo_binding?}`.
    slo: Option<crate::saml_sp::slo::SloSettings>,
    // OIDC
    issuer: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    scopes: Option<Vec<String>>,
    // both
    role_mapping: Option<RoleMapping>,
    resource_group_mapping: Option<GroupMapping>,
    email_attribute: Option<String>,
}

fn not_for(protocol: &str, fields: &[(&str, bool)]) -> ApiResult<()> {
    match fields.iter().find(|(_, present)| *present) {
        Some((name, _)) => Err(ApiError::invalid(
            "field-not-for-protocol",
            format!("{name} does not apply to {protocol}"),
        )),
        None => Ok(()),
    }
}

async fn fetch_metadata(url: &str) -> ApiResult<String> {
    let bad = |m: String| ApiError::invalid("metadata-url", m);
    let parsed = url::Url::parse(url).map_err(|e| bad(format!("{url:?}: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(bad(format!("{url:?} is not an http(s) URL")));
    }
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(15))
        .build()
        .map_err(ApiError::internal)?;
    let resp = client
        .get(parsed)
        .send()
        .await
        .map_err(|e| bad(format!("cannot fetch {url}: {e}")))?;
    if !resp.status().is_success() {
        return Err(bad(format!("{url} answered {}", resp.status())));
    }
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| bad(format!("cannot read {url}: {e}")))?;
    if bytes.len() > MAX_METADATA_BYTES {
        return Err(bad(format!(
            "{url} is larger than {MAX_METADATA_BYTES} bytes"
        )));
    }
    String::from_utf8(bytes.to_vec()).map_err(|_| bad(format!("{url} is not UTF-8")))
}

/// `PUT /_admin/orgs/{org}/sso`: replaces the configuration after checking it entirely
/// (metadata and certificates parse, mappings are valid and name existing resource groups, an
/// admin mapping exists [ROLE-2]).
pub async fn configure(
    State(state): State<AppState>,
    p: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    b: Body,
) -> ApiResult<Json<Value>> {
    let slug = path(p)?;
    let n: Configure = body::json(&headers, b).await?;
    let protocol = match n.protocol.as_str() {
        "saml" => {
            not_for(
                "saml",
                &[
                    ("issuer", n.issuer.is_some()),
                    ("client_id", n.client_id.is_some()),
                    ("client_secret", n.client_secret.is_some()),
                    ("scopes", n.scopes.is_some()),
                ],
            )?;
            let given = [
                n.metadata_xml.is_some(),
                n.metadata_url.is_some(),
                n.entity_id.is_some() || n.sso_url.is_some() || n.certificates.is_some(),
            ]
            .iter()
            .filter(|x| **x)
            .count();
            if given != 1 {
                return Err(ApiError::invalid(
                    "saml-source",
                    "give exactly one of metadata_xml, metadata_url, or entity_id + sso_url + certificates",
                ));
            }
            let metadata_xml = match (&n.metadata_xml, &n.metadata_url) {
                (Some(x), _) => Some(x.clone()),
                (None, Some(u)) => Some(fetch_metadata(u).await?),
                _ => None,
            };
            ProtocolSettings::Saml(SamlSettings {
                metadata_xml,
                idp_entity_id: n.entity_id.clone(),
                sso_url: n.sso_url.clone(),
                certificates: n.certificates.clone().unwrap_or_default(),
                decryption_key: n.decryption_key.clone(),
                decryption_certificate: n.decryption_certificate.clone(),
                slo: n.slo.clone(),
            })
        }
        "oidc" => {
            not_for(
                "oidc",
                &[
                    ("metadata_xml", n.metadata_xml.is_some()),
                    ("metadata_url", n.metadata_url.is_some()),
                    ("entity_id", n.entity_id.is_some()),
                    ("sso_url", n.sso_url.is_some()),
                    ("certificates", n.certificates.is_some()),
                    ("decryption_key", n.decryption_key.is_some()),
                    ("decryption_certificate", n.decryption_certificate.is_some()),
                    ("slo", n.slo.is_some()),
                ],
            )?;
            ProtocolSettings::Oidc(OidcSettings {
                issuer: n.issuer.clone().unwrap_or_default().into(),
                client_id: n.client_id.clone().unwrap_or_default(),
                client_secret: n.client_secret.clone().unwrap_or_default(),
                scopes: n.scopes.clone().unwrap_or_default(),
            })
        }
        other => {
            return Err(ApiError::invalid(
                "bad-protocol",
                format!("protocol must be \"saml\" or \"oidc\", got {other:?}"),
            ))
        }
    };
    let cfg = SsoConfig {
        protocol,
        role_mapping: n.role_mapping,
        resource_group_mapping: n.resource_group_mapping,
        email_attribute: n.email_attribute.filter(|e| !e.trim().is_empty()),
    };
    cfg.validate().map_err(|e| {
        let code = match &e {
            crate::domain::sso_config::ConfigError::Mapping(
                crate::domain::mapping::MappingError::NoAdminMapping,
            ) => "admin-mapping-required",
            crate::domain::sso_config::ConfigError::Mapping(_) => "bad-mapping",
            _ => "bad-sso-config",
        };
        ApiError::invalid(code, e.to_string())
    })?;
    let now = state.now_secs();
    let v = transact_org(&state, &slug, |c, o| -> ApiResult<Value> {
        if let ProtocolSettings::Saml(s) = &cfg.protocol {
            sso_adapter::saml_config(&state.org_urls(o.slug.as_str()), &o, s)
                .map_err(|e| ApiError::invalid("bad-saml-config", e.to_string()))?;
        }
        if let Some(m) = &cfg.resource_group_mapping {
            for r in &m.rules {
                if resource_groups::by_name(c, o.id, &r.group)?.is_none() {
                    return Err(ApiError::invalid(
                        "unknown-resource-group",
                        format!(
                            "resource_group_mapping names {:?}, which {} does not have; create it first",
                            r.group, o.slug
                        ),
                    ));
                }
            }
        }
        orgs::set_sso(c, o.id, &cfg, now)?;
        Ok(render(&state, o.slug.as_str(), &cfg))
    })?;
    Ok(Json(v))
}

/// The configuration as shown: never the client secret.
fn render(state: &AppState, slug: &str, cfg: &SsoConfig) -> Value {
    let protocol = match &cfg.protocol {
        ProtocolSettings::Saml(s) => json!({
            "protocol": "saml",
            "from_metadata": s.metadata_xml.is_some(),
            "entity_id": s.idp_entity_id,
            "sso_url": s.sso_url,
            "certificates": s.certificates.len(),
            "encryption_certificate": s.decryption_certificate,
        }),
        ProtocolSettings::Oidc(o) => json!({
            "protocol": "oidc",
            "issuer": o.issuer,
            "client_id": o.client_id,
            "scopes": o.scopes,
        }),
    };
    let mut protocol = protocol;
    if let ProtocolSettings::Saml(SamlSettings {
        slo: Some(slo),
        metadata_xml,
        ..
    }) = &cfg.protocol
    {
        protocol["slo"] = json!({
            "signing_certificate": slo.signing_certificate,
            "idp_slo": crate::saml_sp::slo::idp_slo(slo, metadata_xml.as_deref())
                .map(|i| json!({"url": i.url, "binding": i.binding})),
            "sp_slo_url": format!("{}/organizations/{slug}/saml/slo", state.base_url().trim_end_matches('/')),
        });
    }
    json!({
        "organization": slug,
        "sso": protocol,
        "role_mapping": cfg.role_mapping,
        "resource_group_mapping": cfg.resource_group_mapping,
        "email_attribute": cfg.email_attribute,
        "urls": state.org_urls(slug),
    })
}

pub async fn show(
    State(state): State<AppState>,
    p: Result<Path<String>, PathRejection>,
) -> ApiResult<Json<Value>> {
    let slug = path(p)?;
    let v = read_org(&state, &slug, |c, o| -> ApiResult<Value> {
        let cfg = orgs::sso(c, o.id)?
            .ok_or_else(|| ApiError::not_found(format!("{slug} has no SSO configured")))?;
        Ok(render(&state, o.slug.as_str(), &cfg))
    })?;
    Ok(Json(v))
}

pub async fn remove(
    State(state): State<AppState>,
    p: Result<Path<String>, PathRejection>,
) -> ApiResult<StatusCode> {
    let slug = path(p)?;
    transact_org(&state, &slug, |c, o| -> ApiResult<()> {
        if !orgs::clear_sso(c, o.id)? {
            return Err(ApiError::not_found(format!("{slug} has no SSO configured")));
        }
        Ok(())
    })?;
    Ok(StatusCode::NO_CONTENT)
}
