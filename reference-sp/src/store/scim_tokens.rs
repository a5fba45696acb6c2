//! SCIM bearer tokens per organisation, stored as SHA-256 digests: a token is shown once.

use super::{Id, StoreError};
use rusqlite::{params, Connection, OptionalExtension};

/// The stored form of a token.
pub fn digest(token: &str) -> String {
    openssl::hash::hash(openssl::hash::MessageDigest::sha256(), token.as_bytes())
        .map(|d| hex_lower(&d))
        .unwrap_or_default()
}

fn hex_lower(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub fn insert(c: &Connection, org: Id, token: &str, now: i64) -> Result<Id, StoreError> {
    c.execute(
        "INSERT INTO scim_tokens (org_id, token_hash, created) VALUES (?1, ?2, ?3)",
        params![org, digest(token), now],
    )?;
    Ok(c.last_insert_rowid())
}

/// The organisation `token` was minted for.
pub fn org_for(c: &Connection, token: &str) -> Result<Option<Id>, StoreError> {
    if token.is_empty() {
        return Ok(None);
    }
    Ok(c.query_row(
        "SELECT org_id FROM scim_tokens WHERE token_hash = ?1",
        [digest(token)],
        |r| r.get(0),
    )
    .optional()?)
}

pub fn revoke_all(c: &Connection, org: Id) -> Result<usize, StoreError> {
    Ok(c.execute("DELETE FROM scim_tokens WHERE org_id = ?1", [org])?)
}
