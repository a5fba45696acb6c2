//! # protocols
//!
//! The pure core of idpsim: every artefact an IdP emits or an SP checks is a function of
//! (input, keys, now). No HTTP server, no async runtime.
//!
//! - [`clock`] and [`ids`]: injected time and ids, so any artefact can be reproduced from a seed.
//! - [`keys`]: RSA-2048 and P-256 signing keys, self-signed certificates, rotation sets.
//! - [`saml`]: build, sign and verify responses; IdP metadata; SP metadata and AuthnRequest parsing.
//! - [`jose`]: JWT signing and verification, JWKS.
//! - [`scim`]: SCIM 2.0 resources, filters, PATCH, pagination, errors and discovery documents.

pub mod clock;
pub mod id_types;
pub mod ids;
pub mod jose;
pub mod keys;
pub mod saml;
pub mod scim;
pub mod xml;

pub use clock::{Clock, ManualClock, SharedClock, SystemClock};
pub use ids::{IdGen, RandomIds, SeededIds, SharedIdGen};
pub use keys::{KeyKind, KeySet, SigningKey, Validity};
