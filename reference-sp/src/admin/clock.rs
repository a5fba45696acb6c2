//! The test clock: exists only when the SP was started with the explicit test flag
//! (`--test-clock`); otherwise these answer 404 like any unknown endpoint.

use crate::http::body;
use crate::http::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

/// At most ten years in one step.
const MAX_STEP_SECS: i64 = 10 * 366 * 24 * 3600;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    seconds: i64,
}

fn now_json(state: &AppState) -> Json<Value> {
    Json(json!({
        "now": state.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    }))
}

fn absent() -> ApiError {
    ApiError::not_found("no such admin endpoint; see docs/target-api.md")
}

pub async fn show(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    if state.inner.clock_control.is_none() {
        return Err(absent());
    }
    Ok(now_json(&state))
}

pub async fn advance(
    State(state): State<AppState>,
    headers: HeaderMap,
    b: Body,
) -> ApiResult<Json<Value>> {
    let Some(ctl) = &state.inner.clock_control else {
        return Err(absent());
    };
    let a: Advance = body::json(&headers, b).await?;
    if !(0..=MAX_STEP_SECS).contains(&a.seconds) {
        return Err(ApiError::invalid(
            "bad-seconds",
            format!("seconds must be between 0 and {MAX_STEP_SECS}; time only moves forward"),
        ));
    }
    ctl.advance(chrono::Duration::seconds(a.seconds));
    Ok(now_json(&state))
}
