//! Browser sessions (the platform login) and the organisation SSO sessions attached to them.
//!
//! The cookie carries a random token; the table keeps its SHA-256 digest, so the database alone
//! cannot be replayed as cookies.

use super::{digest, Id, StoreError};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionKind {
    /// Signed in with a password (Basic accounts) [BASIC-1].
    Password,
    /// Signed in through an organisation's IdP (managed accounts) [MAN-1].
    Sso,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            SessionKind::Password => "password",
            SessionKind::Sso => "sso",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Session {
    #[serde(skip)]
    pub id: String,
    pub account_id: Id,
    pub kind: SessionKind,
    pub created: i64,
}

/// When the session last completed SSO with an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgSession {
    pub org_id: Id,
    pub authenticated_at: i64,
}

pub fn create(
    c: &Connection,
    token: &str,
    account: Id,
    kind: SessionKind,
    now: i64,
) -> Result<Session, StoreError> {
    let id = digest(token);
    c.prepare_cached(
        "INSERT INTO sessions (id, account_id, kind, created) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![id, account, kind.as_str(), now])?;
    Ok(Session {
        id,
        account_id: account,
        kind,
        created: now,
    })
}

/// The session a cookie token stands for.
pub fn by_token(c: &Connection, token: &str) -> Result<Option<Session>, StoreError> {
    if token.is_empty() {
        return Ok(None);
    }
    let raw: Option<(String, Id, String, i64)> = c
        .prepare_cached("SELECT id, account_id, kind, created FROM sessions WHERE id = ?1")?
        .query_row([digest(token)], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    raw.map(|(id, account_id, kind, created)| {
        let kind = match kind.as_str() {
            "password" => SessionKind::Password,
            "sso" => SessionKind::Sso,
            other => return Err(StoreError::Corrupt(format!("session kind {other:?}"))),
        };
        Ok(Session {
            id,
            account_id,
            kind,
            created,
        })
    })
    .transpose()
}

pub fn delete(c: &Connection, id: &str) -> Result<bool, StoreError> {
    Ok(c.prepare_cached("DELETE FROM sessions WHERE id = ?1")?
        .execute([id])?
        > 0)
}

pub fn org_sessions(c: &Connection, session: &str) -> Result<Vec<OrgSession>, StoreError> {
    let mut st = c.prepare_cached(
        "SELECT org_id, authenticated_at FROM org_sso_sessions WHERE session_id = ?1 \
         ORDER BY org_id",
    )?;
    let v = st
        .query_map([session], |r| {
            Ok(OrgSession {
                org_id: r.get(0)?,
                authenticated_at: r.get(1)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

pub fn org_session(
    c: &Connection,
    session: &str,
    org: Id,
) -> Result<Option<OrgSession>, StoreError> {
    Ok(c.prepare_cached(
        "SELECT org_id, authenticated_at FROM org_sso_sessions WHERE session_id = ?1 \
             AND org_id = ?2",
    )?
    .query_row(params![session, org], |r| {
        Ok(OrgSession {
            org_id: r.get(0)?,
            authenticated_at: r.get(1)?,
        })
    })
    .optional()?)
}

/// Record a completed SSO with `org` on the session (a new login restarts the timeout).
pub fn set_org_session(c: &Connection, session: &str, org: Id, now: i64) -> Result<(), StoreError> {
    c.prepare_cached(
        "INSERT INTO org_sso_sessions (session_id, org_id, authenticated_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT (session_id, org_id) DO UPDATE SET authenticated_at = ?3",
    )?
    .execute(params![session, org, now])?;
    Ok(())
}

/// End every session of the account (deprovisioning a managed account) [SESS-3].
pub fn end_for_account(c: &Connection, account: Id) -> Result<usize, StoreError> {
    Ok(
        c.prepare_cached("DELETE FROM sessions WHERE account_id = ?1")?
            .execute([account])?,
    )
}

/// End the account's SSO sessions with one organisation; its platform login stays [SESS-3].
pub fn end_org_sessions(c: &Connection, org: Id, account: Id) -> Result<usize, StoreError> {
    Ok(c.execute(
        "DELETE FROM org_sso_sessions WHERE org_id = ?1 AND session_id IN \
         (SELECT id FROM sessions WHERE account_id = ?2)",
        params![org, account],
    )?)
}

/// How many sessions the account has (for the admin API and tests).
pub fn count_for_account(c: &Connection, account: Id) -> Result<i64, StoreError> {
    Ok(
        c.prepare_cached("SELECT count(*) FROM sessions WHERE account_id = ?1")?
            .query_row([account], |r| r.get(0))?,
    )
}
