//! SCIM on the admin side: bearer tokens, the pushed groups, and their links to resource groups
//! [SCIM-7]. The tokens and groups live in the SCIM server's tables (`crate::scim`); links go
//! through the same store-backed platform the SCIM server uses, in one transaction.

use super::lookup::{group_named, read_org, transact_org};
use crate::http::body;
use crate::http::error::{ApiError, ApiResult};
use crate::http::path;
use crate::role::Role;
use crate::scim::{self, LinkError, PlatformError, PushedGroup};
use crate::scim_adapter::rg_id;
use crate::state::AppState;
use crate::store::orgs::Org;
use crate::store::resource_groups::{self, ResourceGroup};
use crate::store::{Id, StoreError};
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rusqlite::Connection;
use serde::Deserialize;
use serde_json::{json, Value};

fn sql(e: rusqlite::Error) -> ApiError {
    StoreError::from(e).into()
}

/// 403 `scim-managed` when a pushed group is linked to `g`: its membership is SCIM's [SCIM-7].
pub(super) fn refuse_if_scim_managed(c: &Connection, o: &Org, g: &ResourceGroup) -> ApiResult<()> {
    if scim::is_scim_managed(c, o.slug.as_str(), &rg_id(g.id)).map_err(sql)? {
        return Err(ApiError::forbidden(
            "scim-managed",
            format!(
                "the members of resource group {:?} come from a linked SCIM group; change them at the IdP, or unlink the group first",
                g.name
            ),
        ));
    }
    Ok(())
}

fn link_error(e: LinkError) -> ApiError {
    match e {
        LinkError::GroupNotFound { .. } | LinkError::ResourceGroupNotFound { .. } => {
            ApiError::not_found(e.to_string())
        }
        LinkError::ResourceGroupNotEmpty { .. } => ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            "resource-group-not-empty",
            format!("{e}: only an empty resource group can be linked"),
        ),
        LinkError::Platform(PlatformError::NotFound { .. }) => ApiError::not_found(e.to_string()),
        LinkError::Platform(PlatformError::Refused { detail }) => {
            ApiError::invalid("scim-link-refused", detail)
        }
        other => ApiError::internal(other),
    }
}

/// `POST /_admin/orgs/{org}/scim-tokens`: a new bearer token, shown once (stored as a SHA-256
/// digest). Earlier tokens stay valid until revoked.
pub async fn mint_token(
    State(state): State<AppState>,
    p: Result<axum::extract::Path<String>, PathRejection>,
) -> ApiResult<Response> {
    let slug = path(p)?;
    let v = transact_org(&state, &slug, |c, o| -> ApiResult<Value> {
        let token = scim::mint_token(c, state.ids().as_ref(), o.slug.as_str()).map_err(sql)?;
        Ok(json!({
            "organization": o.slug,
            "token": token.expose(),
            "scim_base_url": state.scim_base_url(o.slug.as_str()),
        }))
    })?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// `DELETE /_admin/orgs/{org}/scim-tokens`: revoke every token of the organisation.
pub async fn revoke_tokens(
    State(state): State<AppState>,
    p: Result<axum::extract::Path<String>, PathRejection>,
) -> ApiResult<Json<Value>> {
    let slug = path(p)?;
    let v = transact_org(&state, &slug, |c, o| -> ApiResult<Value> {
        let n = scim::revoke_tokens(c, o.slug.as_str()).map_err(sql)?;
        Ok(json!({"organization": o.slug, "revoked": n}))
    })?;
    Ok(Json(v))
}

fn render_group(c: &Connection, g: &PushedGroup) -> ApiResult<Value> {
    let link = match &g.link {
        Some((rg, role)) => {
            let group = rg
                .as_str()
                .parse::<Id>()
                .ok()
                .map(|id| resource_groups::by_id(c, id))
                .transpose()?
                .flatten();
            json!({
                "resource_group": group.map(|g| g.name),
                "resource_group_id": rg.as_str().parse::<Id>().ok(),
                "role": *role,
            })
        }
        None => Value::Null,
    };
    Ok(json!({
        "id": g.id,
        "display_name": g.display_name,
        "external_id": g.external_id,
        "members": g.members,
        "link": link,
    }))
}

fn pushed_group(c: &Connection, o: &Org, id: &str) -> ApiResult<Value> {
    let all = scim::pushed_groups(c, o.slug.as_str()).map_err(sql)?;
    let g = all
        .iter()
        .find(|g| g.id == id)
        .ok_or_else(|| ApiError::not_found(format!("no pushed SCIM group {id:?}")))?;
    render_group(c, g)
}

/// `GET /_admin/orgs/{org}/scim-groups`: the groups the IdP pushed, to pick one to link.
pub async fn groups(
    State(state): State<AppState>,
    p: Result<axum::extract::Path<String>, PathRejection>,
) -> ApiResult<Json<Value>> {
    let slug = path(p)?;
    let v = read_org(&state, &slug, |c, o| -> ApiResult<Value> {
        let all = scim::pushed_groups(c, o.slug.as_str())
            .map_err(sql)?
            .iter()
            .map(|g| render_group(c, g))
            .collect::<ApiResult<Vec<_>>>()?;
        Ok(json!({"organization": o.slug, "scim_groups": all}))
    })?;
    Ok(Json(v))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    resource_group: String,
    role: Role,
}

/// `PUT /_admin/orgs/{org}/scim-groups/{group}/link`: link (or re-link, or change the role of)
/// pushed group `group` to a resource group; its members are backfilled at once [SCIM-7].
pub async fn link(
    State(state): State<AppState>,
    p: Result<axum::extract::Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    b: Body,
) -> ApiResult<Json<Value>> {
    let (slug, group) = path(p)?;
    let l: Link = body::json(&headers, b).await?;
    let platform = state.inner.scim_platform.clone();
    let v = transact_org(&state, &slug, |tx, o| -> ApiResult<Value> {
        let rg = group_named(tx, o.id, &l.resource_group)?;
        scim::link_group(
            platform.as_ref(),
            tx,
            o.slug.as_str(),
            &group,
            &rg_id(rg.id),
            l.role,
        )
        .map_err(link_error)?;
        pushed_group(tx, &o, &group)
    })?;
    Ok(Json(v))
}

/// `DELETE /_admin/orgs/{org}/scim-groups/{group}/link`: the members it gave lose that place
/// (keeping what another linked group gives).
pub async fn unlink(
    State(state): State<AppState>,
    p: Result<axum::extract::Path<(String, String)>, PathRejection>,
) -> ApiResult<StatusCode> {
    let (slug, group) = path(p)?;
    let platform = state.inner.scim_platform.clone();
    transact_org(&state, &slug, |tx, o| -> ApiResult<()> {
        scim::unlink_group(platform.as_ref(), tx, o.slug.as_str(), &group).map_err(link_error)
    })?;
    Ok(StatusCode::NO_CONTENT)
}
