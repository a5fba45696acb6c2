//! The control API under `/_idpsim/`: everything a test can steer, over HTTP. Each handler is a
//! thin translation onto [`MockIdps`] and [`Tenant`]; errors are JSON `{"error","message"}`.

use crate::apps::oidc_client_from;
pub use crate::apps::{
    okta_profile_statements, register_saml_app, stable_seed, NewOidcClient, NewSamlApp,
};
use crate::directory::NewUser;
use crate::next_login::NextLogin;
use crate::personality::Vendor;
use crate::registry::{MockIdps, NewTenant, TenantIndex};
use crate::surface::UserPatch;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use protocols::KeyKind;
use serde::{Deserialize, Serialize};
use serde_json::json;

pub(crate) mod reply;
mod slo;

use reply::{bad, created, not_found, ok, parse, tenant, R};
pub use reply::{unknown_endpoint, ApiError, MAX_BODY};

pub(crate) fn router(idps: MockIdps) -> Router<MockIdps> {
    Router::new()
        .route("/tenants", get(list_tenants).post(create_tenant))
        .route(
            "/tenants/{vendor}/{id}",
            get(show_tenant).delete(delete_tenant),
        )
        .route(
            "/tenants/{vendor}/{id}/users",
            get(list_users).post(add_user),
        )
        .route(
            "/tenants/{vendor}/{id}/users/{user}",
            get(show_user).patch(patch_user).delete(delete_user),
        )
        .route(
            "/tenants/{vendor}/{id}/groups",
            get(list_groups).post(add_group),
        )
        .route(
            "/tenants/{vendor}/{id}/groups/{group}/members/{user}",
            put(add_member).delete(remove_member),
        )
        .route(
            "/tenants/{vendor}/{id}/saml-apps",
            get(list_apps).post(add_app),
        )
        .route(
            "/tenants/{vendor}/{id}/oidc-clients",
            get(list_clients).post(add_client),
        )
        .route(
            "/tenants/{vendor}/{id}/next-login",
            get(show_next).put(set_next).delete(clear_next),
        )
        .route(
            "/tenants/{vendor}/{id}/clock",
            get(show_clock).put(set_clock),
        )
        .route("/tenants/{vendor}/{id}/keys", get(list_keys))
        .route("/tenants/{vendor}/{id}/keys/rotate", post(rotate_keys))
        .route(
            "/tenants/{vendor}/{id}/log",
            get(show_log).delete(clear_log),
        )
        .route("/personalities/{vendor}", get(show_personality))
        .merge(scim_push_routes())
        .merge(encryption_routes())
        .merge(slo::routes())
        .fallback(|| async { unknown_endpoint() })
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn_with_state(idps, require_token))
}

async fn require_token(State(idps): State<MockIdps>, req: Request, next: Next) -> Response {
    if let Some(expected) = &idps.options().control_token {
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if !given.is_some_and(|g| constant_time_eq(g.as_bytes(), expected.as_bytes())) {
            return ApiError(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "the control API needs 'Authorization: Bearer <token>' (printed at start)".into(),
            )
            .into_response();
        }
    }
    next.run(req).await
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && openssl::memcmp::eq(a, b)
}

async fn list_tenants(State(idps): State<MockIdps>) -> R {
    ok(idps.index())
}

async fn create_tenant(State(idps): State<MockIdps>, body: Bytes) -> R {
    let new: NewTenant = parse(&body)?;
    let t = idps.create_tenant(new)?;
    created(TenantIndex::of(&t))
}

#[derive(Serialize)]
struct TenantDetail {
    #[serde(flatten)]
    index: TenantIndex,
    base_url: String,
    domain: String,
    users: usize,
    groups: usize,
    saml_apps: usize,
    oidc_clients: usize,
    clock_offset_secs: i64,
    next_login: Option<NextLogin>,
}

async fn show_tenant(State(idps): State<MockIdps>, Path((v, id)): Path<(String, String)>) -> R {
    let t = tenant(&idps, &v, &id)?;
    let index = TenantIndex::of(&t);
    let st = t.state.lock();
    ok(TenantDetail {
        index,
        base_url: t.base_url.clone(),
        domain: t.domain.clone(),
        users: st.directory.users().len(),
        groups: st.directory.groups().len(),
        saml_apps: st.saml_apps.len(),
        oidc_clients: st.oidc_clients.len(),
        clock_offset_secs: t.clock.offset().num_seconds(),
        next_login: st.next_login.clone(),
    })
}

async fn delete_tenant(State(idps): State<MockIdps>, Path((v, id)): Path<(String, String)>) -> R {
    let t = tenant(&idps, &v, &id)?;
    idps.remove_tenant(t.vendor, t.id.as_str());
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn list_users(State(idps): State<MockIdps>, Path((v, id)): Path<(String, String)>) -> R {
    let t = tenant(&idps, &v, &id)?;
    let users = t.users();
    ok(json!({ "users": users }))
}

async fn add_user(
    State(idps): State<MockIdps>,
    Path((v, id)): Path<(String, String)>,
    body: Bytes,
) -> R {
    let t = tenant(&idps, &v, &id)?;
    let new: NewUser = parse(&body)?;
    let user = t.add_user(new).map_err(|e| match e {
        crate::directory::DirectoryError::DuplicateLogin(_)
        | crate::directory::DirectoryError::DuplicateId(_) => {
            ApiError(StatusCode::CONFLICT, "conflict", e.to_string())
        }
        _ => bad(e.to_string()),
    })?;
    created(user)
}

async fn show_user(
    State(idps): State<MockIdps>,
    Path((v, id, user)): Path<(String, String, String)>,
) -> R {
    let t = tenant(&idps, &v, &id)?;
    let u = t
        .user(&user)
        .ok_or_else(|| not_found(format!("no user {user}")))?;
    ok(u)
}

async fn patch_user(
    State(idps): State<MockIdps>,
    Path((v, id, user)): Path<(String, String, String)>,
    body: Bytes,
) -> R {
    let t = tenant(&idps, &v, &id)?;
    let patch: UserPatch = parse(&body)?;
    let u = t
        .patch_user(&user, patch)
        .ok_or_else(|| not_found(format!("no user {user}")))?;
    ok(u)
}

async fn delete_user(
    State(idps): State<MockIdps>,
    Path((v, id, user)): Path<(String, String, String)>,
) -> R {
    let t = tenant(&idps, &v, &id)?;
    t.remove_user(&user).map_err(|e| not_found(e.to_string()))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn list_groups(State(idps): State<MockIdps>, Path((v, id)): Path<(String, String)>) -> R {
    let t = tenant(&idps, &v, &id)?;
    let groups = t.groups();
    ok(json!({ "groups": groups }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewGroup {
    name: String,
    id: Option<String>,
}

async fn add_group(
    State(idps): State<MockIdps>,
    Path((v, id)): Path<(String, String)>,
    body: Bytes,
) -> R {
    let t = tenant(&idps, &v, &id)?;
    let g: NewGroup = parse(&body)?;
    let group = t
        .add_group(&g.name, g.id)
        .map_err(|e| ApiError(StatusCode::CONFLICT, "conflict", e.to_string()))?;
    created(group)
}

async fn add_member(
    State(idps): State<MockIdps>,
    Path((v, id, group, user)): Path<(String, String, String, String)>,
) -> R {
    let t = tenant(&idps, &v, &id)?;
    t.add_member(&user, &group)
        .map_err(|e| not_found(e.to_string()))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn remove_member(
    State(idps): State<MockIdps>,
    Path((v, id, group, user)): Path<(String, String, String, String)>,
) -> R {
    let t = tenant(&idps, &v, &id)?;
    t.remove_member(&user, &group)
        .map_err(|e| not_found(e.to_string()))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn list_apps(State(idps): State<MockIdps>, Path((v, id)): Path<(String, String)>) -> R {
    let t = tenant(&idps, &v, &id)?;
    let apps = t.saml_apps();
    let p = t.personality();
    let out: Vec<_> = apps
        .iter()
        .map(|a| {
            json!({
                "app": a,
                "entity_id": t.saml_entity_id(Some(a)),
                "metadata_url": t.app_path(p.saml.metadata_path, a),
                "sso_url": t.saml_sso_url(a),
                "idp_initiated_url": t.app_path(p.saml.idp_initiated_path, a),
            })
        })
        .collect();
    ok(json!({ "saml_apps": out }))
}

async fn add_app(
    State(idps): State<MockIdps>,
    Path((v, id)): Path<(String, String)>,
    body: Bytes,
) -> R {
    let t = tenant(&idps, &v, &id)?;
    let new: NewSamlApp = parse(&body)?;
    let app = register_saml_app(&t, new)?;
    let p = t.personality();
    created(json!({
        "app": app,
        "entity_id": t.saml_entity_id(Some(&app)),
        "metadata_url": t.app_path(p.saml.metadata_path, &app),
        "sso_url": t.saml_sso_url(&app),
        "idp_initiated_url": t.app_path(p.saml.idp_initiated_path, &app),
    }))
}

async fn list_clients(State(idps): State<MockIdps>, Path((v, id)): Path<(String, String)>) -> R {
    let t = tenant(&idps, &v, &id)?;
    let clients = t.oidc_clients();
    ok(json!({ "oidc_clients": clients, "issuer": t.oidc_issuer() }))
}

async fn add_client(
    State(idps): State<MockIdps>,
    Path((v, id)): Path<(String, String)>,
    body: Bytes,
) -> R {
    let t = tenant(&idps, &v, &id)?;
    let new: NewOidcClient = parse(&body)?;
    let c = oidc_client_from(&t, new)?;
    t.state.lock().oidc_clients.push(c.clone());
    created(json!({ "client": c, "issuer": t.oidc_issuer() }))
}

async fn show_next(State(idps): State<MockIdps>, Path((v, id)): Path<(String, String)>) -> R {
    let t = tenant(&idps, &v, &id)?;
    let next = t.next_login();
    ok(json!({ "next_login": next }))
}

async fn set_next(
    State(idps): State<MockIdps>,
    Path((v, id)): Path<(String, String)>,
    body: Bytes,
) -> R {
    let t = tenant(&idps, &v, &id)?;
    let next: NextLogin = parse(&body)?;
    if let Some(u) = &next.user {
        if t.user(u).is_none() {
            return Err(not_found(format!("no user {u} in {}/{}", t.vendor, t.id)));
        }
    }
    t.set_next_login(next.clone());
    ok(json!({ "next_login": next }))
}

async fn clear_next(State(idps): State<MockIdps>, Path((v, id)): Path<(String, String)>) -> R {
    let t = tenant(&idps, &v, &id)?;
    t.clear_next_login();
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockBody {
    offset_secs: i64,
}

async fn show_clock(State(idps): State<MockIdps>, Path((v, id)): Path<(String, String)>) -> R {
    let t = tenant(&idps, &v, &id)?;
    ok(json!({ "now": t.now(), "offset_secs": t.clock.offset().num_seconds() }))
}

async fn set_clock(
    State(idps): State<MockIdps>,
    Path((v, id)): Path<(String, String)>,
    body: Bytes,
) -> R {
    let t = tenant(&idps, &v, &id)?;
    let c: ClockBody = parse(&body)?;
    // Keep the offset within ±100 years so chrono arithmetic cannot overflow.
    if c.offset_secs.unsigned_abs() > 100 * 366 * 86_400 {
        return Err(bad("offset_secs must be within ±100 years"));
    }
    t.clock.set_offset(chrono::Duration::seconds(c.offset_secs));
    ok(json!({ "now": t.now(), "offset_secs": c.offset_secs }))
}

async fn list_keys(State(idps): State<MockIdps>, Path((v, id)): Path<(String, String)>) -> R {
    let t = tenant(&idps, &v, &id)?;
    let set = t.keys();
    let active = set.active().kid().to_string();
    let keys: Vec<_> = set
        .all()
        .iter()
        .map(|k| json!({"kid": k.kid(), "kind": k.kind(), "active": k.kid() == active, "certificate": k.cert_pem()}))
        .collect();
    ok(json!({ "keys": keys }))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RotateBody {
    kind: Option<KeyKind>,
    /// false: publish the new key ahead without signing with it yet.
    activate: Option<bool>,
    /// Drop every key but the active one.
    #[serde(default)]
    retire_old: bool,
}

async fn rotate_keys(
    State(idps): State<MockIdps>,
    Path((v, id)): Path<(String, String)>,
    body: Bytes,
) -> R {
    let t = tenant(&idps, &v, &id)?;
    let r: RotateBody = parse(&body)?;
    let kid = if r.retire_old && r.kind.is_none() && r.activate.is_none() {
        t.state.lock().keys.active().kid().to_string()
    } else {
        t.rotate_keys(r.kind.unwrap_or(KeyKind::Rsa), r.activate.unwrap_or(true))
            .map_err(|e| {
                ApiError(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "key_generation",
                    e.to_string(),
                )
            })?
    };
    if r.retire_old {
        t.state.lock().keys.retire_inactive();
    }
    ok(json!({ "kid": kid, "active": t.state.lock().keys.active().kid() }))
}

async fn show_log(State(idps): State<MockIdps>, Path((v, id)): Path<(String, String)>) -> R {
    let t = tenant(&idps, &v, &id)?;
    let log = t.request_log();
    ok(json!({ "log": log }))
}

async fn clear_log(State(idps): State<MockIdps>, Path((v, id)): Path<(String, String)>) -> R {
    let t = tenant(&idps, &v, &id)?;
    t.clear_request_log();
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn show_personality(Path(v): Path<String>) -> R {
    let v: Vendor = v.parse().map_err(not_found)?;
    ok(v.personality())
}

// ---------------------------------------------------------------------------------------------
// SCIM push: configure a tenant's target, push lifecycle events, read the evidence
// (docs/scim-push.md). Thin translations onto `Tenant::configure_scim_push` and friends.

/// `PUT …/saml-apps/{app}/encryption` and `DELETE` (back to plain assertions).
fn encryption_routes() -> Router<MockIdps> {
    Router::new().route(
        "/tenants/{vendor}/{id}/saml-apps/{app}/encryption",
        put(set_encryption).delete(clear_encryption),
    )
}

async fn set_encryption(
    State(idps): State<MockIdps>,
    Path((v, id, app)): Path<(String, String, String)>,
    body: Bytes,
) -> R {
    let t = tenant(&idps, &v, &id)?;
    let n: crate::saml_idp::encrypt::NewEncryption = parse(&body)?;
    let enc = crate::saml_idp::encrypt::configure(&t, n)?;
    let a = t
        .set_app_encryption(&app, Some(enc.clone()))
        .ok_or_else(|| no_app(&app))?;
    ok(json!({ "app": a.id, "encryption": enc }))
}

async fn clear_encryption(
    State(idps): State<MockIdps>,
    Path((v, id, app)): Path<(String, String, String)>,
) -> R {
    let t = tenant(&idps, &v, &id)?;
    let a = t
        .set_app_encryption(&app, None)
        .ok_or_else(|| no_app(&app))?;
    ok(json!({ "app": a.id, "encryption": null }))
}

fn no_app(key: &str) -> ApiError {
    not_found(format!(
        "no registered SAML app {key} (by id or SP entity id) in this tenant"
    ))
}

use crate::scim_push::{PushError, PushTarget, TenantEvent};

fn scim_push_routes() -> Router<MockIdps> {
    Router::new()
        .route("/tenants/{vendor}/{id}/scim", get(show_scim_push))
        .route(
            "/tenants/{vendor}/{id}/scim/target",
            get(show_scim_target).put(set_scim_target),
        )
        .route("/tenants/{vendor}/{id}/scim/events", post(push_scim_event))
        .route(
            "/tenants/{vendor}/{id}/scim/exchanges",
            get(show_scim_exchanges).delete(clear_scim_exchanges),
        )
        .route(
            "/tenants/{vendor}/{id}/scim/findings",
            get(show_scim_findings),
        )
        .route("/tenants/{vendor}/{id}/scim/known", get(show_scim_known))
}

impl From<PushError> for ApiError {
    fn from(e: PushError) -> Self {
        use crate::directory::DirectoryError as D;
        let (status, code) = match &e {
            PushError::NoScim { .. } => (StatusCode::BAD_REQUEST, "no_scim"),
            PushError::NotConfigured => (StatusCode::CONFLICT, "not_configured"),
            PushError::NoSuchUser(_) | PushError::NoSuchGroup(_) => {
                (StatusCode::NOT_FOUND, "not_found")
            }
            PushError::Directory(
                D::DuplicateLogin(_) | D::DuplicateId(_) | D::DuplicateGroup(_),
            ) => (StatusCode::CONFLICT, "conflict"),
            PushError::Directory(D::NoSuchUser(_) | D::NoSuchGroup(_)) => {
                (StatusCode::NOT_FOUND, "not_found")
            }
            _ => (StatusCode::BAD_REQUEST, "invalid_request"),
        };
        ApiError(status, code, e.to_string())
    }
}

async fn show_scim_push(State(idps): State<MockIdps>, Path((v, id)): Path<(String, String)>) -> R {
    let t = tenant(&idps, &v, &id)?;
    ok(t.scim_push_evidence())
}

async fn show_scim_target(
    State(idps): State<MockIdps>,
    Path((v, id)): Path<(String, String)>,
) -> R {
    let t = tenant(&idps, &v, &id)?;
    let target = t
        .scim_push_evidence()
        .target
        .ok_or(PushError::NotConfigured)?;
    ok(target)
}

async fn set_scim_target(
    State(idps): State<MockIdps>,
    Path((v, id)): Path<(String, String)>,
    body: Bytes,
) -> R {
    let t = tenant(&idps, &v, &id)?;
    let target: PushTarget = parse(&body)?;
    ok(t.configure_scim_push(target).await?)
}

async fn push_scim_event(
    State(idps): State<MockIdps>,
    Path((v, id)): Path<(String, String)>,
    body: Bytes,
) -> R {
    let t = tenant(&idps, &v, &id)?;
    let event: TenantEvent = parse(&body)?;
    ok(t.scim_push(event).await?)
}

async fn show_scim_exchanges(
    State(idps): State<MockIdps>,
    Path((v, id)): Path<(String, String)>,
) -> R {
    let t = tenant(&idps, &v, &id)?;
    let ev = t.scim_push_evidence();
    ok(json!({ "exchanges": ev.exchanges, "findings": ev.findings }))
}

async fn clear_scim_exchanges(
    State(idps): State<MockIdps>,
    Path((v, id)): Path<(String, String)>,
) -> R {
    let t = tenant(&idps, &v, &id)?;
    t.clear_scim_push_evidence();
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn show_scim_findings(
    State(idps): State<MockIdps>,
    Path((v, id)): Path<(String, String)>,
) -> R {
    let t = tenant(&idps, &v, &id)?;
    ok(json!({ "findings": t.scim_push_evidence().findings }))
}

async fn show_scim_known(State(idps): State<MockIdps>, Path((v, id)): Path<(String, String)>) -> R {
    let t = tenant(&idps, &v, &id)?;
    ok(t.scim_push_evidence().known)
}
