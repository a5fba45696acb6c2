//! The SCIM server's only door into the rest of the platform.
//!
//! Every method takes the open transaction: a SCIM request and the platform changes it causes
//! commit together or not at all, so a refused request leaves nothing behind. The integrator
//! implements [`Platform`] on the real store; `TestPlatform` (in the module's tests) implements
//! it on a few SQLite tables for the module's own tests.
//!
//! Roles and modes are the platform's own (`crate::role`, a leaf module with no dependencies),
//! so the SCIM module still builds and tests on its own.

use std::fmt;

use rusqlite::Transaction;

/// A platform account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(pub String);

impl AccountId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A resource group of an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceGroupId(pub String);

impl ResourceGroupId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ResourceGroupId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The organisation's SSO mode decides what SCIM may do [SCIM-B*] / [SCIM-M*]; roles are
/// ordered by privilege. Both are the platform's own (`crate::role`).
pub use crate::role::{OrgMode, Role};

/// The profile fields SCIM owns for a managed account (and, under
/// `Flaw::BasicProfileUpdates`, wrongly pushes onto a personal one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    /// The SCIM userName. In Managed mode it has passed the username rules [SCIM-8].
    pub username: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub display_name: Option<String>,
    /// Work email first (else the primary one), then the others; no duplicates.
    pub emails: Vec<String>,
}

/// What the platform can refuse or fail with.
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    /// Another account already has this username (compared case-insensitively).
    #[error("username {username:?} is already in use on the platform")]
    UsernameTaken { username: String },
    /// The account, organisation or resource group does not exist (any more).
    #[error("{what} not found")]
    NotFound { what: String },
    /// A value the platform will not take, e.g. an email already owned by another account.
    #[error("{detail}")]
    Refused { detail: String },
    #[error("storage: {0}")]
    Store(#[from] rusqlite::Error),
}

/// Everything the SCIM server asks of the platform. Implementations must do their reads and
/// writes through `tx`, must not commit it, and must not lock the shared connection (the SCIM
/// server already holds it for the whole request).
pub trait Platform: Send + Sync {
    /// The organisation's mode, `None` when there is no such organisation.
    fn org_mode(&self, tx: &Transaction<'_>, org: &str) -> Result<Option<OrgMode>, PlatformError>;

    /// The account one of whose emails is `email` (case-insensitively) [SCIM-B1].
    fn find_account_by_email(
        &self,
        tx: &Transaction<'_>,
        email: &str,
    ) -> Result<Option<AccountId>, PlatformError>;

    /// Creates an account owned by `org` [SCIM-M1]. `UsernameTaken` when the name is in use.
    fn create_managed_account(
        &self,
        tx: &Transaction<'_>,
        org: &str,
        profile: &Profile,
    ) -> Result<AccountId, PlatformError>;

    /// Replaces the account's profile [SCIM-M2]. `UsernameTaken` when a new name is in use.
    fn update_profile(
        &self,
        tx: &Transaction<'_>,
        account: &AccountId,
        profile: &Profile,
    ) -> Result<(), PlatformError>;

    /// Deletes a managed account and its content, memberships and sessions [SCIM-M5].
    fn delete_account(
        &self,
        tx: &Transaction<'_>,
        account: &AccountId,
    ) -> Result<(), PlatformError>;

    /// Invites an existing account to `org` with `role` (`None`: the org's default role); the
    /// user must accept before they are a member [SCIM-B1]. An account that is already a
    /// member stays one.
    fn invite(
        &self,
        tx: &Transaction<'_>,
        org: &str,
        account: &AccountId,
        role: Option<Role>,
    ) -> Result<(), PlatformError>;

    /// Makes the account a member of `org` at once [SCIM-M1], [SCIM-M4] (`None`: default role).
    fn add_member(
        &self,
        tx: &Transaction<'_>,
        org: &str,
        account: &AccountId,
        role: Option<Role>,
    ) -> Result<(), PlatformError>;

    /// Basic mode: deactivates (or reactivates) the account's invitation, or its membership
    /// once accepted [SCIM-B4].
    fn set_member_active(
        &self,
        tx: &Transaction<'_>,
        org: &str,
        account: &AccountId,
        active: bool,
    ) -> Result<(), PlatformError>;

    /// Removes the account from `org` and from every resource group of `org`, and drops any
    /// pending invitation; the account itself is untouched [SCIM-B5], [SCIM-M4].
    fn remove_member_everywhere(
        &self,
        tx: &Transaction<'_>,
        org: &str,
        account: &AccountId,
    ) -> Result<(), PlatformError>;

    /// Ends the account's sessions at once [SESS-3]: every session for a managed account, the
    /// org's SSO sessions for a personal one (its platform login stays). Under
    /// `Flaw::KeepSessionsOnDeprovision` it ends none: the platform decides, so that the admin
    /// API and SCIM honour the flaw identically.
    fn end_sessions(
        &self,
        tx: &Transaction<'_>,
        org: &str,
        account: &AccountId,
    ) -> Result<(), PlatformError>;

    /// The members of a resource group with their roles, `None` when `org` has no such group.
    fn rg_members(
        &self,
        tx: &Transaction<'_>,
        org: &str,
        rg: &ResourceGroupId,
    ) -> Result<Option<Vec<(AccountId, Role)>>, PlatformError>;

    /// Sets the account's role in a resource group, or removes it (`None`) [SCIM-7].
    fn set_rg_member(
        &self,
        tx: &Transaction<'_>,
        org: &str,
        rg: &ResourceGroupId,
        account: &AccountId,
        role: Option<Role>,
    ) -> Result<(), PlatformError>;
}
