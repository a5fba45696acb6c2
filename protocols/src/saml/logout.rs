//! Single Logout messages (SAML core 3.7): LogoutRequest and LogoutResponse, built as trees and
//! read back, and carried over HTTP-Redirect (DEFLATE, detached SigAlg/Signature over the query)
//! or HTTP-POST (base64, enveloped signature).
//!
//! Both sides use these: the mock IdPs and the reference SP send and receive both messages.

use super::authn_request::inflate_bounded;
use super::dsig::{sign_bytes, sign_enveloped, verify_bytes, SignatureParams};
use super::response::uri;
use super::{b64_decode, b64_encode, SamlError, SignatureAlgorithm};
use crate::clock::saml_instant;
use crate::keys::SigningKey;
use crate::xml::{ns, Element};
use chrono::{DateTime, Utc};
use std::io::Write as _;

/// The second-level status for a LogoutRequest naming a principal or session the responder does
/// not know (SAML core 3.2.2.2).
pub const STATUS_UNKNOWN_PRINCIPAL: &str = "urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal";

/// `SAMLRequest` or `SAMLResponse`: which query or form parameter carries the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Param {
    Request,
    Response,
}

impl Param {
    pub fn name(self) -> &'static str {
        match self {
            Param::Request => "SAMLRequest",
            Param::Response => "SAMLResponse",
        }
    }
}

/// Who is logged out, and from which session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogoutRequestSpec {
    pub id: String,
    pub issue_instant: DateTime<Utc>,
    pub destination: Option<String>,
    pub issuer: String,
    pub name_id: String,
    pub name_id_format: Option<String>,
    pub session_index: Option<String>,
    /// `saml2p`/`saml2` (Okta) or `samlp`/`saml`.
    pub protocol_prefix: String,
    pub assertion_prefix: String,
}

/// The answer to a LogoutRequest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogoutResponseSpec {
    pub id: String,
    pub issue_instant: DateTime<Utc>,
    pub destination: Option<String>,
    pub in_response_to: String,
    pub issuer: String,
    /// A top-level status code URI (`uri::STATUS_SUCCESS`, ...).
    pub status: String,
    /// A second-level status code URI (`…:status:UnknownPrincipal`, `…:status:RequestDenied`).
    pub sub_status: Option<String>,
    pub status_message: Option<String>,
    pub protocol_prefix: String,
    pub assertion_prefix: String,
}

pub fn build_logout_request(s: &LogoutRequestSpec) -> Element {
    let (p, a) = (s.protocol_prefix.as_str(), s.assertion_prefix.as_str());
    let mut el = Element::new(p, "LogoutRequest")
        .ns(p, ns::SAMLP)
        .attr_opt("Destination", s.destination.as_deref())
        .attr("ID", s.id.as_str())
        .attr("IssueInstant", saml_instant(s.issue_instant))
        .attr("Version", "2.0")
        .child(
            Element::new(a, "Issuer")
                .ns(a, ns::SAML)
                .text(s.issuer.as_str()),
        )
        .child(
            Element::new(a, "NameID")
                .ns(a, ns::SAML)
                .attr_opt("Format", s.name_id_format.as_deref())
                .text(s.name_id.as_str()),
        );
    if let Some(si) = &s.session_index {
        el = el.child(Element::new(p, "SessionIndex").text(si.as_str()));
    }
    el
}

pub fn build_logout_response(s: &LogoutResponseSpec) -> Element {
    let (p, a) = (s.protocol_prefix.as_str(), s.assertion_prefix.as_str());
    let mut code = Element::new(p, "StatusCode").attr("Value", &s.status);
    if let Some(sub) = &s.sub_status {
        code = code.child(Element::new(p, "StatusCode").attr("Value", sub));
    }
    let mut status = Element::new(p, "Status").child(code);
    if let Some(m) = &s.status_message {
        status = status.child(Element::new(p, "StatusMessage").text(m.as_str()));
    }
    Element::new(p, "LogoutResponse")
        .ns(p, ns::SAMLP)
        .attr_opt("Destination", s.destination.as_deref())
        .attr("ID", s.id.as_str())
        .attr("InResponseTo", s.in_response_to.as_str())
        .attr("IssueInstant", saml_instant(s.issue_instant))
        .attr("Version", "2.0")
        .child(
            Element::new(a, "Issuer")
                .ns(a, ns::SAML)
                .text(s.issuer.as_str()),
        )
        .child(status)
}

/// Sign a logout message in place (enveloped, after its Issuer): the HTTP-POST binding's form.
pub fn sign_message(
    el: &mut Element,
    key: &SigningKey,
    algorithm: SignatureAlgorithm,
) -> Result<(), SamlError> {
    let params = SignatureParams {
        algorithm,
        digest: algorithm.default_digest(),
        inclusive_prefixes: None,
        key_info: true,
    };
    sign_enveloped(el, &[], &params, key)
}

/// The HTTP-Redirect query for `xml` (SAML bindings 3.4.4): DEFLATE, base64, URL-encoded, and
/// with a key the detached signature over `param=..[&RelayState=..]&SigAlg=..`.
pub fn encode_redirect_message(
    param: Param,
    xml: &str,
    relay_state: Option<&str>,
    sign: Option<(&SigningKey, SignatureAlgorithm)>,
) -> Result<String, SamlError> {
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    let deflate_err = |e: std::io::Error| SamlError::InvalidDeflate {
        field: param.name(),
        message: e.to_string(),
    };
    enc.write_all(xml.as_bytes()).map_err(deflate_err)?;
    let deflated = enc.finish().map_err(deflate_err)?;
    let mut query = format!("{}={}", param.name(), url_encode(&b64_encode(deflated)));
    if let Some(rs) = relay_state {
        query.push_str("&RelayState=");
        query.push_str(&url_encode(rs));
    }
    if let Some((key, alg)) = sign {
        query.push_str("&SigAlg=");
        query.push_str(&url_encode(alg.uri()));
        let sig = sign_bytes(key, alg, query.as_bytes())?;
        query.push_str("&Signature=");
        query.push_str(&url_encode(&b64_encode(sig)));
    }
    Ok(query)
}

fn url_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A logout message as received over either binding, before any trust.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    pub param: Param,
    pub xml: String,
    pub relay_state: Option<String>,
    /// Redirect binding: the raw query (for [`verify_redirect_message`]); POST: `None`.
    pub raw_query: Option<String>,
}

/// Read the message of a Redirect query (`SAMLRequest` or `SAMLResponse`).
pub fn decode_redirect_message(
    raw_query: &str,
    max_inflated: usize,
) -> Result<Received, SamlError> {
    let pairs = query_pairs(raw_query)?;
    let (param, value) = message_param(&pairs)?;
    let deflated = b64_decode(param.name(), &value.1)?;
    let inflated = inflate_bounded(&mut deflated.as_slice(), max_inflated)?;
    let xml = String::from_utf8(inflated).map_err(|_| SamlError::NotUtf8 {
        field: param.name(),
    })?;
    Ok(Received {
        param,
        xml,
        relay_state: find(&pairs, "RelayState").map(|(_, v)| v.clone()),
        raw_query: Some(raw_query.trim_start_matches('?').to_string()),
    })
}

/// Read the message of a POST form (`SAMLRequest` or `SAMLResponse`, base64).
pub fn decode_post_message(form_body: &str, max_decoded: usize) -> Result<Received, SamlError> {
    let pairs = query_pairs(form_body)?;
    let (param, value) = message_param(&pairs)?;
    if value.1.len() / 4 * 3 > max_decoded + 3 {
        return Err(SamlError::MessageTooLarge {
            field: param.name(),
            limit: max_decoded,
        });
    }
    let decoded = b64_decode(param.name(), &value.1)?;
    let xml = String::from_utf8(decoded).map_err(|_| SamlError::NotUtf8 {
        field: param.name(),
    })?;
    Ok(Received {
        param,
        xml,
        relay_state: find(&pairs, "RelayState").map(|(_, v)| v.clone()),
        raw_query: None,
    })
}

type Pair = (String, (String, String));

/// (decoded key, (raw value, decoded value)), refusing repeated SAML parameters.
fn query_pairs(raw: &str) -> Result<Vec<Pair>, SamlError> {
    let decode = |s: &str| -> String {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    let mut out: Vec<Pair> = Vec::new();
    for seg in raw
        .trim_start_matches('?')
        .split('&')
        .filter(|s| !s.is_empty())
    {
        let (k, v) = seg.split_once('=').unwrap_or((seg, ""));
        let key = decode(k);
        for (name, known) in [
            ("SAMLRequest", "SAMLRequest"),
            ("SAMLResponse", "SAMLResponse"),
            ("RelayState", "RelayState"),
            ("SigAlg", "SigAlg"),
            ("Signature", "Signature"),
        ] {
            if key == name && out.iter().any(|(k, _)| k == name) {
                return Err(SamlError::DuplicateParameter { name: known });
            }
        }
        out.push((key, (v.to_string(), decode(v))));
    }
    Ok(out)
}

fn find<'a>(pairs: &'a [Pair], name: &str) -> Option<&'a (String, String)> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

fn message_param(pairs: &[Pair]) -> Result<(Param, &(String, String)), SamlError> {
    match (find(pairs, "SAMLRequest"), find(pairs, "SAMLResponse")) {
        (Some(v), None) => Ok((Param::Request, v)),
        (None, Some(v)) => Ok((Param::Response, v)),
        (Some(_), Some(_)) => Err(SamlError::DuplicateParameter {
            name: "SAMLRequest and SAMLResponse",
        }),
        (None, None) => Err(SamlError::MissingParameter {
            name: "SAMLRequest or SAMLResponse",
        }),
    }
}

/// Proof that a logout message's signature (either binding) verified with the trusted
/// certificate. Only [`verify_redirect_message`] and [`verify_post_message`] make one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogoutSignatureVerified {
    _private: (),
}

/// Check a Redirect message's detached signature over the octets exactly as received (SAML
/// bindings §3.4.4.1): `SAMLRequest=..` or `SAMLResponse=..`, `&RelayState=..` when present,
/// `&SigAlg=..`, all still URL-encoded.
pub fn verify_redirect_message(
    raw_query: &str,
    cert_der: &[u8],
) -> Result<LogoutSignatureVerified, SamlError> {
    let pairs = query_pairs(raw_query)?;
    let (param, (raw_msg, _)) = message_param(&pairs)?;
    let (raw_alg, alg_uri) =
        find(&pairs, "SigAlg").ok_or(SamlError::MissingParameter { name: "SigAlg" })?;
    let (_, sig_b64) =
        find(&pairs, "Signature").ok_or(SamlError::MissingParameter { name: "Signature" })?;
    let algorithm = SignatureAlgorithm::from_uri(alg_uri).ok_or_else(|| {
        SamlError::UnsupportedSignatureAlgorithm {
            uri: alg_uri.clone(),
        }
    })?;
    let signature = b64_decode("Signature", sig_b64)?;
    let mut signed = format!("{}={raw_msg}", param.name());
    if let Some((raw_rs, _)) = find(&pairs, "RelayState") {
        signed.push_str("&RelayState=");
        signed.push_str(raw_rs);
    }
    signed.push_str("&SigAlg=");
    signed.push_str(raw_alg);
    let cert = openssl::x509::X509::from_der(cert_der)
        .map_err(|source| SamlError::InvalidCertificate { source })?;
    let public = cert
        .public_key()
        .map_err(|source| SamlError::InvalidCertificate { source })?;
    if verify_bytes(&public, algorithm, signed.as_bytes(), &signature)? {
        Ok(LogoutSignatureVerified { _private: () })
    } else {
        Err(SamlError::RedirectSignatureInvalid)
    }
}

/// Whether a Redirect query carries a detached signature at all.
pub fn redirect_is_signed(raw_query: &str) -> bool {
    query_pairs(raw_query).is_ok_and(|p| find(&p, "Signature").is_some())
}

/// A LogoutRequest as read (nothing verified).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogoutRequest {
    pub id: String,
    pub issuer: String,
    pub destination: Option<String>,
    pub name_id: String,
    pub name_id_format: Option<String>,
    pub session_indexes: Vec<String>,
}

/// A LogoutResponse as read (nothing verified).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogoutResponse {
    pub id: String,
    pub issuer: String,
    pub destination: Option<String>,
    pub in_response_to: Option<String>,
    pub status: String,
    pub sub_status: Option<String>,
    pub status_message: Option<String>,
}

impl LogoutResponse {
    pub fn success(&self) -> bool {
        self.status == uri::STATUS_SUCCESS
    }
}

/// Either logout message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogoutMessage {
    Request(LogoutRequest),
    Response(LogoutResponse),
}

/// Read a logout message (DTDs refused first). Element names are matched by local name within
/// the SAML protocol and assertion namespaces.
pub fn parse_logout_message(xml: &str) -> Result<LogoutMessage, SamlError> {
    super::reject_dtd(xml.as_bytes())?;
    let root = crate::xml::parse(xml)?;
    let root_ns = root
        .namespaces
        .iter()
        .find(|d| d.prefix == root.prefix)
        .map(|d| d.uri.as_str());
    if root_ns != Some(ns::SAMLP) {
        return Err(SamlError::UnexpectedElement {
            expected: "a SAML protocol message",
            found: root.qname(),
        });
    }
    let text = |name: &str| {
        root.child_named(name)
            .map(|e| e.text_content().trim().to_string())
    };
    match root.attr_value("Version") {
        Some("2.0") => {}
        other => {
            return Err(SamlError::UnsupportedVersion {
                found: other.unwrap_or("").to_string(),
            })
        }
    }
    let id = root.id().ok_or(SamlError::MissingId)?.to_string();
    let issuer = text("Issuer").ok_or(SamlError::MissingIssuer)?;
    let destination = root.attr_value("Destination").map(str::to_string);
    match root.name.as_str() {
        "LogoutRequest" => {
            let name_id_el = root
                .child_named("NameID")
                .ok_or(SamlError::UnexpectedElement {
                    expected: "a NameID in the LogoutRequest",
                    found: "none".into(),
                })?;
            Ok(LogoutMessage::Request(LogoutRequest {
                id,
                issuer,
                destination,
                name_id: name_id_el.text_content().trim().to_string(),
                name_id_format: name_id_el.attr_value("Format").map(str::to_string),
                session_indexes: root
                    .elements()
                    .filter(|e| e.name == "SessionIndex")
                    .map(|e| e.text_content().trim().to_string())
                    .collect(),
            }))
        }
        "LogoutResponse" => {
            let status = root.child_named("Status");
            let code = status.and_then(|s| s.child_named("StatusCode"));
            Ok(LogoutMessage::Response(LogoutResponse {
                id,
                issuer,
                destination,
                in_response_to: root.attr_value("InResponseTo").map(str::to_string),
                status: code
                    .and_then(|c| c.attr_value("Value"))
                    .unwrap_or("")
                    .to_string(),
                sub_status: code
                    .and_then(|c| c.child_named("StatusCode"))
                    .and_then(|c| c.attr_value("Value"))
                    .map(str::to_string),
                status_message: status
                    .and_then(|s| s.child_named("StatusMessage"))
                    .map(|m| m.text_content().trim().to_string()),
            }))
        }
        _ => Err(SamlError::UnexpectedElement {
            expected: "LogoutRequest or LogoutResponse",
            found: root.qname(),
        }),
    }
}

/// The POST binding's check: the message's enveloped signature verifies with `cert_der` and
/// covers the message's root.
pub fn verify_post_message(
    xml: &str,
    cert_der: &[u8],
) -> Result<LogoutSignatureVerified, SamlError> {
    let v = super::verify_signatures(xml, cert_der)?;
    let root = crate::xml::parse(xml)?;
    match root.id() {
        Some(id) if v.covers(id) => Ok(LogoutSignatureVerified { _private: () }),
        _ => Err(SamlError::XmlSignatureInvalid {
            message: "the signature does not cover the logout message".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::snapshot_epoch;
    use crate::keys::{KeyKind, Validity};

    fn key() -> SigningKey {
        SigningKey::generate(
            KeyKind::Rsa,
            "k",
            "idp",
            Validity::current(snapshot_epoch(), 1),
        )
        .unwrap()
    }

    fn request() -> Element {
        build_logout_request(&LogoutRequestSpec {
            id: "_lr1".into(),
            issue_instant: snapshot_epoch(),
            destination: Some("https://sp.example/slo".into()),
            issuer: "https://idp.example".into(),
            name_id: "alice@acme.example".into(),
            name_id_format: Some(uri::NAMEID_EMAIL.into()),
            session_index: Some("_s1".into()),
            protocol_prefix: "saml2p".into(),
            assertion_prefix: "saml2".into(),
        })
    }

    #[test]
    fn redirect_round_trip_and_signature() {
        let k = key();
        let xml = request().to_xml();
        let q = encode_redirect_message(
            Param::Request,
            &xml,
            Some("rs"),
            Some((&k, SignatureAlgorithm::RsaSha256)),
        )
        .unwrap();
        let r = decode_redirect_message(&q, 64 * 1024).unwrap();
        assert_eq!(
            (r.param, r.xml.as_str(), r.relay_state.as_deref()),
            (Param::Request, xml.as_str(), Some("rs"))
        );
        assert!(redirect_is_signed(&q));
        verify_redirect_message(&q, k.cert_der()).unwrap();
        assert!(matches!(
            verify_redirect_message(&q, key().cert_der()),
            Err(SamlError::RedirectSignatureInvalid)
        ));
        let unsigned = encode_redirect_message(Param::Request, &xml, None, None).unwrap();
        assert!(!redirect_is_signed(&unsigned));
        assert!(matches!(
            verify_redirect_message(&unsigned, k.cert_der()),
            Err(SamlError::MissingParameter { name: "SigAlg" })
        ));
        match parse_logout_message(&r.xml).unwrap() {
            LogoutMessage::Request(lr) => {
                assert_eq!(lr.name_id, "alice@acme.example");
                assert_eq!(lr.session_indexes, ["_s1"]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn post_signature_covers_the_message() {
        let k = key();
        let mut el = request();
        sign_message(&mut el, &k, SignatureAlgorithm::RsaSha256).unwrap();
        let xml = el.to_document();
        verify_post_message(&xml, k.cert_der()).unwrap();
        let form = format!("SAMLRequest={}", url_encode(&b64_encode(&xml)));
        assert_eq!(decode_post_message(&form, 1 << 20).unwrap().xml, xml);
        let forged = xml.replace("alice@acme.example", "mallory@evil.example");
        assert!(verify_post_message(&forged, k.cert_der()).is_err());
        assert!(matches!(
            verify_post_message(&request().to_document(), k.cert_der()),
            Err(SamlError::NoSignature)
        ));
    }

    #[test]
    fn response_reads_back() {
        let el = build_logout_response(&LogoutResponseSpec {
            id: "_r".into(),
            issue_instant: snapshot_epoch(),
            destination: None,
            in_response_to: "_lr1".into(),
            issuer: "sp".into(),
            status: uri::STATUS_SUCCESS.into(),
            sub_status: None,
            status_message: None,
            protocol_prefix: "samlp".into(),
            assertion_prefix: "saml".into(),
        });
        match parse_logout_message(&el.to_xml()).unwrap() {
            LogoutMessage::Response(r) => {
                assert!(r.success());
                assert_eq!(r.in_response_to.as_deref(), Some("_lr1"));
            }
            other => panic!("{other:?}"),
        }
        assert!(parse_logout_message("<x/>").is_err());
    }

    #[test]
    fn bad_redirect_input_is_refused_with_the_rule_it_breaks() {
        let k = key();
        let xml = request().to_xml();
        assert!(matches!(
            decode_redirect_message("SAMLRequest=%%%", 1 << 16),
            Err(SamlError::InvalidBase64 { .. })
        ));
        let not_deflate = url_encode(&b64_encode(b"definitely not deflate"));
        assert!(matches!(
            decode_redirect_message(&format!("SAMLRequest={not_deflate}"), 1 << 16),
            Err(SamlError::InvalidDeflate { .. })
        ));
        assert!(matches!(
            decode_redirect_message("RelayState=x", 1 << 16),
            Err(SamlError::MissingParameter { .. })
        ));
        let q = encode_redirect_message(Param::Request, &xml, None, None).unwrap();
        assert!(matches!(
            decode_redirect_message(&format!("{q}&{q}"), 1 << 16),
            Err(SamlError::DuplicateParameter {
                name: "SAMLRequest"
            })
        ));
        assert!(matches!(
            decode_redirect_message(&q, 16),
            Err(SamlError::MessageTooLarge { .. })
        ));
        let signed = encode_redirect_message(
            Param::Request,
            &xml,
            None,
            Some((&k, SignatureAlgorithm::RsaSha256)),
        )
        .unwrap();
        let md5 = signed.replace(
            &url_encode(SignatureAlgorithm::RsaSha256.uri()),
            &url_encode("http://www.w3.org/2001/04/xmldsig-more#rsa-md5"),
        );
        assert!(matches!(
            verify_redirect_message(&md5, k.cert_der()),
            Err(SamlError::UnsupportedSignatureAlgorithm { .. })
        ));
        let no_sig = signed.split("&Signature=").next().unwrap().to_string();
        assert!(matches!(
            verify_redirect_message(&no_sig, k.cert_der()),
            Err(SamlError::MissingParameter { name: "Signature" })
        ));
        // RelayState added after signing is not covered.
        assert!(matches!(
            verify_redirect_message(&format!("{signed}&RelayState=evil"), k.cert_der()),
            Err(SamlError::RedirectSignatureInvalid)
        ));
        assert!(matches!(
            parse_logout_message(
                "<samlp:LogoutRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\""
            ),
            Err(SamlError::MalformedXml { .. })
        ));
        assert!(matches!(
            parse_logout_message("<!DOCTYPE x><x/>"),
            Err(SamlError::DoctypeForbidden)
        ));
        let v1 = xml.replace("Version=\"2.0\"", "Version=\"1.1\"");
        assert!(matches!(
            parse_logout_message(&v1),
            Err(SamlError::UnsupportedVersion { .. })
        ));
    }

    #[test]
    fn response_carries_a_second_level_status() {
        let el = build_logout_response(&LogoutResponseSpec {
            id: "_r2".into(),
            issue_instant: snapshot_epoch(),
            destination: Some("https://sp.example/slo".into()),
            in_response_to: "_lr9".into(),
            issuer: "idp".into(),
            status: uri::STATUS_REQUESTER.into(),
            sub_status: Some(STATUS_UNKNOWN_PRINCIPAL.into()),
            status_message: Some("no such session".into()),
            protocol_prefix: "saml2p".into(),
            assertion_prefix: "saml2".into(),
        });
        let LogoutMessage::Response(r) = parse_logout_message(&el.to_xml()).unwrap() else {
            panic!("not a response");
        };
        assert!(!r.success());
        assert_eq!(r.sub_status.as_deref(), Some(STATUS_UNKNOWN_PRINCIPAL));
        assert_eq!(r.status_message.as_deref(), Some("no such session"));
    }
}
