//! Entra's federation metadata document (S3): an `EntityDescriptor` in the default metadata
//! namespace with an `ID` and an enveloped signature, two WS-Federation `RoleDescriptor`s
//! (`fed:SecurityTokenServiceType`, `fed:ApplicationServiceType`) and an `IDPSSODescriptor`
//! without NameIDFormat or WantAuthnRequestsSigned, whose SingleLogoutService has the Redirect
//! binding only. Each descriptor holds the app signing certificate (and, during a rollover, the
//! next one).
//!
//! The WS-Federation passive endpoint (`{base}/wsfed`) is advertised as Entra does but not
//! served: idpsim speaks SAML and OIDC.

use super::SamlIdpError;
use crate::tenant::{SamlApp, Tenant};
use chrono::{DateTime, Utc};
use protocols::saml::dsig::{sign_enveloped, SignatureParams};
use protocols::saml::response::uri;
use protocols::xml::{ns, Element};

const FED: &str = "http://docs.oasis-open.org/wsfed/federation/200706";
const WSA: &str = "http://www.w3.org/2005/08/addressing";

/// A certificate's notAfter, when it can be read.
pub fn cert_not_after(der: &[u8]) -> Option<DateTime<Utc>> {
    let cert = openssl::x509::X509::from_der(der).ok()?;
    let epoch = openssl::asn1::Asn1Time::from_unix(0).ok()?;
    let d = epoch.diff(cert.not_after()).ok()?;
    DateTime::from_timestamp(i64::from(d.days) * 86_400 + i64::from(d.secs), 0)
}

fn endpoint(name: &str, address: &str) -> Element {
    Element::new("fed", name).child(
        Element::new("wsa", "EndpointReference")
            .ns("wsa", WSA)
            .child(Element::new("wsa", "Address").text(address)),
    )
}

fn key_descriptor(cert_b64: &str) -> Element {
    Element::new("", "KeyDescriptor")
        .attr("use", "signing")
        .child(Element::new("", "KeyInfo").ns("", ns::DS).child(
            Element::new("", "X509Data").child(Element::new("", "X509Certificate").text(cert_b64)),
        ))
}

/// `e` with one signing KeyDescriptor per certificate.
fn with_keys(e: Element, certs: &[String]) -> Element {
    certs
        .iter()
        .fold(e, |e, cert| e.child(key_descriptor(cert)))
}

fn role(kind: &str, certs: &[String]) -> Element {
    let e = Element::new("", "RoleDescriptor")
        .ns("xsi", ns::XSI)
        .ns("fed", FED)
        .attr_ns("xsi", "type", format!("fed:{kind}"))
        .attr("protocolSupportEnumeration", FED);
    with_keys(e, certs)
}

/// The signed federation metadata document of `app`'s tenant.
pub fn document(t: &Tenant, app: &SamlApp) -> Result<String, SamlIdpError> {
    let p = t.personality();
    let key = t.signing_key(None)?;
    let certs = super::metadata_certs(t);
    let entity_id = t.saml_entity_id(Some(app));
    let wsfed = t.url("wsfed");
    let sso = t.saml_sso_url(app);
    let sts = role("SecurityTokenServiceType", &certs)
        .child(endpoint("SecurityTokenServiceEndpoint", &wsfed))
        .child(endpoint("PassiveRequestorEndpoint", &wsfed));
    let application = role("ApplicationServiceType", &certs)
        .child(endpoint("TargetScopes", &entity_id))
        .child(endpoint("ApplicationServiceEndpoint", &wsfed))
        .child(endpoint("PassiveRequestorEndpoint", &wsfed));
    let mut idp = with_keys(
        Element::new("", "IDPSSODescriptor").attr("protocolSupportEnumeration", ns::SAMLP),
        &certs,
    );
    if p.saml.single_logout {
        // S3: Redirect only.
        idp = idp.child(
            Element::new("", "SingleLogoutService")
                .attr("Binding", uri::BINDING_HTTP_REDIRECT)
                .attr("Location", sso.as_str()),
        );
    }
    for binding in [uri::BINDING_HTTP_REDIRECT, uri::BINDING_HTTP_POST] {
        idp = idp.child(
            Element::new("", "SingleSignOnService")
                .attr("Binding", binding)
                .attr("Location", sso.as_str()),
        );
    }
    let mut root = Element::new("", "EntityDescriptor")
        .ns("", ns::MD)
        .attr("ID", format!("_{}", t.ids.guid()))
        .attr("entityID", entity_id)
        .child(sts)
        .child(application)
        .child(idp);
    let params = SignatureParams {
        algorithm: p.saml.sig_alg,
        digest: p.saml.digest,
        inclusive_prefixes: None,
        key_info: true,
    };
    sign_enveloped(&mut root, &[], &params, &key).map_err(SamlIdpError::SignFederationMetadata)?;
    Ok(root.to_document())
}
