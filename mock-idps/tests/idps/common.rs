//! Shared helpers for the mock-idps integration tests.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use mock_idps::{MockIdps, Options};
use protocols::{ManualClock, SeededIds};
use std::sync::Arc;
use tower::ServiceExt;

pub const BASE: &str = "http://idp.test";

/// A server with a pinned clock and seeded ids, driven through `oneshot` (no socket).
pub fn idps() -> (MockIdps, ManualClock) {
    let clock = ManualClock::fixed();
    let idps = MockIdps::new(Options {
        base_url: BASE.into(),
        clock: Arc::new(clock.clone()),
        ids: Arc::new(SeededIds::new(7)),
        control_token: None,
    });
    (idps, clock)
}

#[allow(dead_code)] // headers: read by some modules only
pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

pub async fn call(idps: &MockIdps, req: Request<Body>) -> Answer {
    let resp = idps.router().oneshot(req).await.expect("infallible router");
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

pub async fn get(idps: &MockIdps, uri: &str) -> Answer {
    call(
        idps,
        Request::get(uri).body(Body::empty()).expect("request"),
    )
    .await
}

pub async fn send_json(idps: &MockIdps, method: &str, uri: &str, body: &str) -> Answer {
    call(
        idps,
        Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .expect("request"),
    )
    .await
}

pub async fn post_form(idps: &MockIdps, uri: &str, form: &[(&str, &str)]) -> Answer {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    call(
        idps,
        Request::post(uri)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request"),
    )
    .await
}

/// Strip a full URL down to the path and query the router sees.
pub fn path_of(url: &str) -> String {
    url.strip_prefix(BASE).unwrap_or(url).to_string()
}
