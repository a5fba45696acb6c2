//! XML-DSig verification through xmlsec1, for the SAML verifier in `protocols`.
//!
//! [`verify`] parses a document with libxml2, registers every no-namespace `ID` attribute
//! (refusing duplicates and values that are not NCNames), then requires every `ds:Signature` in
//! the document to verify with the one key it is given. It returns, for every `ds:Reference` of
//! every signature, xmlsec's pre-digest bytes: the canonical form of exactly what the digest
//! covered, after the reference's transforms. A caller that reads those bytes reads only signed
//! content, whatever the transforms, comments or wrapping around the signed element.
//!
//! Two costs are paid once instead of per document:
//! - The trusted certificate's public key is loaded into xmlsec once per thread and duplicated
//!   into each signature context (a reference count, not a parse). OpenSSL 3 builds a decoder
//!   context for every key or certificate it reads, which made the per-document load the largest
//!   single item of a SAML login under `idpsim load`.
//! - The signed content comes straight from xmlsec's pre-digest buffers. No fragment of the
//!   document is parsed twice and no reduced copy of it is built and serialised.
//!
//! xmlsec uses the key preset on the context and never consults `KeyInfo`, so a certificate
//! carried in the message is ignored. References must point into the document (`""` or `#id`),
//! and their transforms must be the enveloped-signature transform or a canonicalisation: no
//! XSLT, XPath or Base64, and no fetching of files or URLs.
//!
//! This is the workspace's only crate with `unsafe`: the `xmlsec` crate's safe wrapper does not
//! expose a signature context's flags, its verified references or libxml2's ID table, so the
//! three blocks below reach them through the public `bindings` modules of `xmlsec` and `libxml`.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use libxml::parser::{Parser, ParserOptions};
use libxml::tree::{Document, Node};
use xmlsec::{XmlSecKey, XmlSecKeyFormat, XmlSecSignatureContext};

/// The XML-DSig namespace.
pub const DS: &str = "http://www.w3.org/2000/09/xmldsig#";

/// Why a document did not verify.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DsigError {
    #[error("the document has a DOCTYPE; DTDs and entities are refused")]
    Doctype,
    #[error("the document is not well-formed XML")]
    Malformed,
    #[error("ID attribute value {0:?} is not an NCName")]
    InvalidId(String),
    #[error("ID attribute value {0:?} appears more than once")]
    DuplicateId(String),
    #[error("the document has no ds:Signature")]
    NoSignature,
    #[error("the trusted certificate cannot be read: {0}")]
    Certificate(String),
    /// `number` counts the document's signatures from 1, in document order.
    #[error("ds:Signature number {number} in document order: the SignatureValue does not verify with the trusted key")]
    Invalid { number: usize },
    #[error("ds:Signature number {number} in document order: the digest of reference {uri:?} does not match (the signed content changed)")]
    DigestMismatch { number: usize, uri: String },
    #[error("ds:Signature number {number} in document order: transform {algorithm:?} is not allowed (only enveloped-signature and c14n)")]
    TransformRefused { number: usize, algorithm: String },
    #[error("ds:Signature number {number} in document order cannot be processed by xmlsec (malformed, an unknown algorithm, or a reference outside the document)")]
    Unprocessable { number: usize },
    #[error(
        "ds:Signature number {number}, reference {reference}: the signed content is not UTF-8"
    )]
    NotUtf8 { number: usize, reference: usize },
}

/// One verified `ds:Reference`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// The URI attribute as written; `None` when the reference has none.
    pub uri: Option<String>,
    /// xmlsec's pre-digest bytes: the canonical form of what the digest covered.
    pub signed: String,
}

/// One verified `ds:Signature`, its references in `SignedInfo` order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    pub references: Vec<Reference>,
}

/// Verify every `ds:Signature` in `xml` with the public key of `trusted_cert_der` only, and
/// return each one's references with their signed bytes, signatures in document order.
pub fn verify(xml: &str, trusted_cert_der: &[u8]) -> Result<Vec<Signature>, DsigError> {
    if has_doctype(xml) {
        return Err(DsigError::Doctype);
    }
    let key = trusted_key(trusted_cert_der)?;
    quiet_xmlsec();
    quiet_libxml();
    let doc = parse(xml)?;
    let root = doc.get_root_element().ok_or(DsigError::Malformed)?;
    register_ids(&doc, &root)?;

    let mut signatures = Vec::new();
    collect_signatures(&root, &mut signatures);
    if signatures.is_empty() {
        return Err(DsigError::NoSignature);
    }
    signatures
        .iter()
        .enumerate()
        .map(|(index, node)| verify_one(index, node, &key))
        .collect()
}

/// `<!DOCTYPE` anywhere (it can only legally appear in the prolog, but libxml2 is not asked).
fn has_doctype(xml: &str) -> bool {
    xml.contains("<!DOCTYPE") || xml.contains("<!ENTITY")
}

fn parse(xml: &str) -> Result<Document, DsigError> {
    let options = ParserOptions {
        recover: false,
        no_net: true,
        ..ParserOptions::default()
    };
    Parser::default()
        .parse_string_with_options(xml, options)
        .map_err(|_| DsigError::Malformed)
}

extern "C" {
    /// xmlsec's switch for its default error callback, which prints every failure to stderr.
    /// (Declared here: the `xmlsec` crate's bindings leave out `xmlsec/errors.h`.)
    fn xmlSecErrorsDefaultCallbackEnableOutput(enabled: std::os::raw::c_int);
    /// libxml2's per-thread structured error handler. (Declared here: the `libxml` crate binds
    /// it with a Rust-ABI function pointer, which C must not call.)
    fn xmlSetStructuredErrorFunc(
        ctx: *mut std::os::raw::c_void,
        handler: Option<extern "C" fn(*mut std::os::raw::c_void, *mut std::os::raw::c_void)>,
    );
}

/// The structured error handler [`quiet_libxml`] installs: the error is dropped, since the
/// verdict reaches the caller as a [`DsigError`].
extern "C" fn ignore_libxml_error(
    _ctx: *mut std::os::raw::c_void,
    _error: *mut std::os::raw::c_void,
) {
}

thread_local! {
    /// libxml2 keeps its error handlers per thread. Its default prints to stderr, so a canonical
    /// form xmlsec cannot take (hostile namespaces, say) would print "C14N error" lines.
    static QUIET_LIBXML: () = {
        // SAFETY: installs a handler with the C ABI and signature libxml2 calls, for this thread.
        #[allow(unsafe_code)]
        unsafe {
            xmlSetStructuredErrorFunc(std::ptr::null_mut(), Some(ignore_libxml_error))
        }
    };
}

/// Install [`ignore_libxml_error`] on this thread, once.
fn quiet_libxml() {
    QUIET_LIBXML.with(|_| ());
}

/// Stop xmlsec printing each refusal to stderr: a refused signature is an answer returned to the
/// caller, and under an attack catalogue or a load test the printing would flood the terminal.
/// Called after xmlsec is initialised (loading a key initialises it).
fn quiet_xmlsec() {
    static QUIET: std::sync::Once = std::sync::Once::new();
    // SAFETY: sets one global flag in libxmlsec1, once, through its exported function.
    #[allow(unsafe_code)]
    QUIET.call_once(|| unsafe { xmlSecErrorsDefaultCallbackEnableOutput(0) });
}

thread_local! {
    /// Keys already loaded on this thread, by certificate. xmlsec keys are not `Send`, and a
    /// thread's own copy needs no lock. An SP trusts a handful of certificates; the map is
    /// cleared when it reaches [`KEYS_MAX`].
    static KEYS: RefCell<HashMap<Vec<u8>, XmlSecKey>> = RefCell::new(HashMap::new());
}
const KEYS_MAX: usize = 64;

/// A fresh handle on the trusted key, loading it on this thread's first use of the certificate.
fn trusted_key(cert_der: &[u8]) -> Result<XmlSecKey, DsigError> {
    KEYS.with(|keys| {
        let mut keys = keys.borrow_mut();
        if let Some(key) = keys.get(cert_der) {
            return Ok(key.clone());
        }
        let key = load_key(cert_der)?;
        if keys.len() >= KEYS_MAX {
            keys.clear();
        }
        let handle = key.clone();
        keys.insert(cert_der.to_vec(), key);
        Ok(handle)
    })
}

/// The certificate's public key (SubjectPublicKeyInfo) as an xmlsec key with no X.509 data, so
/// that duplicating it only takes a reference on the OpenSSL key.
fn load_key(cert_der: &[u8]) -> Result<XmlSecKey, DsigError> {
    let cert = openssl::x509::X509::from_der(cert_der)
        .map_err(|e| DsigError::Certificate(e.to_string()))?;
    let spki = cert
        .public_key()
        .and_then(|k| k.public_key_to_der())
        .map_err(|e| DsigError::Certificate(e.to_string()))?;
    XmlSecKey::from_memory(&spki, XmlSecKeyFormat::Der, None)
        .map_err(|e| DsigError::Certificate(e.to_string()))
}

/// Register every element's no-namespace `ID` attribute in libxml2's ID table, which is where
/// xmlsec resolves `#id` references. Values must be NCNames and unique.
fn register_ids(doc: &Document, root: &Node) -> Result<(), DsigError> {
    let mut seen = HashSet::new();
    let mut stack = vec![root.clone()];
    while let Some(node) = stack.pop() {
        if let Some((attr, value)) = id_attribute(&node) {
            if !is_ncname(&value) {
                return Err(DsigError::InvalidId(value));
            }
            if !seen.insert(value.clone()) {
                return Err(DsigError::DuplicateId(value));
            }
            let c_value = std::ffi::CString::new(value.as_str())
                .map_err(|_| DsigError::InvalidId(value.clone()))?;
            // SAFETY: `doc` owns the tree `attr` belongs to and outlives this call; the value is
            // a NUL-terminated copy that libxml2 duplicates into its table. A null return means
            // libxml2 refused the id (already present), which `seen` has ruled out.
            #[allow(unsafe_code)]
            let added = unsafe {
                libxml::bindings::xmlAddID(
                    std::ptr::null_mut(),
                    doc.doc_ptr(),
                    c_value.as_ptr().cast(),
                    attr,
                )
            };
            if added.is_null() {
                return Err(DsigError::DuplicateId(value));
            }
        }
        stack.extend(node.get_child_elements());
    }
    Ok(())
}

/// The element's `ID` attribute in no namespace (`x:ID` is not an id), and its value.
fn id_attribute(node: &Node) -> Option<(libxml::bindings::xmlAttrPtr, String)> {
    // SAFETY: `node` is a live element of a document that outlives this call. xmlHasNsProp with a
    // null namespace matches only the no-namespace attribute; xmlGetNoNsProp returns a copy the
    // caller frees, which happens before this block ends.
    #[allow(unsafe_code)]
    unsafe {
        let name = c"ID".as_ptr().cast();
        let attr = libxml::bindings::xmlHasNsProp(node.node_ptr(), name, std::ptr::null());
        if attr.is_null() {
            return None;
        }
        let raw = libxml::bindings::xmlGetNoNsProp(node.node_ptr(), name);
        if raw.is_null() {
            return Some((attr, String::new()));
        }
        let value = std::ffi::CStr::from_ptr(raw.cast())
            .to_string_lossy()
            .into_owned();
        libxml::bindings::xmlFree.expect("libxml2 sets xmlFree")(raw.cast());
        Some((attr, value))
    }
}

/// XML 1.0 NCName, with the name characters of the fifth edition.
fn is_ncname(s: &str) -> bool {
    fn start(c: char) -> bool {
        c.is_ascii_alphabetic()
            || c == '_'
            || matches!(c, '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
                | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
                | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
                | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
    }
    fn rest(c: char) -> bool {
        start(c)
            || c.is_ascii_digit()
            || matches!(c, '-' | '.' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
    }
    let mut chars = s.chars();
    chars.next().is_some_and(start) && chars.all(rest)
}

/// Every `ds:Signature` element, in document order.
fn collect_signatures(node: &Node, out: &mut Vec<Node>) {
    let is_signature = node.get_name() == "Signature"
        && node.get_namespace().is_some_and(|ns| ns.get_href() == DS);
    if is_signature {
        out.push(node.clone());
    }
    for child in node.get_child_elements() {
        collect_signatures(&child, out);
    }
}

/// The `Algorithm` of every `ds:Transform` a reference may list.
const ALLOWED_TRANSFORMS: [&str; 7] = [
    "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
    "http://www.w3.org/2001/10/xml-exc-c14n#",
    "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments",
    "http://www.w3.org/2006/12/xml-c14n11",
    "http://www.w3.org/2006/12/xml-c14n11#WithComments",
];

/// Refuse a signature whose references list a transform outside [`ALLOWED_TRANSFORMS`].
fn check_transforms(number: usize, signature: &Node) -> Result<(), DsigError> {
    let ds = |n: &Node, name: &str| {
        n.get_name() == name && n.get_namespace().is_some_and(|ns| ns.get_href() == DS)
    };
    let children = |n: &Node, name: &str| {
        n.get_child_elements()
            .into_iter()
            .filter(|c| ds(c, name))
            .collect::<Vec<_>>()
    };
    for signed_info in children(signature, "SignedInfo") {
        for reference in children(&signed_info, "Reference") {
            for transforms in children(&reference, "Transforms") {
                for transform in transforms.get_child_elements() {
                    let algorithm = transform.get_attribute("Algorithm").unwrap_or_default();
                    if !ds(&transform, "Transform")
                        || !ALLOWED_TRANSFORMS.contains(&algorithm.as_str())
                    {
                        return Err(DsigError::TransformRefused { number, algorithm });
                    }
                }
            }
        }
    }
    Ok(())
}

fn verify_one(index: usize, node: &Node, key: &XmlSecKey) -> Result<Signature, DsigError> {
    use xmlsec::bindings as b;
    check_transforms(index + 1, node)?;
    let mut ctx = XmlSecSignatureContext::new();
    // SAFETY: `ctx` owns a live context created by xmlSecDSigCtxCreate; its settings are written
    // before it is used, and the transform klasses are xmlsec's static descriptors.
    #[allow(unsafe_code)]
    unsafe {
        let raw = ctx.as_ptr();
        // Manifests are skipped: SAML has none, and nothing reads what they would cover.
        (*raw).flags |= b::XMLSEC_DSIG_FLAGS_STORE_SIGNEDINFO_REFERENCES
            | b::XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS;
        // Same-document references only: xmlsec would otherwise open any URI a reference names
        // (a local file, or a request to any host).
        (*raw).enabledReferenceUris =
            b::xmlSecTransformUriTypeEmpty | b::xmlSecTransformUriTypeSameDocument;
        // The transforms SAMLCore 5.4.4 allows (enveloped signature, exclusive c14n) and the
        // inclusive c14n variants; never XSLT, XPath or Base64. xmlsec resolves `#id` through an
        // XPointer transform of its own, so that one is enabled too (`check_transforms` has
        // already refused it as a written transform), and the list also governs the
        // DigestMethod: the SHA-1 and SHA-2 family.
        for klass in [
            b::xmlSecTransformXPointerGetKlass(),
            b::xmlSecOpenSSLTransformSha1GetKlass(),
            b::xmlSecOpenSSLTransformSha224GetKlass(),
            b::xmlSecOpenSSLTransformSha256GetKlass(),
            b::xmlSecOpenSSLTransformSha384GetKlass(),
            b::xmlSecOpenSSLTransformSha512GetKlass(),
            b::xmlSecTransformEnvelopedGetKlass(),
            b::xmlSecTransformExclC14NGetKlass(),
            b::xmlSecTransformExclC14NWithCommentsGetKlass(),
            b::xmlSecTransformInclC14NGetKlass(),
            b::xmlSecTransformInclC14NWithCommentsGetKlass(),
            b::xmlSecTransformInclC14N11GetKlass(),
            b::xmlSecTransformInclC14N11WithCommentsGetKlass(),
        ] {
            if b::xmlSecDSigCtxEnableReferenceTransform(raw, klass) < 0 {
                return Err(DsigError::Unprocessable { number: index + 1 });
            }
        }
    }
    ctx.insert_key(key.clone());
    let number = index + 1;
    match ctx.verify_node(node) {
        Ok(true) => references(number, &ctx),
        Ok(false) => Err(match references(number, &ctx) {
            Err(e @ DsigError::DigestMismatch { .. }) => e,
            _ => DsigError::Invalid { number },
        }),
        Err(_) => Err(DsigError::Unprocessable { number }),
    }
}

/// The references of a signature, read from its context before it is destroyed; the first one
/// whose digest did not match is an error.
fn references(number: usize, ctx: &XmlSecSignatureContext) -> Result<Signature, DsigError> {
    use xmlsec::bindings as b;
    let mut references = Vec::new();
    // SAFETY: the context is alive (borrowed) and finished verifying; its reference list and
    // each reference's pre-digest buffer stay valid until the context is destroyed, and
    // everything read here is copied out before this block ends. Pointers are checked for null.
    #[allow(unsafe_code)]
    unsafe {
        let list: *mut b::xmlSecPtrList = &raw mut (*ctx.as_ptr()).signedInfoReferences;
        let count = b::xmlSecPtrListGetSize(list);
        if count == 0 {
            return Err(DsigError::Invalid { number });
        }
        for position in 0..count {
            let item = b::xmlSecPtrListGetItem(list, position) as b::xmlSecDSigReferenceCtxPtr;
            if item.is_null() {
                return Err(DsigError::Invalid { number });
            }
            let uri = (!(*item).uri.is_null()).then(|| {
                std::ffi::CStr::from_ptr((*item).uri.cast())
                    .to_string_lossy()
                    .into_owned()
            });
            if (*item).status != b::xmlSecDSigStatus_xmlSecDSigStatusSucceeded {
                return Err(DsigError::DigestMismatch {
                    number,
                    uri: uri.unwrap_or_default(),
                });
            }
            let buffer = b::xmlSecDSigReferenceCtxGetPreDigestBuffer(item);
            let bytes: &[u8] = if buffer.is_null() {
                return Err(DsigError::Invalid { number });
            } else {
                let size = b::xmlSecBufferGetSize(buffer) as usize;
                let data = b::xmlSecBufferGetData(buffer);
                if size == 0 || data.is_null() {
                    &[]
                } else {
                    std::slice::from_raw_parts(data, size)
                }
            };
            let signed = String::from_utf8(bytes.to_vec()).map_err(|_| DsigError::NotUtf8 {
                number,
                reference: position as usize + 1,
            })?;
            references.push(Reference { uri, signed });
        }
    }
    Ok(Signature { references })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ncnames() {
        for ok in ["a", "_x", "id-1.2", "é9", "A_b-c.d"] {
            assert!(is_ncname(ok), "{ok}");
        }
        for bad in ["", "1a", "-a", "a:b", "element(/1/2)", "a b", ".x"] {
            assert!(!is_ncname(bad), "{bad}");
        }
    }

    #[test]
    fn doctype_and_malformed_and_unsigned_are_distinct() {
        assert!(has_doctype("<!DOCTYPE a><a/>"));
        assert!(!has_doctype("<a>DOCTYPE</a>"));
        assert!(matches!(parse("<a><b></a>"), Err(DsigError::Malformed)));
        let doc = parse(r#"<a ID="x"><b ID="x"/></a>"#).unwrap();
        let root = doc.get_root_element().unwrap();
        assert_eq!(
            register_ids(&doc, &root),
            Err(DsigError::DuplicateId("x".into()))
        );
        let doc = parse(r#"<a ID="1x"/>"#).unwrap();
        let root = doc.get_root_element().unwrap();
        assert_eq!(
            register_ids(&doc, &root),
            Err(DsigError::InvalidId("1x".into()))
        );
    }

    #[test]
    fn namespaced_id_attributes_are_not_ids() {
        // Only the no-namespace `ID` is an id: `x:ID` must not shadow it or be registered.
        let doc =
            parse(r#"<a xmlns:x="urn:x" x:ID="evil" ID="good"><b x:ID="evil"/></a>"#).unwrap();
        let root = doc.get_root_element().unwrap();
        register_ids(&doc, &root).unwrap();
    }

    #[test]
    fn only_enveloped_and_c14n_transforms_are_allowed() {
        let signature = |transforms: &str| {
            format!(
                r##"<ds:Signature xmlns:ds="{DS}"><ds:SignedInfo><ds:Reference URI="#a"><ds:Transforms>{transforms}</ds:Transforms></ds:Reference></ds:SignedInfo></ds:Signature>"##
            )
        };
        let check = |transforms: &str| {
            let doc = parse(&signature(transforms)).unwrap();
            check_transforms(1, &doc.get_root_element().unwrap())
        };
        let t = |alg: &str| format!(r#"<ds:Transform Algorithm="{alg}"/>"#);
        assert_eq!(check(&ALLOWED_TRANSFORMS.map(t).concat()), Ok(()));
        for refused in [
            "http://www.w3.org/TR/1999/REC-xslt-19991116",
            "http://www.w3.org/TR/1999/REC-xpath-19991116",
            "http://www.w3.org/2002/06/xmldsig-filter2",
            "http://www.w3.org/2000/09/xmldsig#base64",
            "http://www.w3.org/2001/04/xmldsig-more/xptr",
        ] {
            assert_eq!(
                check(&(t(ALLOWED_TRANSFORMS[0]) + &t(refused))),
                Err(DsigError::TransformRefused {
                    number: 1,
                    algorithm: refused.into()
                })
            );
        }
        // Something other than ds:Transform in Transforms is refused too.
        assert!(check(
            r#"<x:T xmlns:x="urn:x" Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>"#
        )
        .is_err());
    }

    #[test]
    fn bad_certificate_is_reported() {
        assert!(matches!(
            verify("<a/>", b"not a certificate"),
            Err(DsigError::Certificate(_))
        ));
    }
}
