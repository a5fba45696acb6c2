//! Repositories: the content of personal namespaces and organisations.

use super::{Id, StoreError};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Repo {
    pub id: Id,
    /// An organisation slug or a username.
    pub owner: String,
    pub name: String,
    pub resource_group: Option<Id>,
    pub created_by: Option<Id>,
    pub created: i64,
}

const COLS: &str = "id, owner, name, resource_group, created_by, created";

fn row(r: &Row) -> rusqlite::Result<Repo> {
    Ok(Repo {
        id: r.get(0)?,
        owner: r.get(1)?,
        name: r.get(2)?,
        resource_group: r.get(3)?,
        created_by: r.get(4)?,
        created: r.get(5)?,
    })
}

pub fn create(
    c: &Connection,
    owner: &str,
    name: &str,
    resource_group: Option<Id>,
    created_by: Option<Id>,
    now: i64,
) -> Result<Repo, StoreError> {
    let r = c.execute(
        "INSERT INTO repos (owner, name, resource_group, created_by, created) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![owner, name, resource_group, created_by, now],
    );
    match r.map_err(StoreError::from) {
        Err(e) if e.is_unique_violation() => Err(StoreError::Conflict(format!(
            "{owner}/{name} already exists"
        ))),
        Err(e) => Err(e),
        Ok(_) => get(c, owner, name)?
            .ok_or_else(|| StoreError::NotFound("the repository just created".into())),
    }
}

pub fn get(c: &Connection, owner: &str, name: &str) -> Result<Option<Repo>, StoreError> {
    Ok(c.query_row(
        &format!("SELECT {COLS} FROM repos WHERE owner = ?1 AND name = ?2"),
        params![owner, name],
        row,
    )
    .optional()?)
}

pub fn of_owner(c: &Connection, owner: &str) -> Result<Vec<Repo>, StoreError> {
    let mut st = c.prepare(&format!(
        "SELECT {COLS} FROM repos WHERE owner = ?1 ORDER BY name"
    ))?;
    let v = st.query_map([owner], row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

/// Delete everything in a namespace (a managed account's content when SCIM deletes it
/// [SCIM-M5]).
pub fn delete_owned_by(c: &Connection, owner: &str) -> Result<usize, StoreError> {
    Ok(c.execute("DELETE FROM repos WHERE owner = ?1", [owner])?)
}

/// Move a namespace's content when its owner is renamed.
pub fn rename_owner(c: &Connection, from: &str, to: &str) -> Result<usize, StoreError> {
    Ok(c.execute(
        "UPDATE repos SET owner = ?2 WHERE owner = ?1",
        params![from, to],
    )?)
}
