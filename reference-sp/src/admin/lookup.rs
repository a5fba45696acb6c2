//! Lookups and checks the admin handlers share: an organisation or account by name (404 when
//! absent) and the email rule.

use crate::http::error::{ApiError, ApiResult};
use crate::store::accounts::{self, Account};
use crate::store::orgs::{self, Org};
use rusqlite::Connection;

/// The organisation `slug`, or 404.
pub(super) fn org_in(c: &Connection, slug: &str) -> ApiResult<Org> {
    orgs::by_slug(c, slug)?.ok_or_else(|| ApiError::not_found(format!("no organisation {slug:?}")))
}

/// The account with username `name`, or 404.
pub(super) fn account_named(c: &Connection, name: &str) -> ApiResult<Account> {
    accounts::by_username(c, name)?.ok_or_else(|| ApiError::not_found(format!("no user {name:?}")))
}

/// An email address as the admin API accepts it: one `@`, both sides non-empty, no spaces.
pub(super) fn check_email(e: &str) -> ApiResult<()> {
    let ok = e.len() <= 254
        && !e.chars().any(|c| c.is_whitespace() || c.is_control())
        && e.split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && !d.is_empty() && !d.contains('@'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "bad-email",
            format!("{e:?} is not an email address"),
        ))
    }
}
