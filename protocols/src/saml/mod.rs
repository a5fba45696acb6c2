//! SAML 2.0 wire code: what an IdP emits and what it has to read.
//!
//! - [`response`]: a [`ResponseSpec`] (plain data) becomes a signed `samlp:Response` tree, plus the
//!   auto-submitting POST form that carries it.
//! - [`dsig`]: enveloped XML signatures over our own canonical bytes. The tree serialises
//!   canonically ([`crate::xml`]), so signing is a digest plus one private-key operation.
//! - [`verify`]: signature checks through xmlsec (the `dsig` crate), against one trusted cert.
//! - [`encrypt`]: EncryptedAssertion out (IdP) and in (SP): AES-CBC/GCM with RSA-OAEP.
//! - [`metadata`]: IdP metadata out, SP metadata in.
//! - [`attacks`]: the security catalogue's transforms of a signed response (XSW, signature
//!   exclusion, comment split, DTDs, ...).
//! - [`logout`]: Single Logout's LogoutRequest and LogoutResponse, both bindings, both directions.
//! - [`authn_request`]: AuthnRequests in over HTTP-Redirect and HTTP-POST (bounded inflate, DTDs
//!   refused, detached redirect signatures), and the SP-side builders the tests drive them with.
//!
//! Everything is a function of (input, keys, time given as data): nothing here reads a clock.

pub mod attacks;
pub mod authn_request;
pub mod dsig;
pub mod encrypt;
pub mod logout;
pub mod metadata;
pub mod response;
pub mod verify;

pub use authn_request::{
    build_authn_request, encode_post, encode_redirect, parse_authn_request_xml, parse_post,
    parse_redirect, post_request_form_html, verify_redirect_signature, AuthnRequest,
    AuthnRequestSpec, Binding, NameIdPolicy, RedirectSignatureVerified, DEFAULT_MAX_INFLATED,
};
pub use dsig::{DigestAlgorithm, SignatureAlgorithm};
pub use encrypt::{
    check_encryption_cert, decrypt_assertion, encrypt_assertions, DataEncryption,
    EncryptionCertError, EncryptionSettings, KeyTransport,
};
pub use metadata::{parse_sp_metadata, AcsEndpoint, IdpMetadata, SpMetadata};
pub use response::{
    build_response, build_response_xml, post_form_html, AssertionSpec, AttributeSpec,
    AuthnStatementSpec, ConditionsSpec, IssuerSpec, NameIdSpec, ResponseSpec, SignOptions,
    SignaturePlacement, StatusSpec, SubjectConfirmationSpec, XmlStyle,
};
pub use verify::{
    verify_signatures, verify_tree_signatures, VerifiedReference, VerifiedSignature,
    VerifiedSignatures,
};

use crate::keys::KeyKind;
use base64::Engine as _;

/// Everything that can go wrong building, parsing or checking a SAML message: one variant per
/// rule, with the context in fields.
#[derive(Debug, thiserror::Error)]
pub enum SamlError {
    // ---- input hygiene ----
    #[error("DOCTYPE declarations are forbidden in SAML messages")]
    DoctypeForbidden,
    #[error("ENTITY declarations are forbidden in SAML messages")]
    EntityForbidden,
    #[error("malformed XML at byte {position}: {message}")]
    MalformedXml { position: u64, message: String },
    #[error("{field} is not valid base64: {source}")]
    InvalidBase64 {
        field: &'static str,
        #[source]
        source: base64::DecodeError,
    },
    #[error("{field} is not valid raw DEFLATE data: {message}")]
    InvalidDeflate {
        field: &'static str,
        message: String,
    },
    #[error("{field} exceeds the {limit}-byte limit once inflated or decoded")]
    MessageTooLarge { field: &'static str, limit: usize },
    #[error("{field} is not UTF-8")]
    NotUtf8 { field: &'static str },
    #[error("missing parameter {name}")]
    MissingParameter { name: &'static str },
    #[error("parameter {name} appears more than once")]
    DuplicateParameter { name: &'static str },

    // ---- AuthnRequest content ----
    #[error("expected {expected}, found {found}")]
    UnexpectedElement {
        expected: &'static str,
        found: String,
    },
    #[error("the AuthnRequest has no ID attribute")]
    MissingId,
    #[error("the AuthnRequest has no Issuer")]
    MissingIssuer,
    #[error("the AuthnRequest has no IssueInstant")]
    MissingIssueInstant,
    #[error("unsupported SAML Version {found:?} (expected \"2.0\")")]
    UnsupportedVersion { found: String },
    #[error("attribute {attribute} is not an xs:dateTime: {value:?}")]
    InvalidInstant {
        attribute: &'static str,
        value: String,
    },
    #[error("attribute {attribute} is not an xs:boolean: {value:?}")]
    InvalidBoolean {
        attribute: &'static str,
        value: String,
    },
    #[error("attribute {attribute} is not a non-negative integer: {value:?}")]
    InvalidInteger {
        attribute: &'static str,
        value: String,
    },

    // ---- signatures ----
    #[error("unsupported signature algorithm {uri}")]
    UnsupportedSignatureAlgorithm { uri: String },
    #[error("{algorithm:?} needs a different key type than the {key:?} key given")]
    KeyAlgorithmMismatch {
        algorithm: SignatureAlgorithm,
        key: KeyKind,
    },
    #[error("cannot sign <{element}>: it has no ID attribute")]
    UnsignableElement { element: String },
    #[error("cannot sign the {placement:?}: the response has no assertion")]
    NoAssertionToSign { placement: SignaturePlacement },
    #[error("the redirect-binding signature does not verify")]
    RedirectSignatureInvalid,
    #[error("the document carries no ds:Signature")]
    NoSignature,
    #[error("XML signature verification failed: {message}")]
    XmlSignatureInvalid { message: String },
    #[error("the trusted certificate cannot be read: {source}")]
    InvalidCertificate {
        #[source]
        source: openssl::error::ErrorStack,
    },
    #[error("crypto failure while {context}: {source}")]
    Crypto {
        context: &'static str,
        #[source]
        source: openssl::error::ErrorStack,
    },

    // ---- encryption ----
    #[error("unsupported XML Encryption algorithm {uri}")]
    UnsupportedEncryption { uri: String },
    #[error("the EncryptedAssertion is malformed: {message}")]
    EncryptedAssertionMalformed { message: String },
    #[error("the EncryptedAssertion does not decrypt: {stage}")]
    DecryptionFailed { stage: &'static str },

    // ---- metadata ----
    #[error("metadata cannot be read: {message}")]
    MetadataParse { message: String },
    #[error("the metadata has no entityID")]
    MissingEntityId,
    #[error("the metadata has no SPSSODescriptor")]
    NoSpSsoDescriptor,
    #[error("the SPSSODescriptor has no AssertionConsumerService")]
    NoAssertionConsumerService,
}

impl From<crate::xml::XmlError> for SamlError {
    fn from(e: crate::xml::XmlError) -> Self {
        use crate::xml::XmlError;
        match e {
            XmlError::Doctype => SamlError::DoctypeForbidden,
            XmlError::Entity => SamlError::EntityForbidden,
            XmlError::Malformed { position, message } => {
                SamlError::MalformedXml { position, message }
            }
            XmlError::NoRoot => SamlError::MalformedXml {
                position: 0,
                message: "no root element".into(),
            },
            XmlError::TrailingContent => SamlError::MalformedXml {
                position: 0,
                message: "content after the root element".into(),
            },
            XmlError::TooDeep { limit } => SamlError::MalformedXml {
                position: 0,
                message: format!("elements nest deeper than {limit} levels"),
            },
        }
    }
}

/// Standard base64 with padding, no line breaks (what SAMLResponse and KeyInfo carry).
pub fn b64_encode(bytes: impl AsRef<[u8]>) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Standard base64, tolerating the whitespace and line breaks that form posts and PEM-ish
/// metadata carry.
pub fn b64_decode(field: &'static str, s: &str) -> Result<Vec<u8>, SamlError> {
    let compact: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|source| SamlError::InvalidBase64 { field, source })
}

/// Refuse DOCTYPE and ENTITY declarations before any parser (ours or libxml) sees the bytes.
pub fn reject_dtd(xml: &[u8]) -> Result<(), SamlError> {
    match crate::xml::has_dtd(xml) {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b64_round_trip_tolerates_line_breaks() {
        let enc = b64_encode(b"hello saml world, long enough to wrap");
        let wrapped = format!("{}\r\n{}", &enc[..10], &enc[10..]);
        assert_eq!(
            b64_decode("x", &wrapped).unwrap(),
            b"hello saml world, long enough to wrap"
        );
        assert!(matches!(
            b64_decode("SAMLResponse", "not*base64"),
            Err(SamlError::InvalidBase64 {
                field: "SAMLResponse",
                ..
            })
        ));
    }

    #[test]
    fn dtd_rejected_case_insensitively() {
        assert!(matches!(
            reject_dtd(b"<!doctype x><x/>"),
            Err(SamlError::DoctypeForbidden)
        ));
        assert!(matches!(
            reject_dtd(b"<x><!ENTITY a 'b'></x>"),
            Err(SamlError::EntityForbidden)
        ));
        assert!(reject_dtd(b"<x>&lt;!DOCTYPE</x>").is_ok());
    }
}
