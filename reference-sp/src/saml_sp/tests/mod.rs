//! Fixtures for the SAML SP tests: pinned keys, a valid Okta-shaped response for Acme, an
//! in-memory [`SamlSpState`], and tree surgery for the attack variants.
//!
//! Tests are named after what they prove; catalogue ids (SAML-*) are in the comments.

use super::*;
use crate::flaws::Flaws;
use chrono::{DateTime, Duration, Utc};
use protocols::clock::snapshot_epoch;
use protocols::keys::SigningKey;
use protocols::saml::response::uri;
use protocols::saml::{
    b64_encode, build_response, AssertionSpec, AttributeSpec, AuthnStatementSpec, ConditionsSpec,
    IssuerSpec, NameIdSpec, ResponseSpec, SignOptions, SignaturePlacement, StatusSpec,
    SubjectConfirmationSpec, XmlStyle,
};
use protocols::xml::{Element, Node};
use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, OnceLock};

mod accept;
mod decrypt;
mod flaws;
mod rules;
mod wire;

pub const SP: &str = "https://sp.example/saml/acme";
pub const ACS: &str = "https://sp.example/saml/acme/acs";
pub const IDP: &str = "http://www.okta.com/exkacme";
pub const SSO: &str = "https://acme.okta.example/app/acme/sso/saml";
pub const REQ: &str = "_req1";
pub const RESPONSE_ID: &str = "_resp1";
pub const ASSERTION_ID: &str = "_assert1";
pub const ALICE: &str = "alice@acme.example";

macro_rules! pinned_key {
    ($fn:ident, $name:literal) => {
        pub fn $fn() -> &'static SigningKey {
            static KEY: OnceLock<SigningKey> = OnceLock::new();
            KEY.get_or_init(|| {
                SigningKey::from_pem(
                    $name,
                    include_str!(concat!("../../../../fixtures/keys/", $name, ".key.pem")),
                    include_str!(concat!("../../../../fixtures/keys/", $name, ".crt.pem")),
                )
                .expect("pinned fixture key")
            })
        }
    };
}
pinned_key!(okta1, "okta-1");
pinned_key!(okta2, "okta-2");
pinned_key!(attacker, "attacker");

pub fn now() -> DateTime<Utc> {
    snapshot_epoch()
}

/// Acme's SP trusting okta-1.
pub fn cfg() -> SamlSpConfig {
    SamlSpConfig::from_parts(SP, ACS, IDP, SSO, &[okta1().cert_pem().to_string()])
        .expect("valid config")
}

pub fn cfg_unsolicited() -> SamlSpConfig {
    SamlSpConfig {
        allow_idp_initiated: true,
        ..cfg()
    }
}

/// A valid response to `REQ` for Alice, Okta-shaped.
pub fn spec() -> ResponseSpec {
    let t = now();
    ResponseSpec {
        style: XmlStyle::default(),
        id: RESPONSE_ID.into(),
        issue_instant: t,
        destination: Some(ACS.into()),
        in_response_to: Some(REQ.into()),
        issuer: IssuerSpec {
            value: IDP.into(),
            format: Some(uri::NAMEID_ENTITY.into()),
        },
        status: StatusSpec::success(),
        assertion: Some(AssertionSpec {
            id: ASSERTION_ID.into(),
            name_id: NameIdSpec {
                value: ALICE.into(),
                format: Some(uri::NAMEID_EMAIL.into()),
                name_qualifier: None,
                sp_name_qualifier: None,
            },
            subject_confirmation: Some(SubjectConfirmationSpec {
                method: uri::CM_BEARER.into(),
                recipient: Some(ACS.into()),
                not_on_or_after: Some(t + Duration::minutes(5)),
                in_response_to: Some(REQ.into()),
            }),
            conditions: Some(ConditionsSpec {
                not_before: Some(t - Duration::minutes(5)),
                not_on_or_after: Some(t + Duration::minutes(5)),
                audiences: vec![SP.into()],
            }),
            authn_statement: Some(AuthnStatementSpec {
                authn_instant: t,
                session_index: Some("_sess1".into()),
                session_not_on_or_after: None,
                class_ref: uri::AC_PASSWORD_PROTECTED_TRANSPORT.into(),
            }),
            attributes: vec![
                AttributeSpec {
                    name: "email".into(),
                    name_format: Some(uri::ATTRNAME_BASIC.into()),
                    friendly_name: None,
                    values: vec![ALICE.into()],
                },
                AttributeSpec {
                    name: "groups".into(),
                    name_format: Some(uri::ATTRNAME_BASIC.into()),
                    friendly_name: None,
                    values: vec!["Engineering".into(), "R&D <all>".into()],
                },
            ],
        }),
    }
}

/// `spec()` changed by `f`.
pub fn spec_with(f: impl FnOnce(&mut ResponseSpec)) -> ResponseSpec {
    let mut s = spec();
    f(&mut s);
    s
}

/// The assertion part of a spec.
pub fn a(s: &mut ResponseSpec) -> &mut AssertionSpec {
    s.assertion.as_mut().expect("spec has an assertion")
}

/// Unsolicited: no InResponseTo anywhere.
pub fn unsolicited(s: &mut ResponseSpec) {
    s.in_response_to = None;
    if let Some(sc) = a(s).subject_confirmation.as_mut() {
        sc.in_response_to = None;
    }
}

pub fn opts(placement: SignaturePlacement) -> SignOptions {
    SignOptions {
        placement,
        ..SignOptions::default()
    }
}

pub fn sign(s: &ResponseSpec, placement: SignaturePlacement) -> Element {
    sign_by(s, opts(placement), okta1())
}

pub fn sign_by(s: &ResponseSpec, o: SignOptions, key: &SigningKey) -> Element {
    build_response(s, &o, key).expect("builds")
}

/// The valid response, assertion signed (Entra's and Google's default).
pub fn valid() -> Element {
    sign(&spec(), SignaturePlacement::Assertion)
}

/// The form value for a tree.
pub fn post(el: &Element) -> String {
    b64_encode(el.to_document())
}

/// Replay cache and outstanding requests in memory.
#[derive(Default)]
pub struct MemState {
    outstanding: Mutex<HashSet<String>>,
    pub seen: Mutex<HashMap<String, DateTime<Utc>>>,
}

impl MemState {
    pub fn expecting(ids: &[&str]) -> Self {
        let s = Self::default();
        s.outstanding
            .lock()
            .expect("unpoisoned")
            .extend(ids.iter().map(|i| i.to_string()));
        s
    }
}

impl SamlSpState for MemState {
    type Error = std::convert::Infallible;

    fn consume_request(&self, request_id: &str) -> Result<Option<OutstandingRequest>, Self::Error> {
        Ok(self
            .outstanding
            .lock()
            .expect("unpoisoned")
            .remove(request_id)
            .then(OutstandingRequest::default))
    }

    fn record_assertion(
        &self,
        assertion_id: &str,
        expires: DateTime<Utc>,
    ) -> Result<bool, Self::Error> {
        let mut seen = self.seen.lock().expect("unpoisoned");
        if seen.contains_key(assertion_id) {
            return Ok(false);
        }
        seen.insert(assertion_id.to_string(), expires);
        Ok(true)
    }
}

/// Validate with Acme's config, `REQ` outstanding, no flaws.
pub fn check(el: &Element) -> Result<AcceptedAssertion, SamlRejection> {
    check_with(&cfg(), el, &Flaws::none())
}

pub fn check_with(
    cfg: &SamlSpConfig,
    el: &Element,
    flaws: &Flaws,
) -> Result<AcceptedAssertion, SamlRejection> {
    validate_response(cfg, &post(el), &MemState::expecting(&[REQ]), flaws, now())
}

/// Validate raw document text.
pub fn check_text(xml: &str) -> Result<AcceptedAssertion, SamlRejection> {
    validate_response(
        &cfg(),
        &b64_encode(xml),
        &MemState::expecting(&[REQ]),
        &Flaws::none(),
        now(),
    )
}

/// `Err(pattern)` or a panic naming what came instead.
macro_rules! assert_rejected {
    ($res:expr, $pat:pat $(if $guard:expr)?) => {
        match $res {
            Err($pat) $(if $guard)? => {}
            other => panic!("expected {}, got {:?}", stringify!($pat), other),
        }
    };
}
pub(crate) use assert_rejected;

// ---- tree surgery ----

pub fn assertion_index(r: &Element) -> usize {
    r.child_index("Assertion")
        .expect("response has an assertion")
}

pub fn assertion_mut(r: &mut Element) -> &mut Element {
    r.child_named_mut("Assertion")
        .expect("response has an assertion")
}

pub fn take_assertion(r: &mut Element) -> Element {
    match r.children.remove(assertion_index(r)) {
        Node::Element(e) => e,
        _ => unreachable!("child_index finds elements"),
    }
}

pub fn strip_signature(el: &mut Element) {
    el.children
        .retain(|n| !matches!(n, Node::Element(e) if e.name == "Signature"));
}

pub fn name_id_mut(assertion: &mut Element) -> &mut Element {
    assertion
        .child_named_mut("Subject")
        .and_then(|s| s.child_named_mut("NameID"))
        .expect("assertion has a NameID")
}

/// An unsigned copy of `assertion` under a new ID, for `name`.
pub fn evil_clone(assertion: &Element, id: &str, name: &str) -> Element {
    let mut e = assertion.clone();
    strip_signature(&mut e);
    e.set_attr("ID", id);
    name_id_mut(&mut e).set_text(name);
    e
}

/// Sign a hand-edited response with okta-1 (response placement), so that only the rule under
/// test is at stake.
pub fn sign_root(r: &mut Element) {
    let params = protocols::saml::dsig::SignatureParams {
        algorithm: protocols::saml::SignatureAlgorithm::RsaSha256,
        digest: protocols::saml::DigestAlgorithm::Sha256,
        inclusive_prefixes: None,
        key_info: true,
    };
    protocols::saml::dsig::sign_enveloped(r, &[], &params, okta1()).expect("signs");
}

/// The SP's decryption key (generated once per test run: nothing is pinned on ciphertext).
pub fn sp_enc_key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| {
        SigningKey::generate(
            protocols::KeyKind::Rsa,
            "sp-enc",
            "acme-sp-encryption",
            protocols::keys::Validity::current(now(), 1),
        )
        .expect("key")
    })
}

/// Acme's SP with its decryption key.
pub fn cfg_enc() -> SamlSpConfig {
    let k = sp_enc_key();
    SamlSpConfig {
        decryption_key: Some(DecryptionKey::from_pem(k.key_pem(), k.cert_pem()).expect("key")),
        ..cfg()
    }
}

/// Encrypt every Assertion child of `r` to `key`'s certificate.
pub fn encrypt_to(r: &mut Element, key: &SigningKey, s: &protocols::saml::EncryptionSettings) {
    let cert = openssl::x509::X509::from_der(key.cert_der()).expect("cert");
    protocols::saml::encrypt_assertions(r, &cert, s).expect("encrypts");
}

/// Insert `child` into `parent.children` at `index`.
pub fn insert(parent: &mut Element, index: usize, child: Element) {
    parent.children.insert(index, Node::Element(child));
}

#[test]
fn rejection_codes_are_unique_kebab_case() {
    let t = now();
    let all = [
        SamlRejection::TooLarge { limit: 1 },
        SamlRejection::NotBase64,
        SamlRejection::NotUtf8,
        SamlRejection::DoctypeForbidden,
        SamlRejection::EntityForbidden,
        SamlRejection::TooDeep { limit: 1 },
        SamlRejection::MalformedXml {
            message: "m".into(),
        },
        SamlRejection::NotAResponse { found: "x".into() },
        SamlRejection::DuplicateId { id: "x".into() },
        SamlRejection::MissingElement { element: "Status" },
        SamlRejection::StatusNotSuccess {
            code: "c".into(),
            second_level: Some("s".into()),
            message: Some("m".into()),
        },
        SamlRejection::EncryptedAssertionUnsupported,
        SamlRejection::EncryptedAssertionMisplaced,
        SamlRejection::EncryptionAlgorithmUnsupported { uri: "u".into() },
        SamlRejection::Undecryptable {
            message: "m".into(),
        },
        SamlRejection::NoAssertion,
        SamlRejection::MultipleAssertions { found: 2 },
        SamlRejection::AssertionMisplaced,
        SamlRejection::MissingAssertionId,
        SamlRejection::Unsigned,
        SamlRejection::AssertionNotSigned {
            assertion_id: "a".into(),
            covered: vec![],
        },
        SamlRejection::SignatureInvalid {
            message: "m".into(),
        },
        SamlRejection::UntrustedSigner {
            subject: "s".into(),
        },
        SamlRejection::UnsupportedAlgorithm { uri: "u".into() },
        SamlRejection::IssuerMismatch {
            element: "Assertion",
            expected: "e".into(),
            found: None,
        },
        SamlRejection::AudienceMismatch {
            expected: "e".into(),
            found: vec![],
        },
        SamlRejection::DestinationMismatch {
            expected: "e".into(),
            found: "f".into(),
        },
        SamlRejection::NoBearerConfirmation,
        SamlRejection::RecipientMismatch {
            expected: "e".into(),
            found: None,
        },
        SamlRejection::MissingNameId,
        SamlRejection::InvalidTimestamp {
            attribute: "NotBefore",
            value: "v".into(),
        },
        SamlRejection::NotYetValid {
            not_before: t,
            now: t,
        },
        SamlRejection::Expired {
            not_on_or_after: t,
            now: t,
        },
        SamlRejection::MissingConfirmationExpiry,
        SamlRejection::ConfirmationExpired {
            not_on_or_after: t,
            now: t,
        },
        SamlRejection::InResponseToMismatch {
            response: "r".into(),
            assertion: "a".into(),
        },
        SamlRejection::UnknownInResponseTo {
            in_response_to: "r".into(),
        },
        SamlRejection::UnsolicitedNotAllowed,
        SamlRejection::Replayed {
            assertion_id: "a".into(),
        },
    ];
    let codes: HashSet<&str> = all.iter().map(|r| r.code()).collect();
    assert_eq!(codes.len(), all.len(), "codes are unique");
    for r in &all {
        let c = r.code();
        assert!(
            c.chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
                && !c.starts_with('-'),
            "{c}"
        );
        assert!(!r.to_string().is_empty());
    }
    assert_eq!(
        all[10].to_string(),
        "the IdP answered c / s: m",
        "status rejection carries the codes and message"
    );
}
