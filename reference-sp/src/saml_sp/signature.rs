//! The signature stage: verify against the configured certificates only, require the assertion
//! to be covered, and hand on the assertion as the verified reference's signed bytes have it.
//!
//! The verifier sees the comment-free serialisation of our own tree. Exclusive c14n drops
//! comments anyway, so this changes no digest, but it means xmlsec and our reader see the same
//! text nodes (a correctly signed `victim@corp.example<!---->.evil.example` is one value for
//! both), and there is no second parser whose reading of the raw bytes could differ from ours.

use super::config::SamlSpConfig;
use super::error::SamlRejection;
use super::view::{self, Scoped};
use crate::flaws::{Flaw, Flaws};
use protocols::saml::{
    verify_tree_signatures, DigestAlgorithm, SamlError, SignatureAlgorithm, VerifiedSignatures,
};
use protocols::xml::{self, ns, Element, Node, NsDecl};

/// Proof that the assertion handed on is covered by a signature that verified with a trusted
/// certificate. Only [`verify`] makes one.
#[derive(Debug)]
pub(super) struct SignatureVerified {
    _private: (),
}

/// The assertion as signed, with what the signatures were.
#[derive(Debug)]
pub(super) struct SignedAssertion {
    pub proof: SignatureVerified,
    /// The `saml:Assertion`, taken from the verifier's signed-only document.
    pub assertion: Element,
    /// Namespaces its ancestors declare there.
    pub inherited: Vec<NsDecl>,
    pub response_signed: bool,
    pub assertion_signed: bool,
    /// SignatureMethod URIs, each once, in document order.
    pub signature_algorithms: Vec<String>,
    /// DigestMethod URIs, each once, in document order.
    pub digest_algorithms: Vec<String>,
}

impl SignedAssertion {
    pub fn scoped(&self) -> Scoped<'_> {
        Scoped::with_inherited(&self.assertion, &self.inherited)
    }
}

/// Verify `response` (already parsed, ids unique) and return the signed assertion `assertion_id`.
pub(super) fn verify(
    cfg: &SamlSpConfig,
    response: &Element,
    assertion_id: &str,
    flaws: &Flaws,
) -> Result<SignedAssertion, SamlRejection> {
    let document = view::without_comments(response);
    let key_info_certs = key_info_certs(response);
    let candidates: &[Vec<u8>] =
        if flaws.danger(Flaw::TrustKeyInfoCert) && !key_info_certs.is_empty() {
            &key_info_certs
        } else {
            &cfg.idp_certs_der
        };

    let mut verified = None;
    let mut failure = String::from("no trusted certificate configured");
    for cert in candidates {
        match verify_tree_signatures(&document, cert) {
            Ok(v) => {
                verified = Some(v);
                break;
            }
            Err(SamlError::NoSignature) => {
                return if flaws.danger(Flaw::AcceptUnsigned) {
                    danger_unsigned(response, assertion_id)
                } else {
                    Err(SamlRejection::Unsigned)
                };
            }
            Err(e) => failure = e.to_string(),
        }
    }
    let Some(verified) = verified else {
        // Distinguish "someone else signed this" (SAML-SIG-3) from a broken signature.
        let foreign = key_info_certs
            .iter()
            .filter(|c| !candidates.contains(c))
            .find(|c| verify_tree_signatures(&document, c).is_ok());
        return Err(match foreign {
            Some(cert) => SamlRejection::UntrustedSigner {
                subject: subject_of(cert),
            },
            None => SamlRejection::SignatureInvalid { message: failure },
        });
    };

    let (signature_algorithms, digest_algorithms) = algorithms(&verified)?;
    let not_signed = || SamlRejection::AssertionNotSigned {
        assertion_id: assertion_id.to_string(),
        covered: verified
            .covered_ids()
            .into_iter()
            .map(str::to_string)
            .collect(),
    };
    let assertion_signed = verified.covers(assertion_id);
    let response_signed = response.id().is_some_and(|rid| verified.covers(rid));
    let contains = response.elements().any(|e| e.id() == Some(assertion_id));
    if !(assertion_signed || response_signed && contains) {
        return if flaws.danger(Flaw::AcceptUnsigned) {
            danger_unsigned(response, assertion_id)
        } else {
            Err(not_signed())
        };
    }

    // Read only what a verified reference covered: xmlsec's pre-digest bytes for the assertion's
    // own reference, else for the Response that contains it (ids are unique, so these are the
    // elements we checked coverage for).
    let signed_text = verified
        .signed_content(assertion_id)
        .or_else(|| response.id().and_then(|rid| verified.signed_content(rid)))
        .ok_or_else(not_signed)?;
    let signed = xml::parse(signed_text).map_err(|e| SamlRejection::SignatureInvalid {
        message: format!("signed content unreadable: {e}"),
    })?;
    let (assertion, inherited) = extract(&signed, assertion_id).ok_or_else(not_signed)?;
    Ok(SignedAssertion {
        proof: SignatureVerified { _private: () },
        assertion,
        inherited,
        response_signed,
        assertion_signed,
        signature_algorithms,
        digest_algorithms,
    })
}

/// The signature stage for a response whose assertion arrived encrypted. IdPs sign the
/// assertion, encrypt it, then sign the Response over the EncryptedAssertion: the Response's
/// signature is verified over the document as `received`, the assertion's over the `decrypted`
/// one without the Response's signature. A verified Response signature covers the ciphertext and
/// so the assertion it decrypts to.
pub(super) fn verify_decrypted(
    cfg: &SamlSpConfig,
    received: &Element,
    decrypted: &Element,
    assertion_id: &str,
    flaws: &Flaws,
) -> Result<SignedAssertion, SamlRejection> {
    let is_signature = |n: &Node| matches!(n, Node::Element(e) if e.name == "Signature");
    let response_covered = if received.children.iter().any(is_signature) {
        let document = view::without_comments(received);
        let mut failure = String::from("no trusted certificate configured");
        let mut covered = None;
        for cert in &cfg.idp_certs_der {
            match verify_tree_signatures(&document, cert) {
                Ok(v) if received.id().is_some_and(|rid| v.covers(rid)) => {
                    covered = Some(v);
                    break;
                }
                Ok(v) => {
                    failure = format!(
                        "the Response's signature covers {:?}, not the Response",
                        v.covered_ids()
                    )
                }
                Err(e) => failure = e.to_string(),
            }
        }
        match covered {
            Some(v) => Some(algorithms(&v)?),
            None => return Err(SamlRejection::SignatureInvalid { message: failure }),
        }
    } else {
        None
    };
    let mut inner = decrypted.clone();
    inner.children.retain(|n| !is_signature(n));
    match (verify(cfg, &inner, assertion_id, flaws), response_covered) {
        (Ok(mut signed), Some((sig, dig))) => {
            signed.response_signed = true;
            for s in sig {
                if !signed.signature_algorithms.contains(&s) {
                    signed.signature_algorithms.push(s);
                }
            }
            for d in dig {
                if !signed.digest_algorithms.contains(&d) {
                    signed.digest_algorithms.push(d);
                }
            }
            Ok(signed)
        }
        (Ok(signed), None) => Ok(signed),
        (Err(SamlRejection::Unsigned), Some((signature_algorithms, digest_algorithms))) => {
            let (assertion, inherited) =
                extract(&inner, assertion_id).ok_or(SamlRejection::MissingAssertionId)?;
            Ok(SignedAssertion {
                proof: SignatureVerified { _private: () },
                assertion,
                inherited,
                response_signed: true,
                assertion_signed: false,
                signature_algorithms,
                digest_algorithms,
            })
        }
        (Err(e), _) => Err(e),
    }
}

/// [`Flaw::AcceptUnsigned`]: hand on the assertion as received, signed or not.
fn danger_unsigned(
    response: &Element,
    assertion_id: &str,
) -> Result<SignedAssertion, SamlRejection> {
    let (assertion, inherited) =
        extract(response, assertion_id).ok_or(SamlRejection::MissingAssertionId)?;
    Ok(SignedAssertion {
        proof: SignatureVerified { _private: () },
        assertion,
        inherited,
        response_signed: false,
        assertion_signed: false,
        signature_algorithms: Vec::new(),
        digest_algorithms: Vec::new(),
    })
}

/// The `saml:Assertion` whose ID is `id`, with its ancestors' namespace declarations.
fn extract(root: &Element, id: &str) -> Option<(Element, Vec<NsDecl>)> {
    let path = root.path_to_id(id)?;
    let el = root.at_path(&path)?;
    let inherited = match path.split_last() {
        Some((_, parent)) => root.scope_at(parent)?,
        None => Vec::new(),
    };
    Scoped::with_inherited(el, &inherited)
        .is(ns::SAML, "Assertion")
        .then(|| (el.clone(), inherited))
}

/// Refuse algorithms outside the known RSA/ECDSA and SHA families (xmlsec knows more, HMAC
/// among them); keep the rest, SHA-1 included, for the caller to see.
fn algorithms(v: &VerifiedSignatures) -> Result<(Vec<String>, Vec<String>), SamlRejection> {
    let mut sig = Vec::new();
    let mut dig = Vec::new();
    for s in v.signatures() {
        if SignatureAlgorithm::from_uri(&s.signature_method).is_none() {
            return Err(SamlRejection::UnsupportedAlgorithm {
                uri: s.signature_method.clone(),
            });
        }
        if !sig.contains(&s.signature_method) {
            sig.push(s.signature_method.clone());
        }
        for r in &s.references {
            if DigestAlgorithm::from_uri(&r.digest_method).is_none() {
                return Err(SamlRejection::UnsupportedAlgorithm {
                    uri: r.digest_method.clone(),
                });
            }
            if !dig.contains(&r.digest_method) {
                dig.push(r.digest_method.clone());
            }
        }
    }
    Ok((sig, dig))
}

/// Certificates carried in any signature's KeyInfo (never trusted, except by
/// [`Flaw::TrustKeyInfoCert`]; otherwise only used to name a foreign signer).
fn key_info_certs(root: &Element) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    for sig in root.find_all("Signature") {
        for c in sig.find_all("X509Certificate") {
            let Ok(der) = protocols::saml::b64_decode("X509Certificate", &view::full_text(c))
            else {
                continue;
            };
            if protocols::saml::verify::certificate_parses(&der) && !out.contains(&der) {
                out.push(der);
            }
        }
    }
    out
}

fn subject_of(der: &[u8]) -> String {
    let Ok(cert) = openssl::x509::X509::from_der(der) else {
        return "<unreadable>".into();
    };
    cert.subject_name()
        .entries()
        .map(|e| {
            let key = e.object().nid().short_name().unwrap_or("?");
            let value = e.data().to_string().unwrap_or_default();
            format!("{key}={value}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}
