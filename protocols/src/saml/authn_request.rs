//! AuthnRequests: read over HTTP-Redirect (raw DEFLATE + base64 + URL encoding, optional
//! detached signature) and HTTP-POST (base64), and the SP-side builders tests drive them with.
//!
//! Untrusted input is bounded before it is parsed: the inflated size is capped (the inflater
//! stops at the cap, so a bomb never allocates past it), DTDs are refused before any parser runs,
//! and every failure is its own [`SamlError`] variant.

use super::dsig::{sign_bytes, verify_bytes, SignatureAlgorithm};
use super::response::post_form;
use super::{b64_decode, b64_encode, SamlError};
use crate::clock::saml_instant;
use crate::keys::SigningKey;
use crate::xml::{self, ns, Element};
use chrono::{DateTime, Utc};
use flate2::bufread::DeflateDecoder;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, Read, Write};

/// Default cap on an inflated (Redirect) or decoded (POST) AuthnRequest.
pub const DEFAULT_MAX_INFLATED: usize = 64 * 1024;

/// The binding a request arrived over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Binding {
    HttpRedirect,
    HttpPost,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameIdPolicy {
    pub format: Option<String>,
    pub allow_create: Option<bool>,
    pub sp_name_qualifier: Option<String>,
}

/// A parsed AuthnRequest. Its signature, if any, is not checked here: see
/// [`verify_redirect_signature`] (Redirect) and [`super::verify_signatures`] (POST).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthnRequest {
    pub binding: Binding,
    pub id: String,
    pub issuer: String,
    pub issue_instant: DateTime<Utc>,
    pub destination: Option<String>,
    pub acs_url: Option<String>,
    pub acs_index: Option<usize>,
    pub protocol_binding: Option<String>,
    pub name_id_policy: Option<NameIdPolicy>,
    pub force_authn: bool,
    pub is_passive: bool,
    /// A `saml:Subject` is present (Entra rejects such requests).
    pub has_subject: bool,
    /// An enveloped `ds:Signature` is present (POST binding).
    pub has_embedded_signature: bool,
    pub relay_state: Option<String>,
    /// The SigAlg parameter of a Redirect request, as sent.
    pub sig_alg: Option<String>,
    /// The request XML as received (inflated/decoded).
    pub xml: String,
}

/// The query parameters of a Redirect request, with the raw (still URL-encoded) values kept for
/// signature checking.
struct RedirectParams<'q> {
    saml_request: Option<(&'q str, String)>,
    relay_state: Option<(&'q str, String)>,
    sig_alg: Option<(&'q str, String)>,
    signature: Option<(&'q str, String)>,
}

fn split_query(raw_query: &str) -> Result<RedirectParams<'_>, SamlError> {
    let mut p = RedirectParams {
        saml_request: None,
        relay_state: None,
        sig_alg: None,
        signature: None,
    };
    let query = raw_query.strip_prefix('?').unwrap_or(raw_query);
    for segment in query.split('&').filter(|s| !s.is_empty()) {
        let (raw_key, raw_value) = segment.split_once('=').unwrap_or((segment, ""));
        let decode = |s: &str| -> String {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        let (slot, name) = match decode(raw_key).as_str() {
            "SAMLRequest" => (&mut p.saml_request, "SAMLRequest"),
            "RelayState" => (&mut p.relay_state, "RelayState"),
            "SigAlg" => (&mut p.sig_alg, "SigAlg"),
            "Signature" => (&mut p.signature, "Signature"),
            _ => continue,
        };
        if slot.is_some() {
            return Err(SamlError::DuplicateParameter { name });
        }
        *slot = Some((raw_value, decode(raw_value)));
    }
    Ok(p)
}

/// Read an HTTP-Redirect AuthnRequest from the raw query string (with or without `?`).
pub fn parse_redirect(raw_query: &str, max_inflated: usize) -> Result<AuthnRequest, SamlError> {
    let p = split_query(raw_query)?;
    let (_, saml_request) = p.saml_request.ok_or(SamlError::MissingParameter {
        name: "SAMLRequest",
    })?;
    let deflated = b64_decode("SAMLRequest", &saml_request)?;
    let inflated = inflate_bounded(&mut deflated.as_slice(), max_inflated)?;
    let xml = String::from_utf8(inflated).map_err(|_| SamlError::NotUtf8 {
        field: "SAMLRequest",
    })?;
    let mut req = parse_authn_request_xml(&xml, Binding::HttpRedirect)?;
    req.relay_state = p.relay_state.map(|(_, v)| v);
    req.sig_alg = p.sig_alg.map(|(_, v)| v);
    Ok(req)
}

/// Read an HTTP-POST AuthnRequest from the form's `SAMLRequest` (base64) and `RelayState`.
pub fn parse_post(
    saml_request_b64: &str,
    relay_state: Option<&str>,
    max_decoded: usize,
) -> Result<AuthnRequest, SamlError> {
    // Refuse before decoding: the decoded size is at most 3/4 of the encoded one.
    if saml_request_b64.len() / 4 * 3 > max_decoded + 3 {
        return Err(SamlError::MessageTooLarge {
            field: "SAMLRequest",
            limit: max_decoded,
        });
    }
    let decoded = b64_decode("SAMLRequest", saml_request_b64)?;
    if decoded.len() > max_decoded {
        return Err(SamlError::MessageTooLarge {
            field: "SAMLRequest",
            limit: max_decoded,
        });
    }
    let xml = String::from_utf8(decoded).map_err(|_| SamlError::NotUtf8 {
        field: "SAMLRequest",
    })?;
    let mut req = parse_authn_request_xml(&xml, Binding::HttpPost)?;
    req.relay_state = relay_state.map(str::to_string);
    Ok(req)
}

/// Inflate raw DEFLATE from `input`, failing as soon as the output would pass `limit`. The output
/// buffer never grows beyond `limit` bytes, and input is read only as far as needed.
pub fn inflate_bounded<R: BufRead>(input: R, limit: usize) -> Result<Vec<u8>, SamlError> {
    let mut decoder = DeflateDecoder::new(input);
    let mut out: Vec<u8> = Vec::with_capacity(limit.min(16 * 1024));
    let mut chunk = [0u8; 8192];
    loop {
        let n = decoder
            .read(&mut chunk)
            .map_err(|e| SamlError::InvalidDeflate {
                field: "SAMLRequest",
                message: e.to_string(),
            })?;
        if n == 0 {
            break;
        }
        if out.len() + n > limit {
            return Err(SamlError::MessageTooLarge {
                field: "SAMLRequest",
                limit,
            });
        }
        if out.capacity() < out.len() + n {
            let target = (out.capacity() * 2).min(limit).max(out.len() + n);
            out.reserve_exact(target - out.len());
        }
        out.extend_from_slice(&chunk[..n]);
    }
    Ok(out)
}

fn ns_of<'a>(el: &'a Element, scope: &[(&'a str, &'a str)]) -> Option<&'a str> {
    el.namespaces
        .iter()
        .rev()
        .find(|d| d.prefix == el.prefix)
        .map(|d| d.uri.as_str())
        .or_else(|| {
            scope
                .iter()
                .rev()
                .find(|(p, _)| *p == el.prefix)
                .map(|(_, u)| *u)
        })
}

fn parse_bool(attribute: &'static str, value: Option<&str>) -> Result<Option<bool>, SamlError> {
    match value.map(str::trim) {
        None => Ok(None),
        Some("true") | Some("1") => Ok(Some(true)),
        Some("false") | Some("0") => Ok(Some(false)),
        Some(other) => Err(SamlError::InvalidBoolean {
            attribute,
            value: other.to_string(),
        }),
    }
}

/// Read an AuthnRequest document (already inflated/decoded).
pub fn parse_authn_request_xml(
    xml_text: &str,
    binding: Binding,
) -> Result<AuthnRequest, SamlError> {
    super::reject_dtd(xml_text.as_bytes())?;
    let root = xml::parse(xml_text)?;
    let root_ns = ns_of(&root, &[]);
    if root.name != "AuthnRequest" || root_ns != Some(ns::SAMLP) {
        return Err(SamlError::UnexpectedElement {
            expected: "samlp:AuthnRequest",
            found: root.qname(),
        });
    }
    let scope: Vec<(&str, &str)> = root
        .namespaces
        .iter()
        .map(|d| (d.prefix.as_str(), d.uri.as_str()))
        .collect();
    let child = |name: &str, uri: &str| {
        root.elements()
            .find(|e| e.name == name && ns_of(e, &scope) == Some(uri))
    };

    let id = root
        .id()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or(SamlError::MissingId)?
        .to_string();
    match root.attr_value("Version") {
        Some("2.0") => {}
        other => {
            return Err(SamlError::UnsupportedVersion {
                found: other.unwrap_or("").to_string(),
            })
        }
    }
    let instant = root
        .attr_value("IssueInstant")
        .ok_or(SamlError::MissingIssueInstant)?;
    let issue_instant = DateTime::parse_from_rfc3339(instant.trim())
        .map_err(|_| SamlError::InvalidInstant {
            attribute: "IssueInstant",
            value: instant.to_string(),
        })?
        .with_timezone(&Utc);
    let issuer = child("Issuer", ns::SAML)
        .map(|e| e.text_content().trim().to_string())
        .filter(|s| !s.is_empty())
        .ok_or(SamlError::MissingIssuer)?;
    let acs_index = match root.attr_value("AssertionConsumerServiceIndex") {
        None => None,
        Some(v) => Some(
            v.trim()
                .parse::<usize>()
                .map_err(|_| SamlError::InvalidInteger {
                    attribute: "AssertionConsumerServiceIndex",
                    value: v.to_string(),
                })?,
        ),
    };
    let name_id_policy = match child("NameIDPolicy", ns::SAMLP) {
        None => None,
        Some(p) => Some(NameIdPolicy {
            format: p.attr_value("Format").map(str::to_string),
            allow_create: parse_bool("AllowCreate", p.attr_value("AllowCreate"))?,
            sp_name_qualifier: p.attr_value("SPNameQualifier").map(str::to_string),
        }),
    };

    Ok(AuthnRequest {
        binding,
        id,
        issuer,
        issue_instant,
        destination: root.attr_value("Destination").map(str::to_string),
        acs_url: root
            .attr_value("AssertionConsumerServiceURL")
            .map(str::to_string),
        acs_index,
        protocol_binding: root.attr_value("ProtocolBinding").map(str::to_string),
        name_id_policy,
        force_authn: parse_bool("ForceAuthn", root.attr_value("ForceAuthn"))?.unwrap_or(false),
        is_passive: parse_bool("IsPassive", root.attr_value("IsPassive"))?.unwrap_or(false),
        has_subject: child("Subject", ns::SAML).is_some(),
        has_embedded_signature: child("Signature", ns::DS).is_some(),
        relay_state: None,
        sig_alg: None,
        xml: xml_text.to_string(),
    })
}

/// Proof that a Redirect request's detached signature verified. Only
/// [`verify_redirect_signature`] makes one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedirectSignatureVerified {
    algorithm: SignatureAlgorithm,
}

impl RedirectSignatureVerified {
    pub fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }
}

/// Check SigAlg/Signature over the octets exactly as received:
/// `SAMLRequest=..[&RelayState=..]&SigAlg=..`, still URL-encoded (SAML bindings §3.4.4.1).
pub fn verify_redirect_signature(
    raw_query: &str,
    cert_der: &[u8],
) -> Result<RedirectSignatureVerified, SamlError> {
    let p = split_query(raw_query)?;
    let (raw_request, _) = p.saml_request.ok_or(SamlError::MissingParameter {
        name: "SAMLRequest",
    })?;
    let (raw_alg, alg_uri) = p
        .sig_alg
        .ok_or(SamlError::MissingParameter { name: "SigAlg" })?;
    let (_, signature_b64) = p
        .signature
        .ok_or(SamlError::MissingParameter { name: "Signature" })?;
    let algorithm = SignatureAlgorithm::from_uri(&alg_uri)
        .ok_or(SamlError::UnsupportedSignatureAlgorithm { uri: alg_uri })?;
    let signature = b64_decode("Signature", &signature_b64)?;

    let mut signed = format!("SAMLRequest={raw_request}");
    if let Some((raw_rs, _)) = p.relay_state {
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
        Ok(RedirectSignatureVerified { algorithm })
    } else {
        Err(SamlError::RedirectSignatureInvalid)
    }
}

// ---------------------------------------------------------------- SP side (builders for tests)

/// An AuthnRequest as an SP would send it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthnRequestSpec {
    pub id: String,
    pub issue_instant: DateTime<Utc>,
    pub issuer: String,
    pub destination: Option<String>,
    pub acs_url: Option<String>,
    pub protocol_binding: Option<String>,
    pub name_id_policy: Option<NameIdPolicy>,
    pub force_authn: Option<bool>,
    pub is_passive: Option<bool>,
    /// Adds `<saml:Subject><saml:NameID>..</saml:NameID></saml:Subject>`.
    pub subject_name_id: Option<String>,
}

/// The AuthnRequest document (no XML declaration).
pub fn build_authn_request(spec: &AuthnRequestSpec) -> String {
    let b = |v: bool| if v { "true" } else { "false" };
    let mut el = Element::new("samlp", "AuthnRequest")
        .ns("samlp", ns::SAMLP)
        .ns("saml", ns::SAML)
        .attr("ID", spec.id.as_str())
        .attr("Version", "2.0")
        .attr("IssueInstant", saml_instant(spec.issue_instant))
        .attr_opt("Destination", spec.destination.as_deref())
        .attr_opt("AssertionConsumerServiceURL", spec.acs_url.as_deref())
        .attr_opt("ProtocolBinding", spec.protocol_binding.as_deref())
        .attr_opt("ForceAuthn", spec.force_authn.map(b))
        .attr_opt("IsPassive", spec.is_passive.map(b))
        .child(Element::new("saml", "Issuer").text(spec.issuer.as_str()));
    if let Some(subject) = &spec.subject_name_id {
        el = el.child(
            Element::new("saml", "Subject")
                .child(Element::new("saml", "NameID").text(subject.as_str())),
        );
    }
    if let Some(p) = &spec.name_id_policy {
        el = el.child(
            Element::new("samlp", "NameIDPolicy")
                .attr_opt("AllowCreate", p.allow_create.map(b))
                .attr_opt("Format", p.format.as_deref())
                .attr_opt("SPNameQualifier", p.sp_name_qualifier.as_deref()),
        );
    }
    el.to_xml()
}

fn url_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The HTTP-Redirect query string (no leading `?`): raw DEFLATE, base64, URL-encoded, and when
/// `sign` is given, SigAlg and Signature over the encoded octets.
pub fn encode_redirect(
    xml_text: &str,
    relay_state: Option<&str>,
    sign: Option<(&SigningKey, SignatureAlgorithm)>,
) -> Result<String, SamlError> {
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    let deflate_err = |e: std::io::Error| SamlError::InvalidDeflate {
        field: "SAMLRequest",
        message: e.to_string(),
    };
    enc.write_all(xml_text.as_bytes()).map_err(deflate_err)?;
    let deflated = enc.finish().map_err(deflate_err)?;

    let mut query = format!("SAMLRequest={}", url_encode(&b64_encode(deflated)));
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

/// The HTTP-POST form value: base64 of the document.
pub fn encode_post(xml_text: &str) -> String {
    b64_encode(xml_text.as_bytes())
}

/// An auto-submitting form posting `SAMLRequest` (and `RelayState`) to `action_url`.
pub fn post_request_form_html(
    action_url: &str,
    saml_request_b64: &str,
    relay_state: Option<&str>,
) -> String {
    post_form("SAMLRequest", action_url, saml_request_b64, relay_state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::snapshot_epoch;
    use crate::keys::{KeyKind, Validity};
    use crate::saml::response::uri;

    fn spec() -> AuthnRequestSpec {
        AuthnRequestSpec {
            id: "_req1".into(),
            issue_instant: snapshot_epoch(),
            issuer: "https://sp.example/saml".into(),
            destination: Some("https://idp.example/sso".into()),
            acs_url: Some("https://sp.example/acs".into()),
            protocol_binding: Some(uri::BINDING_HTTP_POST.into()),
            name_id_policy: Some(NameIdPolicy {
                format: Some(uri::NAMEID_EMAIL.into()),
                allow_create: Some(true),
                sp_name_qualifier: None,
            }),
            force_authn: Some(true),
            is_passive: None,
            subject_name_id: None,
        }
    }

    fn key(kind: KeyKind) -> SigningKey {
        SigningKey::generate(kind, "sp", "sp", Validity::current(snapshot_epoch(), 1)).unwrap()
    }

    fn deflate(bytes: &[u8]) -> Vec<u8> {
        let mut enc =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(bytes).unwrap();
        enc.finish().unwrap()
    }

    fn redirect_query_for(xml: &str) -> String {
        format!(
            "SAMLRequest={}",
            url_encode(&b64_encode(deflate(xml.as_bytes())))
        )
    }

    #[test]
    fn redirect_round_trip_reads_every_field() {
        let q = encode_redirect(&build_authn_request(&spec()), Some("rs=1&x"), None).unwrap();
        let r = parse_redirect(&format!("?{q}"), DEFAULT_MAX_INFLATED).unwrap();
        assert_eq!(r.binding, Binding::HttpRedirect);
        assert_eq!(r.id, "_req1");
        assert_eq!(r.issuer, "https://sp.example/saml");
        assert_eq!(r.issue_instant, snapshot_epoch());
        assert_eq!(r.destination.as_deref(), Some("https://idp.example/sso"));
        assert_eq!(r.acs_url.as_deref(), Some("https://sp.example/acs"));
        assert_eq!(r.protocol_binding.as_deref(), Some(uri::BINDING_HTTP_POST));
        let p = r.name_id_policy.unwrap();
        assert_eq!(p.format.as_deref(), Some(uri::NAMEID_EMAIL));
        assert_eq!(p.allow_create, Some(true));
        assert!(r.force_authn && !r.is_passive && !r.has_subject);
        assert_eq!(r.relay_state.as_deref(), Some("rs=1&x"));
        assert!(r.sig_alg.is_none());
    }

    #[test]
    fn post_round_trip_and_subject_flag() {
        let mut s = spec();
        s.subject_name_id = Some("alice".into());
        s.is_passive = Some(true);
        let r = parse_post(
            &encode_post(&build_authn_request(&s)),
            Some("state"),
            DEFAULT_MAX_INFLATED,
        )
        .unwrap();
        assert_eq!(r.binding, Binding::HttpPost);
        assert!(r.has_subject && r.is_passive);
        assert_eq!(r.relay_state.as_deref(), Some("state"));
    }

    #[test]
    fn missing_saml_request_parameter() {
        assert!(matches!(
            parse_redirect("RelayState=x", DEFAULT_MAX_INFLATED),
            Err(SamlError::MissingParameter {
                name: "SAMLRequest"
            })
        ));
    }

    #[test]
    fn duplicate_parameter() {
        let q = redirect_query_for(&build_authn_request(&spec()));
        assert!(matches!(
            parse_redirect(&format!("{q}&{q}"), DEFAULT_MAX_INFLATED),
            Err(SamlError::DuplicateParameter {
                name: "SAMLRequest"
            })
        ));
    }

    #[test]
    fn bad_base64() {
        assert!(matches!(
            parse_redirect("SAMLRequest=%%%not-base64!", DEFAULT_MAX_INFLATED),
            Err(SamlError::InvalidBase64 {
                field: "SAMLRequest",
                ..
            })
        ));
        assert!(matches!(
            parse_post("***", None, DEFAULT_MAX_INFLATED),
            Err(SamlError::InvalidBase64 { .. })
        ));
    }

    #[test]
    fn bad_deflate() {
        // Valid base64 of bytes that are not a DEFLATE stream (reserved block type 11).
        let q = format!("SAMLRequest={}", url_encode(&b64_encode([0xffu8; 16])));
        assert!(matches!(
            parse_redirect(&q, DEFAULT_MAX_INFLATED),
            Err(SamlError::InvalidDeflate { .. })
        ));
    }

    #[test]
    fn not_utf8() {
        let q = format!(
            "SAMLRequest={}",
            url_encode(&b64_encode(deflate(&[0xff, 0xfe])))
        );
        assert!(matches!(
            parse_redirect(&q, DEFAULT_MAX_INFLATED),
            Err(SamlError::NotUtf8 { .. })
        ));
    }

    #[test]
    fn inflate_bomb_is_cut_off_at_the_limit_without_reading_on() {
        // 32 MiB of zeros compresses to ~32 KiB.
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..32 {
            enc.write_all(&zeros).unwrap();
        }
        let bomb = enc.finish().unwrap();
        let mut input: &[u8] = &bomb;
        let err = inflate_bounded(&mut input, DEFAULT_MAX_INFLATED).unwrap_err();
        assert!(matches!(
            err,
            SamlError::MessageTooLarge {
                limit: DEFAULT_MAX_INFLATED,
                ..
            }
        ));
        let consumed = bomb.len() - input.len();
        assert!(
            consumed < bomb.len() / 8,
            "read {consumed} of {} compressed bytes",
            bomb.len()
        );
        // Through the public entry point too.
        let q = format!("SAMLRequest={}", url_encode(&b64_encode(&bomb)));
        assert!(matches!(
            parse_redirect(&q, DEFAULT_MAX_INFLATED),
            Err(SamlError::MessageTooLarge { .. })
        ));
    }

    #[test]
    fn output_buffer_never_exceeds_limit() {
        let data = vec![b'a'; 10_000];
        let out = inflate_bounded(&mut deflate(&data).as_slice(), 10_000).unwrap();
        assert_eq!(out, data);
        assert!(out.capacity() <= 10_000);
        assert!(matches!(
            inflate_bounded(&mut deflate(&data).as_slice(), 9_999),
            Err(SamlError::MessageTooLarge { limit: 9_999, .. })
        ));
    }

    #[test]
    fn post_size_limit() {
        let big = encode_post(&"x".repeat(2000));
        assert!(matches!(
            parse_post(&big, None, 1000),
            Err(SamlError::MessageTooLarge { limit: 1000, .. })
        ));
    }

    #[test]
    fn doctype_and_entity_rejected() {
        let xml = build_authn_request(&spec());
        let with_doctype = format!("<!DOCTYPE samlp:AuthnRequest [<!ENTITY x \"y\">]>{xml}");
        assert!(matches!(
            parse_redirect(&redirect_query_for(&with_doctype), DEFAULT_MAX_INFLATED),
            Err(SamlError::DoctypeForbidden)
        ));
        let with_entity = xml.replace("<saml:Issuer>", "<!ENTITY x \"y\"><saml:Issuer>");
        assert!(matches!(
            parse_post(&encode_post(&with_entity), None, DEFAULT_MAX_INFLATED),
            Err(SamlError::EntityForbidden)
        ));
    }

    #[test]
    fn malformed_xml() {
        assert!(matches!(
            parse_post(
                &encode_post("<samlp:AuthnRequest"),
                None,
                DEFAULT_MAX_INFLATED
            ),
            Err(SamlError::MalformedXml { .. })
        ));
    }

    #[test]
    fn missing_id() {
        let xml = build_authn_request(&spec()).replace(r#" ID="_req1""#, "");
        assert!(matches!(
            parse_authn_request_xml(&xml, Binding::HttpPost),
            Err(SamlError::MissingId)
        ));
    }

    #[test]
    fn missing_issuer() {
        let xml = build_authn_request(&spec())
            .replace("<saml:Issuer>https://sp.example/saml</saml:Issuer>", "");
        assert!(matches!(
            parse_authn_request_xml(&xml, Binding::HttpPost),
            Err(SamlError::MissingIssuer)
        ));
        // An Issuer in the wrong namespace does not count.
        let xml = build_authn_request(&spec()).replace("saml:Issuer", "samlp:Issuer");
        assert!(matches!(
            parse_authn_request_xml(&xml, Binding::HttpPost),
            Err(SamlError::MissingIssuer)
        ));
    }

    #[test]
    fn missing_or_bad_instant_version_boolean_and_index() {
        let xml = build_authn_request(&spec());
        type Check = fn(&SamlError) -> bool;
        let cases: Vec<(String, Check)> = vec![
            (
                xml.replace(r#" IssueInstant="2026-01-01T00:00:00Z""#, ""),
                |e| matches!(e, SamlError::MissingIssueInstant),
            ),
            (xml.replace("2026-01-01T00:00:00Z", "yesterday"), |e| {
                matches!(e, SamlError::InvalidInstant { .. })
            }),
            (
                xml.replace(r#"Version="2.0""#, r#"Version="1.1""#),
                |e| matches!(e, SamlError::UnsupportedVersion { found } if found == "1.1"),
            ),
            (
                xml.replace(r#"ForceAuthn="true""#, r#"ForceAuthn="yes""#),
                |e| {
                    matches!(
                        e,
                        SamlError::InvalidBoolean {
                            attribute: "ForceAuthn",
                            ..
                        }
                    )
                },
            ),
            (
                xml.replace(" ID=", r#" AssertionConsumerServiceIndex="x" ID="#),
                |e| matches!(e, SamlError::InvalidInteger { .. }),
            ),
        ];
        for (doc, check) in cases {
            let err = parse_authn_request_xml(&doc, Binding::HttpPost).unwrap_err();
            assert!(check(&err), "unexpected {err:?} for {doc}");
        }
    }

    #[test]
    fn wrong_root_element() {
        let xml = r#"<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="a" Version="2.0"/>"#;
        assert!(matches!(
            parse_authn_request_xml(xml, Binding::HttpPost),
            Err(SamlError::UnexpectedElement { .. })
        ));
        let wrong_ns = build_authn_request(&spec()).replace(ns::SAMLP, "urn:evil");
        assert!(matches!(
            parse_authn_request_xml(&wrong_ns, Binding::HttpPost),
            Err(SamlError::UnexpectedElement { .. })
        ));
    }

    #[test]
    fn redirect_signature_good_and_bad() {
        let xml = build_authn_request(&spec());
        for (kind, alg) in [
            (KeyKind::Rsa, SignatureAlgorithm::RsaSha1),
            (KeyKind::Rsa, SignatureAlgorithm::RsaSha256),
            (KeyKind::Ec, SignatureAlgorithm::EcdsaSha256),
        ] {
            let k = key(kind);
            let q = encode_redirect(&xml, Some("relay/state"), Some((&k, alg))).unwrap();
            let v = verify_redirect_signature(&q, k.cert_der()).unwrap();
            assert_eq!(v.algorithm(), alg);
            assert_eq!(
                parse_redirect(&q, DEFAULT_MAX_INFLATED)
                    .unwrap()
                    .sig_alg
                    .as_deref(),
                Some(alg.uri())
            );

            // Another key's certificate.
            let other = key(kind);
            assert!(matches!(
                verify_redirect_signature(&q, other.cert_der()),
                Err(SamlError::RedirectSignatureInvalid)
            ));
            // RelayState changed after signing.
            let tampered = q.replace("RelayState=relay", "RelayState=evil");
            assert!(matches!(
                verify_redirect_signature(&tampered, k.cert_der()),
                Err(SamlError::RedirectSignatureInvalid)
            ));
            // RelayState dropped.
            let dropped = q.replace("&RelayState=relay%2Fstate", "");
            assert_ne!(dropped, q);
            assert!(matches!(
                verify_redirect_signature(&dropped, k.cert_der()),
                Err(SamlError::RedirectSignatureInvalid)
            ));
        }
    }

    #[test]
    fn redirect_signature_uses_the_octets_as_received() {
        // Same values, different (still valid) percent-encoding: the signature no longer matches.
        let k = key(KeyKind::Rsa);
        let q = encode_redirect(
            &build_authn_request(&spec()),
            Some("a b"),
            Some((&k, SignatureAlgorithm::RsaSha256)),
        )
        .unwrap();
        assert!(q.contains("RelayState=a+b"));
        assert!(verify_redirect_signature(&q, k.cert_der()).is_ok());
        let reencoded = q.replace("RelayState=a+b", "RelayState=a%20b");
        assert!(matches!(
            verify_redirect_signature(&reencoded, k.cert_der()),
            Err(SamlError::RedirectSignatureInvalid)
        ));
    }

    #[test]
    fn redirect_signature_parameter_errors() {
        let k = key(KeyKind::Rsa);
        let unsigned = encode_redirect(&build_authn_request(&spec()), None, None).unwrap();
        assert!(matches!(
            verify_redirect_signature(&unsigned, k.cert_der()),
            Err(SamlError::MissingParameter { name: "SigAlg" })
        ));
        let q = format!("{unsigned}&SigAlg=urn%3Anope&Signature=AAAA");
        assert!(matches!(
            verify_redirect_signature(&q, k.cert_der()),
            Err(SamlError::UnsupportedSignatureAlgorithm { .. })
        ));
        let q = format!(
            "{unsigned}&SigAlg={}",
            url_encode(SignatureAlgorithm::RsaSha256.uri())
        );
        assert!(matches!(
            verify_redirect_signature(&q, k.cert_der()),
            Err(SamlError::MissingParameter { name: "Signature" })
        ));
    }
}
