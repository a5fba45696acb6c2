//! Platform users and repositories.

use super::lookup::{account_named, check_email, group_named, org_in};
use super::render;
use crate::domain::{password, username};
use crate::http::body;
use crate::http::error::{ApiError, ApiResult};
use crate::http::path;
use crate::lifecycle::deprovision;
use crate::lifecycle::login::namespace_free;
use crate::state::AppState;
use crate::store::accounts::{self, NewAccount};
use crate::store::{orgs, repos};
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

/// A plausible address: one '@', something on each side, no spaces, at most 254 characters.
fn check_password(p: &str) -> ApiResult<()> {
    if p.is_empty() || p.len() > 1024 {
        return Err(ApiError::invalid(
            "bad-password",
            "a password is 1 to 1024 bytes",
        ));
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    username: String,
    password: Option<String>,
    #[serde(default)]
    emails: Vec<String>,
    display_name: Option<String>,
}

/// `POST /_admin/users`: a personal (Basic) platform account.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    b: Body,
) -> ApiResult<Response> {
    let n: NewUser = body::json(&headers, b).await?;
    username::validate(&n.username)
        .map_err(|e| ApiError::invalid("bad-username", e.to_string()))?;
    for e in &n.emails {
        check_email(e)?;
    }
    let hash = match &n.password {
        Some(p) => {
            check_password(p)?;
            Some(password::hash(p, state.ids().as_ref()).map_err(ApiError::internal)?)
        }
        None => None,
    };
    let now = state.now_secs();
    let v = state.store().transact(|c| -> ApiResult<Value> {
        if !namespace_free(c, &n.username)? {
            return Err(ApiError::conflict(format!(
                "the name {:?} is taken by a user, an organisation or the platform",
                n.username
            )));
        }
        let a = accounts::create(
            c,
            &NewAccount {
                username: n.username.clone(),
                password_hash: hash.clone(),
                managed_by_org: None,
                idp_login: None,
                display_name: n.display_name.clone(),
                emails: n.emails.clone(),
            },
            now,
        )?;
        Ok(render::account(c, &a)?)
    })?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    p: Result<Path<String>, PathRejection>,
) -> ApiResult<Json<Value>> {
    let name = path(p)?;
    let v = state.store().read(|c| -> ApiResult<Value> {
        let a = account_named(c, &name)?;
        Ok(render::account(c, &a)?)
    })?;
    Ok(Json(v))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    active: Option<bool>,
    emails: Option<Vec<String>>,
    password: Option<String>,
    display_name: Option<String>,
}

/// `PATCH /_admin/users/{username}`: `active: false` deactivates the account and ends every
/// session at once [SESS-3].
pub async fn update(
    State(state): State<AppState>,
    p: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    b: Body,
) -> ApiResult<Json<Value>> {
    let name = path(p)?;
    let patch: UserPatch = body::json(&headers, b).await?;
    for e in patch.emails.iter().flatten() {
        check_email(e)?;
    }
    let hash = match &patch.password {
        Some(p) => {
            check_password(p)?;
            Some(password::hash(p, state.ids().as_ref()).map_err(ApiError::internal)?)
        }
        None => None,
    };
    let v = state.store().transact(|c| -> ApiResult<Value> {
        let a = account_named(c, &name)?;
        if let Some(emails) = &patch.emails {
            accounts::set_emails(c, a.id, emails)?;
        }
        if let Some(h) = &hash {
            if a.is_managed() {
                return Err(ApiError::forbidden(
                    "managed-account-password-login",
                    "managed accounts have no password [MAN-1]",
                ));
            }
            accounts::set_password_hash(c, a.id, Some(h))?;
        }
        if let Some(d) = &patch.display_name {
            accounts::set_display_name(c, a.id, Some(d))?;
        }
        match patch.active {
            Some(false) => deprovision::deactivate_account(c, a.id, state.flaws())?,
            Some(true) => deprovision::reactivate_account(c, a.id)?,
            None => {}
        }
        let a = account_named(c, &name)?;
        Ok(render::account(c, &a)?)
    })?;
    Ok(Json(v))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRepo {
    owner: String,
    name: String,
    resource_group: Option<String>,
}

/// `POST /_admin/repos`: a repository in an organisation (optionally in one of its resource
/// groups) or a personal namespace, without access checks, for probes to aim at.
pub async fn create_repo(
    State(state): State<AppState>,
    headers: HeaderMap,
    b: Body,
) -> ApiResult<Response> {
    let n: NewRepo = body::json(&headers, b).await?;
    let name_ok = (1..=96).contains(&n.name.len())
        && n.name != "."
        && n.name != ".."
        && n.name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !name_ok {
        return Err(ApiError::invalid(
            "bad-repo-name",
            format!(
                "{:?}: use 1 to 96 letters, digits, '-', '_' and '.'",
                n.name
            ),
        ));
    }
    let now = state.now_secs();
    let v = state.store().transact(|c| -> ApiResult<Value> {
        let group = match orgs::by_slug(c, &n.owner)? {
            Some(_) => match &n.resource_group {
                Some(g) => {
                    let o = org_in(c, &n.owner)?;
                    Some(group_named(c, o.id, g)?.id)
                }
                None => None,
            },
            None => {
                account_named(c, &n.owner).map_err(|_| {
                    ApiError::not_found(format!("no organisation or user {:?}", n.owner))
                })?;
                if n.resource_group.is_some() {
                    return Err(ApiError::invalid(
                        "no-resource-groups",
                        "personal namespaces have no resource groups",
                    ));
                }
                None
            }
        };
        let r = repos::create(c, &n.owner, &n.name, group, None, now)?;
        Ok(json!({
            "repo": format!("{}/{}", r.owner, r.name),
            "resource_group": n.resource_group,
            "url": format!("{}/{}/{}", state.base_url(), r.owner, r.name),
        }))
    })?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}
