//! SAML Single Logout at the SP (SAML profiles 4.4): the org's SLO settings, the IdP's
//! SingleLogoutService, and the checks on what the IdP sends (a LogoutResponse to a logout this
//! SP started, or a LogoutRequest of its own). No I/O: the HTTP layer ([`crate::http`]) stores
//! and looks up sessions and outstanding requests.
//!
//! Rules (each refusal names the rule it broke):
//! - every logout message from the IdP must be signed with a trusted IdP certificate: the
//!   Redirect binding's SigAlg/Signature over the query as received, or an enveloped signature
//!   that covers the message (the POST binding; Entra puts it inside Redirect messages too);
//! - its Issuer is the IdP's entity id, and its Destination, when present, is this SP's SLO URL;
//! - a LogoutResponse must answer (InResponseTo) a LogoutRequest this SP sent and has not seen
//!   answered.

use super::view::{self, Scoped};
use protocols::saml::logout::{self, LogoutMessage, Received};
use protocols::saml::response::uri;
use protocols::xml::{self, ns};
use protocols::SigningKey;
use serde::{Deserialize, Serialize};

/// An org's Single Logout settings: the SP's signing key (logout messages must be signed) and,
/// when the IdP trust is given in parts rather than metadata, the IdP's SLO endpoint.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SloSettings {
    /// PEM private key (RSA) that signs the SP's LogoutRequests and LogoutResponses.
    pub signing_key: String,
    /// PEM certificate of `signing_key`, registered at the IdP (and listed in SP metadata).
    pub signing_certificate: String,
    /// The IdP's SingleLogoutService Location; unset: the metadata's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idp_slo_url: Option<String>,
    /// `redirect` or `post`; unset: the metadata's (Redirect preferred) or `redirect`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idp_slo_binding: Option<SloBinding>,
}

impl std::fmt::Debug for SloSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SloSettings")
            .field("signing_key", &"<redacted>")
            .field("idp_slo_url", &self.idp_slo_url)
            .field("idp_slo_binding", &self.idp_slo_binding)
            .finish()
    }
}

/// Why [`SloSettings`] cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SloSettingsError {
    #[error("slo: the signing key and certificate do not load: {0}")]
    KeyUnloadable(#[source] protocols::keys::KeyError),
    #[error("slo: the signing key must be RSA (RSA-SHA256 signatures)")]
    KeyNotRsa,
    #[error("slo: idp_slo_url {url:?} is not a URL: {source}")]
    BadIdpSloUrl {
        url: String,
        source: url::ParseError,
    },
}

impl SloSettings {
    /// The signing key, refusing what cannot sign a logout message.
    pub fn key(&self) -> Result<SigningKey, SloSettingsError> {
        let key = SigningKey::from_pem("sp-signing", &self.signing_key, &self.signing_certificate)
            .map_err(SloSettingsError::KeyUnloadable)?;
        if key.kind() != protocols::KeyKind::Rsa {
            return Err(SloSettingsError::KeyNotRsa);
        }
        Ok(key)
    }

    pub fn validate(&self) -> Result<(), SloSettingsError> {
        self.key()?;
        if let Some(u) = &self.idp_slo_url {
            url::Url::parse(u).map_err(|source| SloSettingsError::BadIdpSloUrl {
                url: u.clone(),
                source,
            })?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SloBinding {
    Redirect,
    Post,
}

/// Where and how the IdP takes logout messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdpSlo {
    pub url: String,
    pub binding: SloBinding,
}

/// The IdP's SLO endpoint: the settings' own, else the metadata's (Redirect preferred, as the
/// SP sends a signed Redirect when it can).
pub fn idp_slo(settings: &SloSettings, metadata_xml: Option<&str>) -> Option<IdpSlo> {
    if let Some(url) = &settings.idp_slo_url {
        return Some(IdpSlo {
            url: url.clone(),
            binding: settings.idp_slo_binding.unwrap_or(SloBinding::Redirect),
        });
    }
    let services = metadata_slo_services(metadata_xml?);
    let pick = |b: &str| services.iter().find(|(binding, _)| binding == b);
    pick(uri::BINDING_HTTP_REDIRECT)
        .map(|(_, l)| IdpSlo {
            url: l.clone(),
            binding: SloBinding::Redirect,
        })
        .or_else(|| {
            pick(uri::BINDING_HTTP_POST).map(|(_, l)| IdpSlo {
                url: l.clone(),
                binding: SloBinding::Post,
            })
        })
}

/// (Binding, Location) of each SingleLogoutService of the metadata's SAML 2.0 IDPSSODescriptor.
fn metadata_slo_services(xml_text: &str) -> Vec<(String, String)> {
    if !view::depth_within(xml_text.as_bytes(), view::MAX_DEPTH) {
        return Vec::new();
    }
    let Ok(root) = xml::parse(xml_text) else {
        return Vec::new();
    };
    let ed = Scoped::root(&root);
    let Some(idp) = ed.children_named(ns::MD, "IDPSSODescriptor").find(|d| {
        d.attr("protocolSupportEnumeration")
            .is_some_and(|p| p.split_ascii_whitespace().any(|u| u == ns::SAMLP))
    }) else {
        return Vec::new();
    };
    idp.children_named(ns::MD, "SingleLogoutService")
        .filter_map(|s| {
            let l = s.attr("Location")?.trim();
            (!l.is_empty()).then(|| (s.attr("Binding").unwrap_or("").to_string(), l.to_string()))
        })
        .collect()
}

/// Why a logout message from the IdP is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SloRejection {
    #[error("the logout message cannot be read: {0}")]
    Unreadable(String),
    #[error("the logout message is not signed; logout messages from the IdP must be signed")]
    Unsigned,
    #[error("the logout message's signature does not verify with the IdP's certificate: {0}")]
    BadSignature(String),
    #[error("the logout message's Issuer {found:?} is not the IdP {expected:?}")]
    IssuerMismatch { expected: String, found: String },
    #[error("the logout message's Destination {found:?} is not this SP's SLO URL {expected:?}")]
    DestinationMismatch { expected: String, found: String },
    #[error("the LogoutResponse answers {0:?}, which is no logout this SP started (or it was already answered)")]
    UnsolicitedResponse(String),
    #[error("the LogoutResponse has no InResponseTo")]
    MissingInResponseTo,
}

impl SloRejection {
    /// The stable code the HTTP layer reports.
    pub fn code(&self) -> &'static str {
        match self {
            SloRejection::Unreadable(_) => "logout-unreadable",
            SloRejection::Unsigned => "logout-unsigned",
            SloRejection::BadSignature(_) => "logout-bad-signature",
            SloRejection::IssuerMismatch { .. } => "logout-issuer-mismatch",
            SloRejection::DestinationMismatch { .. } => "logout-destination-mismatch",
            SloRejection::UnsolicitedResponse(_) => "logout-response-unsolicited",
            SloRejection::MissingInResponseTo => "logout-response-unsolicited",
        }
    }
}

/// A logout message whose signature, issuer and destination checked out (or, with the
/// `accept-unsigned-logout` flaw, one that was merely unsigned).
#[derive(Debug, Clone)]
pub struct TrustedLogout {
    pub message: LogoutMessage,
    /// False only when the flaw let an unsigned message through.
    pub signed: bool,
}

/// What the checks need from the org's trust.
pub struct Trust<'a> {
    pub idp_entity_id: &'a str,
    pub idp_certs_der: &'a [Vec<u8>],
    pub sp_slo_url: &'a str,
}

/// Read and check a logout message from the IdP. `danger_accept_unsigned` is the
/// `accept-unsigned-logout` flaw.
pub fn check(
    received: &Received,
    trust: &Trust<'_>,
    danger_accept_unsigned: bool,
) -> Result<TrustedLogout, SloRejection> {
    let message = logout::parse_logout_message(&received.xml)
        .map_err(|e| SloRejection::Unreadable(e.to_string()))?;
    let redirect_signed = received
        .raw_query
        .as_deref()
        .is_some_and(logout::redirect_is_signed);
    let xml_signed = received.xml.contains("SignatureValue");
    let signed = if redirect_signed || xml_signed {
        let mut last = String::from("no trusted certificate");
        let ok = trust.idp_certs_der.iter().any(|cert| {
            let r = match (&received.raw_query, redirect_signed) {
                (Some(q), true) => logout::verify_redirect_message(q, cert).map(|_| ()),
                _ => logout::verify_post_message(&received.xml, cert).map(|_| ()),
            };
            if let Err(e) = &r {
                last = e.to_string();
            }
            r.is_ok()
        });
        if !ok {
            return Err(SloRejection::BadSignature(last));
        }
        true
    } else if danger_accept_unsigned {
        false
    } else {
        return Err(SloRejection::Unsigned);
    };
    let (issuer, destination) = match &message {
        LogoutMessage::Request(r) => (&r.issuer, &r.destination),
        LogoutMessage::Response(r) => (&r.issuer, &r.destination),
    };
    if issuer != trust.idp_entity_id {
        return Err(SloRejection::IssuerMismatch {
            expected: trust.idp_entity_id.into(),
            found: issuer.clone(),
        });
    }
    if let Some(d) = destination {
        if d != trust.sp_slo_url {
            return Err(SloRejection::DestinationMismatch {
                expected: trust.sp_slo_url.into(),
                found: d.clone(),
            });
        }
    }
    Ok(TrustedLogout { message, signed })
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocols::clock::snapshot_epoch;
    use protocols::keys::{KeyKind, Validity};
    use protocols::saml::logout::{
        build_logout_request, encode_redirect_message, sign_message, LogoutRequestSpec, Param,
    };
    use protocols::saml::SignatureAlgorithm;

    const SP_SLO: &str = "https://sp.example/organizations/acme/saml/slo";

    fn key() -> SigningKey {
        SigningKey::generate(
            KeyKind::Rsa,
            "k",
            "idp",
            Validity::current(snapshot_epoch(), 1),
        )
        .expect("key")
    }

    fn request(destination: &str, issuer: &str) -> protocols::xml::Element {
        build_logout_request(&LogoutRequestSpec {
            id: "_idp1".into(),
            issue_instant: snapshot_epoch(),
            destination: Some(destination.into()),
            issuer: issuer.into(),
            name_id: "alice@acme.example".into(),
            name_id_format: None,
            session_index: Some("_s1".into()),
            protocol_prefix: "samlp".into(),
            assertion_prefix: "saml".into(),
        })
    }

    fn redirect(xml: &str, k: Option<&SigningKey>) -> Received {
        let q = encode_redirect_message(
            Param::Request,
            xml,
            None,
            k.map(|k| (k, SignatureAlgorithm::RsaSha256)),
        )
        .expect("encode");
        logout::decode_redirect_message(&q, 1 << 16).expect("decode")
    }

    #[test]
    fn signed_requests_pass_and_unsigned_or_forged_ones_do_not() {
        let idp = key();
        let certs = vec![idp.cert_der().to_vec()];
        let trust = Trust {
            idp_entity_id: "https://idp.example",
            idp_certs_der: &certs,
            sp_slo_url: SP_SLO,
        };
        let xml = request(SP_SLO, "https://idp.example").to_xml();
        let ok = check(&redirect(&xml, Some(&idp)), &trust, false).expect("signed");
        assert!(ok.signed);
        assert_eq!(
            check(&redirect(&xml, None), &trust, false).unwrap_err(),
            SloRejection::Unsigned
        );
        assert!(
            !check(&redirect(&xml, None), &trust, true)
                .expect("flaw")
                .signed
        );
        assert!(matches!(
            check(&redirect(&xml, Some(&key())), &trust, false),
            Err(SloRejection::BadSignature(_))
        ));
        // Enveloped signature inside a Redirect message (Entra's way).
        let mut el = request(SP_SLO, "https://idp.example");
        sign_message(&mut el, &idp, SignatureAlgorithm::RsaSha256).expect("sign");
        assert!(check(&redirect(&el.to_xml(), None), &trust, false).is_ok());
        let other = request("https://elsewhere.example/slo", "https://idp.example").to_xml();
        assert!(matches!(
            check(&redirect(&other, Some(&idp)), &trust, false),
            Err(SloRejection::DestinationMismatch { .. })
        ));
        let stranger = request(SP_SLO, "https://evil.example").to_xml();
        assert!(matches!(
            check(&redirect(&stranger, Some(&idp)), &trust, false),
            Err(SloRejection::IssuerMismatch { .. })
        ));
    }

    #[test]
    fn idp_slo_prefers_settings_then_redirect_metadata() {
        let s = SloSettings {
            signing_key: String::new(),
            signing_certificate: String::new(),
            idp_slo_url: None,
            idp_slo_binding: None,
        };
        let md = r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="e"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp/slo-post"/><md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp/slo"/></md:IDPSSODescriptor></md:EntityDescriptor>"#;
        assert_eq!(
            idp_slo(&s, Some(md)),
            Some(IdpSlo {
                url: "https://idp/slo".into(),
                binding: SloBinding::Redirect
            })
        );
        assert_eq!(idp_slo(&s, None), None);
        assert!(format!("{s:?}").contains("redacted"));
    }
}
