//! Resource probes: reaching a repository, creating one, an organisation's landing page, and
//! accepting an invitation.

use super::body::form_or_json;
use super::error::{ApiError, ApiResult};
use super::{login_path, path, path_and_query, redirect, sso_login_path};
use crate::domain::access::{self, Decision, Member};
use crate::flaws::Flaw;
use crate::role::Source;
use crate::session::{self, ViewerState};
use crate::state::AppState;
use crate::store::accounts::{self, Account};
use crate::store::memberships::{self, Membership};
use crate::store::orgs::{self, Org};
use crate::store::repos::{self, Repo};
use crate::store::{invitations, resource_groups, Id, StoreError};
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rusqlite::Connection;
use serde_json::json;

/// A namespace: an organisation or a personal account.
enum Namespace {
    Org(Org),
    Personal(Account),
}

fn namespace(c: &Connection, name: &str) -> Result<Option<Namespace>, StoreError> {
    if let Some(o) = orgs::by_slug(c, name)? {
        return Ok(Some(Namespace::Org(o)));
    }
    Ok(accounts::by_username(c, name)?.map(Namespace::Personal))
}

/// Decide access to `org`'s resource (`group`: its resource group) for the viewer.
fn decide_org(
    c: &Connection,
    state: &AppState,
    org: &Org,
    group: Option<Id>,
    viewer: &ViewerState,
    create: bool,
) -> Result<Decision, StoreError> {
    let sso_configured = orgs::sso(c, org.id)?.is_some();
    let signed = match viewer {
        ViewerState::Signed(v) => Some(v),
        // A managed account whose SSO session expired: SSO again if this is its organisation.
        ViewerState::Expired { org: home } if home.id == org.id => {
            return Ok(Decision::SsoRequired)
        }
        _ => None,
    };
    let Some(v) = signed else {
        return Ok(access::org_resource(
            org,
            sso_configured,
            group.is_some(),
            None,
        ));
    };
    let membership: Option<Membership> = memberships::get(c, org.id, v.account.id)?;
    let live = session::org_session_live(c, &v.session, org, state.now_secs(), state.flaws())?;
    let group_role = match group {
        Some(rg) => resource_groups::groups_of(c, org.id, v.account.id)?
            .into_iter()
            .find(|g| g.rg_id == rg)
            .map(|g| g.role),
        None => None,
    };
    let m = Member {
        account: &v.account,
        membership: membership.as_ref(),
        sso_session_live: live,
        group_role,
    };
    Ok(if create {
        access::org_create(org, sso_configured, group.is_some(), Some(&m))
    } else {
        access::org_resource(org, sso_configured, group.is_some(), Some(&m))
    })
}

/// The HTTP answer to a refusal of a GET: a redirect to the login or the SSO, or a 403.
fn refuse_get(d: Decision, org_slug: Option<&str>, here: &str) -> Response {
    match d {
        Decision::LoginRequired => redirect(StatusCode::FOUND, &login_path(here)),
        Decision::SsoRequired => match org_slug {
            Some(slug) => redirect(StatusCode::FOUND, &sso_login_path(slug, here)),
            None => redirect(StatusCode::FOUND, &login_path(here)),
        },
        Decision::Forbidden { code, message } => ApiError::forbidden(code, message).into_response(),
        Decision::Granted { .. } => {
            ApiError::internal("refuse_get called with a grant").into_response()
        }
    }
}

fn granted_json(repo: &Repo, d: &Decision) -> serde_json::Value {
    match d {
        Decision::Granted {
            role,
            via,
            sso_skipped,
        } => json!({
            "repo": format!("{}/{}", repo.owner, repo.name),
            "role": role,
            "via": via,
            "sso_banner": sso_skipped,
        }),
        _ => json!({}),
    }
}

/// `GET /{owner}/{repo}`: 200 with the access granted; 302 to the login (Basic, signed out) or
/// to the organisation's SSO (no live SSO session); 403 with a code; 404.
pub async fn probe(
    State(state): State<AppState>,
    p: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    uri: Uri,
) -> ApiResult<Response> {
    let (owner, name) = path(p)?;
    let viewer = super::viewer(&state, &headers)?;
    let here = path_and_query(&uri);
    state.store().read(|c| -> ApiResult<Response> {
        let ns = namespace(c, &owner)?
            .ok_or_else(|| ApiError::not_found(format!("no namespace {owner:?}")))?;
        let repo = repos::get(c, &owner, &name)?
            .ok_or_else(|| ApiError::not_found(format!("no repository {owner}/{name}")))?;
        let (d, slug) = match &ns {
            Namespace::Org(org) => (
                decide_org(c, &state, org, repo.resource_group, &viewer, false)?,
                Some(org.slug.as_str()),
            ),
            Namespace::Personal(acc) => match &viewer {
                ViewerState::Expired { org } => (Decision::SsoRequired, Some(org.slug.as_str())),
                v => (
                    access::personal_resource(v.viewer().map(|v| &v.account), acc),
                    None,
                ),
            },
        };
        match d {
            Decision::Granted { .. } => Ok(Json(granted_json(&repo, &d)).into_response()),
            other => Ok(refuse_get(other, slug, &here)),
        }
    })
}

fn repo_name_ok(name: &str) -> bool {
    (1..=96).contains(&name.len())
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// `POST /{namespace}/repos {"name", "resource_group"?}`: 201, or 401/403 with a code.
pub async fn create(
    State(state): State<AppState>,
    p: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let (owner, what) = path(p)?;
    if what != "repos" {
        return Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid-request",
            "method-not-allowed",
            "POST is only for /{namespace}/repos",
        ));
    }
    let f = form_or_json(&headers, body).await?;
    let name = f
        .get("name")
        .cloned()
        .ok_or_else(|| ApiError::invalid("missing-field", "name is required"))?;
    if !repo_name_ok(&name) {
        return Err(ApiError::invalid(
            "bad-repo-name",
            format!("{name:?}: use 1 to 96 letters, digits, '-', '_' and '.'"),
        ));
    }
    let group_name = f.get("resource_group").filter(|g| !g.is_empty()).cloned();
    let viewer = super::viewer(&state, &headers)?;
    let now = state.now_secs();
    state.store().transact(|c| -> ApiResult<Response> {
        let ns = namespace(c, &owner)?
            .ok_or_else(|| ApiError::not_found(format!("no namespace {owner:?}")))?;
        let account = match &viewer {
            ViewerState::Signed(v) => v.account.clone(),
            ViewerState::Expired { org } => {
                return Err(ApiError::unauthorized(
                    "sso-session-expired",
                    "your organisation's SSO session expired; sign in again",
                )
                .with_location(sso_login_path(org.slug.as_str(), "/whoami")))
            }
            ViewerState::Anonymous => {
                return Err(ApiError::unauthorized("not-signed-in", "sign in first")
                    .with_location("/login"))
            }
        };
        let (d, group, slug) = match &ns {
            Namespace::Org(org) => {
                let group = match &group_name {
                    Some(g) => Some(
                        resource_groups::by_name(c, org.id, g)?
                            .ok_or_else(|| ApiError::not_found(format!("no resource group {g:?}")))?
                            .id,
                    ),
                    None => None,
                };
                (
                    decide_org(c, &state, org, group, &viewer, true)?,
                    group,
                    Some(org.slug.clone()),
                )
            }
            Namespace::Personal(owner_acc) => {
                if group_name.is_some() {
                    return Err(ApiError::invalid(
                        "no-resource-groups",
                        "personal namespaces have no resource groups",
                    ));
                }
                (
                    access::personal_create(
                        &account,
                        owner_acc,
                        state.flaws().danger(Flaw::ManagedPersonalNamespace),
                    ),
                    None,
                    None,
                )
            }
        };
        match d {
            Decision::Granted { .. } => {
                let repo = repos::create(c, &owner, &name, group, Some(account.id), now)?;
                Ok((StatusCode::CREATED, Json(granted_json(&repo, &d))).into_response())
            }
            Decision::Forbidden { code, message } => Err(ApiError::forbidden(code, message)),
            Decision::SsoRequired => Err(ApiError::forbidden(
                "sso-required",
                "this organisation requires SSO first",
            )
            .with_location(sso_login_path(
                slug.as_ref().map_or("", |s| s.as_str()),
                "/whoami",
            ))),
            Decision::LoginRequired => {
                Err(ApiError::unauthorized("not-signed-in", "sign in first")
                    .with_location("/login"))
            }
        }
    })
}

/// `GET /organizations/{org}`: the organisation's landing page, reachable as an org resource
/// outside any resource group (external collaborators see it only as a list of their groups).
pub async fn org_home(
    State(state): State<AppState>,
    p: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    uri: Uri,
) -> ApiResult<Response> {
    let slug = path(p)?;
    let org = super::org_or_404(&state, &slug)?;
    let viewer = super::viewer(&state, &headers)?;
    let here = path_and_query(&uri);
    state.store().read(|c| -> ApiResult<Response> {
        let d = decide_org(c, &state, &org, None, &viewer, false)?;
        match d {
            Decision::Granted {
                role,
                via,
                sso_skipped,
            } => Ok(Json(json!({
                "organization": org.slug,
                "mode": org.mode,
                "role": role,
                "via": via,
                "sso_banner": sso_skipped,
            }))
            .into_response()),
            other => Ok(refuse_get(other, Some(org.slug.as_str()), &here)),
        }
    })
}

/// `POST /invitations/{token}/accept`: join with the invitation's role. An invitation as
/// external collaborator needs no SSO [EXT-1]; members still need SSO to reach resources.
pub async fn accept_invitation(
    State(state): State<AppState>,
    p: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let token = path(p)?;
    let viewer = super::viewer(&state, &headers)?;
    let Some(v) = viewer.viewer().cloned() else {
        return Err(
            ApiError::unauthorized("not-signed-in", "sign in first").with_location("/login")
        );
    };
    let now = state.now_secs();
    state.store().transact(|c| -> ApiResult<Response> {
        let inv = invitations::by_token(c, &token)?
            .ok_or_else(|| ApiError::not_found("no such invitation"))?;
        let emails = accounts::emails(c, v.account.id)?;
        let addressed = inv.account_id == Some(v.account.id)
            || inv
                .email
                .as_deref()
                .is_some_and(|e| emails.iter().any(|m| m.eq_ignore_ascii_case(e)));
        if !addressed {
            return Err(ApiError::forbidden(
                "invitation-not-yours",
                "this invitation is addressed to another account",
            ));
        }
        if inv.accepted {
            return Err(ApiError::conflict("the invitation was already accepted"));
        }
        if !inv.active {
            return Err(ApiError::forbidden(
                "invitation-deactivated",
                "the invitation is deactivated",
            ));
        }
        if v.account.managed_by_org.is_some_and(|o| o != inv.org_id) {
            return Err(ApiError::forbidden(
                "managed-account-restricted",
                "a managed account cannot join other organisations",
            ));
        }
        memberships::insert(
            c,
            &Membership {
                org_id: inv.org_id,
                account_id: v.account.id,
                role: inv.role,
                source: Source::Invite,
                external_collaborator: inv.external_collaborator,
                invited_role: Some(inv.role),
                active: true,
                created: now,
            },
        )?;
        invitations::accept(c, inv.id, v.account.id)?;
        let org = orgs::by_id(c, inv.org_id)?
            .ok_or_else(|| ApiError::not_found("the organisation is gone"))?;
        Ok(Json(json!({
            "organization": org.slug,
            "role": inv.role,
            "external_collaborator": inv.external_collaborator,
        }))
        .into_response())
    })
}
