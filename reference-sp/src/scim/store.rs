//! The SCIM module's own tables and the SQL that reads and writes them.
//!
//! - `scim_tokens`: SHA-256 of each bearer token, per organisation; the token itself is never
//!   stored.
//! - `scim_users`: the User resource as the IdP last wrote it (canonical JSON without id, meta
//!   and groups), its indexed attributes, its version and the platform account it provisioned.
//! - `scim_groups`: the Group resource (without members), its indexed attributes, version and
//!   its link to a resource group with a role [SCIM-7].
//! - `scim_group_members`: group membership, one row per (group, user), in insertion order.
//!
//! Lower-cased copies of userName and displayName carry the case-insensitive uniqueness and
//! the index lookups; externalId is case-exact (RFC 7643 §3.1).

use chrono::{DateTime, Utc};
use protocols::IdGen;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::{Map, Value};
use std::collections::HashSet;

use super::platform::{AccountId, ResourceGroupId, Role};

/// Creates the tables if missing. Idempotent.
pub fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS scim_tokens (
            token_hash TEXT PRIMARY KEY,
            org TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS scim_tokens_org ON scim_tokens(org);
        CREATE TABLE IF NOT EXISTS scim_users (
            org TEXT NOT NULL,
            id TEXT NOT NULL,
            user_name TEXT NOT NULL,
            user_name_lc TEXT NOT NULL,
            external_id TEXT,
            active INTEGER NOT NULL,
            resource TEXT NOT NULL,
            version INTEGER NOT NULL,
            created TEXT NOT NULL,
            modified TEXT NOT NULL,
            account_id TEXT NOT NULL,
            PRIMARY KEY (org, id),
            UNIQUE (org, user_name_lc),
            UNIQUE (org, external_id),
            UNIQUE (org, account_id)
        );
        CREATE TABLE IF NOT EXISTS scim_groups (
            org TEXT NOT NULL,
            id TEXT NOT NULL,
            display_name TEXT NOT NULL,
            display_name_lc TEXT NOT NULL,
            external_id TEXT,
            resource TEXT NOT NULL,
            version INTEGER NOT NULL,
            created TEXT NOT NULL,
            modified TEXT NOT NULL,
            linked_rg TEXT,
            linked_role TEXT,
            PRIMARY KEY (org, id),
            UNIQUE (org, display_name_lc),
            UNIQUE (org, external_id)
        );
        CREATE INDEX IF NOT EXISTS scim_groups_rg ON scim_groups(org, linked_rg);
        CREATE TABLE IF NOT EXISTS scim_group_members (
            org TEXT NOT NULL,
            group_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            PRIMARY KEY (org, group_id, user_id)
        );
        CREATE INDEX IF NOT EXISTS scim_group_members_user
            ON scim_group_members(org, user_id);",
    )
}

// ---------------------------------------------------------------------------------------------
// Tokens

/// A bearer token as minted: shown once to the admin, stored only as a hash. `Debug` redacts it.
#[derive(Clone, PartialEq, Eq)]
pub struct ScimToken(String);

impl ScimToken {
    /// The token text, for the admin to paste into the IdP.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ScimToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ScimToken(<redacted>)")
    }
}

/// Lower-case hex SHA-256 of the token.
pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(openssl::sha::sha256(token.as_bytes()))
}

/// Mints a bearer token for `org`. Earlier tokens stay valid (rotation without downtime) until
/// [`revoke_tokens`].
pub fn mint_token(conn: &Connection, ids: &dyn IdGen, org: &str) -> rusqlite::Result<ScimToken> {
    let token = format!("scim_{}", ids.token(32));
    conn.execute(
        "INSERT INTO scim_tokens (token_hash, org) VALUES (?1, ?2)",
        params![token_hash(&token), org],
    )?;
    Ok(ScimToken(token))
}

/// Revokes every token of `org`; returns how many there were.
pub fn revoke_tokens(conn: &Connection, org: &str) -> rusqlite::Result<usize> {
    conn.execute("DELETE FROM scim_tokens WHERE org = ?1", params![org])
}

/// Whether `token` is one of `org`'s. Another organisation's token is as good as none.
pub(crate) fn token_valid(conn: &Connection, org: &str, token: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM scim_tokens WHERE token_hash = ?1 AND org = ?2")?
        .exists(params![token_hash(token), org])
}

// ---------------------------------------------------------------------------------------------
// Rows

fn time(s: String) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(&s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e.into())
        })
}

fn object(s: String) -> rusqlite::Result<Map<String, Value>> {
    match serde_json::from_str(&s) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(rusqlite::Error::InvalidColumnType(
            0,
            "resource".into(),
            rusqlite::types::Type::Text,
        )),
        Err(e) => Err(rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            e.into(),
        )),
    }
}

/// The stored form of a resource: the same text `Value::Object(map).to_string()` gives,
/// written straight from the map instead of from a copy of it.
fn resource_json(m: &Map<String, Value>) -> String {
    // A JSON map (string keys, JSON values) always serialises.
    serde_json::to_string(m).unwrap_or_default()
}

fn version(v: i64) -> u64 {
    u64::try_from(v).unwrap_or_default()
}

fn sql_version(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// A provisioned User.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct UserRow {
    pub id: String,
    pub user_name: String,
    pub external_id: Option<String>,
    pub active: bool,
    /// Canonical JSON without id, meta and groups.
    pub resource: Map<String, Value>,
    pub version: u64,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    pub account: AccountId,
}

/// The columns [`user_row`] reads, as a macro so the hot statements are `concat!`ed at
/// compile time instead of `format!`ed on every call.
macro_rules! user_cols {
    () => {
        "id, user_name, external_id, active, resource, version, created, modified, account_id"
    };
}

fn user_row(r: &Row<'_>) -> rusqlite::Result<UserRow> {
    Ok(UserRow {
        id: r.get(0)?,
        user_name: r.get(1)?,
        external_id: r.get(2)?,
        active: r.get(3)?,
        resource: object(r.get(4)?)?,
        version: version(r.get(5)?),
        created: time(r.get(6)?)?,
        modified: time(r.get(7)?)?,
        account: AccountId(r.get(8)?),
    })
}

pub(crate) fn user(conn: &Connection, org: &str, id: &str) -> rusqlite::Result<Option<UserRow>> {
    conn.prepare_cached(concat!(
        "SELECT ",
        user_cols!(),
        " FROM scim_users WHERE org = ?1 AND id = ?2"
    ))?
    .query_row(params![org, id], user_row)
    .optional()
}

/// Whether `id` is a User of `org` (the primary key alone: no resource to parse).
pub(crate) fn user_exists(conn: &Connection, org: &str, id: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM scim_users WHERE org = ?1 AND id = ?2")?
        .exists(params![org, id])
}

/// Users whose `column` equals `value`, or every user of the org, in creation order.
pub(crate) enum UserKey<'a> {
    All,
    Id(&'a str),
    UserName(&'a str),
    ExternalId(&'a str),
    Account(&'a AccountId),
}

pub(crate) fn users(
    conn: &Connection,
    org: &str,
    key: UserKey<'_>,
) -> rusqlite::Result<Vec<UserRow>> {
    macro_rules! select {
        ($clause:literal) => {
            concat!(
                "SELECT ",
                user_cols!(),
                " FROM scim_users WHERE org = ?1",
                $clause,
                " ORDER BY rowid"
            )
        };
    }
    // userName is case-insensitive (RFC 7643 §2.1): its lower-cased copy carries the unique
    // index (org, user_name_lc) that the lookup searches.
    let lower;
    let (sql, value): (&str, Option<&str>) = match key {
        UserKey::All => (select!(""), None),
        UserKey::Id(v) => (select!(" AND id = ?2"), Some(v)),
        UserKey::UserName(v) => {
            lower = v.to_lowercase();
            (select!(" AND user_name_lc = ?2"), Some(lower.as_str()))
        }
        UserKey::ExternalId(v) => (select!(" AND external_id = ?2"), Some(v)),
        UserKey::Account(a) => (select!(" AND account_id = ?2"), Some(a.as_str())),
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = match value {
        None => stmt.query_map(params![org], user_row)?.collect(),
        Some(v) => stmt.query_map(params![org, v], user_row)?.collect(),
    };
    rows
}

pub(crate) fn upsert_user(conn: &Connection, org: &str, u: &UserRow) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO scim_users (org, id, user_name, user_name_lc, external_id, active, resource,
                                 version, created, modified, account_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (org, id) DO UPDATE SET
            user_name = excluded.user_name, user_name_lc = excluded.user_name_lc,
            external_id = excluded.external_id, active = excluded.active,
            resource = excluded.resource, version = excluded.version,
            modified = excluded.modified, account_id = excluded.account_id",
    )?
    .execute(params![
        org,
        u.id,
        u.user_name,
        u.user_name.to_lowercase(),
        u.external_id,
        u.active,
        resource_json(&u.resource),
        sql_version(u.version),
        u.created.to_rfc3339(),
        u.modified.to_rfc3339(),
        u.account.0,
    ])?;
    Ok(())
}

pub(crate) fn delete_user(conn: &Connection, org: &str, id: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM scim_group_members WHERE org = ?1 AND user_id = ?2")?
        .execute(params![org, id])?;
    conn.prepare_cached("DELETE FROM scim_users WHERE org = ?1 AND id = ?2")?
        .execute(params![org, id])?;
    Ok(())
}

/// A pushed Group.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GroupRow {
    pub id: String,
    pub display_name: String,
    pub external_id: Option<String>,
    /// Canonical JSON without id, meta and members.
    pub resource: Map<String, Value>,
    pub version: u64,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    pub link: Option<(ResourceGroupId, Role)>,
}

const GROUP_COLS: &str =
    "id, display_name, external_id, resource, version, created, modified, linked_rg, linked_role";

fn group_row(r: &Row<'_>) -> rusqlite::Result<GroupRow> {
    let rg: Option<String> = r.get(7)?;
    let role: Option<String> = r.get(8)?;
    Ok(GroupRow {
        id: r.get(0)?,
        display_name: r.get(1)?,
        external_id: r.get(2)?,
        resource: object(r.get(3)?)?,
        version: version(r.get(4)?),
        created: time(r.get(5)?)?,
        modified: time(r.get(6)?)?,
        link: rg
            .zip(role.as_deref().and_then(Role::parse))
            .map(|(g, r)| (ResourceGroupId(g), r)),
    })
}

pub(crate) fn group(conn: &Connection, org: &str, id: &str) -> rusqlite::Result<Option<GroupRow>> {
    conn.prepare_cached(&format!(
        "SELECT {GROUP_COLS} FROM scim_groups WHERE org = ?1 AND id = ?2"
    ))?
    .query_row(params![org, id], group_row)
    .optional()
}

pub(crate) enum GroupKey<'a> {
    All,
    Id(&'a str),
    DisplayName(&'a str),
    ExternalId(&'a str),
    LinkedTo(&'a ResourceGroupId),
}

pub(crate) fn groups(
    conn: &Connection,
    org: &str,
    key: GroupKey<'_>,
) -> rusqlite::Result<Vec<GroupRow>> {
    let (clause, value) = match key {
        GroupKey::All => ("", String::new()),
        GroupKey::Id(v) => (" AND id = ?2", v.to_string()),
        GroupKey::DisplayName(v) => (" AND display_name_lc = ?2", v.to_lowercase()),
        GroupKey::ExternalId(v) => (" AND external_id = ?2", v.to_string()),
        GroupKey::LinkedTo(rg) => (" AND linked_rg = ?2", rg.0.clone()),
    };
    let sql = format!("SELECT {GROUP_COLS} FROM scim_groups WHERE org = ?1{clause} ORDER BY rowid");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = if clause.is_empty() {
        stmt.query_map(params![org], group_row)?.collect()
    } else {
        stmt.query_map(params![org, value], group_row)?.collect()
    };
    rows
}

pub(crate) fn upsert_group(conn: &Connection, org: &str, g: &GroupRow) -> rusqlite::Result<()> {
    let (rg, role) = match &g.link {
        Some((rg, role)) => (Some(rg.0.as_str()), Some(role.as_str())),
        None => (None, None),
    };
    conn.prepare_cached(
        "INSERT INTO scim_groups (org, id, display_name, display_name_lc, external_id, resource,
                                  version, created, modified, linked_rg, linked_role)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (org, id) DO UPDATE SET
            display_name = excluded.display_name, display_name_lc = excluded.display_name_lc,
            external_id = excluded.external_id, resource = excluded.resource,
            version = excluded.version, modified = excluded.modified,
            linked_rg = excluded.linked_rg, linked_role = excluded.linked_role",
    )?
    .execute(params![
        org,
        g.id,
        g.display_name,
        g.display_name.to_lowercase(),
        g.external_id,
        resource_json(&g.resource),
        sql_version(g.version),
        g.created.to_rfc3339(),
        g.modified.to_rfc3339(),
        rg,
        role,
    ])?;
    Ok(())
}

pub(crate) fn delete_group(conn: &Connection, org: &str, id: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM scim_group_members WHERE org = ?1 AND group_id = ?2")?
        .execute(params![org, id])?;
    conn.prepare_cached("DELETE FROM scim_groups WHERE org = ?1 AND id = ?2")?
        .execute(params![org, id])?;
    Ok(())
}

/// The member user ids of a group, in the order they joined.
pub(crate) fn members(
    conn: &Connection,
    org: &str,
    group_id: &str,
) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT user_id FROM scim_group_members WHERE org = ?1 AND group_id = ?2 ORDER BY rowid",
    )?;
    let rows = stmt
        .query_map(params![org, group_id], |r| r.get(0))?
        .collect();
    rows
}

/// Every (group id, user id) membership of the org, in the order they were made.
pub(crate) fn all_members(conn: &Connection, org: &str) -> rusqlite::Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT group_id, user_id FROM scim_group_members WHERE org = ?1 ORDER BY rowid",
    )?;
    let rows = stmt
        .query_map(params![org], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect();
    rows
}

/// Replaces a group's members (`current` as [`members`] read them in this transaction),
/// keeping the rows (and so the order) of those who stay. Sets, not scans: a 10,000-member
/// group costs no more per member than a small one.
pub(crate) fn set_members(
    conn: &Connection,
    org: &str,
    group_id: &str,
    current: &[String],
    user_ids: &[String],
) -> rusqlite::Result<()> {
    let wanted: HashSet<&str> = user_ids.iter().map(String::as_str).collect();
    let had: HashSet<&str> = current.iter().map(String::as_str).collect();
    let mut delete = conn.prepare_cached(
        "DELETE FROM scim_group_members WHERE org = ?1 AND group_id = ?2 AND user_id = ?3",
    )?;
    for gone in current.iter().filter(|c| !wanted.contains(c.as_str())) {
        delete.execute(params![org, group_id, gone])?;
    }
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO scim_group_members (org, group_id, user_id) VALUES (?1, ?2, ?3)",
    )?;
    for new in user_ids.iter().filter(|u| !had.contains(u.as_str())) {
        insert.execute(params![org, group_id, new])?;
    }
    Ok(())
}

/// A member's `display`: the User's displayName when it is a string, else its userName; ""
/// for an id that is no User (not reachable: deleting a User removes its memberships).
const MEMBER_DISPLAY: &str = "COALESCE(CASE WHEN json_type(u.resource, '$.displayName') = 'text'
         THEN json_extract(u.resource, '$.displayName') END, u.user_name, '')";

/// A group's members with their displays, in the order they joined: one indexed join over
/// the group's rows, whatever the size of the org.
pub(crate) fn member_displays(
    conn: &Connection,
    org: &str,
    group_id: &str,
) -> rusqlite::Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT m.user_id, {MEMBER_DISPLAY} FROM scim_group_members m
         LEFT JOIN scim_users u ON u.org = m.org AND u.id = m.user_id
         WHERE m.org = ?1 AND m.group_id = ?2 ORDER BY m.rowid"
    ))?;
    let rows = stmt
        .query_map(params![org, group_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect();
    rows
}

/// Every membership of the org as (group id, user id, display), in the order they were made.
pub(crate) fn all_member_displays(
    conn: &Connection,
    org: &str,
) -> rusqlite::Result<Vec<(String, String, String)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT m.group_id, m.user_id, {MEMBER_DISPLAY} FROM scim_group_members m
         LEFT JOIN scim_users u ON u.org = m.org AND u.id = m.user_id
         WHERE m.org = ?1 ORDER BY m.rowid"
    ))?;
    let rows = stmt
        .query_map(params![org], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect();
    rows
}

/// The groups (id, displayName) a user belongs to.
pub(crate) fn groups_of(
    conn: &Connection,
    org: &str,
    user_id: &str,
) -> rusqlite::Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT g.id, g.display_name FROM scim_group_members m
         JOIN scim_groups g ON g.org = m.org AND g.id = m.group_id
         WHERE m.org = ?1 AND m.user_id = ?2 ORDER BY m.rowid",
    )?;
    let rows = stmt
        .query_map(params![org, user_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect();
    rows
}

/// The role each active user should hold in `rg`: the highest among the linked groups they are
/// in [SCIM-7].
pub(crate) fn desired_rg_roles(
    conn: &Connection,
    org: &str,
    rg: &ResourceGroupId,
) -> rusqlite::Result<Vec<(AccountId, Role)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT u.account_id, g.linked_role FROM scim_groups g
         JOIN scim_group_members m ON m.org = g.org AND m.group_id = g.id
         JOIN scim_users u ON u.org = m.org AND u.id = m.user_id
         WHERE g.org = ?1 AND g.linked_rg = ?2 AND u.active = 1",
    )?;
    let pairs: Vec<(String, String)> = stmt
        .query_map(params![org, rg.0], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut best: std::collections::BTreeMap<AccountId, Role> = Default::default();
    for (account, role) in pairs {
        if let Some(role) = Role::parse(&role) {
            let e = best.entry(AccountId(account)).or_insert(role);
            *e = (*e).max(role);
        }
    }
    Ok(best.into_iter().collect())
}

/// The resource groups linked to any of the given user's groups.
pub(crate) fn linked_rgs_of_user(
    conn: &Connection,
    org: &str,
    user_id: &str,
) -> rusqlite::Result<Vec<ResourceGroupId>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT g.linked_rg FROM scim_group_members m
         JOIN scim_groups g ON g.org = m.org AND g.id = m.group_id
         WHERE m.org = ?1 AND m.user_id = ?2 AND g.linked_rg IS NOT NULL ORDER BY g.linked_rg",
    )?;
    let rows = stmt
        .query_map(params![org, user_id], |r| Ok(ResourceGroupId(r.get(0)?)))?
        .collect();
    rows
}
