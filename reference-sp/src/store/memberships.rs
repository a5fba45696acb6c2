//! Organisation memberships.

use super::{flag, Id, StoreError};
use crate::role::{Role, Source};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Membership {
    pub org_id: Id,
    pub account_id: Id,
    pub role: Role,
    pub source: Source,
    /// External collaborators skip SSO; only their resource groups give them access [EXT-1].
    pub external_collaborator: bool,
    /// The role of the invitation the member joined through [ROLE-4].
    pub invited_role: Option<Role>,
    /// False while deactivated (SCIM active=false in Basic mode) [SCIM-B4].
    pub active: bool,
    pub created: i64,
}

/// The columns [`row`] reads; a macro so `get` (several times per SCIM request) is
/// `concat!`ed at compile time rather than `format!`ed on every call.
macro_rules! cols {
    () => {
        "org_id, account_id, role, source, external_collaborator, invited_role, active, created"
    };
}
const COLS: &str = cols!();

type Raw = (Id, Id, String, String, i64, Option<String>, i64, i64);

fn row(r: &Row) -> rusqlite::Result<Raw> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
    ))
}

fn decode(t: Raw) -> Result<Membership, StoreError> {
    Ok(Membership {
        org_id: t.0,
        account_id: t.1,
        role: t
            .2
            .parse::<Role>()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        source: Source::parse(&t.3),
        external_collaborator: flag(t.4),
        invited_role: t
            .5
            .map(|r| {
                r.parse::<Role>()
                    .map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .transpose()?,
        active: flag(t.6),
        created: t.7,
    })
}

pub fn get(c: &Connection, org: Id, account: Id) -> Result<Option<Membership>, StoreError> {
    c.prepare_cached(concat!(
        "SELECT ",
        cols!(),
        " FROM memberships WHERE org_id = ?1 AND account_id = ?2"
    ))?
    .query_row(params![org, account], row)
    .optional()?
    .map(decode)
    .transpose()
}

/// Add a member; refuses when the account already belongs to the organisation.
pub fn insert(c: &Connection, m: &Membership) -> Result<(), StoreError> {
    let r = c
        .prepare_cached(
            "INSERT INTO memberships (org_id, account_id, role, source, external_collaborator, \
         invited_role, active, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            m.org_id,
            m.account_id,
            m.role.as_str(),
            m.source.as_str(),
            m.external_collaborator,
            m.invited_role.map(Role::as_str),
            m.active,
            m.created
        ]);
    match r.map_err(StoreError::from) {
        Err(e) if e.is_unique_violation() => Err(StoreError::Conflict(
            "the account is already a member of the organisation".into(),
        )),
        Err(e) => Err(e),
        Ok(_) => Ok(()),
    }
}

pub fn set_role(c: &Connection, org: Id, account: Id, role: Role) -> Result<(), StoreError> {
    c.prepare_cached("UPDATE memberships SET role = ?3 WHERE org_id = ?1 AND account_id = ?2")?
        .execute(params![org, account, role.as_str()])?;
    Ok(())
}

pub fn set_active(c: &Connection, org: Id, account: Id, active: bool) -> Result<(), StoreError> {
    c.prepare_cached("UPDATE memberships SET active = ?3 WHERE org_id = ?1 AND account_id = ?2")?
        .execute(params![org, account, active])?;
    Ok(())
}

pub fn set_invited_role(
    c: &Connection,
    org: Id,
    account: Id,
    role: Option<Role>,
) -> Result<(), StoreError> {
    c.prepare_cached(
        "UPDATE memberships SET invited_role = ?3 WHERE org_id = ?1 AND account_id = ?2",
    )?
    .execute(params![org, account, role.map(Role::as_str)])?;
    Ok(())
}

/// Remove the member, with their resource-group memberships in this organisation [SCIM-B5].
pub fn remove(c: &Connection, org: Id, account: Id) -> Result<bool, StoreError> {
    c.prepare_cached(
        "DELETE FROM rg_members WHERE account_id = ?2 AND rg_id IN \
         (SELECT id FROM resource_groups WHERE org_id = ?1)",
    )?
    .execute(params![org, account])?;
    Ok(
        c.prepare_cached("DELETE FROM memberships WHERE org_id = ?1 AND account_id = ?2")?
            .execute(params![org, account])?
            > 0,
    )
}

pub fn of_org(c: &Connection, org: Id) -> Result<Vec<Membership>, StoreError> {
    let mut st = c.prepare_cached(&format!(
        "SELECT {COLS} FROM memberships WHERE org_id = ?1 ORDER BY account_id"
    ))?;
    let raw = st.query_map([org], row)?.collect::<Result<Vec<_>, _>>()?;
    raw.into_iter().map(decode).collect()
}

pub fn of_account(c: &Connection, account: Id) -> Result<Vec<Membership>, StoreError> {
    let mut st = c.prepare_cached(&format!(
        "SELECT {COLS} FROM memberships WHERE account_id = ?1 ORDER BY org_id"
    ))?;
    let raw = st
        .query_map([account], row)?
        .collect::<Result<Vec<_>, _>>()?;
    raw.into_iter().map(decode).collect()
}
