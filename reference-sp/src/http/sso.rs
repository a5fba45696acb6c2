//! SSO endpoints: SP-initiated start (and the join link), the SAML ACS, the OIDC callback.
//!
//! A login runs in one transaction: consuming the AuthnRequest, the replay cache, linking or
//! creating the account, the membership, role and groups, and the session. Any refusal rolls
//! it all back, so a rejected login leaves no session and no change.

use super::body::{bytes, form, local_path};
use super::error::{ApiError, ApiResult};
use super::{login_path, org_or_404, path, path_and_query, redirect};
use crate::domain::identity::IdpIdentity;
use crate::domain::sso_config::{ProtocolSettings, SsoConfig};
use crate::lifecycle::login::{self, LoginInput, LoginOutcome, LoginRefusal};
use crate::oidc_rp::{OidcRejection, PendingOidc};
use crate::role::OrgMode;
use crate::saml_sp::{self, AcceptError, SamlRejection};
use crate::session;
use crate::sso_adapter::{self, DbSamlState};
use crate::state::AppState;
use crate::store::orgs::{self, Org};
use crate::store::{flows, sessions, StoreError};
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::Response;
use std::collections::BTreeMap;

/// RelayState is capped at 80 bytes (SAML bindings 3.4.3); a longer return_to travels only in
/// the stored request.
const MAX_RELAY_STATE: usize = 80;

fn sso_config(state: &AppState, org: &Org) -> ApiResult<SsoConfig> {
    state
        .store()
        .read(|c| orgs::sso(c, org.id))?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "sso-not-configured",
                "sso-not-configured",
                format!("organisation {:?} has no SSO configured", org.slug),
            )
        })
}

fn saml_rejected(r: &SamlRejection) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "saml-rejected",
        r.code(),
        r.to_string(),
    )
}

fn oidc_rejected(r: &OidcRejection) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "oidc-rejected",
        r.code(),
        r.to_string(),
    )
}

fn refused(r: &LoginRefusal) -> ApiError {
    let status = match r {
        LoginRefusal::PlatformLoginRequired => StatusCode::UNAUTHORIZED,
        LoginRefusal::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::FORBIDDEN,
    };
    let e = ApiError::new(status, "sso-refused", r.code(), r.to_string());
    match r {
        LoginRefusal::PlatformLoginRequired => e.with_location("/login"),
        _ => e,
    }
}

fn default_return(org: &Org) -> String {
    format!("/organizations/{}", org.slug)
}

/// `GET /organizations/{org}/sso/login?return_to=&login_hint=`.
pub async fn start(
    State(state): State<AppState>,
    p: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    uri: Uri,
) -> ApiResult<Response> {
    begin(state, path(p)?, headers, uri).await
}

/// `GET /organizations/{org}/sso/join`: the join link [BASIC-8]. It runs the same SSO; the
/// first successful one joins the organisation (accepting a pending invitation if any).
pub async fn join(
    State(state): State<AppState>,
    p: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    uri: Uri,
) -> ApiResult<Response> {
    begin(state, path(p)?, headers, uri).await
}

async fn begin(state: AppState, slug: String, headers: HeaderMap, uri: Uri) -> ApiResult<Response> {
    let org = org_or_404(&state, &slug)?;
    let cfg = sso_config(&state, &org)?;
    let q = form(uri.query().unwrap_or("").as_bytes());
    let return_to = match q.get("return_to").filter(|r| !r.is_empty()) {
        Some(r) if local_path(r) => r.clone(),
        Some(r) => {
            return Err(ApiError::invalid(
                "bad-return-to",
                format!("return_to must be a path on this site, got {r:?}"),
            ))
        }
        None => default_return(&org),
    };
    let viewer = super::viewer(&state, &headers)?;
    if org.mode == OrgMode::Basic {
        // [BASIC-1]: the platform login comes first; SSO then links the identity to it.
        match viewer.viewer() {
            None => {
                return Ok(redirect(
                    StatusCode::FOUND,
                    &login_path(&path_and_query(&uri)),
                ))
            }
            Some(v) => {
                if v.account.managed_by_org.is_some_and(|o| o != org.id) {
                    return Err(ApiError::forbidden(
                        "managed-account-restricted",
                        "a managed account cannot join or use other organisations [MAN-4]",
                    ));
                }
            }
        }
    }
    let now = state.now();
    let urls = state.org_urls(org.slug.as_str());
    match &cfg.protocol {
        ProtocolSettings::Saml(s) => {
            let sp = sso_adapter::saml_config(&urls, &org, s).map_err(|e| {
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "sso-misconfigured",
                    "saml-config",
                    e.to_string(),
                )
            })?;
            let request_id = format!("_{}", state.ids().hex(20));
            let relay = (return_to.len() <= MAX_RELAY_STATE).then_some(return_to.as_str());
            let url = saml_sp::authn_request_url(&sp, &request_id, now, relay).map_err(|e| {
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "sso-misconfigured",
                    "saml-request",
                    e.to_string(),
                )
            })?;
            state.store().with_tx(|c| {
                flows::insert_saml_request(
                    c,
                    &request_id,
                    org.id,
                    Some(&return_to),
                    now.timestamp(),
                )
            })?;
            Ok(redirect(StatusCode::FOUND, &url))
        }
        ProtocolSettings::Oidc(o) => {
            let rp = sso_adapter::oidc_config(&urls, o);
            let hint = q.get("login_hint").map(String::as_str);
            let (url, pending) = state
                .inner
                .oidc
                .begin(&rp, state.ids().as_ref(), now, hint)
                .await
                .map_err(|e| {
                    let mut err = oidc_rejected(&e);
                    err.status = StatusCode::BAD_GATEWAY;
                    err
                })?;
            let json = serde_json::to_string(&pending).map_err(ApiError::internal)?;
            state.store().with_tx(|c| {
                flows::insert_oidc_pending(
                    c,
                    &pending.state,
                    org.id,
                    &json,
                    Some(&return_to),
                    now.timestamp(),
                )
            })?;
            Ok(redirect(StatusCode::FOUND, &url))
        }
    }
}

/// What can stop a login inside its transaction.
#[derive(Debug)]
enum Stop {
    Saml(SamlRejection),
    Refused(LoginRefusal),
    Api(ApiError),
}

impl From<StoreError> for Stop {
    fn from(e: StoreError) -> Self {
        Stop::Api(ApiError::from(e))
    }
}

impl From<AcceptError<StoreError>> for Stop {
    fn from(e: AcceptError<StoreError>) -> Self {
        match e {
            AcceptError::Rejected(r) => Stop::Saml(r),
            AcceptError::State(e) => Stop::from(e),
        }
    }
}

impl From<Stop> for ApiError {
    fn from(s: Stop) -> Self {
        match s {
            Stop::Saml(r) => saml_rejected(&r),
            Stop::Refused(r) => refused(&r),
            Stop::Api(e) => e,
        }
    }
}

fn apply_login(
    c: &rusqlite::Connection,
    state: &AppState,
    org: &Org,
    cfg: &SsoConfig,
    ident: &IdpIdentity,
    token: Option<&str>,
    new_token: &str,
) -> Result<LoginOutcome, Stop> {
    let current = match token {
        Some(t) => sessions::by_token(c, t)?,
        None => None,
    };
    login::apply(
        c,
        &LoginInput {
            org,
            config: cfg,
            identity: ident,
            current: current.as_ref(),
            flaws: state.flaws(),
            now: state.now_secs(),
        },
        new_token,
    )
    .map_err(|e| match e {
        LoginRefusal::Store(s) => Stop::from(s),
        other => Stop::Refused(other),
    })
}

fn finish(state: &AppState, outcome: &LoginOutcome, return_to: &str) -> Response {
    tracing::info!(
        account = %outcome.account.username,
        joined = outcome.joined,
        created = outcome.created_account,
        role = %outcome.role,
        "sso login"
    );
    let mut r = redirect(StatusCode::SEE_OTHER, return_to);
    if let Some(t) = &outcome.new_session_token {
        r.headers_mut()
            .append(header::SET_COOKIE, session::set_cookie(t, state.https()));
    }
    r
}

/// `POST /organizations/{org}/saml/consume`: the ACS.
pub async fn saml_consume(
    State(state): State<AppState>,
    p: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let org = org_or_404(&state, &path(p)?)?;
    let cfg = sso_config(&state, &org)?;
    let ProtocolSettings::Saml(settings) = &cfg.protocol else {
        return Err(ApiError::invalid(
            "protocol-mismatch",
            format!("organisation {:?} uses OIDC, not SAML", org.slug),
        ));
    };
    let f = form(&bytes(body).await?);
    let Some(response) = f.get("SAMLResponse").filter(|r| !r.is_empty()) else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "saml-rejected",
            "missing-saml-response",
            "the POST carries no SAMLResponse field",
        ));
    };
    let relay = f.get("RelayState").filter(|r| local_path(r)).cloned();
    let sp = sso_adapter::saml_config(&state.org_urls(org.slug.as_str()), &org, settings).map_err(
        |e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "sso-misconfigured",
                "saml-config",
                e.to_string(),
            )
        },
    )?;
    let token = session::cookie_token(&headers);
    let new_token = state.ids().token(32);
    let now = state.now();
    // Every rule that reads no state (the signature above all) runs before the transaction, so
    // that logins verify side by side instead of one at a time under the store's lock.
    let checked = saml_sp::check_response(&sp, response, state.flaws(), now)
        .map_err(|r| saml_rejected(&r))?;
    let (outcome, return_to) = state.store().transact(|c| -> Result<_, Stop> {
        let db = DbSamlState::new(c, org.id, now.timestamp());
        let accepted = checked.accept(&db, state.flaws())?;
        let ident = sso_adapter::saml_identity(&accepted, &cfg);
        let outcome = apply_login(c, &state, &org, &cfg, &ident, token.as_deref(), &new_token)?;
        crate::store::slo::record_session(
            c,
            &outcome.session_id,
            org.id,
            accepted.name_id(),
            accepted.session_index(),
            now.timestamp(),
        )?;
        let return_to = accepted
            .answered_request()
            .and_then(|r| r.return_to.clone())
            .or(relay)
            .unwrap_or_else(|| default_return(&org));
        Ok((outcome, return_to))
    })?;
    Ok(finish(&state, &outcome, &return_to))
}

/// `GET /organizations/{org}/oidc/consume?code=&state=` (or `error=`).
pub async fn oidc_consume(
    State(state): State<AppState>,
    p: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    uri: Uri,
) -> ApiResult<Response> {
    let org = org_or_404(&state, &path(p)?)?;
    let cfg = sso_config(&state, &org)?;
    let ProtocolSettings::Oidc(settings) = &cfg.protocol else {
        return Err(ApiError::invalid(
            "protocol-mismatch",
            format!("organisation {:?} uses SAML, not OIDC", org.slug),
        ));
    };
    let callback: BTreeMap<String, String> = form(uri.query().unwrap_or("").as_bytes());
    let now = state.now();
    let given_state = callback.get("state").cloned().unwrap_or_default();
    let found = state.store().read(|c| -> Result<_, StoreError> {
        if let Some((json, rt)) = flows::oidc_pending(c, &given_state, org.id, now.timestamp())? {
            return Ok(Some((given_state.clone(), json, rt)));
        }
        if state.flaws().danger(crate::Flaw::SkipStateCheck) {
            // The flaw: any pending login of the organisation will do.
            return flows::oidc_latest_pending(c, org.id, now.timestamp());
        }
        Ok(None)
    })?;
    let Some((pending_state, json, return_to)) = found else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "oidc-rejected",
            "unknown-state",
            "the callback's state matches no login this SP started (or it expired)",
        ));
    };
    let pending: PendingOidc = serde_json::from_str(&json)
        .map_err(|e| ApiError::internal(format!("stored pending login: {e}")))?;
    let rp = sso_adapter::oidc_config(&state.org_urls(org.slug.as_str()), settings);
    let accepted = state
        .inner
        .oidc
        .complete(&rp, &pending, &callback, state.flaws(), now)
        .await
        .map_err(|e| oidc_rejected(&e))?;
    let ident = sso_adapter::oidc_identity(&accepted, &cfg);
    let token = session::cookie_token(&headers);
    let new_token = state.ids().token(32);
    let outcome = state.store().transact(|c| -> Result<_, Stop> {
        if !flows::delete_oidc_pending(c, &pending_state)? {
            // Another callback with the same state won the race.
            return Err(Stop::Api(ApiError::new(
                StatusCode::FORBIDDEN,
                "oidc-rejected",
                "state-replayed",
                "this login was already completed",
            )));
        }
        apply_login(c, &state, &org, &cfg, &ident, token.as_deref(), &new_token)
    })?;
    let return_to = return_to
        .filter(|r| local_path(r))
        .unwrap_or_else(|| default_return(&org));
    Ok(finish(&state, &outcome, &return_to))
}
