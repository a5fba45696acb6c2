//! Lookups and checks the admin handlers share: an organisation, account, membership or
//! resource group by name (404 when absent), the organisation preamble of the handlers under
//! `/_admin/orgs/{org}`, and the email rule.

use crate::http::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::accounts::{self, Account};
use crate::store::memberships::{self, Membership};
use crate::store::orgs::{self, Org};
use crate::store::resource_groups::{self, ResourceGroup};
use crate::store::Id;
use rusqlite::{Connection, Transaction};

/// The organisation `slug`, or 404.
pub(super) fn org_in(c: &Connection, slug: &str) -> ApiResult<Org> {
    orgs::by_slug(c, slug)?.ok_or_else(|| ApiError::not_found(format!("no organisation {slug:?}")))
}

/// Read with the organisation `slug` looked up first (404 when absent).
pub(super) fn read_org<T, F>(state: &AppState, slug: &str, f: F) -> ApiResult<T>
where
    F: FnOnce(&Connection, Org) -> ApiResult<T>,
{
    state.store().read(|c| f(c, org_in(c, slug)?))
}

/// Write in one transaction, with the organisation `slug` looked up first (404 when absent).
pub(super) fn transact_org<T, F>(state: &AppState, slug: &str, f: F) -> ApiResult<T>
where
    F: FnOnce(&Transaction, Org) -> ApiResult<T>,
{
    state.store().transact(|tx| f(tx, org_in(tx, slug)?))
}

/// The resource group `name` of organisation `org_id`, or 404.
pub(super) fn group_named(c: &Connection, org_id: Id, name: &str) -> ApiResult<ResourceGroup> {
    resource_groups::by_name(c, org_id, name)?
        .ok_or_else(|| ApiError::not_found(format!("no resource group {name:?}")))
}

/// The membership of account `a` (username `name`) in organisation `o` (slug `slug`), or 404.
pub(super) fn member_of(
    c: &Connection,
    o: &Org,
    a: &Account,
    name: &str,
    slug: &str,
) -> ApiResult<Membership> {
    memberships::get(c, o.id, a.id)?
        .ok_or_else(|| ApiError::not_found(format!("{name} is not a member of {slug}")))
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
