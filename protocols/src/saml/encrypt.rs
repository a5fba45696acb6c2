//! XML Encryption of assertions (`saml:EncryptedAssertion`): AES-CBC or AES-GCM content
//! encryption with a fresh key, carried by RSA-OAEP key transport to the SP's certificate.
//!
//! Why not xmlsec: the xmlsec wrappers we use (the `xmlsec` crate behind `dsig`, samael's) expose
//! signatures only (no `xmlSecEncCtx`), and a direct FFI call would need `unsafe`, which the
//! workspace forbids outside `dsig`. The primitives therefore
//! come from the openssl crate (the same libcrypto xmlsec itself uses) and the XML structure is
//! written by [`crate::xml`]; `xmlsec1 --decrypt` checks the result in the tests
//! (mock-idps/tests/idps/encrypt.rs).
//!
//! Order (every vendor that encrypts does it this way): the assertion is signed, then encrypted,
//! then the Response around it is signed if it is signed at all — [`encrypt_assertions`] works on
//! a response whose assertion is already signed and whose own signature is still to come.
//!
//! Key material (the content key, IVs) comes from the CSPRNG, not from the seeded id generator:
//! it must be unpredictable, and RSA-OAEP is randomised anyway, so no snapshot holds ciphertext.

use super::SamlError;
use crate::xml::{ns, Element, Node, NsDecl};
use openssl::hash::MessageDigest;
use openssl::pkey::{HasPrivate, HasPublic, PKeyRef};
use openssl::rsa::Padding;
use openssl::symm::{Cipher, Crypter, Mode};
use openssl::x509::{X509KeyUsage, X509Ref};
use serde::{Deserialize, Serialize};

pub const XMLENC: &str = "http://www.w3.org/2001/04/xmlenc#";
pub const XMLENC11: &str = "http://www.w3.org/2009/xmlenc11#";
/// `EncryptedData/@Type` of an encrypted element.
pub const TYPE_ELEMENT: &str = "http://www.w3.org/2001/04/xmlenc#Element";
const SHA1: &str = "http://www.w3.org/2000/09/xmldsig#sha1";
const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
const MGF1_SHA1: &str = "http://www.w3.org/2009/xmlenc11#mgf1sha1";
const MGF1_SHA256: &str = "http://www.w3.org/2009/xmlenc11#mgf1sha256";

/// The block cipher that encrypts the assertion itself (EncryptedData/EncryptionMethod).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DataEncryption {
    Aes128Cbc,
    #[default]
    Aes256Cbc,
    Aes128Gcm,
    Aes256Gcm,
}

impl DataEncryption {
    pub const ALL: [DataEncryption; 4] = [
        Self::Aes128Cbc,
        Self::Aes256Cbc,
        Self::Aes128Gcm,
        Self::Aes256Gcm,
    ];

    pub fn uri(self) -> &'static str {
        match self {
            Self::Aes128Cbc => "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
            Self::Aes256Cbc => "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
            Self::Aes128Gcm => "http://www.w3.org/2009/xmlenc11#aes128-gcm",
            Self::Aes256Gcm => "http://www.w3.org/2009/xmlenc11#aes256-gcm",
        }
    }

    pub fn from_uri(uri: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.uri() == uri)
    }

    fn cipher(self) -> Cipher {
        match self {
            Self::Aes128Cbc => Cipher::aes_128_cbc(),
            Self::Aes256Cbc => Cipher::aes_256_cbc(),
            Self::Aes128Gcm => Cipher::aes_128_gcm(),
            Self::Aes256Gcm => Cipher::aes_256_gcm(),
        }
    }

    fn is_gcm(self) -> bool {
        matches!(self, Self::Aes128Gcm | Self::Aes256Gcm)
    }

    /// XML Encryption 1.1, 5.2.2/5.2.4: a 128-bit IV for CBC, a 96-bit one for GCM.
    fn iv_len(self) -> usize {
        if self.is_gcm() {
            12
        } else {
            16
        }
    }

    fn key_len(self) -> usize {
        self.cipher().key_len()
    }
}

/// How the content key travels (EncryptedKey/EncryptionMethod).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyTransport {
    /// `xmlenc#rsa-oaep-mgf1p`: OAEP with SHA-1 and MGF1-SHA1, the one every SAML stack reads.
    #[default]
    RsaOaepMgf1p,
    /// `xmlenc11#rsa-oaep` with a SHA-256 DigestMethod and MGF1-SHA1 (XML Encryption 1.1's
    /// default mask generation function).
    RsaOaep,
}

impl KeyTransport {
    pub fn uri(self) -> &'static str {
        match self {
            Self::RsaOaepMgf1p => "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
            Self::RsaOaep => "http://www.w3.org/2009/xmlenc11#rsa-oaep",
        }
    }

    pub fn from_uri(uri: &str) -> Option<Self> {
        [Self::RsaOaepMgf1p, Self::RsaOaep]
            .into_iter()
            .find(|a| a.uri() == uri)
    }
}

/// What an IdP encrypts with: the two algorithms.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EncryptionSettings {
    pub data: DataEncryption,
    pub key_transport: KeyTransport,
}

/// Why a certificate cannot receive encrypted assertions.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EncryptionCertError {
    #[error("the certificate cannot be read: {message}")]
    Unreadable { message: String },
    #[error("the certificate's key is {found}, not RSA (RSA-OAEP key transport needs RSA)")]
    NotRsa { found: String },
    #[error("the certificate's KeyUsage does not allow keyEncipherment")]
    NoKeyEncipherment,
    #[error("the certificate expired at {not_after}")]
    Expired { not_after: String },
    #[error("the certificate is not valid before {not_before}")]
    NotYetValid { not_before: String },
}

/// Check that `cert` can receive encrypted assertions at `now` (unix seconds): an RSA key, a
/// KeyUsage (when present) that allows keyEncipherment, and a validity period around `now`.
pub fn check_encryption_cert(cert: &X509Ref, now_unix: i64) -> Result<(), EncryptionCertError> {
    let unreadable = |e: openssl::error::ErrorStack| EncryptionCertError::Unreadable {
        message: e.to_string(),
    };
    let key = cert.public_key().map_err(unreadable)?;
    if key.id() != openssl::pkey::Id::RSA {
        return Err(EncryptionCertError::NotRsa {
            found: format!("{:?}", key.id()),
        });
    }
    if let Some(usage) = cert.key_usage() {
        if !usage.contains(X509KeyUsage::KEY_ENCIPHERMENT) {
            return Err(EncryptionCertError::NoKeyEncipherment);
        }
    }
    let now = openssl::asn1::Asn1Time::from_unix(now_unix).map_err(unreadable)?;
    if cert.not_after() < now {
        return Err(EncryptionCertError::Expired {
            not_after: cert.not_after().to_string(),
        });
    }
    if cert.not_before() > now {
        return Err(EncryptionCertError::NotYetValid {
            not_before: cert.not_before().to_string(),
        });
    }
    Ok(())
}

fn crypto(context: &'static str) -> impl Fn(openssl::error::ErrorStack) -> SamlError {
    move |source| SamlError::Crypto { context, source }
}

/// Replace every `Assertion` child of `response` with an `EncryptedAssertion` to `cert`.
///
/// Each assertion is serialised standalone first: the namespace declarations it inherits from
/// the Response are copied onto it, which leaves its exclusive-c14n form (and so its signature)
/// unchanged. Returns how many assertions were encrypted.
pub fn encrypt_assertions(
    response: &mut Element,
    cert: &X509Ref,
    settings: &EncryptionSettings,
) -> Result<usize, SamlError> {
    let inherited = response.namespaces.clone();
    let mut count = 0;
    for child in response.children.iter_mut() {
        let Node::Element(el) = child else { continue };
        if el.name != "Assertion" {
            continue;
        }
        let prefix = el.prefix.clone();
        let mut standalone = el.clone();
        standalone.namespaces = standalone_scope(&inherited, el);
        standalone
            .namespaces
            .sort_by(|a, b| a.prefix.cmp(&b.prefix));
        let encrypted = encrypt_element(&standalone.to_xml(), cert, settings, &prefix)?;
        *el = encrypted;
        count += 1;
    }
    Ok(count)
}

/// `saml:EncryptedAssertion` holding `plaintext` (an element serialised on its own), with the
/// EncryptedKey inside EncryptedData's KeyInfo, as Okta and Entra place it.
pub fn encrypt_element(
    plaintext: &str,
    cert: &X509Ref,
    settings: &EncryptionSettings,
    assertion_prefix: &str,
) -> Result<Element, SamlError> {
    let public = cert
        .public_key()
        .map_err(crypto("reading the encryption key"))?;
    let data = settings.data;
    let mut key = vec![0u8; data.key_len()];
    let mut iv = vec![0u8; data.iv_len()];
    openssl::rand::rand_bytes(&mut key).map_err(crypto("drawing the content key"))?;
    openssl::rand::rand_bytes(&mut iv).map_err(crypto("drawing the IV"))?;

    let mut cipher_value = iv.clone();
    if data.is_gcm() {
        let mut tag = [0u8; 16];
        let ct = openssl::symm::encrypt_aead(
            data.cipher(),
            &key,
            Some(&iv),
            &[],
            plaintext.as_bytes(),
            &mut tag,
        )
        .map_err(crypto("encrypting the assertion"))?;
        cipher_value.extend(ct);
        cipher_value.extend(tag);
    } else {
        // PKCS#7 padding is one of the paddings XML Encryption 5.2 allows (its last byte
        // counts the padding).
        let ct = openssl::symm::encrypt(data.cipher(), &key, Some(&iv), plaintext.as_bytes())
            .map_err(crypto("encrypting the assertion"))?;
        cipher_value.extend(ct);
    }
    let wrapped = wrap_key(&public, settings.key_transport, &key)?;

    let mut method =
        Element::new("xenc", "EncryptionMethod").attr("Algorithm", settings.key_transport.uri());
    method = match settings.key_transport {
        KeyTransport::RsaOaepMgf1p => {
            method.child(Element::new("ds", "DigestMethod").attr("Algorithm", SHA1))
        }
        KeyTransport::RsaOaep => method
            .child(Element::new("ds", "DigestMethod").attr("Algorithm", SHA256))
            .child(
                Element::new("xenc11", "MGF")
                    .ns("xenc11", XMLENC11)
                    .attr("Algorithm", MGF1_SHA1),
            ),
    };
    let cert_b64 = cert
        .to_der()
        .map(super::b64_encode)
        .map_err(crypto("encoding the encryption certificate"))?;
    let encrypted_key = Element::new("xenc", "EncryptedKey")
        .child(method)
        .child(
            Element::new("ds", "KeyInfo").child(
                Element::new("ds", "X509Data")
                    .child(Element::new("ds", "X509Certificate").text(cert_b64)),
            ),
        )
        .child(
            Element::new("xenc", "CipherData")
                .child(Element::new("xenc", "CipherValue").text(super::b64_encode(wrapped))),
        );
    let encrypted_data = Element::new("xenc", "EncryptedData")
        .ns("xenc", XMLENC)
        .attr("Type", TYPE_ELEMENT)
        .child(Element::new("xenc", "EncryptionMethod").attr("Algorithm", data.uri()))
        .child(
            Element::new("ds", "KeyInfo")
                .ns("ds", ns::DS)
                .child(encrypted_key),
        )
        .child(
            Element::new("xenc", "CipherData")
                .child(Element::new("xenc", "CipherValue").text(super::b64_encode(cipher_value))),
        );
    Ok(Element::new(assertion_prefix, "EncryptedAssertion")
        .ns(assertion_prefix, ns::SAML)
        .child(encrypted_data))
}

fn wrap_key<T: HasPublic>(
    public: &PKeyRef<T>,
    transport: KeyTransport,
    key: &[u8],
) -> Result<Vec<u8>, SamlError> {
    let c = crypto("wrapping the content key");
    let mut enc = openssl::encrypt::Encrypter::new(public).map_err(&c)?;
    enc.set_rsa_padding(Padding::PKCS1_OAEP).map_err(&c)?;
    if transport == KeyTransport::RsaOaep {
        enc.set_rsa_oaep_md(MessageDigest::sha256()).map_err(&c)?;
        enc.set_rsa_mgf1_md(MessageDigest::sha1()).map_err(&c)?;
    }
    let mut out = vec![0u8; enc.encrypt_len(key).map_err(&c)?];
    let n = enc.encrypt(key, &mut out).map_err(&c)?;
    out.truncate(n);
    Ok(out)
}

/// The first child element named `name` in the XML Encryption namespace (by prefix-agnostic
/// local name: the tree holds prefixes, and EncryptedAssertion content is small and fixed).
fn child<'a>(el: &'a Element, name: &str) -> Option<&'a Element> {
    el.elements().find(|e| e.name == name)
}

fn malformed(message: impl Into<String>) -> SamlError {
    SamlError::EncryptedAssertionMalformed {
        message: message.into(),
    }
}

/// Decrypt an `EncryptedAssertion` element with the SP's private key: the assertion's XML as it
/// was before encryption. Nothing is trusted yet: the caller still verifies its signature.
pub fn decrypt_assertion<T: HasPrivate>(
    encrypted_assertion: &Element,
    key: &PKeyRef<T>,
) -> Result<String, SamlError> {
    let ed =
        child(encrypted_assertion, "EncryptedData").ok_or_else(|| malformed("no EncryptedData"))?;
    let data_uri = child(ed, "EncryptionMethod")
        .and_then(|m| m.attr_value("Algorithm"))
        .ok_or_else(|| malformed("EncryptedData has no EncryptionMethod Algorithm"))?;
    let data =
        DataEncryption::from_uri(data_uri).ok_or_else(|| SamlError::UnsupportedEncryption {
            uri: data_uri.to_string(),
        })?;
    // The EncryptedKey sits in EncryptedData's KeyInfo, or next to EncryptedData (SAML core
    // 2.3.4 allows both).
    let ek = child(ed, "KeyInfo")
        .and_then(|ki| child(ki, "EncryptedKey"))
        .or_else(|| child(encrypted_assertion, "EncryptedKey"))
        .ok_or_else(|| malformed("no EncryptedKey"))?;
    let km = child(ek, "EncryptionMethod")
        .ok_or_else(|| malformed("EncryptedKey has no EncryptionMethod"))?;
    let km_uri = km
        .attr_value("Algorithm")
        .ok_or_else(|| malformed("EncryptedKey's EncryptionMethod has no Algorithm"))?;
    let transport =
        KeyTransport::from_uri(km_uri).ok_or_else(|| SamlError::UnsupportedEncryption {
            uri: km_uri.to_string(),
        })?;
    let digest = match child(km, "DigestMethod").and_then(|d| d.attr_value("Algorithm")) {
        None | Some(SHA1) => MessageDigest::sha1(),
        Some(SHA256) => MessageDigest::sha256(),
        Some(other) => {
            return Err(SamlError::UnsupportedEncryption {
                uri: other.to_string(),
            })
        }
    };
    let mgf = match (
        transport,
        child(km, "MGF").and_then(|d| d.attr_value("Algorithm")),
    ) {
        (KeyTransport::RsaOaepMgf1p, None) => MessageDigest::sha1(),
        (KeyTransport::RsaOaep, None | Some(MGF1_SHA1)) => MessageDigest::sha1(),
        (KeyTransport::RsaOaep, Some(MGF1_SHA256)) => MessageDigest::sha256(),
        (_, Some(other)) => {
            return Err(SamlError::UnsupportedEncryption {
                uri: other.to_string(),
            })
        }
    };
    let cipher_value = |el: &Element, what: &'static str| -> Result<Vec<u8>, SamlError> {
        let cv = child(el, "CipherData")
            .and_then(|cd| child(cd, "CipherValue"))
            .ok_or_else(|| malformed(format!("{what} has no CipherData/CipherValue")))?;
        super::b64_decode(what, &cv.text_content())
    };
    let wrapped = cipher_value(ek, "EncryptedKey")?;
    let content = cipher_value(ed, "EncryptedData")?;

    let key = unwrap_key(key, digest, mgf, &wrapped)?;
    if key.len() != data.key_len() {
        return Err(SamlError::DecryptionFailed {
            stage: "the content key has the wrong length for the data algorithm",
        });
    }
    let plain = decrypt_content(data, &key, &content)?;
    String::from_utf8(plain).map_err(|_| SamlError::NotUtf8 {
        field: "the decrypted assertion",
    })
}

fn unwrap_key<T: HasPrivate>(
    key: &PKeyRef<T>,
    digest: MessageDigest,
    mgf: MessageDigest,
    wrapped: &[u8],
) -> Result<Vec<u8>, SamlError> {
    // Any failure here is the same answer: the key was not wrapped to this SP's key (or was
    // tampered with). No detail goes out, to give no padding oracle.
    let fail = |_| SamlError::DecryptionFailed {
        stage: "the content key does not decrypt with this SP's key",
    };
    let mut dec = openssl::encrypt::Decrypter::new(key).map_err(fail)?;
    dec.set_rsa_padding(Padding::PKCS1_OAEP).map_err(fail)?;
    dec.set_rsa_oaep_md(digest).map_err(fail)?;
    dec.set_rsa_mgf1_md(mgf).map_err(fail)?;
    let mut out = vec![0u8; dec.decrypt_len(wrapped).map_err(fail)?];
    let n = dec.decrypt(wrapped, &mut out).map_err(fail)?;
    out.truncate(n);
    Ok(out)
}

fn decrypt_content(data: DataEncryption, key: &[u8], content: &[u8]) -> Result<Vec<u8>, SamlError> {
    let fail = |stage| move |_| SamlError::DecryptionFailed { stage };
    let iv_len = data.iv_len();
    if data.is_gcm() {
        if content.len() < iv_len + 16 {
            return Err(SamlError::DecryptionFailed {
                stage: "the ciphertext is shorter than its IV and tag",
            });
        }
        let (iv, rest) = content.split_at(iv_len);
        let (ct, tag) = rest.split_at(rest.len() - 16);
        openssl::symm::decrypt_aead(data.cipher(), key, Some(iv), &[], ct, tag)
            .map_err(fail("the GCM tag does not verify"))
    } else {
        if content.len() < 2 * iv_len || !content.len().is_multiple_of(16) {
            return Err(SamlError::DecryptionFailed {
                stage: "the ciphertext is not a whole number of blocks after its IV",
            });
        }
        let (iv, ct) = content.split_at(iv_len);
        // XML Encryption's padding is looser than PKCS#7 (only the last byte is defined, and
        // xmlsec fills the rest at random), so openssl's check is off and the count is read here.
        let mut c = Crypter::new(data.cipher(), Mode::Decrypt, key, Some(iv))
            .map_err(fail("the CBC decryption cannot start"))?;
        c.pad(false);
        let mut out = vec![0u8; ct.len() + 16];
        let mut n = c.update(ct, &mut out).map_err(fail("CBC decryption"))?;
        n += c.finalize(&mut out[n..]).map_err(fail("CBC decryption"))?;
        out.truncate(n);
        let pad = usize::from(*out.last().unwrap_or(&0));
        if pad == 0 || pad > 16 || pad > out.len() {
            return Err(SamlError::DecryptionFailed {
                stage: "the CBC padding is invalid",
            });
        }
        out.truncate(out.len() - pad);
        Ok(out)
    }
}

/// The namespace declarations `el` needs to stand alone: its own, then those it inherits.
pub fn standalone_scope(inherited: &[NsDecl], el: &Element) -> Vec<NsDecl> {
    let mut out = el.namespaces.clone();
    for decl in inherited.iter().rev() {
        if !out.iter().any(|d| d.prefix == decl.prefix) {
            out.push(decl.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::snapshot_epoch;
    use crate::keys::{KeyKind, SigningKey, Validity};

    fn rsa() -> SigningKey {
        SigningKey::generate(
            KeyKind::Rsa,
            "enc",
            "sp-encryption",
            Validity::current(snapshot_epoch(), 1),
        )
        .unwrap()
    }

    fn cert(k: &SigningKey) -> openssl::x509::X509 {
        openssl::x509::X509::from_der(k.cert_der()).unwrap()
    }

    const PLAIN: &str = r#"<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="a1">é</saml2:Assertion>"#;

    #[test]
    fn every_algorithm_round_trips() {
        let k = rsa();
        for data in DataEncryption::ALL {
            for key_transport in [KeyTransport::RsaOaepMgf1p, KeyTransport::RsaOaep] {
                let s = EncryptionSettings {
                    data,
                    key_transport,
                };
                let ea = encrypt_element(PLAIN, &cert(&k), &s, "saml2").unwrap();
                let xml = ea.to_xml();
                assert!(xml.contains(data.uri()) && xml.contains(key_transport.uri()));
                assert!(!xml.contains("ID=\"a1\""), "the plaintext leaked: {xml}");
                let back = crate::xml::parse(&xml).unwrap();
                assert_eq!(decrypt_assertion(&back, k.pkey()).unwrap(), PLAIN);
            }
        }
    }

    #[test]
    fn another_key_cannot_decrypt() {
        let (k, other) = (rsa(), rsa());
        let ea =
            encrypt_element(PLAIN, &cert(&k), &EncryptionSettings::default(), "saml2").unwrap();
        assert!(matches!(
            decrypt_assertion(&ea, other.pkey()),
            Err(SamlError::DecryptionFailed { .. })
        ));
    }

    #[test]
    fn tampered_gcm_ciphertext_is_refused() {
        let k = rsa();
        let s = EncryptionSettings {
            data: DataEncryption::Aes256Gcm,
            ..EncryptionSettings::default()
        };
        let xml = encrypt_element(PLAIN, &cert(&k), &s, "saml2")
            .unwrap()
            .to_xml();
        let mut ea = crate::xml::parse(&xml).unwrap();
        let ed = ea.child_named_mut("EncryptedData").unwrap();
        let cv = ed
            .child_named_mut("CipherData")
            .unwrap()
            .child_named_mut("CipherValue")
            .unwrap();
        let mut bytes = crate::saml::b64_decode("t", &cv.text_content()).unwrap();
        bytes[20] ^= 1;
        cv.set_text(crate::saml::b64_encode(bytes));
        assert!(matches!(
            decrypt_assertion(&ea, k.pkey()),
            Err(SamlError::DecryptionFailed {
                stage: "the GCM tag does not verify"
            })
        ));
    }

    #[test]
    fn unknown_algorithm_is_named() {
        let k = rsa();
        let xml = encrypt_element(PLAIN, &cert(&k), &EncryptionSettings::default(), "saml2")
            .unwrap()
            .to_xml()
            .replace(
                DataEncryption::Aes256Cbc.uri(),
                "http://www.w3.org/2001/04/xmlenc#tripledes-cbc",
            );
        let ea = crate::xml::parse(&xml).unwrap();
        assert!(matches!(
            decrypt_assertion(&ea, k.pkey()),
            Err(SamlError::UnsupportedEncryption { uri }) if uri.ends_with("tripledes-cbc")
        ));
    }

    #[test]
    fn certificates_unfit_for_encryption_are_refused() {
        let now = snapshot_epoch();
        let ok = rsa();
        assert_eq!(check_encryption_cert(&cert(&ok), now.timestamp()), Ok(()));
        let ec = SigningKey::generate(KeyKind::Ec, "e", "ec", Validity::current(now, 1)).unwrap();
        assert!(matches!(
            check_encryption_cert(&cert(&ec), now.timestamp()),
            Err(EncryptionCertError::NotRsa { .. })
        ));
        let old = SigningKey::generate(KeyKind::Rsa, "o", "old", Validity::expired(now)).unwrap();
        assert!(matches!(
            check_encryption_cert(&cert(&old), now.timestamp()),
            Err(EncryptionCertError::Expired { .. })
        ));
        // A signing-only certificate: KeyUsage digitalSignature.
        let key =
            rcgen::KeyPair::from_pem_and_sign_algo(ok.key_pem(), &rcgen::PKCS_RSA_SHA256).unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
        let pem = params.self_signed(&key).unwrap().pem();
        let signing_only = openssl::x509::X509::from_pem(pem.as_bytes()).unwrap();
        assert_eq!(
            check_encryption_cert(&signing_only, now.timestamp()),
            Err(EncryptionCertError::NoKeyEncipherment)
        );
    }
}
