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
mod tests;
