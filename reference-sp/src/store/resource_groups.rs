//! Resource groups and their members.

use super::{Id, StoreError};
use crate::role::{Role, Source};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceGroup {
    pub id: Id,
    pub org_id: Id,
    pub name: String,
    pub created: i64,
}

/// One account's place in one group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupMember {
    pub rg_id: Id,
    pub group: String,
    pub account_id: Id,
    pub role: Role,
    pub source: Source,
}

pub fn create(c: &Connection, org: Id, name: &str, now: i64) -> Result<ResourceGroup, StoreError> {
    let r = c
        .prepare_cached("INSERT INTO resource_groups (org_id, name, created) VALUES (?1, ?2, ?3)")?
        .execute(params![org, name, now]);
    match r.map_err(StoreError::from) {
        Err(e) if e.is_unique_violation() => Err(StoreError::Conflict(format!(
            "a resource group {name:?} already exists"
        ))),
        Err(e) => Err(e),
        Ok(_) => Ok(ResourceGroup {
            id: c.last_insert_rowid(),
            org_id: org,
            name: name.to_string(),
            created: now,
        }),
    }
}

pub fn by_name(c: &Connection, org: Id, name: &str) -> Result<Option<ResourceGroup>, StoreError> {
    Ok(c.prepare_cached(
        "SELECT id, org_id, name, created FROM resource_groups WHERE org_id = ?1 AND name = ?2",
    )?
    .query_row(params![org, name], |r| {
        Ok(ResourceGroup {
            id: r.get(0)?,
            org_id: r.get(1)?,
            name: r.get(2)?,
            created: r.get(3)?,
        })
    })
    .optional()?)
}

pub fn by_id(c: &Connection, id: Id) -> Result<Option<ResourceGroup>, StoreError> {
    Ok(
        c.prepare_cached("SELECT id, org_id, name, created FROM resource_groups WHERE id = ?1")?
            .query_row([id], |r| {
                Ok(ResourceGroup {
                    id: r.get(0)?,
                    org_id: r.get(1)?,
                    name: r.get(2)?,
                    created: r.get(3)?,
                })
            })
            .optional()?,
    )
}

pub fn of_org(c: &Connection, org: Id) -> Result<Vec<ResourceGroup>, StoreError> {
    let mut st = c.prepare_cached(
        "SELECT id, org_id, name, created FROM resource_groups WHERE org_id = ?1 ORDER BY name",
    )?;
    let v = st
        .query_map([org], |r| {
            Ok(ResourceGroup {
                id: r.get(0)?,
                org_id: r.get(1)?,
                name: r.get(2)?,
                created: r.get(3)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

pub fn delete(c: &Connection, id: Id) -> Result<bool, StoreError> {
    Ok(
        c.prepare_cached("DELETE FROM resource_groups WHERE id = ?1")?
            .execute([id])?
            > 0,
    )
}

pub fn set_member(
    c: &Connection,
    rg: Id,
    account: Id,
    role: Role,
    source: &Source,
) -> Result<(), StoreError> {
    c.prepare_cached(
        "INSERT INTO rg_members (rg_id, account_id, role, source) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (rg_id, account_id) DO UPDATE SET role = ?3, source = ?4",
    )?
    .execute(params![rg, account, role.as_str(), source.as_str()])?;
    Ok(())
}

pub fn remove_member(c: &Connection, rg: Id, account: Id) -> Result<bool, StoreError> {
    Ok(
        c.prepare_cached("DELETE FROM rg_members WHERE rg_id = ?1 AND account_id = ?2")?
            .execute(params![rg, account])?
            > 0,
    )
}

fn members_where(
    c: &Connection,
    clause: &str,
    p: impl rusqlite::Params,
) -> Result<Vec<GroupMember>, StoreError> {
    let mut st = c.prepare_cached(&format!(
        "SELECT m.rg_id, g.name, m.account_id, m.role, m.source FROM rg_members m \
         JOIN resource_groups g ON g.id = m.rg_id WHERE {clause} ORDER BY g.name, m.account_id"
    ))?;
    let raw = st
        .query_map(p, |r| {
            Ok((
                r.get::<_, Id>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Id>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    raw.into_iter()
        .map(|(rg_id, group, account_id, role, source)| {
            Ok(GroupMember {
                rg_id,
                group,
                account_id,
                role: role
                    .parse::<Role>()
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                source: Source::parse(&source),
            })
        })
        .collect()
}

pub fn members(c: &Connection, rg: Id) -> Result<Vec<GroupMember>, StoreError> {
    members_where(c, "m.rg_id = ?1", [rg])
}

/// The account's groups in `org`.
pub fn groups_of(c: &Connection, org: Id, account: Id) -> Result<Vec<GroupMember>, StoreError> {
    members_where(
        c,
        "g.org_id = ?1 AND m.account_id = ?2",
        params![org, account],
    )
}

/// Make the SSO-given groups of `account` in `org` exactly `desired` (group id to role):
/// memberships SSO gave earlier that no longer match go; memberships given otherwise (by an
/// admin, by SCIM) stay and only ever gain privilege from SSO.
pub fn sync_sso(
    c: &Connection,
    org: Id,
    account: Id,
    desired: &BTreeMap<Id, Role>,
) -> Result<(), StoreError> {
    let current = groups_of(c, org, account)?;
    for m in &current {
        if m.source == Source::Sso && !desired.contains_key(&m.rg_id) {
            remove_member(c, m.rg_id, account)?;
        }
    }
    for (rg, role) in desired {
        match current.iter().find(|m| m.rg_id == *rg) {
            Some(m) if m.source != Source::Sso => {
                if *role > m.role {
                    set_member(c, *rg, account, *role, &m.source)?;
                }
            }
            _ => set_member(c, *rg, account, *role, &Source::Sso)?,
        }
    }
    Ok(())
}
