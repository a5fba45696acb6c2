//! # mock-idps
//!
//! Mock Okta, Microsoft Entra ID and Google Workspace identity providers that a test steers
//! request by request.
//!
//! - [`personality`]: each vendor as data (URL shapes, claim names, signing defaults, quirks).
//! - [`tenant`] and [`directory`]: per-tenant state; every scenario gets its own tenant.
//! - [`overrides`]: what the next login changes (user, claims, signature, times, keys).
//! - [`saml_idp`] and [`oidc`]: the protocol endpoints; pure issuance, thin handlers.
//! - [`control`]: the HTTP control API under `/_idpsim/`; [`server::MockIdps`] is the same
//!   surface in Rust.

pub mod config;
pub mod console;
pub mod control;
pub mod directory;
pub mod keys;
pub mod oidc;
pub mod overrides;
pub mod personality;
pub mod routes;
pub mod saml_idp;
pub mod scim_push;
pub mod server;
pub mod tenant;

pub use overrides::NextLogin;
pub use personality::Vendor;
pub use server::{spawn_local, MockIdps, NewTenant, Options};
pub use tenant::{Mode, Tenant};
