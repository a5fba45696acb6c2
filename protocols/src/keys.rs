//! Key material: RSA-2048 and P-256 signing keys with self-signed certificates (rcgen), including
//! certificates that are expired or not yet valid, and rotation sets.
//!
//! A [`SigningKey`] parses its key once, when it is made; signing on the hot path reuses the parsed
//! openssl key and never touches PEM again.

use chrono::{DateTime, Duration, Utc};
use openssl::pkey::{PKey, Private};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("openssl: {0}")]
    Openssl(#[from] openssl::error::ErrorStack),
    #[error("certificate generation: {0}")]
    Rcgen(#[from] rcgen::Error),
    #[error("unsupported key type: {0}")]
    Unsupported(String),
    #[error("certificate does not match the private key")]
    CertMismatch,
}

/// The family of a signing key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyKind {
    Rsa,
    /// NIST P-256.
    Ec,
}

/// When a generated certificate is valid.
#[derive(Debug, Clone, Copy)]
pub struct Validity {
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
}

impl Validity {
    /// Valid from a day before `now` for `years` years (Google's certificates run about five).
    pub fn current(now: DateTime<Utc>, years: i64) -> Self {
        Self {
            not_before: now - Duration::days(1),
            not_after: now + Duration::days(365 * years),
        }
    }

    /// Expired a day before `now`.
    pub fn expired(now: DateTime<Utc>) -> Self {
        Self {
            not_before: now - Duration::days(365),
            not_after: now - Duration::days(1),
        }
    }

    /// Valid only from a day after `now`.
    pub fn not_yet_valid(now: DateTime<Utc>) -> Self {
        Self {
            not_before: now + Duration::days(1),
            not_after: now + Duration::days(366),
        }
    }
}

/// A private key with its certificate, parsed once.
#[derive(Clone)]
pub struct SigningKey {
    inner: Arc<Inner>,
}

struct Inner {
    kid: String,
    kind: KeyKind,
    pkey: PKey<Private>,
    key_pem: String,
    cert_pem: String,
    cert_der: Vec<u8>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.inner.kid)
            .field("kind", &self.inner.kind)
            .field("private", &"<redacted>")
            .finish()
    }
}

impl SigningKey {
    /// Generate a fresh key and a self-signed certificate with common name `cn`.
    pub fn generate(
        kind: KeyKind,
        kid: impl Into<String>,
        cn: &str,
        validity: Validity,
    ) -> Result<Self, KeyError> {
        let pkey = match kind {
            KeyKind::Rsa => PKey::from_rsa(openssl::rsa::Rsa::generate(2048)?)?,
            KeyKind::Ec => {
                let group =
                    openssl::ec::EcGroup::from_curve_name(openssl::nid::Nid::X9_62_PRIME256V1)?;
                PKey::from_ec_key(openssl::ec::EcKey::generate(&group)?)?
            }
        };
        let key_pem = String::from_utf8_lossy(&pkey.private_key_to_pem_pkcs8()?).into_owned();
        let cert_pem = self_signed_cert(&key_pem, kind, cn, validity)?;
        Self::from_pem(kid, &key_pem, &cert_pem)
    }

    /// Load a PKCS#8 (or traditional) private key and its certificate.
    pub fn from_pem(
        kid: impl Into<String>,
        key_pem: &str,
        cert_pem: &str,
    ) -> Result<Self, KeyError> {
        let pkey = PKey::private_key_from_pem(key_pem.as_bytes())?;
        let kind = match pkey.id() {
            openssl::pkey::Id::RSA => KeyKind::Rsa,
            openssl::pkey::Id::EC => KeyKind::Ec,
            other => return Err(KeyError::Unsupported(format!("{other:?}"))),
        };
        let cert = openssl::x509::X509::from_pem(cert_pem.as_bytes())?;
        if !cert.public_key()?.public_eq(&pkey) {
            return Err(KeyError::CertMismatch);
        }
        let pkcs8 = pkey.private_key_to_pem_pkcs8()?;
        Ok(Self {
            inner: Arc::new(Inner {
                kid: kid.into(),
                kind,
                key_pem: String::from_utf8_lossy(&pkcs8).into_owned(),
                cert_pem: cert_pem.trim().to_string() + "\n",
                cert_der: cert.to_der()?,
                pkey,
            }),
        })
    }

    pub fn kid(&self) -> &str {
        &self.inner.kid
    }

    pub fn kind(&self) -> KeyKind {
        self.inner.kind
    }

    pub fn pkey(&self) -> &PKey<Private> {
        &self.inner.pkey
    }

    pub fn key_pem(&self) -> &str {
        &self.inner.key_pem
    }

    pub fn cert_pem(&self) -> &str {
        &self.inner.cert_pem
    }

    pub fn cert_der(&self) -> &[u8] {
        &self.inner.cert_der
    }

    /// The certificate as SAML metadata and KeyInfo carry it: base64 DER, no line breaks.
    pub fn cert_b64(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(&self.inner.cert_der)
    }

    /// The SubjectPublicKeyInfo in PEM.
    pub fn public_pem(&self) -> Result<String, KeyError> {
        Ok(String::from_utf8_lossy(&self.inner.pkey.public_key_to_pem()?).into_owned())
    }
}

/// A self-signed X.509 certificate in PEM for `key_pem`.
pub fn self_signed_cert(
    key_pem: &str,
    kind: KeyKind,
    cn: &str,
    validity: Validity,
) -> Result<String, KeyError> {
    let alg = match kind {
        KeyKind::Rsa => &rcgen::PKCS_RSA_SHA256,
        KeyKind::Ec => &rcgen::PKCS_ECDSA_P256_SHA256,
    };
    let key = rcgen::KeyPair::from_pem_and_sign_algo(key_pem, alg)?;
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new())?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, cn);
    params.not_before = to_offset(validity.not_before);
    params.not_after = to_offset(validity.not_after);
    Ok(params.self_signed(&key)?.pem())
}

fn to_offset(t: DateTime<Utc>) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(t.timestamp())
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// The keys an issuer publishes: the one it signs with, and the others it still (or already)
/// lists. Rotation publishes the new key first, then switches to it.
#[derive(Debug, Clone)]
pub struct KeySet {
    keys: Vec<SigningKey>,
    active: usize,
}

impl KeySet {
    pub fn new(active: SigningKey) -> Self {
        Self {
            keys: vec![active],
            active: 0,
        }
    }

    pub fn active(&self) -> &SigningKey {
        &self.keys[self.active]
    }

    pub fn all(&self) -> &[SigningKey] {
        &self.keys
    }

    pub fn find(&self, kid: &str) -> Option<&SigningKey> {
        self.keys.iter().find(|k| k.kid() == kid)
    }

    /// List `key` without signing with it yet (published ahead, as Okta does).
    pub fn publish(&mut self, key: SigningKey) {
        self.keys.retain(|k| k.kid() != key.kid());
        self.keys.push(key);
        if self.active >= self.keys.len() {
            self.active = 0;
        }
    }

    /// Sign with `kid` from now on. Returns false when no such key is published.
    pub fn activate(&mut self, kid: &str) -> bool {
        match self.keys.iter().position(|k| k.kid() == kid) {
            Some(i) => {
                self.active = i;
                true
            }
            None => false,
        }
    }

    /// Publish `key` and sign with it; the previous keys stay listed for the overlap.
    pub fn rotate(&mut self, key: SigningKey) {
        let kid = key.kid().to_string();
        self.publish(key);
        self.activate(&kid);
    }

    /// Stop listing every key but the active one (the overlap is over).
    pub fn retire_inactive(&mut self) {
        let active = self.active().clone();
        self.keys = vec![active];
        self.active = 0;
    }
}
