//! The reference SP's SAML 2.0 side: SP-initiated AuthnRequests over HTTP-Redirect, and
//! validation of responses posted to the ACS.
//!
//! Design (rustls-style): [`validate_response`] is a function of (config, posted value, state,
//! flaws, now) with no I/O besides the [`SamlSpState`] it is given. Each rule is a function that
//! returns a zero-size proof only it can make; [`AcceptedAssertion`] can only be built from the
//! full set, so a rule cannot be skipped by accident. A deliberate flaw ([`crate::Flaw`]) makes
//! exactly one rule hand out its proof without checking.
//!
//! - [`config`]: trust from IdP metadata or from parts.
//! - [`decrypt`]: the SP's decryption key; EncryptedAssertion opened before validation.
//! - [`request`]: the AuthnRequest redirect URL.
//! - `validate`: rule order; `signature`: certificates, coverage, signed-only content;
//!   `checks`: issuer, audience, destination, recipient, time, InResponseTo, replay.
//! - [`error`]: [`SamlRejection`], one variant per rule, with stable codes.

pub mod accepted;
pub mod config;
pub mod decrypt;
pub mod error;
pub mod request;
pub mod slo;

mod checks;
mod signature;
mod validate;
mod view;

#[cfg(test)]
mod tests;

pub use accepted::AcceptedAssertion;
pub use config::{SamlSpConfig, DEFAULT_MAX_SKEW};
pub use decrypt::DecryptionKey;
pub use error::{AcceptError, DecryptionKeyError, SamlRejection, SamlSpError};
pub use request::authn_request_url;
pub use validate::{check_response, validate_response, CheckedResponse, MAX_RESPONSE_BYTES};

/// An outstanding AuthnRequest, as [`SamlSpState::consume_request`] hands it back: what the SP
/// stored with it when it sent it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutstandingRequest {
    /// Where to send the user once the login completes, if the SP recorded it.
    pub return_to: Option<String>,
}

/// Replay cache and outstanding-request store, implemented by the SP's database.
///
/// `Error` is a failure of the store itself (not a verdict on the response); it stops the
/// validation and comes back as [`AcceptError::State`]. An in-memory store that cannot fail
/// uses [`std::convert::Infallible`].
pub trait SamlSpState {
    type Error;
    /// `Some` exactly once for an ID this SP issued and has not seen answered; consumes it.
    fn consume_request(&self, request_id: &str) -> Result<Option<OutstandingRequest>, Self::Error>;
    /// Records an assertion ID until `expires`; `Ok(false)` if it was already recorded (a
    /// replay).
    fn record_assertion(
        &self,
        assertion_id: &str,
        expires: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, Self::Error>;
}
