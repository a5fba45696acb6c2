//! The adapter between the SQLite store and the SCIM server: [`StorePlatform`] implements the
//! SCIM module's [`Platform`] trait (declared in `crate::scim::platform`) over the core store,
//! i.e. what a SCIM request does to accounts, memberships, invitations, resource groups and
//! sessions.
//!
//! Every method works on the request's open transaction with the store's plain functions (a
//! `Transaction` derefs to a `Connection`); none commits, and none goes through
//! [`crate::Store::with_tx`], whose mutex the SCIM server already holds.
//!
//! Mapping of the SCIM module's own types:
//! - [`AccountId`] is the decimal account row id, [`ResourceGroupId`] the decimal resource-group
//!   row id (the admin API shows groups by name and translates).
//! - Roles and modes are the platform's own (`crate::role`) on both sides.
//! - Store refusals become [`PlatformError`]s: a taken email is `Refused`, a taken name
//!   `UsernameTaken`.
//!
//! Platform choices behind the trait:
//! - A managed account is active exactly while it is a member of its organisation: SCIM creates
//!   it inactive and [`Platform::add_member`] (active=true) activates it; leaving the
//!   organisation (active=false) deactivates it again. Its whole platform login hangs on the
//!   organisation, so SSO cannot bring a deprovisioned user back just in time [SCIM-M4],
//!   [MAN-6].
//! - Ending sessions is [`deprovision::end_sessions`], the path the admin API takes, so both
//!   honour `Flaw::KeepSessionsOnDeprovision` identically.
//! - A SCIM create in a Managed organisation for a person who already signed in just in time
//!   (a managed account of the organisation with one of the emails, not yet provisioned by
//!   SCIM) adopts that account instead of failing on its name.
//! - Basic invitations carry source `scim` and an unguessable token nobody is shown: they are
//!   accepted by the user's first SSO with the organisation (the join link) [SCIM-B1].

use crate::domain::username;
use crate::flaws::Flaws;
use crate::lifecycle::deprovision;
use crate::lifecycle::login::namespace_free;
use crate::role::Source;
use crate::scim::platform::{
    AccountId, OrgMode, Platform, PlatformError, Profile, ResourceGroupId, Role,
};
use crate::store::accounts::{self, Account, NewAccount};
use crate::store::invitations::{self, NewInvitation};
use crate::store::memberships::{self, Membership};
use crate::store::orgs::{self, Org};
use crate::store::{resource_groups, Id, StoreError};
use protocols::{SharedClock, SharedIdGen};
use rusqlite::{params, OptionalExtension, Transaction};

/// The real platform behind the SCIM server.
pub struct StorePlatform {
    clock: SharedClock,
    ids: SharedIdGen,
    flaws: Flaws,
}

impl std::fmt::Debug for StorePlatform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StorePlatform")
            .field("flaws", &self.flaws)
            .finish()
    }
}

impl From<StoreError> for PlatformError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Sqlite(e) => PlatformError::Store(e),
            StoreError::Conflict(detail) => PlatformError::Refused { detail },
            StoreError::NotFound(what) => PlatformError::NotFound { what },
            other => PlatformError::Store(rusqlite::Error::ToSqlConversionFailure(Box::new(other))),
        }
    }
}

/// The SCIM id of a resource group.
pub fn rg_id(id: Id) -> ResourceGroupId {
    ResourceGroupId(id.to_string())
}

fn account_ref(id: Id) -> AccountId {
    AccountId(id.to_string())
}

fn not_found(what: String) -> PlatformError {
    PlatformError::NotFound { what }
}

fn org(tx: &Transaction<'_>, slug: &str) -> Result<Org, PlatformError> {
    orgs::by_slug(tx, slug)?.ok_or_else(|| not_found(format!("organisation {slug}")))
}

fn account(tx: &Transaction<'_>, id: &AccountId) -> Result<Account, PlatformError> {
    let found = match id.as_str().parse::<Id>() {
        Ok(n) => accounts::by_id(tx, n)?,
        Err(_) => None,
    };
    found.ok_or_else(|| not_found(format!("account {id}")))
}

/// The resource group `rg` of `org`, if it is one of `org`'s.
fn resource_group(
    tx: &Transaction<'_>,
    org: &Org,
    rg: &ResourceGroupId,
) -> Result<Option<resource_groups::ResourceGroup>, PlatformError> {
    let Ok(n) = rg.as_str().parse::<Id>() else {
        return Ok(None);
    };
    Ok(resource_groups::by_id(tx, n)?.filter(|g| g.org_id == org.id))
}

/// A managed account of another organisation may not join this one [MAN-4].
fn may_join(org: &Org, a: &Account) -> Result<(), PlatformError> {
    if a.managed_by_org.is_some_and(|owner| owner != org.id) {
        return Err(PlatformError::Refused {
            detail: format!(
                "account {:?} is managed by another organisation and cannot join {}",
                a.username, org.slug
            ),
        });
    }
    Ok(())
}

/// Whether SCIM of `org` already provisioned the account (its `scim_users` row).
fn provisioned(tx: &Transaction<'_>, org: &str, account: Id) -> Result<bool, PlatformError> {
    Ok(tx
        .query_row(
            "SELECT 1 FROM scim_users WHERE org = ?1 AND account_id = ?2",
            params![org, account.to_string()],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

fn display_name(p: &Profile) -> Option<String> {
    p.display_name
        .clone()
        .or(match (&p.given_name, &p.family_name) {
            (Some(g), Some(f)) => Some(format!("{g} {f}")),
            (g, f) => g.clone().or_else(|| f.clone()),
        })
}

/// A new name must pass the platform's rules and be free (a change of case only is fine).
fn check_new_name(tx: &Transaction<'_>, old: &str, new: &str) -> Result<(), PlatformError> {
    if old.eq_ignore_ascii_case(new) {
        return Ok(());
    }
    username::validate(new).map_err(|e| PlatformError::Refused {
        detail: format!("userName {new:?}: {e}"),
    })?;
    if !namespace_free(tx, new)? {
        return Err(PlatformError::UsernameTaken {
            username: new.to_string(),
        });
    }
    Ok(())
}

impl StorePlatform {
    pub fn new(clock: SharedClock, ids: SharedIdGen, flaws: Flaws) -> Self {
        Self { clock, ids, flaws }
    }

    fn now(&self) -> i64 {
        self.clock.now().timestamp()
    }

    fn default_or(org: &Org, role: Option<Role>) -> Role {
        role.unwrap_or(org.default_role)
    }
}

impl Platform for StorePlatform {
    fn org_mode(&self, tx: &Transaction<'_>, org: &str) -> Result<Option<OrgMode>, PlatformError> {
        Ok(orgs::by_slug(tx, org)?.map(|o| o.mode))
    }

    fn find_account_by_email(
        &self,
        tx: &Transaction<'_>,
        email: &str,
    ) -> Result<Option<AccountId>, PlatformError> {
        Ok(accounts::by_email(tx, email)?.map(|a| account_ref(a.id)))
    }

    fn create_managed_account(
        &self,
        tx: &Transaction<'_>,
        org_slug: &str,
        profile: &Profile,
    ) -> Result<AccountId, PlatformError> {
        let o = org(tx, org_slug)?;
        // Signed in just in time before the IdP pushed them: the same person, adopt it.
        for email in &profile.emails {
            if let Some(a) = accounts::managed_matching(tx, o.id, None, Some(email))? {
                if !provisioned(tx, o.slug.as_str(), a.id)? {
                    let id = account_ref(a.id);
                    self.update_profile(tx, &id, profile)?;
                    accounts::set_active(tx, a.id, false)?;
                    return Ok(id);
                }
            }
        }
        if !namespace_free(tx, &profile.username)? {
            return Err(PlatformError::UsernameTaken {
                username: profile.username.clone(),
            });
        }
        let a = accounts::create(
            tx,
            &NewAccount {
                username: profile.username.clone(),
                password_hash: None,
                managed_by_org: Some(o.id),
                idp_login: Some(profile.username.clone()),
                display_name: display_name(profile),
                emails: profile.emails.clone(),
            },
            self.now(),
        )?;
        accounts::set_active(tx, a.id, false)?;
        Ok(account_ref(a.id))
    }

    fn update_profile(
        &self,
        tx: &Transaction<'_>,
        id: &AccountId,
        profile: &Profile,
    ) -> Result<(), PlatformError> {
        let a = account(tx, id)?;
        if a.username != profile.username {
            check_new_name(tx, &a.username, &profile.username)?;
            accounts::set_username(tx, a.id, &profile.username).map_err(|e| match e {
                StoreError::Conflict(_) => PlatformError::UsernameTaken {
                    username: profile.username.clone(),
                },
                other => other.into(),
            })?;
        }
        accounts::set_display_name(tx, a.id, display_name(profile).as_deref())?;
        accounts::set_emails(tx, a.id, &profile.emails)?;
        if a.is_managed() {
            accounts::set_idp_login(tx, a.id, Some(&profile.username))?;
        }
        Ok(())
    }

    fn delete_account(&self, tx: &Transaction<'_>, id: &AccountId) -> Result<(), PlatformError> {
        let a = account(tx, id)?;
        deprovision::delete_account(tx, a.id)?;
        Ok(())
    }

    fn invite(
        &self,
        tx: &Transaction<'_>,
        org_slug: &str,
        id: &AccountId,
        role: Option<Role>,
    ) -> Result<(), PlatformError> {
        let o = org(tx, org_slug)?;
        let a = account(tx, id)?;
        may_join(&o, &a)?;
        if memberships::get(tx, o.id, a.id)?.is_some() {
            return Ok(());
        }
        if let Some(inv) = invitations::pending_for(tx, o.id, a.id)? {
            invitations::set_active(tx, inv.id, true)?;
            return Ok(());
        }
        invitations::create(
            tx,
            &NewInvitation {
                org_id: o.id,
                account_id: Some(a.id),
                email: None,
                role: Self::default_or(&o, role),
                external_collaborator: false,
                token: self.ids.token(24),
                source: Source::Scim.as_str().to_string(),
            },
            self.now(),
        )?;
        Ok(())
    }

    fn add_member(
        &self,
        tx: &Transaction<'_>,
        org_slug: &str,
        id: &AccountId,
        role: Option<Role>,
    ) -> Result<(), PlatformError> {
        let o = org(tx, org_slug)?;
        let a = account(tx, id)?;
        may_join(&o, &a)?;
        if a.managed_by_org == Some(o.id) && !a.active {
            deprovision::reactivate_account(tx, a.id)?;
        }
        if memberships::get(tx, o.id, a.id)?.is_some() {
            deprovision::reactivate_member(tx, o.id, a.id)?;
            return Ok(());
        }
        memberships::insert(
            tx,
            &Membership {
                org_id: o.id,
                account_id: a.id,
                role: Self::default_or(&o, role),
                source: Source::Scim,
                external_collaborator: false,
                // The fallback of role mapping at SSO [ROLE-4], like an invitation's role.
                invited_role: role,
                active: true,
                created: self.now(),
            },
        )?;
        Ok(())
    }

    fn set_member_active(
        &self,
        tx: &Transaction<'_>,
        org_slug: &str,
        id: &AccountId,
        active: bool,
    ) -> Result<(), PlatformError> {
        let o = org(tx, org_slug)?;
        let a = account(tx, id)?;
        if memberships::get(tx, o.id, a.id)?.is_some() {
            memberships::set_active(tx, o.id, a.id, active)?;
        } else if let Some(inv) = invitations::pending_for(tx, o.id, a.id)? {
            invitations::set_active(tx, inv.id, active)?;
        } else {
            return Err(not_found(format!(
                "membership or invitation of {} in {}",
                a.username, o.slug
            )));
        }
        Ok(())
    }

    fn remove_member_everywhere(
        &self,
        tx: &Transaction<'_>,
        org_slug: &str,
        id: &AccountId,
    ) -> Result<(), PlatformError> {
        let o = org(tx, org_slug)?;
        let a = account(tx, id)?;
        memberships::remove(tx, o.id, a.id)?;
        invitations::drop_pending_for(tx, o.id, a.id)?;
        if a.managed_by_org == Some(o.id) {
            accounts::set_active(tx, a.id, false)?;
        }
        Ok(())
    }

    fn end_sessions(
        &self,
        tx: &Transaction<'_>,
        org_slug: &str,
        id: &AccountId,
    ) -> Result<(), PlatformError> {
        let o = org(tx, org_slug)?;
        let a = account(tx, id)?;
        deprovision::end_sessions(tx, o.id, &a, &self.flaws)?;
        Ok(())
    }

    fn rg_members(
        &self,
        tx: &Transaction<'_>,
        org_slug: &str,
        rg: &ResourceGroupId,
    ) -> Result<Option<Vec<(AccountId, Role)>>, PlatformError> {
        let o = org(tx, org_slug)?;
        let Some(g) = resource_group(tx, &o, rg)? else {
            return Ok(None);
        };
        Ok(Some(
            resource_groups::members(tx, g.id)?
                .into_iter()
                .map(|m| (account_ref(m.account_id), m.role))
                .collect(),
        ))
    }

    fn set_rg_member(
        &self,
        tx: &Transaction<'_>,
        org_slug: &str,
        rg: &ResourceGroupId,
        id: &AccountId,
        role: Option<Role>,
    ) -> Result<(), PlatformError> {
        let o = org(tx, org_slug)?;
        let g = resource_group(tx, &o, rg)?
            .ok_or_else(|| not_found(format!("resource group {rg} of {}", o.slug)))?;
        let a = account(tx, id)?;
        match role {
            Some(r) => resource_groups::set_member(tx, g.id, a.id, r, &Source::Scim)?,
            None => {
                resource_groups::remove_member(tx, g.id, a.id)?;
            }
        }
        Ok(())
    }
}
