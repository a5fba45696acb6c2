//! EncryptedAssertion per SAML app: which vendors encrypt and how, the SP's encryption
//! certificate (from its metadata or given as PEM), and sealing a response before it is posted.
//!
//! Vendor facts (each vendor signs the assertion first, then encrypts it; a Response signature,
//! when there is one, is made last, over the EncryptedAssertion):
//! - Okta: the app's "Assertion Encryption" setting offers AES256-CBC, AES128-CBC, AES256-GCM and
//!   AES128-GCM with RSA-OAEP key transport (RSA1_5 too, which idpsim does not offer: it is
//!   refused by current SP stacks). Source: Okta Help, "App Integration Wizard SAML field
//!   reference", Advanced settings (help.okta.com/en-us/content/topics/apps/
//!   apps_app_integration_wizard_saml.htm). The encryption certificate is uploaded to the app.
//! - Entra ID: "Microsoft Entra ID uses AES-256 to encrypt the SAML assertion data", with the
//!   public key of the certificate uploaded to the enterprise app (learn.microsoft.com/entra/
//!   identity/enterprise-apps/howto-saml-token-encryption); AES-256-CBC with rsa-oaep-mgf1p, the
//!   only choice.
//! - Google Workspace: a custom SAML app offers "Signed response" and no assertion encryption
//!   (support.google.com/a/answer/6087519), so asking Google to encrypt is refused.

use super::issue::Issued;
pub use crate::next_login::EncryptionOverride;
use crate::next_login::{KeyChoice, SamlOverrides};
use crate::personality::Vendor;
use crate::tenant::{AppEncryption, SamlApp, ServerError, Tenant, TenantKeyError};
use protocols::saml::dsig::{sign_enveloped, SignatureParams};
use protocols::saml::{
    self, check_encryption_cert, DataEncryption, EncryptionSettings, KeyTransport,
    SignaturePlacement,
};
use protocols::SigningKey;
use serde::{Deserialize, Serialize};

/// What a vendor lets an admin choose, and what it picks by default.
pub struct VendorEncryption {
    pub default: EncryptionSettings,
    pub data: &'static [DataEncryption],
    pub key_transport: &'static [KeyTransport],
}

/// Why an assertion could not be encrypted (or the vendor offers no encryption).
#[derive(Debug, thiserror::Error)]
pub enum EncryptError {
    #[error(
        "Google Workspace does not encrypt SAML assertions: a custom SAML app only offers \
         'Signed response' (support.google.com/a/answer/6087519)"
    )]
    VendorDoesNotEncrypt,
    #[error(transparent)]
    Key(#[from] TenantKeyError),
    #[error("the attacker's certificate cannot be read: {0}")]
    ForeignCertificateUnreadable(#[source] openssl::error::ErrorStack),
    #[error("the app's encryption certificate cannot be read: {0}")]
    AppCertificateUnreadable(#[source] openssl::error::ErrorStack),
    #[error("cannot build the response: {0}")]
    Build(#[source] saml::SamlError),
    #[error("cannot encrypt the assertion: {0}")]
    Encrypt(#[source] saml::SamlError),
    #[error("cannot sign the response: {0}")]
    Sign(#[source] saml::SamlError),
    #[error("this attack's response cannot be encrypted: {0}")]
    ForgedUnparseable(#[source] protocols::xml::XmlError),
}

/// The vendor's encryption offer, or why it has none (see the module docs for the sources).
pub fn vendor_encryption(v: Vendor) -> Result<VendorEncryption, EncryptError> {
    match v {
        Vendor::Okta => Ok(VendorEncryption {
            default: EncryptionSettings {
                data: DataEncryption::Aes256Cbc,
                key_transport: KeyTransport::RsaOaepMgf1p,
            },
            data: &DataEncryption::ALL,
            key_transport: &[KeyTransport::RsaOaepMgf1p],
        }),
        Vendor::Entra => Ok(VendorEncryption {
            default: EncryptionSettings {
                data: DataEncryption::Aes256Cbc,
                key_transport: KeyTransport::RsaOaepMgf1p,
            },
            data: &[DataEncryption::Aes256Cbc],
            key_transport: &[KeyTransport::RsaOaepMgf1p],
        }),
        Vendor::Google => Err(EncryptError::VendorDoesNotEncrypt),
    }
}

/// The control API's (and `NewSamlApp`'s) request to encrypt an app's assertions: exactly one of
/// `certificate` (PEM) and `sp_metadata` (the SP's metadata XML, whose KeyDescriptor with
/// `use="encryption"` or no `use` gives the certificate); the algorithms default to the vendor's.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEncryption {
    pub certificate: Option<String>,
    pub sp_metadata: Option<String>,
    pub data: Option<DataEncryption>,
    pub key_transport: Option<KeyTransport>,
}

/// Check `n` against the vendor's offer and the certificate's fitness at the tenant's `now`.
pub fn configure(t: &Tenant, n: NewEncryption) -> Result<AppEncryption, ServerError> {
    let invalid = ServerError::Invalid;
    let offer = vendor_encryption(t.vendor).map_err(|e| invalid(e.to_string()))?;
    let der = match (&n.certificate, &n.sp_metadata) {
        (Some(pem), None) => openssl::x509::X509::from_pem(pem.as_bytes())
            .and_then(|c| c.to_der())
            .map_err(|e| invalid(format!("certificate is not a PEM certificate: {e}")))?,
        (None, Some(xml)) => {
            let md = saml::parse_sp_metadata(xml)
                .map_err(|e| invalid(format!("sp_metadata cannot be read: {e}")))?;
            match md.encryption_certs.as_slice() {
                [] => {
                    return Err(invalid(
                        "sp_metadata advertises no encryption certificate (no KeyDescriptor \
                         with use=\"encryption\" or without use)"
                            .into(),
                    ))
                }
                [one, ..] => one.clone(),
            }
        }
        _ => {
            return Err(invalid(
                "give exactly one of certificate (PEM) and sp_metadata (XML)".into(),
            ))
        }
    };
    let cert = openssl::x509::X509::from_der(&der)
        .map_err(|e| invalid(format!("the encryption certificate cannot be read: {e}")))?;
    check_encryption_cert(&cert, t.now().timestamp())
        .map_err(|e| invalid(format!("not usable for encryption: {e}")))?;
    let settings = EncryptionSettings {
        data: n.data.unwrap_or(offer.default.data),
        key_transport: n.key_transport.unwrap_or(offer.default.key_transport),
    };
    if !offer.data.contains(&settings.data) {
        return Err(invalid(format!(
            "{} does not offer {:?} (it offers {:?})",
            t.vendor, settings.data, offer.data
        )));
    }
    if !offer.key_transport.contains(&settings.key_transport) {
        return Err(invalid(format!(
            "{} does not offer {:?} key transport (it offers {:?})",
            t.vendor, settings.key_transport, offer.key_transport
        )));
    }
    let pem = cert
        .to_pem()
        .map_err(|e| invalid(format!("the encryption certificate cannot be written: {e}")))?;
    Ok(AppEncryption {
        certificate: String::from_utf8_lossy(&pem).into_owned(),
        settings,
    })
}

/// Where this response's assertion is encrypted to, if anywhere.
pub fn target(
    t: &Tenant,
    app: Option<&SamlApp>,
    ov: Option<&SamlOverrides>,
) -> Result<Option<(openssl::x509::X509, EncryptionSettings)>, EncryptError> {
    let configured = app.and_then(|a| a.encryption.as_ref());
    match ov.and_then(|o| o.encryption) {
        Some(EncryptionOverride::Off) => Ok(None),
        Some(EncryptionOverride::ForeignKey) => {
            let foreign = t.signing_key(Some(&KeyChoice::Foreign))?;
            let cert = openssl::x509::X509::from_der(foreign.cert_der())
                .map_err(EncryptError::ForeignCertificateUnreadable)?;
            let settings = configured.map(|c| c.settings).unwrap_or_default();
            Ok(Some((cert, settings)))
        }
        None => match configured {
            None => Ok(None),
            Some(c) => openssl::x509::X509::from_pem(c.certificate.as_bytes())
                .map(|cert| Some((cert, c.settings)))
                .map_err(EncryptError::AppCertificateUnreadable),
        },
    }
}

/// Build the honest response with its assertion encrypted: the assertion signed (if the
/// placement signs it), encrypted, then the Response signed (if the placement signs it).
pub fn build(
    issued: &Issued,
    key: &SigningKey,
    cert: &openssl::x509::X509,
    settings: &EncryptionSettings,
) -> Result<String, EncryptError> {
    let placement = issued.sign.placement;
    let mut inner = issued.sign;
    inner.placement = match placement {
        SignaturePlacement::Assertion | SignaturePlacement::Both => SignaturePlacement::Assertion,
        SignaturePlacement::Response | SignaturePlacement::None => SignaturePlacement::None,
    };
    let mut tree = saml::build_response(&issued.spec, &inner, key).map_err(EncryptError::Build)?;
    saml::encrypt_assertions(&mut tree, cert, settings).map_err(EncryptError::Encrypt)?;
    if matches!(
        placement,
        SignaturePlacement::Response | SignaturePlacement::Both
    ) {
        let inclusive: &[&str] = &["xs"];
        let params = SignatureParams {
            algorithm: issued.sign.alg,
            digest: issued
                .sign
                .digest
                .unwrap_or_else(|| issued.sign.alg.default_digest()),
            inclusive_prefixes: issued.spec.style.inclusive_prefix_list.then_some(inclusive),
            key_info: issued.sign.key_info,
        };
        sign_enveloped(&mut tree, &[], &params, key).map_err(EncryptError::Sign)?;
    }
    Ok(tree.to_document())
}

/// Encrypt the assertions of an already forged response (the catalogue's attacks delivered
/// through an EncryptedAssertion). A signature over the Response no longer verifies afterwards,
/// as it would not if an attacker did the same.
pub fn seal_forged(
    xml: &str,
    cert: &openssl::x509::X509,
    settings: &EncryptionSettings,
) -> Result<String, EncryptError> {
    let mut tree = protocols::xml::parse(xml).map_err(EncryptError::ForgedUnparseable)?;
    saml::encrypt_assertions(&mut tree, cert, settings).map_err(EncryptError::Encrypt)?;
    Ok(tree.to_document())
}
