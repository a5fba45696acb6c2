//! SP metadata per organisation. Its URL is the SP entity id, so an IdP admin can paste one URL.

use super::error::ApiResult;
use super::{org_or_404, path};
use crate::app::{AppState, OrgUrls};
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

/// The SPSSODescriptor: unsigned AuthnRequests, signed assertions wanted, one POST ACS.
pub fn sp_metadata_xml(urls: &OrgUrls) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{entity}">
  <md:SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{acs}" index="0" isDefault="true"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>
"#,
        entity = xml_escape(&urls.sp_entity_id),
        acs = xml_escape(&urls.saml_acs),
    )
}

pub async fn sp_metadata(
    State(state): State<AppState>,
    p: Result<Path<String>, PathRejection>,
) -> ApiResult<Response> {
    let org = org_or_404(&state, &path(p)?)?;
    let xml = sp_metadata_xml(&state.org_urls(&org.slug));
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
        let md =
            protocols::saml::metadata::parse_sp_metadata(&sp_metadata_xml(&urls)).expect("parses");
        assert_eq!(md.entity_id, urls.sp_entity_id);
        assert_eq!(
            md.default_acs().map(|a| a.location.as_str()),
            Some(urls.saml_acs.as_str())
        );
    }
}
