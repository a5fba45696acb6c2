//! The user-facing HTTP surface, cookie-based. Handlers translate HTTP to the domain and the
//! domain's typed outcome back to a status code; every refusal is JSON (see [`error`]).
//!
//! | route | does |
//! |---|---|
//! | `GET /login`, `POST /login`, `POST /logout` | password login for Basic accounts [BASIC-1], [MAN-1] |
//! | `GET /whoami` | the signed-in account, memberships, roles, groups, SSO sessions |
//! | `GET /organizations/{org}/sso/login`, `.../sso/join` | SP-initiated SSO; the join link [BASIC-8] |
//! | `POST /organizations/{org}/saml/consume` | SAML ACS |
//! | `GET /organizations/{org}/oidc/consume` | OIDC redirect URI |
//! | `POST /organizations/{org}/saml/logout` | SAML Single Logout, SP-initiated |
//! | `GET\|POST /organizations/{org}/saml/slo` | the SP's SingleLogoutService |
//! | `GET /organizations/{org}/saml/metadata` | SP metadata (its URL is the SP entity id) |
//! | `GET /organizations/{org}` | the organisation's landing page (a resource probe) |
//! | `POST /invitations/{token}/accept` | accept an invitation |
//! | `GET /{owner}/{repo}` | resource probe: 200, 302 to login or SSO, 403, 404 |
//! | `POST /{namespace}/repos` | create content: 201, 403 |

pub mod body;
pub mod error;
mod login;
mod metadata;
mod resources;
mod slo;
mod sso;
mod whoami;

pub(crate) use whoami::rfc3339 as whoami_rfc3339;

use crate::session::{self, ViewerState};
use crate::state::AppState;
use crate::store::orgs::{self, Org};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::Router;
use error::{ApiError, ApiResult};

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login::form_page).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/whoami", get(whoami::whoami))
        .route("/organizations/{org}", get(resources::org_home))
        .route("/organizations/{org}/sso/login", get(sso::start))
        .route("/organizations/{org}/sso/join", get(sso::join))
        .route("/organizations/{org}/saml/consume", post(sso::saml_consume))
        .route("/organizations/{org}/oidc/consume", get(sso::oidc_consume))
        .route("/organizations/{org}/saml/logout", post(slo::start))
        .route(
            "/organizations/{org}/saml/slo",
            get(slo::service).post(slo::service),
        )
        .route(
            "/organizations/{org}/saml/metadata",
            get(metadata::sp_metadata),
        )
        .route(
            "/invitations/{token}/accept",
            post(resources::accept_invitation),
        )
        .route(
            "/{owner}/{repo}",
            get(resources::probe).post(resources::create),
        )
        .fallback(not_found)
        .with_state(state)
}

async fn home() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({
        "service": "idpsim reference SP",
        "login": "/login",
        "whoami": "/whoami",
        "admin": "/_admin/",
    }))
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such page")
}

/// The organisation named in the path, or 404.
pub(crate) fn org_or_404(state: &AppState, slug: &str) -> ApiResult<Org> {
    state
        .store()
        .read(|c| orgs::by_slug(c, slug))?
        .ok_or_else(|| ApiError::not_found(format!("no organisation {slug:?}")))
}

/// Who the browser is, now.
pub(crate) fn viewer(state: &AppState, headers: &HeaderMap) -> ApiResult<ViewerState> {
    let token = session::cookie_token(headers);
    let now = state.now_secs();
    Ok(state
        .store()
        .read(|c| session::resolve(c, token.as_deref(), now, state.flaws()))?)
}

/// Percent-encode a value for a query string.
pub(crate) fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The path of the request, with its query.
pub(crate) fn path_and_query(uri: &axum::http::Uri) -> String {
    uri.path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| uri.path().to_string())
}

/// `/organizations/{org}/sso/login?return_to=...`.
pub(crate) fn sso_login_path(slug: &str, return_to: &str) -> String {
    format!(
        "/organizations/{}/sso/login?return_to={}",
        enc(slug),
        enc(return_to)
    )
}

pub(crate) fn login_path(return_to: &str) -> String {
    format!("/login?return_to={}", enc(return_to))
}

/// A 302 (or 303 after a POST) to `to`.
pub(crate) fn redirect(status: axum::http::StatusCode, to: &str) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut r = status.into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(to) {
        r.headers_mut().insert(axum::http::header::LOCATION, v);
    }
    r.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    r
}

/// Map a path-extractor rejection to a JSON error.
pub(crate) fn path<T>(
    p: Result<axum::extract::Path<T>, axum::extract::rejection::PathRejection>,
) -> ApiResult<T> {
    p.map(|axum::extract::Path(v)| v)
        .map_err(|e| ApiError::invalid("bad-path", e.body_text()))
}
