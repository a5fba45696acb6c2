//! The platform's rules, as functions of (stored facts, IdP identity, now).
//!
//! - [`mapping`], [`attributes`]: role and resource-group mapping from IdP values.
//! - [`identity`]: the verified IdP identity in one shape for SAML and OIDC.
//! - [`login`]: what a verified login does in Basic and Managed mode.
//! - [`access`]: who may reach or create what.
//! - [`deprovision`]: deactivating and removing members and accounts, ending their sessions.
//! - [`username`], [`password`], [`sso_config`].

pub mod access;
pub mod attributes;
pub mod deprovision;
pub mod identity;
pub mod login;
pub mod mapping;
pub mod password;
pub mod sso_config;
pub mod username;
