//! An organisation's SSO configuration as stored: the protocol settings, the role mapping, the
//! resource-group mapping. Validation that needs no I/O lives here; building the protocol
//! validators' configs lives in [`crate::sso_adapter`].

use super::mapping::{GroupMapping, MappingError, RoleMapping};
use protocols::id_types::Issuer;
use serde::{Deserialize, Serialize};

/// SAML IdP settings: its metadata, or its entity id, SSO URL and certificates (several allow
/// rollover); and, when the org wants encrypted assertions, the SP's decryption key and the
/// certificate its metadata advertises for encryption.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SamlSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata_xml: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idp_entity_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sso_url: Option<String>,
    #[serde(default)]
    pub certificates: Vec<String>,
    /// PEM private key (RSA) that decrypts EncryptedAssertions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decryption_key: Option<String>,
    /// PEM certificate of `decryption_key`, advertised as the SP's encryption key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decryption_certificate: Option<String>,
    /// Single Logout: the SP's signing key (crate::saml_sp::slo).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slo: Option<crate::saml_sp::slo::SloSettings>,
}

impl std::fmt::Debug for SamlSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SamlSettings")
            .field("metadata_xml", &self.metadata_xml.as_ref().map(|m| m.len()))
            .field("idp_entity_id", &self.idp_entity_id)
            .field("sso_url", &self.sso_url)
            .field("certificates", &self.certificates.len())
            .field(
                "decryption_key",
                &self.decryption_key.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "decryption_certificate",
                &self.decryption_certificate.is_some(),
            )
            .field("slo", &self.slo)
            .finish()
    }
}

/// OIDC provider settings; the token endpoint is called with client_secret_post.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OidcSettings {
    pub issuer: Issuer,
    pub client_id: String,
    pub client_secret: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
}

impl std::fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcSettings")
            .field("issuer", &self.issuer.as_str())
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("scopes", &self.scopes)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "protocol", rename_all = "lowercase")]
pub enum ProtocolSettings {
    Saml(SamlSettings),
    Oidc(OidcSettings),
}

impl ProtocolSettings {
    pub fn name(&self) -> &'static str {
        match self {
            ProtocolSettings::Saml(_) => "saml",
            ProtocolSettings::Oidc(_) => "oidc",
        }
    }
}

/// The whole stored configuration of one organisation's SSO.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsoConfig {
    #[serde(flatten)]
    pub protocol: ProtocolSettings,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_mapping: Option<RoleMapping>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_group_mapping: Option<GroupMapping>,
    /// SAML attribute name or OIDC claim path holding the user's email; unset: the usual names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_attribute: Option<String>,
}

impl SsoConfig {
    /// Checks that need no I/O: the mappings [ROLE-2], and the presence of required fields.
    pub fn validate(&self) -> Result<(), ConfigError> {
        match &self.protocol {
            ProtocolSettings::Saml(s) => {
                if s.metadata_xml.is_none() {
                    if s.idp_entity_id.as_deref().unwrap_or("").is_empty() {
                        return Err(ConfigError::Missing("entity_id"));
                    }
                    if s.sso_url.as_deref().unwrap_or("").is_empty() {
                        return Err(ConfigError::Missing("sso_url"));
                    }
                    if s.certificates.is_empty() {
                        return Err(ConfigError::Missing("certificates"));
                    }
                }
                match (&s.decryption_key, &s.decryption_certificate) {
                    (Some(_), None) => return Err(ConfigError::Missing("decryption_certificate")),
                    (None, Some(_)) => return Err(ConfigError::Missing("decryption_key")),
                    _ => {}
                }
                if let Some(slo) = &s.slo {
                    slo.validate().map_err(|e| ConfigError::Invalid {
                        field: "slo",
                        reason: e.to_string(),
                    })?;
                }
            }
            ProtocolSettings::Oidc(o) => {
                for (name, v) in [
                    ("issuer", o.issuer.as_str()),
                    ("client_id", o.client_id.as_str()),
                    ("client_secret", o.client_secret.as_str()),
                ] {
                    if v.trim().is_empty() {
                        return Err(ConfigError::Missing(name));
                    }
                }
                let ok = url::Url::parse(o.issuer.as_str())
                    .map(|u| matches!(u.scheme(), "http" | "https"))
                    .unwrap_or(false);
                if !ok {
                    return Err(ConfigError::Invalid {
                        field: "issuer",
                        reason: "must be an http(s) URL".into(),
                    });
                }
            }
        }
        if let Some(m) = &self.role_mapping {
            m.validate()?;
        }
        if let Some(m) = &self.resource_group_mapping {
            m.validate()?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} is required")]
    Missing(&'static str),
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error(transparent)]
    Mapping(#[from] MappingError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_form_round_trips() {
        let c = SsoConfig {
            protocol: ProtocolSettings::Oidc(OidcSettings {
                issuer: "https://idp.example".into(),
                client_id: "c".into(),
                client_secret: "s".into(),
                scopes: vec![],
            }),
            role_mapping: None,
            resource_group_mapping: None,
            email_attribute: None,
        };
        let j = serde_json::to_string(&c).expect("json");
        assert!(j.contains(r#""protocol":"oidc""#), "{j}");
        assert_eq!(serde_json::from_str::<SsoConfig>(&j).expect("back"), c);
        assert!(!format!("{c:?}").contains("\"s\""));
        assert_eq!(c.validate(), Ok(()));
    }

    #[test]
    fn saml_needs_metadata_or_parts() {
        let c = SsoConfig {
            protocol: ProtocolSettings::Saml(SamlSettings {
                metadata_xml: None,
                idp_entity_id: Some("e".into()),
                sso_url: Some("https://x".into()),
                certificates: vec![],
                decryption_key: None,
                decryption_certificate: None,
                slo: None,
            }),
            role_mapping: None,
            resource_group_mapping: None,
            email_attribute: None,
        };
        assert_eq!(c.validate(), Err(ConfigError::Missing("certificates")));
    }

    #[test]
    fn a_decryption_key_needs_its_certificate_and_is_never_printed() {
        let c = SsoConfig {
            protocol: ProtocolSettings::Saml(SamlSettings {
                metadata_xml: Some("<md/>".into()),
                idp_entity_id: None,
                sso_url: None,
                certificates: vec![],
                decryption_key: Some("SECRET-KEY-PEM".into()),
                decryption_certificate: None,
                slo: None,
            }),
            role_mapping: None,
            resource_group_mapping: None,
            email_attribute: None,
        };
        assert_eq!(
            c.validate(),
            Err(ConfigError::Missing("decryption_certificate"))
        );
        assert!(!format!("{c:?}").contains("SECRET"));
    }
}
