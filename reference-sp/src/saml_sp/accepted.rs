//! An assertion the SP accepted, and nothing else can be one.

use super::checks::{
    AudienceChecked, DestinationChecked, IssuerChecked, NotReplayed, RecipientChecked,
    RequestMatched, TimeChecked,
};
use super::signature::SignatureVerified;
use super::OutstandingRequest;
use protocols::id_types::Issuer;
use protocols::saml::{DigestAlgorithm, SignatureAlgorithm};
use std::collections::BTreeMap;

/// One proof per rule. The fields are the only way to hold these types, and each type is made
/// only by the function that checks its rule.
#[derive(Debug)]
// Held, never read: having them is the point.
#[allow(dead_code)]
pub(super) struct Proofs {
    pub signature: SignatureVerified,
    pub issuer: IssuerChecked,
    pub audience: AudienceChecked,
    pub destination: DestinationChecked,
    pub recipient: RecipientChecked,
    pub time: TimeChecked,
    pub not_replayed: NotReplayed,
    pub request: RequestMatched,
}

/// What the assertion says, read from its signed content.
#[derive(Debug)]
pub(super) struct Content {
    pub name_id: String,
    pub name_id_format: Option<String>,
    pub attributes: BTreeMap<String, Vec<String>>,
    pub issuer: Issuer,
    pub assertion_id: String,
    pub session_index: Option<String>,
    pub in_response_to: Option<String>,
    pub response_signed: bool,
    pub assertion_signed: bool,
    pub signature_algorithms: Vec<String>,
    pub digest_algorithms: Vec<String>,
}

/// A SAML assertion that passed every check (or, on a deliberately flawed SP, every check
/// not switched off). Built only by [`super::validate_response`].
#[derive(Debug)]
pub struct AcceptedAssertion {
    content: Content,
    answered: Option<OutstandingRequest>,
    _proofs: Proofs,
}

impl AcceptedAssertion {
    pub(super) fn new(
        proofs: Proofs,
        content: Content,
        answered: Option<OutstandingRequest>,
    ) -> Self {
        Self {
            content,
            answered,
            _proofs: proofs,
        }
    }

    /// The outstanding request this answered and consumed, as the state returned it; `None`
    /// for an IdP-initiated login (or when the request binding was not checked).
    pub fn answered_request(&self) -> Option<&OutstandingRequest> {
        self.answered.as_ref()
    }

    /// The Subject's NameID, its full text content.
    pub fn name_id(&self) -> &str {
        &self.content.name_id
    }

    pub fn name_id_format(&self) -> Option<&str> {
        self.content.name_id_format.as_deref()
    }

    /// Attribute values by Name exactly as sent (several AttributeStatements merge).
    pub fn attributes(&self) -> &BTreeMap<String, Vec<String>> {
        &self.content.attributes
    }

    pub fn attribute(&self, name: &str) -> Option<&[String]> {
        self.content.attributes.get(name).map(Vec::as_slice)
    }

    /// The Assertion's Issuer.
    pub fn issuer(&self) -> &str {
        self.content.issuer.as_str()
    }

    pub fn assertion_id(&self) -> &str {
        &self.content.assertion_id
    }

    /// The AuthnStatement's SessionIndex (for single logout).
    pub fn session_index(&self) -> Option<&str> {
        self.content.session_index.as_deref()
    }

    /// The request this answers; `None` for an IdP-initiated (unsolicited) login.
    pub fn in_response_to(&self) -> Option<&str> {
        self.content.in_response_to.as_deref()
    }

    /// SignatureMethod URIs of the verified signatures (empty only on a flawed SP that took an
    /// unsigned response). RSA-SHA1 is accepted, and shows here (SAML-SIG-5).
    pub fn signature_algorithms(&self) -> &[String] {
        &self.content.signature_algorithms
    }

    /// DigestMethod URIs of the verified references.
    pub fn digest_algorithms(&self) -> &[String] {
        &self.content.digest_algorithms
    }

    /// Whether SHA-1 was used for a signature or a digest.
    pub fn uses_sha1(&self) -> bool {
        self.content
            .signature_algorithms
            .iter()
            .any(|a| a == SignatureAlgorithm::RsaSha1.uri())
            || self
                .content
                .digest_algorithms
                .iter()
                .any(|d| d == DigestAlgorithm::Sha1.uri())
    }

    /// Whether a verified signature covered the Response (SAML-SIG-6 placements).
    pub fn response_signed(&self) -> bool {
        self.content.response_signed
    }

    /// Whether a verified signature covered the Assertion itself.
    pub fn assertion_signed(&self) -> bool {
        self.content.assertion_signed
    }
}
