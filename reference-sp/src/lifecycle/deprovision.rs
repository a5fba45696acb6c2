//! Deprovisioning: what the admin API and the SCIM server call to take access away. Each ends
//! the affected sessions at once [SESS-3], [MAN-6], unless the `keep-sessions-on-deprovision`
//! flaw is on. [`end_sessions`] is the one place that decides, for the admin API here and for
//! SCIM through `crate::scim_adapter`. Call inside a transaction.

use crate::flaws::{Flaw, Flaws};
use crate::store::accounts::{self, Account};
use crate::store::{memberships, repos, sessions, Id, StoreError};
use rusqlite::Connection;

/// End what deprovisioning `account` from `org` ends [SESS-3]: every session of a managed account
/// of `org` (its whole platform login hangs on the organisation), only the `org` SSO sessions of
/// any other account (its platform login stays). Nothing under
/// `Flaw::KeepSessionsOnDeprovision`.
pub fn end_sessions(
    c: &Connection,
    org: Id,
    account: &Account,
    flaws: &Flaws,
) -> Result<(), StoreError> {
    if flaws.danger(Flaw::KeepSessionsOnDeprovision) {
        return Ok(());
    }
    if account.managed_by_org == Some(org) {
        // The whole platform login of a managed account hangs on its organisation.
        sessions::end_for_account(c, account.id)?;
    } else {
        sessions::end_org_sessions(c, org, account.id)?;
    }
    Ok(())
}

fn account(c: &Connection, id: Id) -> Result<Account, StoreError> {
    accounts::by_id(c, id)?.ok_or_else(|| StoreError::NotFound(format!("no account {id}")))
}

/// Deactivate a membership (reversible): access and SSO sessions end [SCIM-B4].
pub fn deactivate_member(
    c: &Connection,
    org: Id,
    account_id: Id,
    flaws: &Flaws,
) -> Result<(), StoreError> {
    let a = account(c, account_id)?;
    memberships::set_active(c, org, account_id, false)?;
    end_sessions(c, org, &a, flaws)
}

pub fn reactivate_member(c: &Connection, org: Id, account_id: Id) -> Result<(), StoreError> {
    memberships::set_active(c, org, account_id, true)
}

/// Remove a member and their resource groups in the organisation; the account stays
/// [SCIM-B5].
pub fn remove_member(
    c: &Connection,
    org: Id,
    account_id: Id,
    flaws: &Flaws,
) -> Result<bool, StoreError> {
    let a = account(c, account_id)?;
    let removed = memberships::remove(c, org, account_id)?;
    end_sessions(c, org, &a, flaws)?;
    Ok(removed)
}

/// Deactivate an account (a managed account at SCIM active=false keeps its content, reversible)
/// [SCIM-M4]: every session ends.
pub fn deactivate_account(c: &Connection, account_id: Id, flaws: &Flaws) -> Result<(), StoreError> {
    account(c, account_id)?;
    accounts::set_active(c, account_id, false)?;
    if !flaws.danger(Flaw::KeepSessionsOnDeprovision) {
        sessions::end_for_account(c, account_id)?;
    }
    Ok(())
}

pub fn reactivate_account(c: &Connection, account_id: Id) -> Result<(), StoreError> {
    accounts::set_active(c, account_id, true)
}

/// Delete an account with its personal content [SCIM-M5]. Sessions go with it whatever the
/// flaws: there is no account left to hold them.
pub fn delete_account(c: &Connection, account_id: Id) -> Result<(), StoreError> {
    let a = account(c, account_id)?;
    repos::delete_owned_by(c, &a.username)?;
    accounts::delete(c, account_id)?;
    Ok(())
}
