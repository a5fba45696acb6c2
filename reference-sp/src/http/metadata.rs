//! SP metadata per organisation. Its URL is the SP entity id, so an IdP admin can paste one URL.

use super::error::ApiResult;
use super::{org_or_404, path};
use crate::domain::sso_config::ProtocolSettings;
use crate::state::{AppState, OrgUrls};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The SPSSODescriptor: unsigned AuthnRequests, signed assertions wanted, one POST ACS; and a
/// `use="encryption"` KeyDescriptor (with the algorithms it decrypts) when the org has a
/// decryption key (`encryption_cert_b64`: base64 DER).
pub fn sp_metadata_xml(urls: &OrgUrls, encryption_cert_b64: Option<&str>) -> String {
    let key_descriptor = encryption_cert_b64
        .map(|cert| {
            let methods: String = protocols::saml::DataEncryption::ALL
                .iter()
                .map(|d| d.uri())
                .chain([
                    protocols::saml::KeyTransport::RsaOaepMgf1p.uri(),
                    protocols::saml::KeyTransport::RsaOaep.uri(),
                ])
                .map(|u| format!("\n      <md:EncryptionMethod Algorithm=\"{u}\"/>"))
                .collect();
            format!(
                r#"
    <md:KeyDescriptor use="encryption">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>{methods}
    </md:KeyDescriptor>"#,
                xml_escape(cert)
            )
        })
        .unwrap_or_default();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{entity}">
  <md:SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">{key_descriptor}
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{slo}"/>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{slo}"/>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{acs}" index="0" isDefault="true"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>
"#,
        entity = xml_escape(urls.sp_entity_id.as_str()),
        acs = xml_escape(&urls.saml_acs),
        // The SingleLogoutService sits next to the ACS (crate::http::slo).
        slo = xml_escape(&urls.saml_acs.replace("/saml/consume", "/saml/slo")),
    )
}

pub async fn sp_metadata(
    State(state): State<AppState>,
    p: Result<Path<String>, PathRejection>,
) -> ApiResult<Response> {
    let org = org_or_404(&state, &path(p)?)?;
    let sso = state.store().read(|c| crate::store::orgs::sso(c, org.id))?;
    let cert = sso.and_then(|cfg| match cfg.protocol {
        ProtocolSettings::Saml(s) => s.decryption_certificate,
        ProtocolSettings::Oidc(_) => None,
    });
    let cert_b64 = cert.as_deref().and_then(|pem| {
        openssl::x509::X509::from_pem(pem.as_bytes())
            .and_then(|c| c.to_der())
            .ok()
            .map(protocols::saml::b64_encode)
    });
    let xml = sp_metadata_xml(&state.org_urls(org.slug.as_str()), cert_b64.as_deref());
    Ok((
        [(header::CONTENT_TYPE, "application/samlmetadata+xml")],
        xml,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocols_crate_reads_it_back() {
        let urls = OrgUrls::new("http://sp.test", "acme");
        let md = protocols::saml::metadata::parse_sp_metadata(&sp_metadata_xml(&urls, None))
            .expect("parses");
        assert_eq!(md.entity_id, urls.sp_entity_id.as_str());
        assert_eq!(
            md.default_acs().map(|a| a.location.as_str()),
            Some(urls.saml_acs.as_str())
        );
        assert!(md.encryption_certs.is_empty());
    }

    #[test]
    fn an_encryption_key_is_advertised_for_encryption_only() {
        let urls = OrgUrls::new("http://sp.test", "acme");
        let der = protocols::saml::b64_decode(
            "c",
            include_str!("../../../fixtures/keys/okta-1.crt.pem")
                .lines()
                .filter(|l| !l.starts_with("-----"))
                .collect::<String>()
                .as_str(),
        )
        .unwrap();
        let xml = sp_metadata_xml(&urls, Some(&protocols::saml::b64_encode(&der)));
        let md = protocols::saml::metadata::parse_sp_metadata(&xml).expect("parses");
        assert_eq!(md.encryption_certs, vec![der]);
        assert!(md.signing_certs.is_empty());
    }
}
