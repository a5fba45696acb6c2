//! Why a configuration could not be built, and why a response was refused.

use chrono::{DateTime, Utc};

/// Why a [`super::DecryptionKey`] cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum DecryptionKeyError {
    #[error("the decryption key and certificate do not load: {0}")]
    Unloadable(#[source] protocols::keys::KeyError),
    #[error("the decryption key must be RSA (RSA-OAEP key transport)")]
    NotRsa,
}

/// Configuration and request-building failures (the SP's own input, not the IdP's).
#[derive(Debug, thiserror::Error)]
pub enum SamlSpError {
    #[error("{field} must not be empty")]
    EmptyField { field: &'static str },
    #[error("IdP metadata cannot be read: {message}")]
    MetadataUnreadable { message: String },
    #[error("expected md:EntityDescriptor, found {found}")]
    NotEntityDescriptor { found: String },
    #[error("the metadata has no entityID")]
    MissingEntityId,
    #[error("the metadata has no SAML 2.0 IDPSSODescriptor")]
    NoIdpSsoDescriptor,
    #[error("the metadata publishes no HTTP-Redirect SingleSignOnService")]
    NoRedirectSsoService,
    #[error("no signing certificate was given or published")]
    NoSigningCertificate,
    #[error("a signing certificate cannot be read: {message}")]
    InvalidCertificate { message: String },
    #[error("{value:?} is not a valid SAML ID (an XML NCName)")]
    InvalidRequestId { value: String },
    #[error("the IdP SSO URL {url:?} is not a URL: {message}")]
    InvalidSsoUrl { url: String, message: String },
    #[error("the decryption key cannot be used: {0}")]
    InvalidDecryptionKey(#[source] DecryptionKeyError),
    #[error("the AuthnRequest cannot be encoded: {0}")]
    Encode(#[from] protocols::saml::SamlError),
}

/// Why [`super::CheckedResponse::accept`] made no assertion: a rule refused the response, or the
/// SP's replay cache / outstanding-request store failed (`E` is the store's error).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AcceptError<E> {
    #[error(transparent)]
    Rejected(#[from] SamlRejection),
    #[error("the SAML state store failed: {0}")]
    State(E),
}

/// Why a posted SAMLResponse was refused: one variant per rule, with what was found.
///
/// [`SamlRejection::code`] gives a stable kebab-case id for logs, reports and the harness.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SamlRejection {
    // ---- transport and XML hygiene ----
    #[error("the SAMLResponse exceeds the {limit}-byte limit")]
    TooLarge { limit: usize },
    #[error("the SAMLResponse is not valid base64")]
    NotBase64,
    #[error("the SAMLResponse is not UTF-8")]
    NotUtf8,
    #[error("DOCTYPE declarations are refused (XXE, entity expansion)")]
    DoctypeForbidden,
    #[error("ENTITY declarations are refused (XXE, entity expansion)")]
    EntityForbidden,
    #[error("elements nest deeper than {limit} levels")]
    TooDeep { limit: usize },
    #[error("malformed XML: {message}")]
    MalformedXml { message: String },
    #[error("expected samlp:Response, found {found}")]
    NotAResponse { found: String },
    #[error("the ID {id:?} appears more than once")]
    DuplicateId { id: String },
    #[error("required element {element} is missing")]
    MissingElement { element: &'static str },

    // ---- status and shape ----
    #[error("the IdP answered {code}{}{}", second_level.as_deref().map(|s| format!(" / {s}")).unwrap_or_default(), message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    StatusNotSuccess {
        code: String,
        second_level: Option<String>,
        message: Option<String>,
    },
    #[error(
        "the response carries an EncryptedAssertion, but this SP advertises no encryption key"
    )]
    EncryptedAssertionUnsupported,
    #[error("an EncryptedAssertion is not a child of the Response")]
    EncryptedAssertionMisplaced,
    #[error("the EncryptedAssertion uses {uri}, which this SP does not decrypt")]
    EncryptionAlgorithmUnsupported { uri: String },
    #[error("the EncryptedAssertion cannot be decrypted with this SP's key: {message}")]
    Undecryptable { message: String },
    #[error("the response carries no Assertion")]
    NoAssertion,
    #[error("the response carries {found} Assertion elements; exactly one is accepted")]
    MultipleAssertions { found: usize },
    #[error("the Assertion is not a child of the Response")]
    AssertionMisplaced,
    #[error("the Assertion has no ID")]
    MissingAssertionId,

    // ---- signature ----
    #[error("neither the response nor the assertion is signed")]
    Unsigned,
    #[error("no verified signature covers assertion {assertion_id:?} (signed: {covered:?})")]
    AssertionNotSigned {
        assertion_id: String,
        covered: Vec<String>,
    },
    #[error("the signature does not verify with any trusted certificate: {message}")]
    SignatureInvalid { message: String },
    #[error("signed by an untrusted key (certificate {subject}) carried in KeyInfo")]
    UntrustedSigner { subject: String },
    #[error("unsupported signature or digest algorithm {uri}")]
    UnsupportedAlgorithm { uri: String },

    // ---- who, for whom, where ----
    #[error("{element} Issuer is {found:?}, expected {expected:?}")]
    IssuerMismatch {
        element: &'static str,
        expected: String,
        found: Option<String>,
    },
    #[error("audiences {found:?} do not include {expected:?}")]
    AudienceMismatch {
        expected: String,
        found: Vec<String>,
    },
    #[error("Destination is {found:?}, expected {expected:?}")]
    DestinationMismatch { expected: String, found: String },
    #[error("no SubjectConfirmation with Method bearer")]
    NoBearerConfirmation,
    #[error("SubjectConfirmationData Recipient is {found:?}, expected {expected:?}")]
    RecipientMismatch {
        expected: String,
        found: Option<String>,
    },
    #[error("the Subject has no NameID")]
    MissingNameId,

    // ---- time ----
    #[error("{attribute} is not an xs:dateTime: {value:?}")]
    InvalidTimestamp {
        attribute: &'static str,
        value: String,
    },
    #[error("not valid before {not_before} (now {now})")]
    NotYetValid {
        not_before: DateTime<Utc>,
        now: DateTime<Utc>,
    },
    #[error("expired at {not_on_or_after} (now {now})")]
    Expired {
        not_on_or_after: DateTime<Utc>,
        now: DateTime<Utc>,
    },
    #[error("the bearer SubjectConfirmationData has no NotOnOrAfter")]
    MissingConfirmationExpiry,
    #[error("the bearer confirmation expired at {not_on_or_after} (now {now})")]
    ConfirmationExpired {
        not_on_or_after: DateTime<Utc>,
        now: DateTime<Utc>,
    },

    // ---- request binding and replay ----
    #[error("the Response answers {response:?} but the assertion answers {assertion:?}")]
    InResponseToMismatch { response: String, assertion: String },
    #[error("InResponseTo {in_response_to:?} is not a request this SP has outstanding")]
    UnknownInResponseTo { in_response_to: String },
    #[error("unsolicited (IdP-initiated) responses are not allowed")]
    UnsolicitedNotAllowed,
    #[error("assertion {assertion_id:?} was already used")]
    Replayed { assertion_id: String },
}

impl SamlRejection {
    /// A stable kebab-case id for the rule that refused the response.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "too-large",
            Self::NotBase64 => "not-base64",
            Self::NotUtf8 => "not-utf8",
            Self::DoctypeForbidden => "doctype-forbidden",
            Self::EntityForbidden => "entity-forbidden",
            Self::TooDeep { .. } => "too-deep",
            Self::MalformedXml { .. } => "malformed-xml",
            Self::NotAResponse { .. } => "not-a-response",
            Self::DuplicateId { .. } => "duplicate-id",
            Self::MissingElement { .. } => "missing-element",
            Self::StatusNotSuccess { .. } => "status-not-success",
            Self::EncryptedAssertionUnsupported => "encrypted-assertion-unsupported",
            Self::EncryptedAssertionMisplaced => "encrypted-assertion-misplaced",
            Self::EncryptionAlgorithmUnsupported { .. } => "encryption-algorithm-unsupported",
            Self::Undecryptable { .. } => "encrypted-assertion-undecryptable",
            Self::NoAssertion => "no-assertion",
            Self::MultipleAssertions { .. } => "multiple-assertions",
            Self::AssertionMisplaced => "assertion-misplaced",
            Self::MissingAssertionId => "missing-assertion-id",
            Self::Unsigned => "unsigned",
            Self::AssertionNotSigned { .. } => "assertion-not-signed",
            Self::SignatureInvalid { .. } => "signature-invalid",
            Self::UntrustedSigner { .. } => "untrusted-signer",
            Self::UnsupportedAlgorithm { .. } => "unsupported-algorithm",
            Self::IssuerMismatch { .. } => "issuer-mismatch",
            Self::AudienceMismatch { .. } => "audience-mismatch",
            Self::DestinationMismatch { .. } => "destination-mismatch",
            Self::NoBearerConfirmation => "no-bearer-confirmation",
            Self::RecipientMismatch { .. } => "recipient-mismatch",
            Self::MissingNameId => "missing-name-id",
            Self::InvalidTimestamp { .. } => "invalid-timestamp",
            Self::NotYetValid { .. } => "not-yet-valid",
            Self::Expired { .. } => "expired",
            Self::MissingConfirmationExpiry => "missing-confirmation-expiry",
            Self::ConfirmationExpired { .. } => "confirmation-expired",
            Self::InResponseToMismatch { .. } => "in-response-to-mismatch",
            Self::UnknownInResponseTo { .. } => "unknown-in-response-to",
            Self::UnsolicitedNotAllowed => "unsolicited-not-allowed",
            Self::Replayed { .. } => "replayed",
        }
    }
}
