//! Platform accounts and their emails.

use super::{flag, Id, StoreError};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub id: Id,
    pub username: String,
    /// The organisation that owns a managed account [MAN-2]; None for a personal account.
    pub managed_by_org: Option<Id>,
    /// The IdP-side login a managed account is known by (SCIM userName, NameID).
    pub idp_login: Option<String>,
    pub display_name: Option<String>,
    pub active: bool,
    pub has_password: bool,
    pub created: i64,
}

impl Account {
    pub fn is_managed(&self) -> bool {
        self.managed_by_org.is_some()
    }
}

/// What an account is created with.
#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    pub username: String,
    pub password_hash: Option<String>,
    pub managed_by_org: Option<Id>,
    pub idp_login: Option<String>,
    pub display_name: Option<String>,
    /// The first one is primary.
    pub emails: Vec<String>,
}

/// The columns [`row`] reads; a macro so the hot lookups are `concat!`ed at compile time
/// rather than `format!`ed on every call.
macro_rules! cols {
    () => {
        "id, username, managed_by_org, idp_login, display_name, active, \
         password_hash IS NOT NULL, created"
    };
}
const COLS: &str = cols!();

fn row(r: &Row) -> rusqlite::Result<Account> {
    Ok(Account {
        id: r.get(0)?,
        username: r.get(1)?,
        managed_by_org: r.get(2)?,
        idp_login: r.get(3)?,
        display_name: r.get(4)?,
        active: flag(r.get(5)?),
        has_password: r.get(6)?,
        created: r.get(7)?,
    })
}

pub fn create(c: &Connection, new: &NewAccount, now: i64) -> Result<Account, StoreError> {
    if !username_available(c, &new.username)? {
        return Err(StoreError::Conflict(format!(
            "the username {:?} is taken",
            new.username
        )));
    }
    c.prepare_cached(
        "INSERT INTO accounts (username, password_hash, managed_by_org, idp_login, \
         display_name, active, created) VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6)",
    )?
    .execute(params![
        new.username,
        new.password_hash,
        new.managed_by_org,
        new.idp_login,
        new.display_name,
        now
    ])?;
    let id = c.last_insert_rowid();
    // A new account has no emails yet: insert them without `set_emails`' DELETE first.
    insert_emails(c, id, &new.emails)?;
    // The row as `by_id` would read it back, from what was just inserted.
    Ok(Account {
        id,
        username: new.username.clone(),
        managed_by_org: new.managed_by_org,
        idp_login: new.idp_login.clone(),
        display_name: new.display_name.clone(),
        active: true,
        has_password: new.password_hash.is_some(),
        created: now,
    })
}

pub fn username_available(c: &Connection, username: &str) -> Result<bool, StoreError> {
    let n: i64 = c
        .prepare_cached("SELECT count(*) FROM accounts WHERE username = ?1")?
        .query_row([username], |r| r.get(0))?;
    Ok(n == 0)
}

/// Replace the account's emails; the first is primary. Refuses an email another account holds.
pub fn set_emails(c: &Connection, id: Id, emails: &[String]) -> Result<(), StoreError> {
    c.prepare_cached("DELETE FROM account_emails WHERE account_id = ?1")?
        .execute([id])?;
    insert_emails(c, id, emails)
}

/// Adds `emails` to an account that has none; the first is primary.
fn insert_emails(c: &Connection, id: Id, emails: &[String]) -> Result<(), StoreError> {
    for (i, e) in emails.iter().enumerate() {
        let r = c
            .prepare_cached(
                "INSERT INTO account_emails (account_id, email, is_primary) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![id, e.trim(), i == 0]);
        match r.map_err(StoreError::from) {
            Err(err) if err.is_unique_violation() => {
                return Err(StoreError::Conflict(format!(
                    "the email {e:?} belongs to another account (or is listed twice)"
                )))
            }
            Err(err) => return Err(err),
            Ok(_) => {}
        }
    }
    Ok(())
}

pub fn emails(c: &Connection, id: Id) -> Result<Vec<String>, StoreError> {
    let mut st = c.prepare_cached(
        "SELECT email FROM account_emails WHERE account_id = ?1 ORDER BY is_primary DESC, email",
    )?;
    let v = st
        .query_map([id], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(v)
}

/// Whether `email` is one of the account's emails, case-insensitively [BASIC-7].
pub fn has_email(c: &Connection, id: Id, email: &str) -> Result<bool, StoreError> {
    let n: i64 = c
        .prepare_cached("SELECT count(*) FROM account_emails WHERE account_id = ?1 AND email = ?2")?
        .query_row(params![id, email.trim()], |r| r.get(0))?;
    Ok(n > 0)
}

pub fn by_id(c: &Connection, id: Id) -> Result<Option<Account>, StoreError> {
    Ok(
        c.prepare_cached(concat!("SELECT ", cols!(), " FROM accounts WHERE id = ?1"))?
            .query_row([id], row)
            .optional()?,
    )
}

pub fn by_username(c: &Connection, username: &str) -> Result<Option<Account>, StoreError> {
    Ok(
        c.prepare_cached(&format!("SELECT {COLS} FROM accounts WHERE username = ?1"))?
            .query_row([username], row)
            .optional()?,
    )
}

/// The account holding `email`, if any.
pub fn by_email(c: &Connection, email: &str) -> Result<Option<Account>, StoreError> {
    Ok(c.prepare_cached(&format!(
        "SELECT {COLS} FROM accounts WHERE id = \
             (SELECT account_id FROM account_emails WHERE email = ?1)"
    ))?
    .query_row([email.trim()], row)
    .optional()?)
}

/// A managed account of `org` known by `login` or holding `email`: how an SSO login finds an
/// account SCIM provisioned before the first login.
pub fn managed_matching(
    c: &Connection,
    org: Id,
    login: Option<&str>,
    email: Option<&str>,
) -> Result<Option<Account>, StoreError> {
    // Two indexed lookups (login, email) instead of an OR that scanned every account.
    Ok(c.prepare_cached(&format!(
        "SELECT {COLS} FROM accounts WHERE id = (SELECT min(x) FROM ( \
               SELECT id AS x FROM accounts \
                 WHERE ?2 IS NOT NULL AND managed_by_org = ?1 AND idp_login = ?2 COLLATE NOCASE \
               UNION ALL \
               SELECT a.id FROM account_emails e JOIN accounts a ON a.id = e.account_id \
                 WHERE ?3 IS NOT NULL AND e.email = ?3 AND a.managed_by_org = ?1))"
    ))?
    .query_row(params![org, login, email.map(str::trim)], row)
    .optional()?)
}

pub fn password_hash(c: &Connection, id: Id) -> Result<Option<String>, StoreError> {
    Ok(
        c.prepare_cached("SELECT password_hash FROM accounts WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?
            .flatten(),
    )
}

pub fn set_active(c: &Connection, id: Id, active: bool) -> Result<(), StoreError> {
    c.prepare_cached("UPDATE accounts SET active = ?2 WHERE id = ?1")?
        .execute(params![id, active])?;
    Ok(())
}

pub fn set_username(c: &Connection, id: Id, username: &str) -> Result<(), StoreError> {
    let r = c
        .prepare_cached("UPDATE accounts SET username = ?2 WHERE id = ?1")?
        .execute(params![id, username]);
    match r.map_err(StoreError::from) {
        Err(e) if e.is_unique_violation() => Err(StoreError::Conflict(format!(
            "the username {username:?} is taken"
        ))),
        Err(e) => Err(e),
        Ok(_) => Ok(()),
    }
}

pub fn set_display_name(c: &Connection, id: Id, name: Option<&str>) -> Result<(), StoreError> {
    c.prepare_cached("UPDATE accounts SET display_name = ?2 WHERE id = ?1")?
        .execute(params![id, name])?;
    Ok(())
}

pub fn set_idp_login(c: &Connection, id: Id, login: Option<&str>) -> Result<(), StoreError> {
    c.prepare_cached("UPDATE accounts SET idp_login = ?2 WHERE id = ?1")?
        .execute(params![id, login])?;
    Ok(())
}

pub fn set_password_hash(c: &Connection, id: Id, hash: Option<&str>) -> Result<(), StoreError> {
    c.prepare_cached("UPDATE accounts SET password_hash = ?2 WHERE id = ?1")?
        .execute(params![id, hash])?;
    Ok(())
}

/// Delete the account; its memberships, sessions, emails and identities go with it. Repos it
/// created stay (their creator becomes unknown) unless the caller deletes them.
pub fn delete(c: &Connection, id: Id) -> Result<bool, StoreError> {
    Ok(c.prepare_cached("DELETE FROM accounts WHERE id = ?1")?
        .execute([id])?
        > 0)
}

/// Link an IdP subject of `org` to an account, or refresh the link.
pub fn link_identity(
    c: &Connection,
    org: Id,
    subject: &str,
    account: Id,
    email: Option<&str>,
    now: i64,
) -> Result<(), StoreError> {
    c.prepare_cached(
        "INSERT INTO sso_identities (org_id, subject, account_id, email, last_login) \
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (org_id, subject) DO UPDATE SET \
         account_id = ?3, email = ?4, last_login = ?5",
    )?
    .execute(params![org, subject, account, email, now])?;
    Ok(())
}

/// The account an IdP subject of `org` is linked to.
pub fn by_identity(c: &Connection, org: Id, subject: &str) -> Result<Option<Id>, StoreError> {
    Ok(c.prepare_cached(
        "SELECT account_id FROM sso_identities WHERE org_id = ?1 AND subject = ?2",
    )?
    .query_row(params![org, subject], |r| r.get(0))
    .optional()?)
}

/// The subject an account is linked to in `org`.
pub fn identity_of(c: &Connection, org: Id, account: Id) -> Result<Option<String>, StoreError> {
    Ok(c.prepare_cached(
        "SELECT subject FROM sso_identities WHERE org_id = ?1 AND account_id = ?2 \
         ORDER BY last_login DESC LIMIT 1",
    )?
    .query_row(params![org, account], |r| r.get(0))
    .optional()?)
}
