//! How the admin API shows organisations, members and accounts.

use crate::http::whoami_rfc3339 as rfc3339;
use crate::state::AppState;
use crate::store::accounts::{self, Account};
use crate::store::memberships::Membership;
use crate::store::orgs::{self, Org};
use crate::store::{invitations::Invitation, resource_groups, sessions, StoreError};
use rusqlite::Connection;
use serde_json::{json, Value};

pub fn org(state: &AppState, c: &Connection, o: &Org) -> Result<Value, StoreError> {
    let sso = orgs::sso(c, o.id)?;
    Ok(json!({
        "slug": o.slug,
        "mode": o.mode,
        "default_role": o.default_role,
        "session_timeout_secs": o.session_timeout_secs,
        "sso_enforced": o.sso_enforced,
        "allow_idp_initiated": o.allow_idp_initiated,
        "created": rfc3339(o.created),
        "sso": sso.as_ref().map(|s| s.protocol.name()),
        "urls": state.org_urls(o.slug.as_str()),
        "scim_base_url": state.scim_base_url(o.slug.as_str()),
    }))
}

pub fn member(c: &Connection, o: &Org, m: &Membership) -> Result<Value, StoreError> {
    let a = accounts::by_id(c, m.account_id)?;
    let groups: Vec<Value> = resource_groups::groups_of(c, o.id, m.account_id)?
        .into_iter()
        .map(|g| json!({"name": g.group, "role": g.role, "source": g.source.as_str()}))
        .collect();
    Ok(json!({
        "username": a.as_ref().map(|a| a.username.clone()),
        "account_id": m.account_id,
        "managed": a.as_ref().is_some_and(Account::is_managed),
        "role": m.role,
        "source": m.source.as_str(),
        "external_collaborator": m.external_collaborator,
        "invited_role": m.invited_role,
        "active": m.active,
        "account_active": a.as_ref().is_some_and(|a| a.active),
        "resource_groups": groups,
        "sso_identity": accounts::identity_of(c, o.id, m.account_id)?,
        "sessions": sessions::count_for_account(c, m.account_id)?,
    }))
}

pub fn account(c: &Connection, a: &Account) -> Result<Value, StoreError> {
    let managed_by = match a.managed_by_org {
        Some(id) => orgs::by_id(c, id)?.map(|o| o.slug),
        None => None,
    };
    let mut orgs_out = Vec::new();
    for m in crate::store::memberships::of_account(c, a.id)? {
        if let Some(o) = orgs::by_id(c, m.org_id)? {
            let mut v = member(c, &o, &m)?;
            if let Some(obj) = v.as_object_mut() {
                obj.insert("organization".into(), json!(o.slug));
            }
            orgs_out.push(v);
        }
    }
    Ok(json!({
        "id": a.id,
        "username": a.username,
        "managed": a.is_managed(),
        "managed_by": managed_by,
        "idp_login": a.idp_login,
        "display_name": a.display_name,
        "active": a.active,
        "has_password": a.has_password,
        "emails": accounts::emails(c, a.id)?,
        "created": rfc3339(a.created),
        "sessions": sessions::count_for_account(c, a.id)?,
        "organizations": orgs_out,
    }))
}

pub fn invitation(c: &Connection, i: &Invitation, with_token: bool) -> Result<Value, StoreError> {
    let username = match i.account_id {
        Some(id) => accounts::by_id(c, id)?.map(|a| a.username),
        None => None,
    };
    let mut v = json!({
        "id": i.id,
        "username": username,
        "email": i.email,
        "role": i.role,
        "external_collaborator": i.external_collaborator,
        "source": i.source,
        "accepted": i.accepted,
        "active": i.active,
        "created": rfc3339(i.created),
    });
    if with_token {
        if let Some(o) = v.as_object_mut() {
            o.insert("token".into(), json!(i.token));
            o.insert(
                "accept_url".into(),
                json!(format!("/invitations/{}/accept", i.token)),
            );
        }
    }
    Ok(v)
}
