//! Invitations to an organisation, by account or by email.

use super::{flag, Id, StoreError};
use crate::role::Role;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invitation {
    pub id: Id,
    pub org_id: Id,
    pub account_id: Option<Id>,
    pub email: Option<String>,
    pub role: Role,
    pub external_collaborator: bool,
    #[serde(skip)]
    pub token: String,
    /// `invite` (admin) or `scim` [SCIM-B1].
    pub source: String,
    pub accepted: bool,
    pub active: bool,
    pub created: i64,
}

#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub org_id: Id,
    pub account_id: Option<Id>,
    pub email: Option<String>,
    pub role: Role,
    pub external_collaborator: bool,
    pub token: String,
    pub source: String,
}

const COLS: &str = "id, org_id, account_id, email, role, external_collaborator, token, source, \
                    accepted, active, created";

type Raw = (
    Id,
    Id,
    Option<Id>,
    Option<String>,
    String,
    i64,
    String,
    String,
    i64,
    i64,
    i64,
);

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
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
    ))
}

fn decode(t: Raw) -> Result<Invitation, StoreError> {
    Ok(Invitation {
        id: t.0,
        org_id: t.1,
        account_id: t.2,
        email: t.3,
        role: t
            .4
            .parse::<Role>()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        external_collaborator: flag(t.5),
        token: t.6,
        source: t.7,
        accepted: flag(t.8),
        active: flag(t.9),
        created: t.10,
    })
}

pub fn create(c: &Connection, n: &NewInvitation, now: i64) -> Result<Invitation, StoreError> {
    c.prepare_cached(
        "INSERT INTO invitations (org_id, account_id, email, role, external_collaborator, \
         token, source, accepted, active, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, 1, ?8)",
    )?
    .execute(params![
        n.org_id,
        n.account_id,
        n.email,
        n.role.as_str(),
        n.external_collaborator,
        n.token,
        n.source,
        now
    ])?;
    by_id(c, c.last_insert_rowid())?
        .ok_or_else(|| StoreError::NotFound("the invitation just created".into()))
}

pub fn by_id(c: &Connection, id: Id) -> Result<Option<Invitation>, StoreError> {
    c.prepare_cached(&format!("SELECT {COLS} FROM invitations WHERE id = ?1"))?
        .query_row([id], row)
        .optional()?
        .map(decode)
        .transpose()
}

pub fn by_token(c: &Connection, token: &str) -> Result<Option<Invitation>, StoreError> {
    c.prepare_cached(&format!("SELECT {COLS} FROM invitations WHERE token = ?1"))?
        .query_row([token], row)
        .optional()?
        .map(decode)
        .transpose()
}

/// The newest unaccepted invitation of `org` addressed to the account or one of its emails.
pub fn pending_for(c: &Connection, org: Id, account: Id) -> Result<Option<Invitation>, StoreError> {
    c.query_row(
        &format!(
            "SELECT {COLS} FROM invitations WHERE org_id = ?1 AND accepted = 0 AND \
             (account_id = ?2 OR email IN (SELECT email FROM account_emails WHERE account_id = ?2)) \
             ORDER BY id DESC LIMIT 1"
        ),
        params![org, account],
        row,
    )
    .optional()?
    .map(decode)
    .transpose()
}

pub fn accept(c: &Connection, id: Id, account: Id) -> Result<(), StoreError> {
    c.prepare_cached("UPDATE invitations SET accepted = 1, account_id = ?2 WHERE id = ?1")?
        .execute(params![id, account])?;
    Ok(())
}

pub fn set_active(c: &Connection, id: Id, active: bool) -> Result<(), StoreError> {
    c.prepare_cached("UPDATE invitations SET active = ?2 WHERE id = ?1")?
        .execute(params![id, active])?;
    Ok(())
}

pub fn delete(c: &Connection, id: Id) -> Result<bool, StoreError> {
    Ok(c.prepare_cached("DELETE FROM invitations WHERE id = ?1")?
        .execute([id])?
        > 0)
}

/// Drop the unaccepted invitations of `org` addressed to the account or one of its emails.
pub fn drop_pending_for(c: &Connection, org: Id, account: Id) -> Result<usize, StoreError> {
    Ok(c.prepare_cached(
        "DELETE FROM invitations WHERE org_id = ?1 AND accepted = 0 AND \
         (account_id = ?2 OR email IN (SELECT email FROM account_emails WHERE account_id = ?2))",
    )?
    .execute(params![org, account])?)
}

pub fn of_org(c: &Connection, org: Id) -> Result<Vec<Invitation>, StoreError> {
    let mut st = c.prepare_cached(&format!(
        "SELECT {COLS} FROM invitations WHERE org_id = ?1 ORDER BY id"
    ))?;
    let raw = st.query_map([org], row)?.collect::<Result<Vec<_>, _>>()?;
    raw.into_iter().map(decode).collect()
}
