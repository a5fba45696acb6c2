//! # reference-sp
//!
//! The reference target: an organisation-SSO service implementing the Basic and Managed
//! semantics of shared/reference/hub-sso.md, with a SAML SP, an OIDC RP, a SCIM 2.0 server and
//! the target admin API the harness drives. It is also the worked example a vendor follows when
//! wiring their own SP to idpsim.

pub mod admin;
pub mod app;
pub mod domain;
pub mod flaws;
pub mod http;
pub mod ids;
pub mod lifecycle;
pub mod oidc_rp;
pub mod role;
pub mod saml_sp;
pub mod scim;
pub mod scim_adapter;
pub mod session;
pub mod sso_adapter;
pub mod state;
pub mod store;

pub use app::{app, run, spawn_local};
pub use flaws::{Flaw, Flaws};
pub use state::{AppState, ClockControl, LocalOptions, OrgUrls, SpOptions};
pub use store::Store;
