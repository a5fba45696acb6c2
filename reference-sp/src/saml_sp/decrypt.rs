//! EncryptedAssertion in: the SP's own decryption key, and putting the decrypted assertion back
//! where its EncryptedAssertion was, so that every later rule (the signature first) sees the
//! same document an IdP that did not encrypt would have sent.
//!
//! Decryption proves nothing about who sent the assertion (anyone can encrypt to a public
//! certificate): the assertion must still verify against the IdP's certificate. The
//! `accept-unsigned-encrypted` flaw is the mistake of thinking otherwise.

use super::error::{DecryptionKeyError, SamlRejection};
use protocols::keys::SigningKey;
use protocols::saml::{decrypt_assertion, SamlError};
use protocols::xml::{Element, Node};

/// The SP's key for encrypted assertions, with the certificate its metadata advertises.
#[derive(Clone)]
pub struct DecryptionKey(SigningKey);

impl DecryptionKey {
    /// From a PEM private key (RSA) and its PEM certificate.
    pub fn from_pem(key_pem: &str, cert_pem: &str) -> Result<Self, DecryptionKeyError> {
        let key = SigningKey::from_pem("sp-encryption", key_pem, cert_pem)
            .map_err(DecryptionKeyError::Unloadable)?;
        if key.kind() != protocols::KeyKind::Rsa {
            return Err(DecryptionKeyError::NotRsa);
        }
        Ok(Self(key))
    }

    pub fn cert_pem(&self) -> &str {
        self.0.cert_pem()
    }

    /// Base64 DER, as a KeyDescriptor's X509Certificate holds it.
    pub fn cert_b64(&self) -> String {
        self.0.cert_b64()
    }

    pub(super) fn key(&self) -> &SigningKey {
        &self.0
    }
}

impl PartialEq for DecryptionKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.cert_der() == other.0.cert_der()
    }
}

impl Eq for DecryptionKey {}

impl std::fmt::Debug for DecryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecryptionKey")
            .field("private", &"<redacted>")
            .finish()
    }
}

/// Replace each EncryptedAssertion child of the Response with the assertion it holds. Returns
/// the response as received when anything was decrypted (its own signature, if any, was made
/// over the ciphertext). An EncryptedAssertion anywhere else, or any at all when the SP has no
/// key, is refused.
pub(super) fn open(
    root: &mut Element,
    key: Option<&DecryptionKey>,
    parse: impl Fn(&str) -> Result<Element, SamlRejection>,
) -> Result<Option<Element>, SamlRejection> {
    let total = root.find_all("EncryptedAssertion").len();
    if total == 0 {
        return Ok(None);
    }
    let Some(key) = key else {
        return Err(SamlRejection::EncryptedAssertionUnsupported);
    };
    let received = root.clone();
    let mut opened = 0;
    for child in root.children.iter_mut() {
        let Node::Element(el) = child else { continue };
        if el.name != "EncryptedAssertion" {
            continue;
        }
        let xml = decrypt_assertion(el, key.key().pkey()).map_err(|e| match e {
            SamlError::UnsupportedEncryption { uri } => {
                SamlRejection::EncryptionAlgorithmUnsupported { uri }
            }
            other => SamlRejection::Undecryptable {
                message: other.to_string(),
            },
        })?;
        let assertion = parse(&xml)?;
        *el = assertion;
        opened += 1;
    }
    if opened != total {
        return Err(SamlRejection::EncryptedAssertionMisplaced);
    }
    Ok(Some(received))
}
