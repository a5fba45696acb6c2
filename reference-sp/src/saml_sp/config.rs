//! What the SP knows about the IdP it trusts, from metadata or from parts.

use super::error::SamlSpError;
use super::view::{self, Scoped};
use protocols::saml::response::uri;
use protocols::xml::{self, ns};

/// One organisation's SAML trust: who we are, where we listen, whom we believe.
#[derive(Clone, PartialEq, Eq)]
pub struct SamlSpConfig {
    /// Our entity id: the Audience an assertion must name.
    pub sp_entity_id: String,
    /// Our ACS URL: the exact Destination and Recipient.
    pub acs_url: String,
    /// The exact Issuer of responses and assertions.
    pub idp_entity_id: String,
    /// Where AuthnRequests go (HTTP-Redirect binding).
    pub idp_sso_url: String,
    /// DER certificates trusted to sign (several during a rollover).
    pub idp_certs_der: Vec<Vec<u8>>,
    pub allow_idp_initiated: bool,
    /// Clock skew tolerated on every time bound.
    pub max_skew: chrono::Duration,
    /// Our key for EncryptedAssertions; `None`: encrypted assertions are refused.
    pub decryption_key: Option<super::DecryptionKey>,
}

impl std::fmt::Debug for SamlSpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SamlSpConfig")
            .field("sp_entity_id", &self.sp_entity_id)
            .field("acs_url", &self.acs_url)
            .field("idp_entity_id", &self.idp_entity_id)
            .field("idp_sso_url", &self.idp_sso_url)
            .field("idp_certs", &self.idp_certs_der.len())
            .field("allow_idp_initiated", &self.allow_idp_initiated)
            .field("max_skew", &self.max_skew)
            .field("decrypts", &self.decryption_key.is_some())
            .finish()
    }
}

/// The catalogue's SAML-SKEW-1 allowance.
pub const DEFAULT_MAX_SKEW: chrono::Duration = chrono::Duration::minutes(3);

impl SamlSpConfig {
    /// From IdP metadata: the EntityDescriptor's entityID, every certificate of a KeyDescriptor
    /// with `use="signing"` or no `use`, and the HTTP-Redirect SingleSignOnService location.
    pub fn from_idp_metadata(
        xml_text: &str,
        sp_entity_id: &str,
        acs_url: &str,
    ) -> Result<Self, SamlSpError> {
        let unreadable = |message: String| SamlSpError::MetadataUnreadable { message };
        if !view::depth_within(xml_text.as_bytes(), view::MAX_DEPTH) {
            return Err(unreadable(format!(
                "elements nest deeper than {}",
                view::MAX_DEPTH
            )));
        }
        let root = xml::parse(xml_text).map_err(|e| unreadable(e.to_string()))?;
        let ed = Scoped::root(&root);
        if !ed.is(ns::MD, "EntityDescriptor") {
            return Err(SamlSpError::NotEntityDescriptor {
                found: root.qname(),
            });
        }
        let entity_id = ed
            .attr("entityID")
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .ok_or(SamlSpError::MissingEntityId)?;
        let idp = ed
            .children_named(ns::MD, "IDPSSODescriptor")
            .find(|d| {
                d.attr("protocolSupportEnumeration")
                    .is_some_and(|p| p.split_ascii_whitespace().any(|u| u == ns::SAMLP))
            })
            .ok_or(SamlSpError::NoIdpSsoDescriptor)?;

        let mut certs: Vec<Vec<u8>> = Vec::new();
        for kd in idp.children_named(ns::MD, "KeyDescriptor") {
            if kd.attr("use").is_some_and(|u| u != "signing") {
                continue;
            }
            let Some(ki) = kd.child(ns::DS, "KeyInfo") else {
                continue;
            };
            for data in ki.children_named(ns::DS, "X509Data") {
                for c in data.children_named(ns::DS, "X509Certificate") {
                    let der =
                        protocols::saml::b64_decode("X509Certificate", &view::full_text(c.el))
                            .map_err(|e| SamlSpError::InvalidCertificate {
                                message: e.to_string(),
                            })?;
                    // Each distinct certificate is parsed once per process (this runs on every
                    // login); OpenSSL's own message for one it cannot read.
                    if !protocols::saml::verify::certificate_parses(&der) {
                        openssl::x509::X509::from_der(&der).map_err(|e| {
                            SamlSpError::InvalidCertificate {
                                message: e.to_string(),
                            }
                        })?;
                    }
                    if !certs.contains(&der) {
                        certs.push(der);
                    }
                }
            }
        }
        if certs.is_empty() {
            return Err(SamlSpError::NoSigningCertificate);
        }
        let sso = idp
            .children_named(ns::MD, "SingleSignOnService")
            .find(|s| s.attr("Binding") == Some(uri::BINDING_HTTP_REDIRECT))
            .and_then(|s| s.attr("Location"))
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .ok_or(SamlSpError::NoRedirectSsoService)?;
        Self::new(sp_entity_id, acs_url, entity_id, sso, certs)
    }

    /// From an entity id, an SSO URL and PEM certificates (each string may hold several).
    pub fn from_parts(
        sp_entity_id: &str,
        acs_url: &str,
        idp_entity_id: &str,
        idp_sso_url: &str,
        certs_pem: &[String],
    ) -> Result<Self, SamlSpError> {
        let mut certs: Vec<Vec<u8>> = Vec::new();
        for pem in certs_pem {
            let stack = openssl::x509::X509::stack_from_pem(pem.as_bytes()).map_err(|e| {
                SamlSpError::InvalidCertificate {
                    message: e.to_string(),
                }
            })?;
            if stack.is_empty() {
                return Err(SamlSpError::InvalidCertificate {
                    message: "no PEM certificate found".into(),
                });
            }
            for cert in stack {
                let der = cert.to_der().map_err(|e| SamlSpError::InvalidCertificate {
                    message: e.to_string(),
                })?;
                if !certs.contains(&der) {
                    certs.push(der);
                }
            }
        }
        if certs.is_empty() {
            return Err(SamlSpError::NoSigningCertificate);
        }
        Self::new(sp_entity_id, acs_url, idp_entity_id, idp_sso_url, certs)
    }

    fn new(
        sp_entity_id: &str,
        acs_url: &str,
        idp_entity_id: &str,
        idp_sso_url: &str,
        idp_certs_der: Vec<Vec<u8>>,
    ) -> Result<Self, SamlSpError> {
        for (field, value) in [
            ("sp_entity_id", sp_entity_id),
            ("acs_url", acs_url),
            ("idp_entity_id", idp_entity_id),
            ("idp_sso_url", idp_sso_url),
        ] {
            if value.trim().is_empty() {
                return Err(SamlSpError::EmptyField { field });
            }
        }
        Ok(Self {
            sp_entity_id: sp_entity_id.to_string(),
            acs_url: acs_url.to_string(),
            idp_entity_id: idp_entity_id.to_string(),
            idp_sso_url: idp_sso_url.to_string(),
            idp_certs_der,
            allow_idp_initiated: false,
            max_skew: DEFAULT_MAX_SKEW,
            decryption_key: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocols::saml::IdpMetadata;
    use protocols::xml::Element;

    const OKTA1_CERT: &str = include_str!("../../../fixtures/keys/okta-1.crt.pem");
    const OKTA2_CERT: &str = include_str!("../../../fixtures/keys/okta-2.crt.pem");

    fn der(pem: &str) -> Vec<u8> {
        openssl::x509::X509::from_pem(pem.as_bytes())
            .unwrap()
            .to_der()
            .unwrap()
    }

    fn metadata() -> IdpMetadata {
        IdpMetadata {
            entity_id: "http://www.okta.com/exk1".into(),
            want_authn_requests_signed: false,
            signing_certs: [OKTA1_CERT, OKTA2_CERT]
                .iter()
                .map(|p| protocols::saml::b64_encode(der(p)))
                .collect(),
            name_id_formats: vec![uri::NAMEID_EMAIL.into()],
            sso_redirect_url: "https://okta.example/app/sso/redirect".into(),
            sso_post_url: "https://okta.example/app/sso/post".into(),
            slo_url: Some("https://okta.example/slo".into()),
            valid_until: None,
        }
    }

    #[test]
    fn from_idp_metadata_takes_entity_id_both_certs_and_the_redirect_location() {
        let cfg =
            SamlSpConfig::from_idp_metadata(&metadata().to_xml(), "https://sp", "https://sp/acs")
                .unwrap();
        assert_eq!(cfg.idp_entity_id, "http://www.okta.com/exk1");
        assert_eq!(cfg.idp_sso_url, "https://okta.example/app/sso/redirect");
        assert_eq!(cfg.idp_certs_der, vec![der(OKTA1_CERT), der(OKTA2_CERT)]);
        assert_eq!(
            (cfg.sp_entity_id.as_str(), cfg.acs_url.as_str()),
            ("https://sp", "https://sp/acs")
        );
        assert!(!cfg.allow_idp_initiated);
        assert_eq!(cfg.max_skew, chrono::Duration::minutes(3));
    }

    #[test]
    fn metadata_encryption_keys_are_skipped_and_unusable_metadata_is_refused() {
        // An encryption-only KeyDescriptor does not make a signing certificate.
        let mut el = metadata().to_element();
        let idp = el.child_named_mut("IDPSSODescriptor").unwrap();
        for kd in idp.elements_mut().filter(|e| e.name == "KeyDescriptor") {
            kd.set_attr("use", "encryption");
        }
        assert!(matches!(
            SamlSpConfig::from_idp_metadata(&el.to_xml(), "sp", "acs"),
            Err(SamlSpError::NoSigningCertificate)
        ));
        // No `use` means both purposes.
        let mut el = metadata().to_element();
        let idp = el.child_named_mut("IDPSSODescriptor").unwrap();
        idp.elements_mut().for_each(|kd| {
            kd.remove_attr("use");
        });
        assert_eq!(
            SamlSpConfig::from_idp_metadata(&el.to_xml(), "sp", "acs")
                .unwrap()
                .idp_certs_der
                .len(),
            2
        );

        let doctype = format!(
            "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>{}",
            metadata().to_element().to_xml()
        );
        assert!(matches!(
            SamlSpConfig::from_idp_metadata(&doctype, "sp", "acs"),
            Err(SamlSpError::MetadataUnreadable { .. })
        ));
        let sp_only = Element::new("md", "EntityDescriptor")
            .ns("md", ns::MD)
            .attr("entityID", "x")
            .child(Element::new("md", "SPSSODescriptor"));
        assert!(matches!(
            SamlSpConfig::from_idp_metadata(&sp_only.to_xml(), "sp", "acs"),
            Err(SamlSpError::NoIdpSsoDescriptor)
        ));
        let wrong_ns = Element::new("", "EntityDescriptor").attr("entityID", "x");
        assert!(matches!(
            SamlSpConfig::from_idp_metadata(&wrong_ns.to_xml(), "sp", "acs"),
            Err(SamlSpError::NotEntityDescriptor { .. })
        ));
        let mut no_redirect = metadata();
        no_redirect.sso_redirect_url = " ".into();
        assert!(matches!(
            SamlSpConfig::from_idp_metadata(&no_redirect.to_xml(), "sp", "acs"),
            Err(SamlSpError::NoRedirectSsoService)
        ));
    }

    #[test]
    fn from_parts_reads_several_pems_and_refuses_garbage() {
        let both = format!("{OKTA1_CERT}\n{OKTA2_CERT}");
        let cfg = SamlSpConfig::from_parts(
            "sp",
            "acs",
            "idp",
            "https://idp/sso",
            &[both, OKTA1_CERT.into()],
        )
        .unwrap();
        assert_eq!(
            cfg.idp_certs_der,
            vec![der(OKTA1_CERT), der(OKTA2_CERT)],
            "deduplicated"
        );
        assert!(format!("{cfg:?}").contains("idp_certs: 2"));
        assert!(matches!(
            SamlSpConfig::from_parts("sp", "acs", "idp", "sso", &["not a pem".into()]),
            Err(SamlSpError::InvalidCertificate { .. })
        ));
        assert!(matches!(
            SamlSpConfig::from_parts("sp", "acs", "idp", "sso", &[]),
            Err(SamlSpError::NoSigningCertificate)
        ));
        assert!(matches!(
            SamlSpConfig::from_parts("", "acs", "idp", "sso", &[OKTA1_CERT.into()]),
            Err(SamlSpError::EmptyField {
                field: "sp_entity_id"
            })
        ));
    }
}
