//! Single Logout state: the SAML sessions (NameID and SessionIndex per login) and the
//! LogoutRequests this SP sent and still awaits an answer to.

use super::{Id, StoreError};
use rusqlite::{params, Connection};

/// How long a LogoutRequest may wait for its LogoutResponse.
pub const LOGOUT_REQUEST_LIFETIME_SECS: i64 = 15 * 60;

/// One SAML login's subject and session at an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamlSession {
    pub session_id: String,
    pub name_id: String,
    pub session_index: Option<String>,
}

/// Remember what a SAML login at `org` was given, on the platform session it signed into.
pub fn record_session(
    c: &Connection,
    session_id: &str,
    org: Id,
    name_id: &str,
    session_index: Option<&str>,
    now: i64,
) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO saml_sessions (session_id, org_id, name_id, session_index, created) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![session_id, org, name_id, session_index, now],
    )?;
    Ok(())
}

/// The SAML sessions at `org` of the platform session `session_id`.
pub fn sessions_of(
    c: &Connection,
    session_id: &str,
    org: Id,
) -> Result<Vec<SamlSession>, StoreError> {
    let mut st = c.prepare(
        "SELECT session_id, name_id, session_index FROM saml_sessions \
         WHERE session_id = ?1 AND org_id = ?2 ORDER BY created DESC, rowid DESC",
    )?;
    let v = st
        .query_map(params![session_id, org], |r| {
            Ok(SamlSession {
                session_id: r.get(0)?,
                name_id: r.get(1)?,
                session_index: r.get(2)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

/// The platform sessions a LogoutRequest names: those at `org` with `name_id` and, when it
/// lists any, one of `session_indexes`.
pub fn matching(
    c: &Connection,
    org: Id,
    name_id: &str,
    session_indexes: &[String],
) -> Result<Vec<String>, StoreError> {
    let mut st = c.prepare(
        "SELECT DISTINCT s.session_id, s.session_index FROM saml_sessions s \
         JOIN sessions p ON p.id = s.session_id WHERE s.org_id = ?1 AND s.name_id = ?2",
    )?;
    let rows = st
        .query_map(params![org, name_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut ids: Vec<String> = rows
        .into_iter()
        .filter(|(_, si)| {
            session_indexes.is_empty() || si.as_ref().is_some_and(|si| session_indexes.contains(si))
        })
        .map(|(id, _)| id)
        .collect();
    ids.dedup();
    Ok(ids)
}

pub fn insert_logout_request(
    c: &Connection,
    id: &str,
    org: Id,
    now: i64,
) -> Result<(), StoreError> {
    c.prepare_cached("DELETE FROM saml_logout_requests WHERE created < ?1")?
        .execute([now - LOGOUT_REQUEST_LIFETIME_SECS])?;
    c.prepare_cached("INSERT INTO saml_logout_requests (id, org_id, created) VALUES (?1, ?2, ?3)")?
        .execute(params![id, org, now])?;
    Ok(())
}

/// Take an outstanding LogoutRequest of `org` sent within its lifetime.
pub fn consume_logout_request(
    c: &Connection,
    id: &str,
    org: Id,
    now: i64,
) -> Result<bool, StoreError> {
    Ok(c.execute(
        "DELETE FROM saml_logout_requests WHERE id = ?1 AND org_id = ?2 AND created >= ?3",
        params![id, org, now - LOGOUT_REQUEST_LIFETIME_SECS],
    )? > 0)
}
