//! The control API of Single Logout: an app's SLO settings, IdP-initiated logouts, and the
//! IdP's records of sessions and logouts.

use crate::control::reply::{self, ApiError};
use crate::registry::MockIdps;
use crate::saml_idp::slo::deliver::Delivery;
use crate::saml_idp::slo::idp_initiated::{idp_initiated, NewLogout};
use crate::saml_idp::slo::model::NewSlo;
use crate::saml_idp::slo::vendor::{configure, idp_slo_url};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::{get, put};
use axum::Router;
use serde_json::json;

pub(super) fn routes() -> Router<MockIdps> {
    Router::new()
        .route(
            "/tenants/{vendor}/{id}/saml-apps/{app}/slo",
            put(set_slo).delete(clear_slo),
        )
        .route(
            "/tenants/{vendor}/{id}/saml-apps/{app}/logout",
            axum::routing::post(start_logout),
        )
        .route("/tenants/{vendor}/{id}/saml-sessions", get(list_sessions))
        .route("/tenants/{vendor}/{id}/saml-logouts", get(list_logouts))
}

fn no_such_app(key: &str) -> ApiError {
    reply::not_found(format!(
        "no registered SAML app {key} (by id or SP entity id) in this tenant"
    ))
}

async fn set_slo(
    State(idps): State<MockIdps>,
    Path((v, id, app)): Path<(String, String, String)>,
    body: Bytes,
) -> reply::R {
    let t = reply::tenant(&idps, &v, &id)?;
    let n: NewSlo = reply::parse(&body)?;
    let current = t
        .saml_app(&app)
        .ok_or_else(|| reply::not_found(format!("no registered SAML app {app} in this tenant")))?;
    let slo = configure(&t, &current, n).map_err(reply::bad)?;
    let url = idp_slo_url(&t, &current);
    let a = t
        .set_app_slo(&app, Some(slo.clone()))
        .ok_or_else(|| no_such_app(&app))?;
    reply::ok(json!({ "app": a.id, "slo": slo, "idp_slo_url": url }))
}

async fn clear_slo(
    State(idps): State<MockIdps>,
    Path((v, id, app)): Path<(String, String, String)>,
) -> reply::R {
    let t = reply::tenant(&idps, &v, &id)?;
    let a = t.set_app_slo(&app, None).ok_or_else(|| no_such_app(&app))?;
    reply::ok(json!({ "app": a.id, "slo": null }))
}

async fn start_logout(
    State(idps): State<MockIdps>,
    Path((v, id, app)): Path<(String, String, String)>,
    body: Bytes,
) -> reply::R {
    let t = reply::tenant(&idps, &v, &id)?;
    let n: NewLogout = reply::parse(&body)?;
    let started = idp_initiated(&t, &app, &n).map_err(reply::bad)?;
    t.log(
        "POST",
        "(control) IdP-initiated logout",
        200,
        format!("LogoutRequest {} for {}", started.request_id, n.user),
    );
    let (redirect_url, form_html) = match started.delivery {
        Delivery::Redirect(u) => (Some(u), None),
        Delivery::Form(h) => (None, Some(h)),
    };
    reply::ok(json!({
        "request_id": started.request_id,
        "logout_request": started.xml,
        "redirect_url": redirect_url,
        "form_html": form_html,
    }))
}

async fn list_sessions(
    State(idps): State<MockIdps>,
    Path((v, id)): Path<(String, String)>,
) -> reply::R {
    let t = reply::tenant(&idps, &v, &id)?;
    let sessions = t.saml_sessions();
    reply::ok(json!({ "saml_sessions": sessions }))
}

async fn list_logouts(
    State(idps): State<MockIdps>,
    Path((v, id)): Path<(String, String)>,
) -> reply::R {
    let t = reply::tenant(&idps, &v, &id)?;
    let logouts = t.saml_logouts();
    reply::ok(json!({ "saml_logouts": logouts }))
}
