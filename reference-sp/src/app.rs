//! The server: the whole router assembled over [`AppState`], `run`, and an in-process spawn
//! helper. The state itself lives in `crate::state`.

use crate::state::{AppState, LocalOptions, SpOptions, SCIM_PREFIX};
use axum::Router;

/// The whole app: user-facing routes, the target admin API under `/_admin/` and the SCIM 2.0
/// server under [`SCIM_PREFIX`] (its tables are created when the store opens).
pub fn app(state: AppState) -> Router {
    Router::new()
        .nest(SCIM_PREFIX, crate::scim::router(state.scim_state()))
        .merge(crate::admin::router(state.clone()))
        .merge(crate::http::router(state))
        .method_not_allowed_fallback(method_not_allowed)
}

async fn method_not_allowed() -> crate::http::error::ApiError {
    crate::http::error::ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "invalid-request",
        "method-not-allowed",
        "this path does not take that method; see docs/target-api.md",
    )
}

/// Serve `state` on `listener` until `shutdown` completes.
pub async fn run(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Bind `127.0.0.1:0` and serve in the background. For tests and the in-process harness.
pub async fn spawn_local(
    opts: LocalOptions,
) -> std::io::Result<(AppState, tokio::task::JoinHandle<std::io::Result<()>>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let state = AppState::new(SpOptions {
        base_url: format!("http://{addr}"),
        store: opts.store,
        clock: opts.clock,
        ids: opts.ids,
        flaws: opts.flaws,
        clock_control: opts.clock_control,
        admin_token: None,
    });
    let handle = tokio::spawn(run(listener, state.clone(), std::future::pending()));
    Ok((state, handle))
}
