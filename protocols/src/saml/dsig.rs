//! Enveloped XML signatures (XML-DSig 1.0 with exclusive c14n), written over our own tree.
//!
//! Signing an element is: exclusive c14n of the element (our writer), one digest, a `SignedInfo`
//! built as a tree and canonicalised the same way, and one private-key operation with the key
//! that [`SigningKey`] parsed when it was made. Nothing is re-parsed.

use super::SamlError;
use crate::keys::{KeyKind, SigningKey};
use crate::xml::{ns, Element, Node, NsDecl};
use openssl::hash::MessageDigest;
use openssl::pkey::{HasPublic, PKeyRef};
use serde::{Deserialize, Serialize};

pub const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
pub const EXC_C14N: &str = ns::EXC_C14N;

/// The SignatureMethod (and the redirect binding's SigAlg).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SignatureAlgorithm {
    RsaSha1,
    #[default]
    RsaSha256,
    RsaSha384,
    RsaSha512,
    /// ECDSA over P-256; the XML SignatureValue is raw `r || s`.
    EcdsaSha256,
}

impl SignatureAlgorithm {
    pub const ALL: [SignatureAlgorithm; 5] = [
        Self::RsaSha1,
        Self::RsaSha256,
        Self::RsaSha384,
        Self::RsaSha512,
        Self::EcdsaSha256,
    ];

    pub fn uri(self) -> &'static str {
        match self {
            Self::RsaSha1 => "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
            Self::RsaSha256 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            Self::RsaSha384 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
            Self::RsaSha512 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
            Self::EcdsaSha256 => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
        }
    }

    pub fn from_uri(uri: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.uri() == uri)
    }

    /// The digest that goes with this algorithm when none is chosen explicitly.
    pub fn default_digest(self) -> DigestAlgorithm {
        match self {
            Self::RsaSha1 => DigestAlgorithm::Sha1,
            Self::RsaSha256 | Self::EcdsaSha256 => DigestAlgorithm::Sha256,
            Self::RsaSha384 => DigestAlgorithm::Sha384,
            Self::RsaSha512 => DigestAlgorithm::Sha512,
        }
    }

    pub fn key_kind(self) -> KeyKind {
        match self {
            Self::EcdsaSha256 => KeyKind::Ec,
            _ => KeyKind::Rsa,
        }
    }

    fn message_digest(self) -> MessageDigest {
        self.default_digest().message_digest()
    }
}

/// The DigestMethod of a Reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DigestAlgorithm {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl DigestAlgorithm {
    pub fn uri(self) -> &'static str {
        match self {
            Self::Sha1 => "http://www.w3.org/2000/09/xmldsig#sha1",
            Self::Sha256 => "http://www.w3.org/2001/04/xmlenc#sha256",
            Self::Sha384 => "http://www.w3.org/2001/04/xmldsig-more#sha384",
            Self::Sha512 => "http://www.w3.org/2001/04/xmlenc#sha512",
        }
    }

    pub fn from_uri(uri: &str) -> Option<Self> {
        [Self::Sha1, Self::Sha256, Self::Sha384, Self::Sha512]
            .into_iter()
            .find(|d| d.uri() == uri)
    }

    fn message_digest(self) -> MessageDigest {
        match self {
            Self::Sha1 => MessageDigest::sha1(),
            Self::Sha256 => MessageDigest::sha256(),
            Self::Sha384 => MessageDigest::sha384(),
            Self::Sha512 => MessageDigest::sha512(),
        }
    }
}

/// How one enveloped signature is made.
#[derive(Clone, Copy, Debug)]
pub struct SignatureParams<'a> {
    pub algorithm: SignatureAlgorithm,
    pub digest: DigestAlgorithm,
    /// The exclusive c14n InclusiveNamespaces PrefixList; `None` writes no InclusiveNamespaces.
    pub inclusive_prefixes: Option<&'a [&'a str]>,
    /// Put the signing certificate in KeyInfo/X509Data.
    pub key_info: bool,
}

/// Sign `el` in place with an enveloped signature referring to its `ID`, inserted right after
/// its Issuer child (or first when it has none), as the SAML schema orders it.
///
/// `inherited` are the namespaces in scope on `el`'s parent in the final document; the digest is
/// computed as a verifier will see it there.
pub fn sign_enveloped(
    el: &mut Element,
    inherited: &[NsDecl],
    params: &SignatureParams<'_>,
    key: &SigningKey,
) -> Result<(), SamlError> {
    if params.algorithm.key_kind() != key.kind() {
        return Err(SamlError::KeyAlgorithmMismatch {
            algorithm: params.algorithm,
            key: key.kind(),
        });
    }
    let id = el
        .id()
        .ok_or_else(|| SamlError::UnsignableElement {
            element: el.qname(),
        })?
        .to_string();
    let inclusive = params.inclusive_prefixes.unwrap_or(&[]);

    let canonical = el.exc_c14n(inherited, inclusive);
    let digest = openssl::hash::hash(params.digest.message_digest(), canonical.as_bytes())
        .map_err(|source| SamlError::Crypto {
            context: "digesting the signed element",
            source,
        })?;

    let mut c14n_transform = Element::new("ds", "Transform").attr("Algorithm", EXC_C14N);
    if let Some(prefixes) = params.inclusive_prefixes {
        c14n_transform = c14n_transform.child(
            Element::new("ec", "InclusiveNamespaces")
                .ns("ec", EXC_C14N)
                .attr("PrefixList", prefixes.join(" ")),
        );
    }
    let signed_info = Element::new("ds", "SignedInfo")
        .child(Element::new("ds", "CanonicalizationMethod").attr("Algorithm", EXC_C14N))
        .child(Element::new("ds", "SignatureMethod").attr("Algorithm", params.algorithm.uri()))
        .child(
            Element::new("ds", "Reference")
                .attr("URI", format!("#{id}"))
                .child(
                    Element::new("ds", "Transforms")
                        .child(Element::new("ds", "Transform").attr("Algorithm", ENVELOPED))
                        .child(c14n_transform),
                )
                .child(Element::new("ds", "DigestMethod").attr("Algorithm", params.digest.uri()))
                .child(Element::new("ds", "DigestValue").text(super::b64_encode(digest))),
        );

    // SignedInfo is canonicalised in place: under el's scope plus the Signature's xmlns:ds.
    let mut si_scope = Vec::with_capacity(inherited.len() + el.namespaces.len() + 1);
    si_scope.extend_from_slice(inherited);
    si_scope.extend_from_slice(&el.namespaces);
    si_scope.push(NsDecl::new("ds", ns::DS));
    let si_c14n = signed_info.exc_c14n(&si_scope, &[]);
    let value = sign_bytes(key, params.algorithm, si_c14n.as_bytes())?;

    let mut signature = Element::new("ds", "Signature")
        .ns("ds", ns::DS)
        .child(signed_info)
        .child(Element::new("ds", "SignatureValue").text(super::b64_encode(&value)));
    if params.key_info {
        signature = signature.child(
            Element::new("ds", "KeyInfo").child(
                Element::new("ds", "X509Data")
                    .child(Element::new("ds", "X509Certificate").text(key.cert_b64())),
            ),
        );
    }

    let at = el.child_index("Issuer").map(|i| i + 1).unwrap_or(0);
    el.children.insert(at, Node::Element(signature));
    Ok(())
}

/// One private-key signature over `data`. RSA is PKCS#1 v1.5; ECDSA comes out as raw `r || s`
/// (XML-DSig's and the redirect binding's form), not DER.
pub fn sign_bytes(
    key: &SigningKey,
    algorithm: SignatureAlgorithm,
    data: &[u8],
) -> Result<Vec<u8>, SamlError> {
    if algorithm.key_kind() != key.kind() {
        return Err(SamlError::KeyAlgorithmMismatch {
            algorithm,
            key: key.kind(),
        });
    }
    let crypto = |source| SamlError::Crypto {
        context: "signing",
        source,
    };
    let mut signer =
        openssl::sign::Signer::new(algorithm.message_digest(), key.pkey()).map_err(crypto)?;
    signer.update(data).map_err(crypto)?;
    let sig = signer.sign_to_vec().map_err(crypto)?;
    match algorithm {
        SignatureAlgorithm::EcdsaSha256 => {
            // P-256 is 32 bytes wide; the cast cannot truncate for any curve openssl supports.
            let width = field_bytes(key.pkey().bits()) as i32;
            let der = openssl::ecdsa::EcdsaSig::from_der(&sig).map_err(crypto)?;
            let mut raw = der.r().to_vec_padded(width).map_err(crypto)?;
            raw.extend(der.s().to_vec_padded(width).map_err(crypto)?);
            Ok(raw)
        }
        _ => Ok(sig),
    }
}

/// Check a signature made by [`sign_bytes`]'s rules. ECDSA accepts raw `r || s`; a DER-encoded
/// value is accepted too, because some SP stacks send DER in the redirect binding.
pub fn verify_bytes<T: HasPublic>(
    public: &PKeyRef<T>,
    algorithm: SignatureAlgorithm,
    data: &[u8],
    signature: &[u8],
) -> Result<bool, SamlError> {
    let crypto = |source| SamlError::Crypto {
        context: "verifying",
        source,
    };
    let key_kind = match public.id() {
        openssl::pkey::Id::RSA => KeyKind::Rsa,
        openssl::pkey::Id::EC => KeyKind::Ec,
        _ => return Ok(false),
    };
    if key_kind != algorithm.key_kind() {
        return Ok(false);
    }
    let der;
    let signature = if algorithm == SignatureAlgorithm::EcdsaSha256
        && signature.len() == 2 * field_bytes(public.bits())
    {
        let (r, s) = signature.split_at(signature.len() / 2);
        let r = openssl::bn::BigNum::from_slice(r).map_err(crypto)?;
        let s = openssl::bn::BigNum::from_slice(s).map_err(crypto)?;
        der = openssl::ecdsa::EcdsaSig::from_private_components(r, s)
            .and_then(|sig| sig.to_der())
            .map_err(crypto)?;
        der.as_slice()
    } else {
        signature
    };
    let mut verifier =
        openssl::sign::Verifier::new(algorithm.message_digest(), public).map_err(crypto)?;
    verifier.update(data).map_err(crypto)?;
    // A malformed signature is a failed verification, not a crypto failure.
    Ok(verifier.verify(signature).unwrap_or(false))
}

fn field_bytes(bits: u32) -> usize {
    (bits as usize).div_ceil(8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::snapshot_epoch;
    use crate::keys::Validity;

    fn key(kind: KeyKind) -> SigningKey {
        SigningKey::generate(kind, "k", "test", Validity::current(snapshot_epoch(), 1)).unwrap()
    }

    #[test]
    fn uris_round_trip() {
        for a in SignatureAlgorithm::ALL {
            assert_eq!(SignatureAlgorithm::from_uri(a.uri()), Some(a));
            let d = a.default_digest();
            assert_eq!(DigestAlgorithm::from_uri(d.uri()), Some(d));
        }
        assert_eq!(SignatureAlgorithm::from_uri("urn:nope"), None);
    }

    #[test]
    fn ecdsa_signature_is_raw_r_s_and_verifies() {
        let k = key(KeyKind::Ec);
        let sig = sign_bytes(&k, SignatureAlgorithm::EcdsaSha256, b"data").unwrap();
        assert_eq!(sig.len(), 64);
        assert!(verify_bytes(k.pkey(), SignatureAlgorithm::EcdsaSha256, b"data", &sig).unwrap());
        assert!(!verify_bytes(k.pkey(), SignatureAlgorithm::EcdsaSha256, b"datb", &sig).unwrap());
    }

    #[test]
    fn algorithm_must_match_key() {
        let k = key(KeyKind::Ec);
        assert!(matches!(
            sign_bytes(&k, SignatureAlgorithm::RsaSha256, b"x"),
            Err(SamlError::KeyAlgorithmMismatch {
                key: KeyKind::Ec,
                ..
            })
        ));
    }

    #[test]
    fn signature_lands_after_issuer_and_digest_matches_c14n() {
        let k = key(KeyKind::Rsa);
        let mut el = Element::new("a", "Thing")
            .ns("a", "urn:a")
            .attr("ID", "t1")
            .child(Element::new("a", "Issuer").text("me"))
            .child(Element::new("a", "Body").text("x"));
        let before = el.exc_c14n(&[], &[]);
        let params = SignatureParams {
            algorithm: SignatureAlgorithm::RsaSha256,
            digest: DigestAlgorithm::Sha256,
            inclusive_prefixes: None,
            key_info: true,
        };
        sign_enveloped(&mut el, &[], &params, &k).unwrap();
        let names: Vec<&str> = el.elements().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["Issuer", "Signature", "Body"]);
        let sig = el.child_named("Signature").unwrap();
        let dv = sig.find_all("DigestValue")[0].text_content();
        let expected = openssl::hash::hash(MessageDigest::sha256(), before.as_bytes()).unwrap();
        assert_eq!(dv, super::super::b64_encode(expected));
        // And the SignatureValue verifies over the canonical SignedInfo.
        let si = sig.child_named("SignedInfo").unwrap();
        let scope = [NsDecl::new("a", "urn:a"), NsDecl::new("ds", ns::DS)];
        let si_c14n = si.exc_c14n(&scope, &[]);
        assert!(si_c14n.starts_with(&format!(r#"<ds:SignedInfo xmlns:ds="{}">"#, ns::DS)));
        let sv = super::super::b64_decode(
            "sv",
            &sig.child_named("SignatureValue").unwrap().text_content(),
        )
        .unwrap();
        assert!(verify_bytes(
            k.pkey(),
            SignatureAlgorithm::RsaSha256,
            si_c14n.as_bytes(),
            &sv
        )
        .unwrap());
    }

    #[test]
    fn unsignable_without_id() {
        let k = key(KeyKind::Rsa);
        let mut el = Element::new("", "X");
        let params = SignatureParams {
            algorithm: SignatureAlgorithm::RsaSha256,
            digest: DigestAlgorithm::Sha256,
            inclusive_prefixes: None,
            key_info: false,
        };
        assert!(matches!(
            sign_enveloped(&mut el, &[], &params, &k),
            Err(SamlError::UnsignableElement { .. })
        ));
    }
}
