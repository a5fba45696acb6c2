//! Organisations, members, invitations and resource groups. SCIM tokens and group links are in
//! [`super::scim`].

use super::lookup::{
    account_named, check_email, group_named, member_of, org_in, read_org, transact_org,
};
use super::render;
use crate::domain::username;
use crate::http::body;
use crate::http::error::{ApiError, ApiResult};
use crate::http::path;
use crate::lifecycle::deprovision;
use crate::lifecycle::login::namespace_free;
use crate::role::{OrgMode, Role, Source};
use crate::state::AppState;
use crate::store::accounts::{self, Account};
use crate::store::invitations::{self, NewInvitation};
use crate::store::memberships::{self, Membership};
use crate::store::orgs::{self, Org, OrgSettings, DEFAULT_SESSION_TIMEOUT_SECS};
use crate::store::resource_groups;
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

/// Session timeouts from one minute to one year.
const TIMEOUT_RANGE: std::ops::RangeInclusive<i64> = 60..=366 * 24 * 3600;

fn check_timeout(secs: i64) -> ApiResult<()> {
    if TIMEOUT_RANGE.contains(&secs) {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "bad-session-timeout",
            format!(
                "session_timeout_secs must be between {} and {}",
                TIMEOUT_RANGE.start(),
                TIMEOUT_RANGE.end()
            ),
        ))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewOrg {
    slug: String,
    mode: OrgMode,
    default_role: Option<Role>,
    session_timeout_secs: Option<i64>,
    sso_enforced: Option<bool>,
    allow_idp_initiated: Option<bool>,
}

pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    b: Body,
) -> ApiResult<Response> {
    let n: NewOrg = body::json(&headers, b).await?;
    username::validate(&n.slug).map_err(|e| {
        ApiError::invalid(
            "bad-slug",
            e.to_string().replacen("username", "organisation slug", 1),
        )
    })?;
    let settings = OrgSettings {
        mode: n.mode,
        default_role: n.default_role.unwrap_or(Role::Read),
        session_timeout_secs: n
            .session_timeout_secs
            .unwrap_or(DEFAULT_SESSION_TIMEOUT_SECS),
        sso_enforced: n.sso_enforced.unwrap_or(true),
        allow_idp_initiated: n.allow_idp_initiated.unwrap_or(false),
    };
    check_timeout(settings.session_timeout_secs)?;
    let now = state.now_secs();
    let v = state.store().transact(|c| -> ApiResult<Value> {
        if !namespace_free(c, &n.slug)? {
            return Err(ApiError::conflict(format!(
                "the name {:?} is taken by a user, an organisation or the platform",
                n.slug
            )));
        }
        let o = orgs::create(c, &n.slug, &settings, now)?;
        Ok(render::org(&state, c, &o)?)
    })?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

pub async fn list(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let v = state.store().read(|c| -> ApiResult<Value> {
        let all = orgs::all(c)?
            .iter()
            .map(|o| render::org(&state, c, o))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(json!({ "organizations": all }))
    })?;
    Ok(Json(v))
}

pub async fn show(
    State(state): State<AppState>,
    p: Result<Path<String>, PathRejection>,
) -> ApiResult<Json<Value>> {
    let slug = path(p)?;
    let v = read_org(&state, &slug, |c, o| -> ApiResult<Value> {
        Ok(render::org(&state, c, &o)?)
    })?;
    Ok(Json(v))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgPatch {
    default_role: Option<Role>,
    session_timeout_secs: Option<i64>,
    sso_enforced: Option<bool>,
    allow_idp_initiated: Option<bool>,
}

pub async fn update(
    State(state): State<AppState>,
    p: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    b: Body,
) -> ApiResult<Json<Value>> {
    let slug = path(p)?;
    let patch: OrgPatch = body::json(&headers, b).await?;
    if let Some(t) = patch.session_timeout_secs {
        check_timeout(t)?;
    }
    let v = transact_org(&state, &slug, |c, o| -> ApiResult<Value> {
        let s = OrgSettings {
            mode: o.mode,
            default_role: patch.default_role.unwrap_or(o.default_role),
            session_timeout_secs: patch.session_timeout_secs.unwrap_or(o.session_timeout_secs),
            sso_enforced: patch.sso_enforced.unwrap_or(o.sso_enforced),
            allow_idp_initiated: patch.allow_idp_initiated.unwrap_or(o.allow_idp_initiated),
        };
        orgs::update(c, o.id, &s)?;
        let o = org_in(c, &slug)?;
        Ok(render::org(&state, c, &o)?)
    })?;
    Ok(Json(v))
}

pub async fn members(
    State(state): State<AppState>,
    p: Result<Path<String>, PathRejection>,
) -> ApiResult<Json<Value>> {
    let slug = path(p)?;
    let v = read_org(&state, &slug, |c, o| -> ApiResult<Value> {
        let ms = memberships::of_org(c, o.id)?
            .iter()
            .map(|m| render::member(c, &o, m))
            .collect::<Result<Vec<_>, _>>()?;
        let invs = invitations::of_org(c, o.id)?
            .iter()
            .filter(|i| !i.accepted)
            .map(|i| render::invitation(c, i, false))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(json!({"organization": o.slug, "members": ms, "pending_invitations": invs}))
    })?;
    Ok(Json(v))
}

pub async fn member(
    State(state): State<AppState>,
    p: Result<Path<(String, String)>, PathRejection>,
) -> ApiResult<Json<Value>> {
    let (slug, name) = path(p)?;
    let v = read_org(&state, &slug, |c, o| -> ApiResult<Value> {
        let a = account_named(c, &name)?;
        let m = member_of(c, &o, &a, &name, &slug)?;
        Ok(render::member(c, &o, &m)?)
    })?;
    Ok(Json(v))
}

/// May `a` belong to `o`? Managed accounts stay in their organisation [MAN-4]; a managed
/// organisation's members are its own accounts, others only as external collaborators.
fn may_join(o: &Org, a: &Account, external: bool) -> ApiResult<()> {
    if a.managed_by_org.is_some_and(|id| id != o.id) {
        return Err(ApiError::forbidden(
            "managed-account-restricted",
            format!("{} is managed by another organisation", a.username),
        ));
    }
    if o.mode == OrgMode::Managed && !a.is_managed() && !external {
        return Err(ApiError::forbidden(
            "managed-org-members-are-managed",
            "a managed organisation's members are its own accounts; add a personal account as an external collaborator",
        ));
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    username: String,
    role: Role,
    #[serde(default)]
    external_collaborator: bool,
}

pub async fn add_member(
    State(state): State<AppState>,
    p: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    b: Body,
) -> ApiResult<Response> {
    let slug = path(p)?;
    let n: NewMember = body::json(&headers, b).await?;
    let now = state.now_secs();
    let v = transact_org(&state, &slug, |c, o| -> ApiResult<Value> {
        let a = account_named(c, &n.username)?;
        may_join(&o, &a, n.external_collaborator)?;
        let m = Membership {
            org_id: o.id,
            account_id: a.id,
            role: n.role,
            source: Source::Direct,
            external_collaborator: n.external_collaborator,
            invited_role: None,
            active: true,
            created: now,
        };
        memberships::insert(c, &m)?;
        Ok(render::member(c, &o, &m)?)
    })?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberPatch {
    role: Option<Role>,
    active: Option<bool>,
    external_collaborator: Option<bool>,
}

pub async fn update_member(
    State(state): State<AppState>,
    p: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    b: Body,
) -> ApiResult<Json<Value>> {
    let (slug, name) = path(p)?;
    let patch: MemberPatch = body::json(&headers, b).await?;
    let v = transact_org(&state, &slug, |c, o| -> ApiResult<Value> {
        let a = account_named(c, &name)?;
        member_of(c, &o, &a, &name, &slug)?;
        if let Some(r) = patch.role {
            memberships::set_role(c, o.id, a.id, r)?;
        }
        if let Some(ext) = patch.external_collaborator {
            may_join(&o, &a, ext)?;
            c.execute(
                "UPDATE memberships SET external_collaborator = ?3 WHERE org_id = ?1 AND account_id = ?2",
                rusqlite::params![o.id, a.id, ext],
            )
            .map_err(crate::store::StoreError::from)?;
        }
        match patch.active {
            Some(false) => deprovision::deactivate_member(c, o.id, a.id, state.flaws())?,
            Some(true) => deprovision::reactivate_member(c, o.id, a.id)?,
            None => {}
        }
        let m = memberships::get(c, o.id, a.id)?
            .ok_or_else(|| ApiError::not_found("the membership is gone"))?;
        Ok(render::member(c, &o, &m)?)
    })?;
    Ok(Json(v))
}

/// Remove a member (and their resource groups here); their SSO sessions end [SESS-3].
pub async fn remove_member(
    State(state): State<AppState>,
    p: Result<Path<(String, String)>, PathRejection>,
) -> ApiResult<StatusCode> {
    let (slug, name) = path(p)?;
    transact_org(&state, &slug, |c, o| -> ApiResult<()> {
        let a = account_named(c, &name)?;
        if !deprovision::remove_member(c, o.id, a.id, state.flaws())? {
            return Err(ApiError::not_found(format!(
                "{name} is not a member of {slug}"
            )));
        }
        Ok(())
    })?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewInvite {
    username: Option<String>,
    email: Option<String>,
    role: Role,
    #[serde(default)]
    external_collaborator: bool,
}

pub async fn invite(
    State(state): State<AppState>,
    p: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    b: Body,
) -> ApiResult<Response> {
    let slug = path(p)?;
    let n: NewInvite = body::json(&headers, b).await?;
    if n.username.is_some() == n.email.is_some() {
        return Err(ApiError::invalid(
            "username-or-email",
            "give exactly one of username and email",
        ));
    }
    if let Some(e) = &n.email {
        check_email(e)?;
    }
    let now = state.now_secs();
    let token = state.ids().token(24);
    let v = transact_org(&state, &slug, |c, o| -> ApiResult<Value> {
        let account = match &n.username {
            Some(u) => Some(account_named(c, u)?),
            None => accounts::by_email(c, n.email.as_deref().unwrap_or(""))?,
        };
        if let Some(a) = &account {
            may_join(&o, a, n.external_collaborator)?;
            if memberships::get(c, o.id, a.id)?.is_some() {
                return Err(ApiError::conflict(format!(
                    "{} is already a member",
                    a.username
                )));
            }
        }
        let inv = invitations::create(
            c,
            &NewInvitation {
                org_id: o.id,
                account_id: n.username.as_ref().and(account.as_ref().map(|a| a.id)),
                email: n.email.clone(),
                role: n.role,
                external_collaborator: n.external_collaborator,
                token: token.clone(),
                source: "invite".into(),
            },
            now,
        )?;
        let mut v = render::invitation(c, &inv, true)?;
        if let Some(obj) = v.as_object_mut() {
            obj.insert(
                "join_url".into(),
                json!(state.org_urls(o.slug.as_str()).join),
            );
        }
        Ok(v)
    })?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

pub async fn invitations(
    State(state): State<AppState>,
    p: Result<Path<String>, PathRejection>,
) -> ApiResult<Json<Value>> {
    let slug = path(p)?;
    let v = read_org(&state, &slug, |c, o| -> ApiResult<Value> {
        let all = invitations::of_org(c, o.id)?
            .iter()
            .map(|i| render::invitation(c, i, false))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(json!({ "invitations": all }))
    })?;
    Ok(Json(v))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewGroup {
    name: String,
}

fn check_group_name(name: &str) -> ApiResult<()> {
    let ok = !name.trim().is_empty()
        && name.len() <= 100
        && name == name.trim()
        && !name.chars().any(|c| c.is_control() || c == '/');
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "bad-group-name",
            "a resource group name is 1 to 100 characters, no '/', no control characters, no surrounding spaces",
        ))
    }
}

pub async fn create_group(
    State(state): State<AppState>,
    p: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    b: Body,
) -> ApiResult<Response> {
    let slug = path(p)?;
    let n: NewGroup = body::json(&headers, b).await?;
    check_group_name(&n.name)?;
    let now = state.now_secs();
    let v = transact_org(&state, &slug, |c, o| -> ApiResult<Value> {
        let g = resource_groups::create(c, o.id, &n.name, now)?;
        Ok(json!({"id": g.id, "name": g.name, "organization": o.slug, "members": []}))
    })?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

pub async fn groups(
    State(state): State<AppState>,
    p: Result<Path<String>, PathRejection>,
) -> ApiResult<Json<Value>> {
    let slug = path(p)?;
    let v = read_org(&state, &slug, |c, o| -> ApiResult<Value> {
        let mut out = Vec::new();
        for g in resource_groups::of_org(c, o.id)? {
            let mut members = Vec::new();
            for m in resource_groups::members(c, g.id)? {
                let name = accounts::by_id(c, m.account_id)?.map(|a| a.username);
                members
                    .push(json!({"username": name, "role": m.role, "source": m.source.as_str()}));
            }
            out.push(json!({"id": g.id, "name": g.name, "members": members}));
        }
        Ok(json!({ "resource_groups": out }))
    })?;
    Ok(Json(v))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupRole {
    role: Role,
}

pub async fn set_group_member(
    State(state): State<AppState>,
    p: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
    b: Body,
) -> ApiResult<Json<Value>> {
    let (slug, group, name) = path(p)?;
    let r: GroupRole = body::json(&headers, b).await?;
    let v = transact_org(&state, &slug, |c, o| -> ApiResult<Value> {
        let g = group_named(c, o.id, &group)?;
        super::scim::refuse_if_scim_managed(c, &o, &g)?;
        let a = account_named(c, &name)?;
        if memberships::get(c, o.id, a.id)?.is_none() {
            return Err(ApiError::invalid(
                "not-a-member",
                format!("{name} must be a member (or external collaborator) of {slug} first"),
            ));
        }
        resource_groups::set_member(c, g.id, a.id, r.role, &Source::Direct)?;
        Ok(json!({"group": g.name, "username": a.username, "role": r.role}))
    })?;
    Ok(Json(v))
}

pub async fn remove_group_member(
    State(state): State<AppState>,
    p: Result<Path<(String, String, String)>, PathRejection>,
) -> ApiResult<StatusCode> {
    let (slug, group, name) = path(p)?;
    transact_org(&state, &slug, |c, o| -> ApiResult<()> {
        let g = group_named(c, o.id, &group)?;
        super::scim::refuse_if_scim_managed(c, &o, &g)?;
        let a = account_named(c, &name)?;
        if !resource_groups::remove_member(c, g.id, a.id)? {
            return Err(ApiError::not_found(format!("{name} is not in {group}")));
        }
        Ok(())
    })?;
    Ok(StatusCode::NO_CONTENT)
}
