//! # mock-idps
//!
//! Mock Okta, Microsoft Entra ID and Google Workspace identity providers that a test steers
//! request by request.
//!
//! - [`personality`]: each vendor as data (URL shapes, claim names, signing defaults, quirks).
//! - [`registry`]: every tenant of every vendor ([`MockIdps`]); [`tenant`] and [`directory`]:
//!   per-tenant state (every scenario gets its own tenant); [`apps`]: registering SAML apps and
//!   OIDC clients.
//! - [`overrides`]: what the next login changes (user, claims, signature, times, keys).
//! - [`saml_idp`] and [`oidc`]: the protocol endpoints; pure issuance, thin handlers.
//! - [`control`]: the HTTP control API under `/_idpsim/`; [`MockIdps`] is the same surface in
//!   Rust, and [`surface`] the same operations on one [`Tenant`]. [`server`] routes and serves;
//!   [`respond`] holds the response helpers handlers share.

pub mod apps;
pub mod config;
pub mod console;
pub mod control;
pub mod directory;
pub mod id_types;
pub mod keys;
pub mod next_login;
pub mod oidc;
pub mod personality;
pub mod registry;
pub mod respond;
pub mod routes;
pub mod saml_idp;
pub mod scim_push;
pub mod server;
pub mod surface;
pub mod tenant;

pub use id_types::{ClientId, EntityId, TenantId};
pub use next_login::NextLogin;
pub use personality::Vendor;
pub use registry::{MockIdps, NewTenant, Options};
pub use server::spawn_local;
pub use tenant::{Mode, Tenant};
