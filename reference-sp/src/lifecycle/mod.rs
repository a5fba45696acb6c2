//! What a verified login and deprovisioning do to the stored accounts, memberships and sessions,
//! inside the caller's transaction. The rules they apply are the pure functions of
//! [`crate::domain`], which is handed facts and calls no store; the store calls are made here.
//!
//! - [`login`]: what a verified login does in Basic and Managed mode.
//! - [`deprovision`]: deactivating and removing members and accounts, ending their sessions.

pub mod deprovision;
pub mod login;
