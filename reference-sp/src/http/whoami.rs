//! `GET /whoami`: who the browser is, with every membership, role, resource group and SSO
//! session, as the harness reads it.

use super::error::{ApiError, ApiResult};
use super::sso_login_path;
use crate::domain::access::sso_session_live;
use crate::flaws::Flaw;
use crate::session::ViewerState;
use crate::state::AppState;
use crate::store::{accounts, memberships, orgs, resource_groups, sessions};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use chrono::DateTime;
use serde_json::{json, Value};

pub(crate) fn rfc3339(secs: i64) -> String {
    DateTime::from_timestamp(secs, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

pub async fn whoami(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    let v = match super::viewer(&state, &headers)? {
        ViewerState::Signed(v) => v,
        ViewerState::Expired { org } => {
            return Err(ApiError::unauthorized(
                "sso-session-expired",
                format!(
                "the SSO session with {} expired; a managed account must sign in through it again",
                org.slug
            ),
            )
            .with_location(sso_login_path(org.slug.as_str(), "/whoami")))
        }
        ViewerState::Anonymous => {
            return Err(
                ApiError::unauthorized("not-signed-in", "nobody is signed in")
                    .with_location("/login"),
            )
        }
    };
    let now = state.now_secs();
    let ignore_timeout = state.flaws().danger(Flaw::IgnoreSessionTimeout);
    let body = state.store().read(|c| -> ApiResult<Value> {
        let emails = accounts::emails(c, v.account.id)?;
        let managed_by = match v.account.managed_by_org {
            Some(id) => orgs::by_id(c, id)?.map(|o| o.slug),
            None => None,
        };
        let org_sessions = sessions::org_sessions(c, &v.session.id)?;
        let mut out_orgs = Vec::new();
        for m in memberships::of_account(c, v.account.id)? {
            let Some(org) = orgs::by_id(c, m.org_id)? else {
                continue;
            };
            let groups: Vec<Value> = resource_groups::groups_of(c, org.id, v.account.id)?
                .into_iter()
                .map(|g| json!({"name": g.group, "role": g.role, "source": g.source.as_str()}))
                .collect();
            let sso = match org_sessions.iter().find(|s| s.org_id == org.id) {
                Some(s) => json!({
                    "configured": orgs::sso(c, org.id)?.is_some(),
                    "session": if sso_session_live(&org, s.authenticated_at, now, ignore_timeout) {
                        "active"
                    } else {
                        "expired"
                    },
                    "authenticated_at": rfc3339(s.authenticated_at),
                    "expires_at": rfc3339(s.authenticated_at.saturating_add(org.session_timeout_secs)),
                }),
                None => json!({
                    "configured": orgs::sso(c, org.id)?.is_some(),
                    "session": "none",
                }),
            };
            out_orgs.push(json!({
                "organization": org.slug,
                "mode": org.mode,
                "role": m.role,
                "source": m.source.as_str(),
                "external_collaborator": m.external_collaborator,
                "active": m.active,
                "resource_groups": groups,
                "sso": sso,
            }));
        }
        Ok(json!({
            "account": {
                "id": v.account.id,
                "username": v.account.username,
                "managed": v.account.is_managed(),
                "managed_by": managed_by,
                "display_name": v.account.display_name,
                "emails": emails,
            },
            "session": {
                "kind": v.session.kind,
                "created": rfc3339(v.session.created),
            },
            "organizations": out_orgs,
        }))
    })?;
    Ok(Json(body))
}
