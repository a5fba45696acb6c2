//! XML signature verification through xmlsec (the `dsig` crate), against one trusted
//! certificate.
//!
//! xmlsec registers every `ID` attribute (refusing duplicates and non-NCName values), finds every
//! `ds:Signature` anywhere in the document and requires each to verify with the key we give it.
//! It uses that key only and never consults KeyInfo, so a certificate carried in the message is
//! ignored. What each reference covered comes back as xmlsec's pre-digest bytes, the only thing
//! a caller should read as signed. We read the same document into our own tree only to describe
//! each signature (algorithms, the element a reference names), and refuse the document if the two
//! readings disagree on its signatures or their references.

use super::SamlError;
use crate::xml::{self, ns, Element};
use std::collections::HashMap;

/// One `ds:Reference` of a verified signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedReference {
    /// The URI attribute as written (`#id`, or empty for the whole document).
    pub uri: String,
    /// The id it names, without `#`; `None` for a whole-document reference.
    pub id: Option<String>,
    /// Local name of the referenced element (`Response`, `Assertion`, ...), when found.
    pub element: Option<String>,
    pub digest_method: String,
}

/// One verified `ds:Signature`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedSignature {
    pub signature_method: String,
    pub references: Vec<VerifiedReference>,
}

/// Proof that every signature in a document verified against the trusted certificate. Only
/// [`verify_signatures`] makes one.
#[derive(Clone, Debug)]
pub struct VerifiedSignatures {
    signatures: Vec<VerifiedSignature>,
    /// Signed bytes by referenced id: the first verified reference to name each id.
    signed: HashMap<String, String>,
}

impl VerifiedSignatures {
    pub fn signatures(&self) -> &[VerifiedSignature] {
        &self.signatures
    }

    /// Ids of the elements covered by some verified reference, in document order.
    pub fn covered_ids(&self) -> Vec<&str> {
        self.signatures
            .iter()
            .flat_map(|s| s.references.iter())
            .filter_map(|r| r.id.as_deref())
            .collect()
    }

    pub fn covers(&self, id: &str) -> bool {
        self.covered_ids().contains(&id)
    }

    /// What a verified reference to `id` covered: xmlsec's pre-digest bytes, the canonical form
    /// of the element after the reference's transforms (the enveloped signature removed). This,
    /// not the received document, is what an SP may safely read. `None` if no verified reference
    /// names `id`.
    pub fn signed_content(&self, id: &str) -> Option<&str> {
        self.signed.get(id).map(String::as_str)
    }
}

/// Certificates already parsed once in this process. OpenSSL 3 builds a decoder context for
/// every `X509::from_der`, which cost about a fifth of an SP's CPU under `idpsim load`; an SP
/// trusts a handful of certificates, so each is checked once. Bounded: cleared when full.
static PARSED_CERTIFICATES: std::sync::OnceLock<
    parking_lot::Mutex<std::collections::HashSet<Vec<u8>>>,
> = std::sync::OnceLock::new();
const PARSED_CERTIFICATES_MAX: usize = 256;

fn parsed_certificates() -> &'static parking_lot::Mutex<std::collections::HashSet<Vec<u8>>> {
    PARSED_CERTIFICATES.get_or_init(Default::default)
}

fn certificate_seen(der: &[u8]) -> bool {
    parsed_certificates().lock().contains(der)
}

fn remember_certificate(der: &[u8]) {
    let mut seen = parsed_certificates().lock();
    if seen.len() >= PARSED_CERTIFICATES_MAX {
        seen.clear();
    }
    seen.insert(der.to_vec());
}

/// Whether `der` is a certificate OpenSSL can read, parsing each distinct one once per process.
pub fn certificate_parses(der: &[u8]) -> bool {
    if certificate_seen(der) {
        return true;
    }
    let ok = openssl::x509::X509::from_der(der).is_ok();
    if ok {
        remember_certificate(der);
    }
    ok
}

/// Verify every `ds:Signature` in `xml` against `trusted_cert_der` only.
///
/// Fails on a DOCTYPE/ENTITY (before libxml sees the bytes), on a document without signatures,
/// and on any signature that does not verify.
pub fn verify_signatures(
    xml: &str,
    trusted_cert_der: &[u8],
) -> Result<VerifiedSignatures, SamlError> {
    super::reject_dtd(xml.as_bytes())?;
    check_certificate(trusted_cert_der)?;
    let tree = xml::parse(xml)?;
    verify_document(&tree, xml, trusted_cert_der)
}

/// [`verify_signatures`] for a document already parsed: xmlsec verifies `tree`'s own
/// serialisation, so it and our reader see the same bytes and the text is not parsed twice.
pub fn verify_tree_signatures(
    tree: &Element,
    trusted_cert_der: &[u8],
) -> Result<VerifiedSignatures, SamlError> {
    check_certificate(trusted_cert_der)?;
    verify_document(tree, &tree.to_document(), trusted_cert_der)
}

fn check_certificate(der: &[u8]) -> Result<(), SamlError> {
    if !certificate_seen(der) {
        openssl::x509::X509::from_der(der)
            .map_err(|source| SamlError::InvalidCertificate { source })?;
        remember_certificate(der);
    }
    Ok(())
}

/// `tree` is `xml` as our parser reads it.
fn verify_document(
    tree: &Element,
    xml: &str,
    trusted_cert_der: &[u8],
) -> Result<VerifiedSignatures, SamlError> {
    let mut signatures = Vec::new();
    collect_signatures(tree, &mut Vec::new(), tree, &mut signatures);
    if signatures.is_empty() {
        return Err(SamlError::NoSignature);
    }

    let verified = dsig::verify(xml, trusted_cert_der).map_err(|e| match e {
        dsig::DsigError::Doctype => SamlError::DoctypeForbidden,
        e => SamlError::XmlSignatureInvalid {
            message: e.to_string(),
        },
    })?;
    let disagree = |what: String| SamlError::XmlSignatureInvalid {
        message: format!("xmlsec and the SAML reader disagree on the signatures: {what}"),
    };
    if verified.len() != signatures.len() {
        return Err(disagree(format!(
            "{} verified, {} found",
            verified.len(),
            signatures.len()
        )));
    }
    let mut signed = HashMap::new();
    for (described, checked) in signatures.iter().zip(verified) {
        if described.references.len() != checked.references.len() {
            return Err(disagree(format!(
                "{} references verified, {} found",
                checked.references.len(),
                described.references.len()
            )));
        }
        for (reference, checked) in described.references.iter().zip(checked.references) {
            if checked.uri.as_deref().unwrap_or("") != reference.uri {
                return Err(disagree(format!(
                    "reference {:?} verified, {:?} found",
                    checked.uri, reference.uri
                )));
            }
            if let Some(id) = &reference.id {
                signed.entry(id.clone()).or_insert(checked.signed);
            }
        }
    }
    Ok(VerifiedSignatures { signatures, signed })
}

fn resolve<'a>(scope: &[(&'a str, &'a str)], prefix: &str) -> Option<&'a str> {
    scope
        .iter()
        .rev()
        .find(|(p, _)| *p == prefix)
        .map(|(_, u)| *u)
}

fn is_ds<'a>(el: &'a Element, scope: &mut Vec<(&'a str, &'a str)>, name: &str) -> bool {
    let mark = scope.len();
    scope.extend(
        el.namespaces
            .iter()
            .map(|d| (d.prefix.as_str(), d.uri.as_str())),
    );
    let ok = el.name == name && resolve(scope, &el.prefix) == Some(ns::DS);
    scope.truncate(mark);
    ok
}

fn collect_signatures<'a>(
    el: &'a Element,
    scope: &mut Vec<(&'a str, &'a str)>,
    root: &Element,
    out: &mut Vec<VerifiedSignature>,
) {
    let mark = scope.len();
    scope.extend(
        el.namespaces
            .iter()
            .map(|d| (d.prefix.as_str(), d.uri.as_str())),
    );
    if el.name == "Signature" && resolve(scope, &el.prefix) == Some(ns::DS) {
        out.push(describe_signature(el, scope, root));
    }
    for child in el.elements() {
        collect_signatures(child, scope, root, out);
    }
    scope.truncate(mark);
}

fn describe_signature<'a>(
    sig: &'a Element,
    scope: &mut Vec<(&'a str, &'a str)>,
    root: &Element,
) -> VerifiedSignature {
    let mut result = VerifiedSignature {
        signature_method: String::new(),
        references: Vec::new(),
    };
    let Some(si) = sig.elements().find(|e| is_ds(e, scope, "SignedInfo")) else {
        return result;
    };
    let mark = scope.len();
    scope.extend(
        si.namespaces
            .iter()
            .map(|d| (d.prefix.as_str(), d.uri.as_str())),
    );
    for child in si.elements() {
        if is_ds(child, scope, "SignatureMethod") {
            result.signature_method = child.attr_value("Algorithm").unwrap_or("").to_string();
        } else if is_ds(child, scope, "Reference") {
            let uri = child.attr_value("URI").unwrap_or("").to_string();
            let id = uri.strip_prefix('#').map(str::to_string);
            let element = match &id {
                Some(id) => root.find_by_id(id).map(|e| e.name.clone()),
                None => Some(root.name.clone()),
            };
            let digest_method = child
                .elements()
                .find(|e| e.name == "DigestMethod")
                .and_then(|e| e.attr_value("Algorithm"))
                .unwrap_or("")
                .to_string();
            result.references.push(VerifiedReference {
                uri,
                id,
                element,
                digest_method,
            });
        }
    }
    scope.truncate(mark);
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::snapshot_epoch;
    use crate::keys::{KeyKind, SigningKey, Validity};
    use crate::saml::response::{
        build_response, IssuerSpec, ResponseSpec, SignOptions, SignaturePlacement, StatusSpec,
    };

    fn key() -> SigningKey {
        SigningKey::generate(
            KeyKind::Rsa,
            "k",
            "idp",
            Validity::current(snapshot_epoch(), 1),
        )
        .unwrap()
    }

    fn signed_error_response(k: &SigningKey) -> String {
        let spec = ResponseSpec::error(
            "r1",
            snapshot_epoch(),
            None,
            None,
            IssuerSpec {
                value: "idp".into(),
                format: None,
            },
            StatusSpec::success(),
        );
        let opts = SignOptions {
            placement: SignaturePlacement::Response,
            ..SignOptions::default()
        };
        build_response(&spec, &opts, k).unwrap().to_document()
    }

    #[test]
    fn reports_covered_ids() {
        let k = key();
        let v = verify_signatures(&signed_error_response(&k), k.cert_der()).unwrap();
        assert_eq!(v.covered_ids(), ["r1"]);
        assert_eq!(
            v.signatures()[0].references[0].element.as_deref(),
            Some("Response")
        );
        let signed = v.signed_content("r1").expect("the Response is signed");
        assert!(signed.starts_with("<saml2p:Response "), "{signed}");
        assert!(
            !signed.contains("Signature"),
            "enveloped signature removed: {signed}"
        );
        assert_eq!(v.signed_content("other"), None);
    }

    #[test]
    fn doctype_rejected_before_libxml() {
        let k = key();
        let xml = signed_error_response(&k).replacen(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>",
            1,
        );
        assert!(matches!(
            verify_signatures(&xml, k.cert_der()),
            Err(SamlError::DoctypeForbidden)
        ));
    }

    #[test]
    fn unsigned_document_and_bad_cert_are_distinct_errors() {
        let k = key();
        assert!(matches!(
            verify_signatures("<a ID=\"x\">y</a>", k.cert_der()),
            Err(SamlError::NoSignature)
        ));
        assert!(matches!(
            verify_signatures(&signed_error_response(&k), b"not a cert"),
            Err(SamlError::InvalidCertificate { .. })
        ));
    }

    #[test]
    fn wrong_certificate_rejected() {
        let k = key();
        let other = key();
        assert!(matches!(
            verify_signatures(&signed_error_response(&k), other.cert_der()),
            Err(SamlError::XmlSignatureInvalid { .. })
        ));
    }
}
