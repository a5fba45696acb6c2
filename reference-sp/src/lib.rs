//! # reference-sp
//!
//! The reference target: an organisation-SSO service implementing the Basic and Managed
//! semantics of shared/reference/hub-sso.md, with a SAML SP, an OIDC RP, a SCIM 2.0 server and
//! the target admin API the harness drives. It is also the worked example a vendor follows when
//! wiring their own SP to idpsim.

pub mod flaws;
pub mod oidc_rp;
pub mod saml_sp;
pub mod scim;

pub use flaws::{Flaw, Flaws};
