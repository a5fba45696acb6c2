//! The target admin API under `/_admin/` (its routes carry the prefix, so that both `/_admin`
//! and `/_admin/` answer): what the harness needs from any SP (see
//! docs/target-api.md). JSON in and out; every refusal is `{"error","code","message"}` and
//! changes nothing.

mod clock;
mod lookup;
mod orgs;
mod render;
mod scim;
mod sso;
mod users;

use crate::http::error::ApiError;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{any, get, post, put};
use axum::{Json, Router};
use serde_json::{json, Value};

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/_admin", get(index))
        .route("/_admin/", get(index))
        .route("/_admin/orgs", get(orgs::list).post(orgs::create))
        .route("/_admin/orgs/{org}", get(orgs::show).patch(orgs::update))
        .route(
            "/_admin/orgs/{org}/sso",
            get(sso::show).put(sso::configure).delete(sso::remove),
        )
        .route(
            "/_admin/orgs/{org}/members",
            get(orgs::members).post(orgs::add_member),
        )
        .route(
            "/_admin/orgs/{org}/members/{username}",
            get(orgs::member)
                .patch(orgs::update_member)
                .delete(orgs::remove_member),
        )
        .route(
            "/_admin/orgs/{org}/invitations",
            get(orgs::invitations).post(orgs::invite),
        )
        .route(
            "/_admin/orgs/{org}/resource-groups",
            get(orgs::groups).post(orgs::create_group),
        )
        .route(
            "/_admin/orgs/{org}/resource-groups/{group}/members/{username}",
            put(orgs::set_group_member).delete(orgs::remove_group_member),
        )
        .route(
            "/_admin/orgs/{org}/scim-tokens",
            post(scim::mint_token).delete(scim::revoke_tokens),
        )
        .route("/_admin/orgs/{org}/scim-groups", get(scim::groups))
        .route(
            "/_admin/orgs/{org}/scim-groups/{group}/link",
            put(scim::link).delete(scim::unlink),
        )
        .route("/_admin/users", post(users::create))
        .route(
            "/_admin/users/{username}",
            get(users::show).patch(users::update),
        )
        .route("/_admin/repos", post(users::create_repo))
        .route("/_admin/clock", get(clock::show))
        .route("/_admin/clock/advance", post(clock::advance))
        .route("/_admin/{*rest}", any(unknown))
        .layer(middleware::from_fn_with_state(state.clone(), auth))
        .with_state(state)
}

async fn unknown() -> ApiError {
    ApiError::not_found("no such admin endpoint; see docs/target-api.md")
}

/// With an admin token configured, every call must carry it as a bearer token.
async fn auth(State(state): State<AppState>, req: Request, next: Next) -> Response {
    use axum::response::IntoResponse;
    if let Some(want) = &state.inner.admin_token {
        let got = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !openssl::memcmp::eq(
            &openssl::sha::sha256(got.as_bytes()),
            &openssl::sha::sha256(want.as_bytes()),
        ) {
            return ApiError::unauthorized(
                "admin-token-required",
                "the admin API needs Authorization: Bearer <admin token>",
            )
            .into_response();
        }
    }
    next.run(req).await
}

async fn index(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "service": "idpsim reference SP",
        "base_url": state.base_url(),
        "now": state.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "test_clock": state.inner.clock_control.is_some(),
        "flaws": state.flaws().iter().map(|f| f.name()).collect::<Vec<_>>(),
        "store": state.store().location(),
    }))
}
