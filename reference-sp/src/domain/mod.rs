//! The platform's rules, as functions of (stored facts, IdP identity, now): the facts are handed
//! in, and nothing here calls the store (that is `crate::lifecycle`, the caller).
//!
//! - [`mapping`], [`attributes`]: role and resource-group mapping from IdP values.
//! - [`identity`]: the verified IdP identity in one shape for SAML and OIDC.
//! - [`access`]: who may reach or create what.
//! - [`username`], [`password`], [`sso_config`].

pub mod access;
pub mod attributes;
pub mod identity;
pub mod mapping;
pub mod password;
pub mod sso_config;
pub mod username;
