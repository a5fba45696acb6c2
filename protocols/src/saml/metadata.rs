//! IdP metadata out (EntityDescriptor/IDPSSODescriptor), SP metadata in.
//!
//! SP metadata is read with samael's schema types after two checks of our own: no DTD, and a
//! root that really is `md:EntityDescriptor` in the metadata namespace (samael's serde reader
//! matches local names only).

use super::response::uri;
use super::SamlError;
use crate::clock::saml_instant;
use crate::keys::KeySet;
use crate::xml::{self, ns, Element};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// What an IdP publishes about itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdpMetadata {
    pub entity_id: String,
    pub want_authn_requests_signed: bool,
    /// Base64 DER certificates, each published as a `KeyDescriptor use="signing"`: during a
    /// rotation, the active key and the ones published ahead or still overlapping.
    pub signing_certs: Vec<String>,
    pub name_id_formats: Vec<String>,
    pub sso_redirect_url: String,
    pub sso_post_url: String,
    /// Published for both the Redirect and the POST binding when set.
    pub slo_url: Option<String>,
    pub valid_until: Option<DateTime<Utc>>,
}

impl IdpMetadata {
    /// Every certificate in a rotation set, active first.
    pub fn certs_from(keys: &KeySet) -> Vec<String> {
        let active = keys.active();
        std::iter::once(active)
            .chain(keys.all().iter().filter(|k| k.kid() != active.kid()))
            .map(|k| k.cert_b64())
            .collect()
    }

    pub fn to_element(&self) -> Element {
        let md = |name: &str| Element::new("md", name);
        let mut idp = md("IDPSSODescriptor")
            .attr(
                "WantAuthnRequestsSigned",
                if self.want_authn_requests_signed {
                    "true"
                } else {
                    "false"
                },
            )
            .attr("protocolSupportEnumeration", ns::SAMLP);
        for cert in &self.signing_certs {
            idp = idp.child(
                md("KeyDescriptor").attr("use", "signing").child(
                    Element::new("ds", "KeyInfo").ns("ds", ns::DS).child(
                        Element::new("ds", "X509Data")
                            .child(Element::new("ds", "X509Certificate").text(cert.as_str())),
                    ),
                ),
            );
        }
        // Schema order: KeyDescriptor*, SingleLogoutService*, NameIDFormat*, SingleSignOnService+.
        if let Some(slo) = &self.slo_url {
            for binding in [uri::BINDING_HTTP_REDIRECT, uri::BINDING_HTTP_POST] {
                idp = idp.child(
                    md("SingleLogoutService")
                        .attr("Binding", binding)
                        .attr("Location", slo.as_str()),
                );
            }
        }
        for f in &self.name_id_formats {
            idp = idp.child(md("NameIDFormat").text(f.as_str()));
        }
        idp = idp
            .child(
                md("SingleSignOnService")
                    .attr("Binding", uri::BINDING_HTTP_REDIRECT)
                    .attr("Location", self.sso_redirect_url.as_str()),
            )
            .child(
                md("SingleSignOnService")
                    .attr("Binding", uri::BINDING_HTTP_POST)
                    .attr("Location", self.sso_post_url.as_str()),
            );
        md("EntityDescriptor")
            .ns("md", ns::MD)
            .attr("entityID", self.entity_id.as_str())
            .attr_opt("validUntil", self.valid_until.map(saml_instant))
            .child(idp)
    }

    /// The metadata document, with an XML declaration.
    pub fn to_xml(&self) -> String {
        self.to_element().to_document()
    }
}

/// One AssertionConsumerService.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcsEndpoint {
    pub binding: String,
    pub location: String,
    pub index: usize,
    pub is_default: Option<bool>,
}

/// What an IdP needs from SP metadata.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpMetadata {
    pub entity_id: String,
    pub acs: Vec<AcsEndpoint>,
    /// DER certificates of `use="signing"` KeyDescriptors (and of those without `use`, which
    /// serve both purposes).
    pub signing_certs: Vec<Vec<u8>>,
    /// DER certificates of `use="encryption"` KeyDescriptors (and of those without `use`): where
    /// an IdP encrypts assertions to.
    pub encryption_certs: Vec<Vec<u8>>,
    pub name_id_formats: Vec<String>,
    /// Absent means false (schema default).
    pub authn_requests_signed: bool,
    pub want_assertions_signed: bool,
}

impl SpMetadata {
    /// The default endpoint per SAML metadata §2.2.3: the first `isDefault="true"`, else the
    /// first without `isDefault="false"`, else the first.
    pub fn default_acs(&self) -> Option<&AcsEndpoint> {
        self.acs
            .iter()
            .find(|a| a.is_default == Some(true))
            .or_else(|| self.acs.iter().find(|a| a.is_default.is_none()))
            .or_else(|| self.acs.first())
    }

    pub fn acs_by_index(&self, index: usize) -> Option<&AcsEndpoint> {
        self.acs.iter().find(|a| a.index == index)
    }

    pub fn acs_by_location(&self, location: &str) -> Option<&AcsEndpoint> {
        self.acs.iter().find(|a| a.location == location)
    }
}

/// Read an SP's `md:EntityDescriptor`.
pub fn parse_sp_metadata(xml_text: &str) -> Result<SpMetadata, SamlError> {
    super::reject_dtd(xml_text.as_bytes())?;
    let root = xml::parse(xml_text)?;
    let root_ns = root
        .namespaces
        .iter()
        .rev()
        .find(|d| d.prefix == root.prefix)
        .map(|d| d.uri.as_str());
    if root.name != "EntityDescriptor" || root_ns != Some(ns::MD) {
        return Err(SamlError::UnexpectedElement {
            expected: "md:EntityDescriptor",
            found: root.qname(),
        });
    }

    let ed = samael::metadata::EntityDescriptor::from_str(xml_text).map_err(|e| {
        SamlError::MetadataParse {
            message: e.to_string(),
        }
    })?;
    let entity_id = ed
        .entity_id
        .filter(|e| !e.trim().is_empty())
        .ok_or(SamlError::MissingEntityId)?;
    let sp = ed
        .sp_sso_descriptors
        .and_then(|v| v.into_iter().next())
        .ok_or(SamlError::NoSpSsoDescriptor)?;
    if sp.assertion_consumer_services.is_empty() {
        return Err(SamlError::NoAssertionConsumerService);
    }

    let mut signing_certs = Vec::new();
    let mut encryption_certs = Vec::new();
    for kd in sp.key_descriptors.unwrap_or_default() {
        let key_use = kd.key_use.as_deref();
        for c in kd
            .key_info
            .x509_data
            .map(|d| d.certificates)
            .unwrap_or_default()
        {
            let der = super::b64_decode("X509Certificate", &c)?;
            if key_use != Some("signing") {
                encryption_certs.push(der.clone());
            }
            if key_use != Some("encryption") {
                signing_certs.push(der);
            }
        }
    }

    Ok(SpMetadata {
        entity_id,
        acs: sp
            .assertion_consumer_services
            .into_iter()
            .map(|e| AcsEndpoint {
                binding: e.binding,
                location: e.location,
                index: e.index,
                is_default: e.is_default,
            })
            .collect(),
        signing_certs,
        encryption_certs,
        name_id_formats: sp
            .name_id_formats
            .unwrap_or_default()
            .into_iter()
            .map(|f| f.trim().to_string())
            .collect(),
        authn_requests_signed: sp.authn_requests_signed.unwrap_or(false),
        want_assertions_signed: sp.want_assertions_signed.unwrap_or(false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::snapshot_epoch;
    use crate::keys::{KeyKind, SigningKey, Validity};

    fn key(kid: &str) -> SigningKey {
        SigningKey::generate(
            KeyKind::Rsa,
            kid,
            "idp",
            Validity::current(snapshot_epoch(), 1),
        )
        .unwrap()
    }

    fn sp_xml(cert_b64: &str) -> String {
        format!(
            r#"<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://sp.example/saml">
  <md:SPSSODescriptor AuthnRequestsSigned="true" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>
{cert_b64}
</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:KeyDescriptor use="encryption"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>AAAA</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sp.example/acs/0" index="0"/>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sp.example/acs/1" index="1" isDefault="true"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>"#
        )
    }

    #[test]
    fn sp_metadata_fields() {
        let k = key("sp");
        let m = parse_sp_metadata(&sp_xml(&k.cert_b64())).unwrap();
        assert_eq!(m.entity_id, "https://sp.example/saml");
        assert_eq!(m.acs.len(), 2);
        assert_eq!(
            m.default_acs().unwrap().location,
            "https://sp.example/acs/1"
        );
        assert_eq!(m.acs_by_index(0).unwrap().is_default, None);
        assert_eq!(m.signing_certs, vec![k.cert_der().to_vec()]);
        assert_eq!(m.name_id_formats, [uri::NAMEID_EMAIL]);
        assert!(m.authn_requests_signed && m.want_assertions_signed);
    }

    #[test]
    fn sp_metadata_errors() {
        let good = sp_xml(&key("sp").cert_b64());
        assert!(matches!(
            parse_sp_metadata(
                &good.replace("<md:EntityDescriptor", "<!DOCTYPE x><md:EntityDescriptor")
            ),
            Err(SamlError::DoctypeForbidden)
        ));
        assert!(matches!(
            parse_sp_metadata(&good.replace(ns::MD, "urn:evil")),
            Err(SamlError::UnexpectedElement { .. })
        ));
        assert!(matches!(
            parse_sp_metadata(&good.replace(r#" entityID="https://sp.example/saml""#, "")),
            Err(SamlError::MissingEntityId)
        ));
        let no_sp = r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"></md:EntityDescriptor>"#;
        assert!(matches!(
            parse_sp_metadata(no_sp),
            Err(SamlError::NoSpSsoDescriptor)
        ));
    }

    #[test]
    fn idp_metadata_lists_rotation_set_and_reads_back_through_samael() {
        let mut ks = KeySet::new(key("old"));
        ks.rotate(key("new"));
        let m = IdpMetadata {
            entity_id: "http://www.okta.com/exk1".into(),
            want_authn_requests_signed: false,
            signing_certs: IdpMetadata::certs_from(&ks),
            name_id_formats: vec![uri::NAMEID_UNSPECIFIED.into(), uri::NAMEID_EMAIL.into()],
            sso_redirect_url: "https://idp.example/sso/redirect".into(),
            sso_post_url: "https://idp.example/sso/post".into(),
            slo_url: Some("https://idp.example/slo".into()),
            valid_until: None,
        };
        assert_eq!(m.signing_certs[0], ks.active().cert_b64());
        let xml = m.to_xml();
        assert!(xml.contains(r#"WantAuthnRequestsSigned="false""#));
        let ed = samael::metadata::EntityDescriptor::from_str(&xml).unwrap();
        assert_eq!(ed.entity_id.as_deref(), Some("http://www.okta.com/exk1"));
        let idp = &ed.idp_sso_descriptors.unwrap()[0];
        assert_eq!(idp.want_authn_requests_signed, Some(false));
        let certs: Vec<String> = idp
            .key_descriptors
            .iter()
            .filter(|k| k.is_signing())
            .flat_map(|k| k.key_info.x509_data.clone().unwrap().certificates)
            .collect();
        assert_eq!(certs, m.signing_certs);
        let bindings: Vec<&str> = idp
            .single_sign_on_services
            .iter()
            .map(|s| s.binding.as_str())
            .collect();
        assert_eq!(
            bindings,
            [uri::BINDING_HTTP_REDIRECT, uri::BINDING_HTTP_POST]
        );
        assert_eq!(idp.single_logout_services.len(), 2);
        assert_eq!(idp.name_id_formats.len(), 2);
    }
}
