//! Organisations and their SSO configuration.

use super::{flag, Id, StoreError};
use crate::domain::sso_config::SsoConfig;
use crate::ids::OrgSlug;
use crate::role::{OrgMode, Role};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;

/// Seven days [SESS-1].
pub const DEFAULT_SESSION_TIMEOUT_SECS: i64 = 7 * 24 * 3600;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Org {
    pub id: Id,
    pub slug: OrgSlug,
    pub mode: OrgMode,
    pub default_role: Role,
    pub session_timeout_secs: i64,
    pub sso_enforced: bool,
    pub allow_idp_initiated: bool,
    pub created: i64,
}

/// What an organisation is created or updated with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgSettings {
    pub mode: OrgMode,
    pub default_role: Role,
    pub session_timeout_secs: i64,
    pub sso_enforced: bool,
    pub allow_idp_initiated: bool,
}

/// The columns [`row`] reads; a macro so the lookups below are `concat!`ed once, at compile
/// time, rather than `format!`ed on every call (`by_slug` runs several times per SCIM request).
macro_rules! cols {
    () => {
        "id, slug, mode, default_role, session_timeout_secs, sso_enforced, allow_idp_initiated, created"
    };
}
const COLS: &str = cols!();

type Raw = (Id, String, String, String, i64, i64, i64, i64);

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

fn decode(t: Raw) -> Result<Org, StoreError> {
    Ok(Org {
        id: t.0,
        slug: t.1.into(),
        mode: t
            .2
            .parse::<OrgMode>()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        default_role: t
            .3
            .parse::<Role>()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        session_timeout_secs: t.4,
        sso_enforced: flag(t.5),
        allow_idp_initiated: flag(t.6),
        created: t.7,
    })
}

pub fn create(c: &Connection, slug: &str, s: &OrgSettings, now: i64) -> Result<Org, StoreError> {
    let r = c
        .prepare_cached(
            "INSERT INTO orgs (slug, mode, default_role, session_timeout_secs, sso_enforced, \
         allow_idp_initiated, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            slug,
            s.mode.as_str(),
            s.default_role.as_str(),
            s.session_timeout_secs,
            s.sso_enforced,
            s.allow_idp_initiated,
            now
        ]);
    match r.map_err(StoreError::from) {
        Err(e) if e.is_unique_violation() => Err(StoreError::Conflict(format!(
            "an organisation {slug:?} already exists"
        ))),
        Err(e) => Err(e),
        Ok(_) => by_id(c, c.last_insert_rowid())?
            .ok_or_else(|| StoreError::NotFound("the organisation just created".into())),
    }
}

pub fn update(c: &Connection, id: Id, s: &OrgSettings) -> Result<(), StoreError> {
    c.prepare_cached(
        "UPDATE orgs SET mode = ?2, default_role = ?3, session_timeout_secs = ?4, \
         sso_enforced = ?5, allow_idp_initiated = ?6 WHERE id = ?1",
    )?
    .execute(params![
        id,
        s.mode.as_str(),
        s.default_role.as_str(),
        s.session_timeout_secs,
        s.sso_enforced,
        s.allow_idp_initiated
    ])?;
    Ok(())
}

pub fn by_slug(c: &Connection, slug: &str) -> Result<Option<Org>, StoreError> {
    c.prepare_cached(concat!("SELECT ", cols!(), " FROM orgs WHERE slug = ?1"))?
        .query_row([slug], row)
        .optional()?
        .map(decode)
        .transpose()
}

pub fn by_id(c: &Connection, id: Id) -> Result<Option<Org>, StoreError> {
    c.prepare_cached(concat!("SELECT ", cols!(), " FROM orgs WHERE id = ?1"))?
        .query_row([id], row)
        .optional()?
        .map(decode)
        .transpose()
}

pub fn all(c: &Connection) -> Result<Vec<Org>, StoreError> {
    let mut st = c.prepare_cached(&format!("SELECT {COLS} FROM orgs ORDER BY slug"))?;
    let rows = st.query_map([], row)?.collect::<Result<Vec<_>, _>>()?;
    rows.into_iter().map(decode).collect()
}

pub fn set_sso(c: &Connection, org: Id, cfg: &SsoConfig, now: i64) -> Result<(), StoreError> {
    let json = serde_json::to_string(cfg).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    c.prepare_cached(
        "INSERT INTO org_sso (org_id, protocol, config, updated) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (org_id) DO UPDATE SET protocol = ?2, config = ?3, updated = ?4",
    )?
    .execute(params![org, cfg.protocol.name(), json, now])?;
    Ok(())
}

pub fn sso(c: &Connection, org: Id) -> Result<Option<SsoConfig>, StoreError> {
    let json: Option<String> = c
        .prepare_cached("SELECT config FROM org_sso WHERE org_id = ?1")?
        .query_row([org], |r| r.get(0))
        .optional()?;
    json.map(|j| serde_json::from_str(&j).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}

pub fn clear_sso(c: &Connection, org: Id) -> Result<bool, StoreError> {
    Ok(c.prepare_cached("DELETE FROM org_sso WHERE org_id = ?1")?
        .execute([org])?
        > 0)
}
