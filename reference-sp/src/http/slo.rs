//! SAML Single Logout endpoints (the rules are in [`crate::saml_sp::slo`]):
//!
//! - `POST /organizations/{org}/saml/logout`: SP-initiated logout. The browser's session ends
//!   here first; then, when the org's IdP has an SLO endpoint and the org an SLO signing key, a
//!   signed LogoutRequest (NameID + SessionIndex of the login) goes to the IdP.
//! - `GET|POST /organizations/{org}/saml/slo`: the SP's SingleLogoutService. A LogoutResponse
//!   must answer a LogoutRequest this SP sent; an IdP's LogoutRequest ends the sessions it names
//!   and is answered with a signed LogoutResponse. Anything unsigned, forged, misaddressed or
//!   unsolicited is refused (403, JSON) and ends nothing.

use super::body::bytes;
use super::error::{ApiError, ApiResult};
use super::{org_or_404, path};
use crate::domain::sso_config::{ProtocolSettings, SamlSettings};
use crate::saml_sp::slo::{self, IdpSlo, SloBinding, SloRejection, SloSettings, Trust};
use crate::session;
use crate::state::AppState;
use crate::store::orgs::{self, Org};
use crate::store::{sessions, slo as slo_store};
use crate::Flaw;
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use protocols::saml::logout::{
    self, LogoutMessage, LogoutRequest, LogoutRequestSpec, LogoutResponseSpec, Param, Received,
    STATUS_UNKNOWN_PRINCIPAL,
};
use protocols::saml::response::uri;
use protocols::saml::{self, SignatureAlgorithm};
use protocols::xml::Element;
use serde_json::json;

/// The org's SingleLogoutService URL (listed in its SP metadata).
pub fn sp_slo_url(state: &AppState, slug: &str) -> String {
    format!(
        "{}/organizations/{slug}/saml/slo",
        state.base_url().trim_end_matches('/')
    )
}

fn saml_settings(state: &AppState, org: &Org) -> ApiResult<SamlSettings> {
    match state.store().read(|c| orgs::sso(c, org.id))? {
        Some(cfg) => match cfg.protocol {
            ProtocolSettings::Saml(s) => Ok(s),
            ProtocolSettings::Oidc(_) => Err(ApiError::invalid(
                "protocol-mismatch",
                format!("organisation {:?} uses OIDC, not SAML", org.slug),
            )),
        },
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "sso-not-configured",
            "sso-not-configured",
            format!("organisation {:?} has no SSO configured", org.slug),
        )),
    }
}

fn misconfigured(code: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "sso-misconfigured",
        code.to_string(),
        e.to_string(),
    )
}

/// What a logout message is sent with: the SP's key and the IdP's endpoint.
struct Outbound {
    key: protocols::SigningKey,
    idp: IdpSlo,
}

fn outbound(settings: &SamlSettings) -> ApiResult<Option<Outbound>> {
    let Some(s): Option<&SloSettings> = settings.slo.as_ref() else {
        return Ok(None);
    };
    let Some(idp) = slo::idp_slo(s, settings.metadata_xml.as_deref()) else {
        return Ok(None);
    };
    let key = s.key().map_err(|e| misconfigured("slo-key", e))?;
    Ok(Some(Outbound { key, idp }))
}

/// Sign `el` and carry it to the IdP: a 302 (Redirect, query signature) or an auto-submitting
/// form (POST, enveloped signature).
fn send(
    out: &Outbound,
    param: Param,
    mut el: Element,
    relay_state: Option<&str>,
) -> ApiResult<Response> {
    let alg = SignatureAlgorithm::RsaSha256;
    match out.idp.binding {
        SloBinding::Redirect => {
            let q = logout::encode_redirect_message(
                param,
                &el.to_xml(),
                relay_state,
                Some((&out.key, alg)),
            )
            .map_err(|e| misconfigured("slo-encode", e))?;
            let sep = if out.idp.url.contains('?') { '&' } else { '?' };
            Ok(super::redirect(
                StatusCode::FOUND,
                &format!("{}{sep}{q}", out.idp.url),
            ))
        }
        SloBinding::Post => {
            logout::sign_message(&mut el, &out.key, alg)
                .map_err(|e| misconfigured("slo-sign", e))?;
            let b64 = saml::b64_encode(el.to_document().as_bytes());
            let html = match param {
                Param::Request => saml::post_request_form_html(&out.idp.url, &b64, relay_state),
                Param::Response => saml::post_form_html(&out.idp.url, &b64, relay_state),
            };
            Ok(Html(html).into_response())
        }
    }
}

/// `POST /organizations/{org}/saml/logout`: end this browser's session, then tell the IdP.
pub async fn start(
    State(state): State<AppState>,
    p: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let org = org_or_404(&state, &path(p)?)?;
    let settings = saml_settings(&state, &org)?;
    let urls = state.org_urls(org.slug.as_str());
    let now = state.now();
    let token = session::cookie_token(&headers);
    let out = outbound(&settings)?;
    let request_id = format!("_{}", state.ids().hex(20));
    let ended = state
        .store()
        .transact(|c| -> ApiResult<Option<slo_store::SamlSession>> {
            let Some(s) = token
                .as_deref()
                .map(|t| sessions::by_token(c, t))
                .transpose()?
                .flatten()
            else {
                return Ok(None);
            };
            let saml = slo_store::sessions_of(c, &s.id, org.id)?.into_iter().next();
            sessions::delete(c, &s.id)?;
            if saml.is_some() && out.is_some() {
                slo_store::insert_logout_request(c, &request_id, org.id, now.timestamp())?;
            }
            Ok(saml)
        })?;
    let mut resp = match (ended, &out) {
        (Some(saml), Some(out)) => {
            let el = logout::build_logout_request(&LogoutRequestSpec {
                id: request_id.clone(),
                issue_instant: now,
                destination: Some(out.idp.url.clone()),
                issuer: urls.sp_entity_id.to_string(),
                name_id: saml.name_id.clone(),
                name_id_format: None,
                session_index: saml.session_index.clone(),
                protocol_prefix: "samlp".into(),
                assertion_prefix: "saml".into(),
            });
            tracing::info!(org = %org.slug, request = %request_id, "SP-initiated logout sent to the IdP");
            send(out, Param::Request, el, None)?
        }
        (saml, _) => {
            let reason = match saml {
                None => "no SAML session at this organisation",
                Some(_) => "the IdP has no SLO endpoint or the organisation no SLO signing key",
            };
            axum::Json(json!({ "signed_out": true, "idp_notified": false, "reason": reason }))
                .into_response()
        }
    };
    resp.headers_mut()
        .append(header::SET_COOKIE, session::clear_cookie());
    Ok(resp)
}

fn rejected(r: &SloRejection) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "logout-rejected",
        r.code(),
        r.to_string(),
    )
}

/// `GET|POST /organizations/{org}/saml/slo`: the SP's SingleLogoutService.
pub async fn service(
    State(state): State<AppState>,
    p: Result<Path<String>, PathRejection>,
    method: Method,
    uri: Uri,
    body: Body,
) -> ApiResult<Response> {
    let org = org_or_404(&state, &path(p)?)?;
    let settings = saml_settings(&state, &org)?;
    let received = if method == Method::GET {
        logout::decode_redirect_message(uri.query().unwrap_or(""), saml::DEFAULT_MAX_INFLATED)
    } else {
        let raw = bytes(body).await?;
        logout::decode_post_message(&String::from_utf8_lossy(&raw), saml::DEFAULT_MAX_INFLATED)
    }
    .map_err(|e| rejected(&SloRejection::Unreadable(e.to_string())))?;
    let urls = state.org_urls(org.slug.as_str());
    let sp = crate::sso_adapter::saml_config(&urls, &org, &settings)
        .map_err(|e| misconfigured("saml-config", e))?;
    let slo_url = sp_slo_url(&state, org.slug.as_str());
    let trust = Trust {
        idp_entity_id: &sp.idp_entity_id,
        idp_certs_der: &sp.idp_certs_der,
        sp_slo_url: &slo_url,
    };
    let danger = state.flaws().danger(Flaw::AcceptUnsignedLogout);
    let trusted = slo::check(&received, &trust, danger).map_err(|r| {
        tracing::warn!(org = %org.slug, code = r.code(), "logout message refused: {r}");
        rejected(&r)
    })?;
    match trusted.message {
        LogoutMessage::Response(r) => {
            let irt = r
                .in_response_to
                .clone()
                .ok_or_else(|| rejected(&SloRejection::MissingInResponseTo))?;
            let now = state.now_secs();
            let known = state
                .store()
                .with_tx(|c| slo_store::consume_logout_request(c, &irt, org.id, now))?;
            if !known {
                return Err(rejected(&SloRejection::UnsolicitedResponse(irt)));
            }
            if !r.success() {
                return Err(ApiError::new(
                    StatusCode::BAD_GATEWAY,
                    "logout-failed",
                    "idp-logout-failed",
                    format!(
                        "the IdP did not log out ({}{}); this site's session has ended",
                        r.status,
                        r.status_message
                            .map(|m| format!(": {m}"))
                            .unwrap_or_default()
                    ),
                ));
            }
            Ok(axum::Json(
                json!({ "signed_out": true, "idp_signed_out": true, "in_response_to": irt }),
            )
            .into_response())
        }
        LogoutMessage::Request(lr) => idp_initiated(
            &state,
            &org,
            &settings,
            &received,
            &lr,
            urls.sp_entity_id.as_str(),
        ),
    }
}

/// An IdP's LogoutRequest, already trusted: end the sessions it names and answer.
fn idp_initiated(
    state: &AppState,
    org: &Org,
    settings: &SamlSettings,
    received: &Received,
    lr: &LogoutRequest,
    sp_entity_id: &str,
) -> ApiResult<Response> {
    let ended = state.store().transact(|c| -> ApiResult<usize> {
        let ids = slo_store::matching(c, org.id, &lr.name_id, &lr.session_indexes)?;
        for id in &ids {
            sessions::delete(c, id)?;
        }
        Ok(ids.len())
    })?;
    let (status, sub, message) = if ended > 0 {
        (uri::STATUS_SUCCESS, None, None)
    } else {
        (
            uri::STATUS_REQUESTER,
            Some(STATUS_UNKNOWN_PRINCIPAL),
            Some(format!(
                "no session of {} matches SessionIndex {:?}",
                lr.name_id, lr.session_indexes
            )),
        )
    };
    tracing::info!(org = %org.slug, ended, name_id = %lr.name_id, "IdP-initiated logout");
    let Some(out) = outbound(settings)? else {
        // Nowhere to answer: say what happened.
        let code = if ended > 0 {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        };
        return Ok((
            code,
            axum::Json(json!({ "sessions_ended": ended, "status": status, "message": message })),
        )
            .into_response());
    };
    let el = logout::build_logout_response(&LogoutResponseSpec {
        id: format!("_{}", state.ids().hex(20)),
        issue_instant: state.now(),
        destination: Some(out.idp.url.clone()),
        in_response_to: lr.id.clone(),
        issuer: sp_entity_id.to_string(),
        status: status.to_string(),
        sub_status: sub.map(str::to_string),
        status_message: message,
        protocol_prefix: "samlp".into(),
        assertion_prefix: "saml".into(),
    });
    send(&out, Param::Response, el, received.relay_state.as_deref())
}
