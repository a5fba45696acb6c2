//! Login flows in flight: the SAML requests this SP sent, the assertions it has consumed (the
//! replay cache), and pending OIDC logins keyed by state.

use super::{Id, StoreError};
use rusqlite::{params, Connection, OptionalExtension};

/// How long an AuthnRequest may wait for its response.
pub const SAML_REQUEST_LIFETIME_SECS: i64 = 15 * 60;
/// How long a pending OIDC login may wait for its callback.
pub const OIDC_PENDING_LIFETIME_SECS: i64 = 15 * 60;

pub fn insert_saml_request(
    c: &Connection,
    id: &str,
    org: Id,
    return_to: Option<&str>,
    now: i64,
) -> Result<(), StoreError> {
    c.prepare_cached("DELETE FROM saml_requests WHERE created < ?1")?
        .execute([now - SAML_REQUEST_LIFETIME_SECS])?;
    c.prepare_cached(
        "INSERT INTO saml_requests (id, org_id, return_to, created) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![id, org, return_to, now])?;
    Ok(())
}

/// Take an outstanding request of `org` sent within its lifetime; returns its return_to (the
/// outer Option says whether the request was there).
pub fn consume_saml_request(
    c: &Connection,
    id: &str,
    org: Id,
    now: i64,
) -> Result<Option<Option<String>>, StoreError> {
    let found: Option<(Option<String>, i64)> = c
        .prepare_cached(
            "SELECT return_to, created FROM saml_requests WHERE id = ?1 AND org_id = ?2",
        )?
        .query_row(params![id, org], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((return_to, created)) = found else {
        return Ok(None);
    };
    c.prepare_cached("DELETE FROM saml_requests WHERE id = ?1")?
        .execute([id])?;
    if now - created > SAML_REQUEST_LIFETIME_SECS {
        return Ok(None);
    }
    Ok(Some(return_to))
}

/// Remember an assertion id until `expires`; false when it was already seen (a replay).
pub fn record_assertion(
    c: &Connection,
    org: Id,
    assertion_id: &str,
    expires: i64,
    now: i64,
) -> Result<bool, StoreError> {
    c.prepare_cached("DELETE FROM saml_replay WHERE expires < ?1")?
        .execute([now])?;
    let n = c
        .prepare_cached(
            "INSERT OR IGNORE INTO saml_replay (org_id, assertion_id, expires) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![org, assertion_id, expires])?;
    Ok(n == 1)
}

pub fn insert_oidc_pending(
    c: &Connection,
    state: &str,
    org: Id,
    pending_json: &str,
    return_to: Option<&str>,
    now: i64,
) -> Result<(), StoreError> {
    c.prepare_cached("DELETE FROM oidc_pending WHERE created < ?1")?
        .execute([now - OIDC_PENDING_LIFETIME_SECS])?;
    c.prepare_cached(
        "INSERT INTO oidc_pending (state, org_id, pending, return_to, created) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![state, org, pending_json, return_to, now])?;
    Ok(())
}

/// A pending login of `org` by state: (pending JSON, return_to), when still within its lifetime.
pub fn oidc_pending(
    c: &Connection,
    state: &str,
    org: Id,
    now: i64,
) -> Result<Option<(String, Option<String>)>, StoreError> {
    Ok(c.query_row(
        "SELECT pending, return_to FROM oidc_pending WHERE state = ?1 AND org_id = ?2 \
         AND created >= ?3",
        params![state, org, now - OIDC_PENDING_LIFETIME_SECS],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?)
}

/// The only pending login of `org` (what the skip-state-check flaw falls back to).
pub fn oidc_latest_pending(
    c: &Connection,
    org: Id,
    now: i64,
) -> Result<Option<(String, String, Option<String>)>, StoreError> {
    Ok(c.query_row(
        "SELECT state, pending, return_to FROM oidc_pending WHERE org_id = ?1 \
         AND created >= ?2 ORDER BY created DESC, rowid DESC LIMIT 1",
        params![org, now - OIDC_PENDING_LIFETIME_SECS],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()?)
}

pub fn delete_oidc_pending(c: &Connection, state: &str) -> Result<bool, StoreError> {
    Ok(
        c.prepare_cached("DELETE FROM oidc_pending WHERE state = ?1")?
            .execute([state])?
            > 0,
    )
}
