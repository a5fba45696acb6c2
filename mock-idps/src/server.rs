//! The mock IdPs as one axum app: every tenant of every vendor behind one listener, plus the
//! control API under `/_idpsim/`. The tenants live in [`crate::registry`]; this file only routes
//! and serves.

use crate::personality::Vendor;
use crate::registry::{MockIdps, Options};
use crate::respond::{not_found, query_map, LogMessages, LogNote};
use crate::routes::{route, Endpoint};
use axum::extract::{Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router};
use protocols::{SharedClock, SharedIdGen};

impl MockIdps {
    /// The axum app: `GET /`, the control API and every tenant's endpoints.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/", get(index))
            .nest("/_idpsim", crate::control::router(self.clone()))
            .route("/{vendor}/{tenant}", any(tenant_root))
            .route("/{vendor}/{tenant}/{*rest}", any(tenant_endpoint))
            .with_state(self.clone())
    }
}

/// `GET /`: the console for a browser (its Accept prefers HTML), the JSON index otherwise.
async fn index(State(idps): State<MockIdps>, headers: axum::http::HeaderMap) -> Response {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let mut resp = if crate::console::prefers_html(accept) {
        match crate::console::render(idps.options().control_token.is_some()) {
            Ok(page) => axum::response::Html(page).into_response(),
            Err(e) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("console template: {e}"),
            )
                .into_response(),
        }
    } else {
        Json(idps.index()).into_response()
    };
    resp.headers_mut()
        .insert(header::VARY, axum::http::HeaderValue::from_static("accept"));
    resp
}

async fn tenant_root(
    State(idps): State<MockIdps>,
    Path((vendor, tenant)): Path<(String, String)>,
    req: Request,
) -> Response {
    dispatch(idps, vendor, tenant, String::new(), req).await
}

async fn tenant_endpoint(
    State(idps): State<MockIdps>,
    Path((vendor, tenant, rest)): Path<(String, String, String)>,
    req: Request,
) -> Response {
    dispatch(idps, vendor, tenant, rest, req).await
}

async fn dispatch(
    idps: MockIdps,
    vendor: String,
    tenant: String,
    rest: String,
    req: Request,
) -> Response {
    if vendor == "_idpsim" {
        return crate::control::unknown_endpoint();
    }
    let Some(t) = vendor
        .parse::<Vendor>()
        .ok()
        .and_then(|v| idps.tenant(v, &tenant))
    else {
        // Entra's /common and /organizations serve every tenant of the vendor.
        if let Ok(v) = vendor.parse::<Vendor>() {
            if v.personality().oidc.multi_tenant.contains(&tenant.as_str()) {
                return crate::oidc::multi_tenant::serve(&idps, v, &tenant, &rest, req).await;
            }
        }
        return not_found(&format!("no tenant {vendor}/{tenant}"));
    };
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let query = query_map(req.uri().query());
    let slo = crate::saml_idp::slo::route(&t, &rest, req.method(), req.uri().query());
    let resp = match (slo, route(t.personality(), &rest, &query)) {
        (Some(app), _) => crate::saml_idp::slo::serve(t.clone(), app, req).await,
        (None, Some(Endpoint::Oidc(e, srv))) => crate::oidc::serve(t.clone(), e, srv, req).await,
        (None, Some(ep)) => crate::saml_idp::serve(t.clone(), ep, req).await,
        (None, None) => not_found(&format!(
            "{} has no endpoint at /{rest}",
            t.personality().display_name
        )),
    };
    let note = resp
        .extensions()
        .get::<LogNote>()
        .map(|n| n.0.clone())
        .unwrap_or_default();
    let messages = resp
        .extensions()
        .get::<LogMessages>()
        .map(|m| m.0.clone())
        .unwrap_or_default();
    t.log_messages(&method, &path, resp.status().as_u16(), note, messages);
    resp
}

/// Serve `idps` on `listener` until `shutdown` completes.
pub async fn run(
    listener: tokio::net::TcpListener,
    idps: MockIdps,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, idps.router())
        .with_graceful_shutdown(shutdown)
        .await
}

/// Bind `127.0.0.1:0`, create the server with `clock` and `ids`, and serve in the background.
/// For tests and the in-process harness.
pub async fn spawn_local(
    clock: SharedClock,
    ids: SharedIdGen,
) -> std::io::Result<(MockIdps, tokio::task::JoinHandle<std::io::Result<()>>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let idps = MockIdps::new(Options {
        base_url: format!("http://{addr}"),
        clock,
        ids,
        control_token: None,
    });
    let handle = tokio::spawn(run(listener, idps.clone(), std::future::pending()));
    Ok((idps, handle))
}
