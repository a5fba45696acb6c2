//! `validate_response`: the order of the rules, and the one place an [`AcceptedAssertion`] is
//! made.
//!
//! Order: transport and XML hygiene (size, DTD, depth, parse, unique ids), status, exactly one
//! decryption of an EncryptedAssertion (saml_sp::decrypt), exactly one
//! assertion, the signature (after which only signed content is read), issuer, audience,
//! destination and recipient, time, solicitation, then the two side effects: the replay cache
//! (first, so a replayed solicited response reports the replay) and consuming the request.

use super::accepted::{AcceptedAssertion, Content, Proofs};
use super::checks::{
    self, AudienceChecked, DestinationChecked, IssuerChecked, RecipientChecked, Solicitation,
    TimeChecked,
};
use super::config::SamlSpConfig;
use super::decrypt;
use super::error::{AcceptError, SamlRejection};
use super::signature::{self, SignatureVerified};
use super::view::{self, full_text, Scoped};
use super::SamlSpState;
use crate::flaws::{Flaw, Flaws};
use chrono::{DateTime, Utc};
use protocols::saml::response::uri;
use protocols::xml::{self, ns, Element, XmlError};
use std::collections::BTreeMap;
use std::convert::Infallible;

/// The largest decoded SAMLResponse accepted (real ones are a few KiB).
pub const MAX_RESPONSE_BYTES: usize = 512 * 1024;

/// How long an assertion ID stays in the replay cache when it carries no expiry at all (only
/// reachable with [`Flaw::SkipTimeChecks`], since the bearer NotOnOrAfter is otherwise required).
const REPLAY_FALLBACK: chrono::Duration = chrono::Duration::days(1);

/// Validate a posted `SAMLResponse` form value. Pure except for `state`; time is `now`.
/// [`check_response`] then [`CheckedResponse::accept`], for a state that cannot fail (in
/// memory); an SP whose store can fail calls those two itself and gets [`AcceptError`].
pub fn validate_response<S: SamlSpState<Error = Infallible> + ?Sized>(
    cfg: &SamlSpConfig,
    saml_response_b64: &str,
    state: &S,
    flaws: &Flaws,
    now: DateTime<Utc>,
) -> Result<AcceptedAssertion, SamlRejection> {
    check_response(cfg, saml_response_b64, flaws, now)?
        .accept(state, flaws)
        .map_err(|e| match e {
            AcceptError::Rejected(r) => r,
            AcceptError::State(never) => match never {},
        })
}

/// A response that passed every rule that needs no state (everything but the replay cache and
/// the outstanding request): what [`check_response`] hands to [`CheckedResponse::accept`].
#[derive(Debug)]
pub struct CheckedResponse {
    signature: SignatureVerified,
    issuer: IssuerChecked,
    audience: AudienceChecked,
    destination: DestinationChecked,
    recipient: RecipientChecked,
    time: TimeChecked,
    solicitation: Solicitation,
    /// Until when the assertion ID stays in the replay cache.
    expires: DateTime<Utc>,
    content: Content,
}

impl CheckedResponse {
    /// The two side effects, in this order: the replay cache (first, so a replayed solicited
    /// response reports the replay), then consuming the request it answers. Only this makes an
    /// [`AcceptedAssertion`]; it carries the consumed request
    /// ([`AcceptedAssertion::answered_request`]). A failing `state` stops here with
    /// [`AcceptError::State`].
    pub fn accept<S: SamlSpState + ?Sized>(
        self,
        state: &S,
        flaws: &Flaws,
    ) -> Result<AcceptedAssertion, AcceptError<S::Error>> {
        let assertion_id = &self.content.assertion_id;
        let not_replayed = checks::check_replay(state, assertion_id, self.expires, flaws)?;
        let (request, answered) = checks::check_in_response_to(state, &self.solicitation, flaws)?;
        Ok(AcceptedAssertion::new(
            Proofs {
                signature: self.signature,
                issuer: self.issuer,
                audience: self.audience,
                destination: self.destination,
                recipient: self.recipient,
                time: self.time,
                not_replayed,
                request,
            },
            self.content,
            answered,
        ))
    }
}

/// Every rule of [`validate_response`] that reads no state, signature included: a function of
/// (config, posted value, flaws, now), so an SP can run it before it opens a transaction.
pub fn check_response(
    cfg: &SamlSpConfig,
    saml_response_b64: &str,
    flaws: &Flaws,
    now: DateTime<Utc>,
) -> Result<CheckedResponse, SamlRejection> {
    let xml_text = decode(saml_response_b64)?;
    let mut root = parse(&xml_text)?;
    // Decrypt before anything reads the assertion; the decrypted one is validated exactly as a
    // plain one (its own signature included).
    let as_received = decrypt::open(&mut root, cfg.decryption_key.as_ref(), parse)?;
    let root = root;
    let response = Scoped::root(&root);
    if !response.is(ns::SAMLP, "Response") {
        return Err(SamlRejection::NotAResponse {
            found: root.qname(),
        });
    }
    if let Some(id) = view::duplicate_id(&root) {
        return Err(SamlRejection::DuplicateId { id });
    }
    check_status(&response)?;
    let assertion_id = locate_assertion(&root, &response)?;

    let signed = match &as_received {
        None => signature::verify(cfg, &root, &assertion_id, flaws)?,
        Some(received) => {
            let with_flaw;
            let sig_flaws = if flaws.danger(Flaw::AcceptUnsignedEncrypted) {
                with_flaw = flaws.clone().with(Flaw::AcceptUnsigned);
                &with_flaw
            } else {
                flaws
            };
            signature::verify_decrypted(cfg, received, &root, &assertion_id, sig_flaws)?
        }
    };
    let assertion = signed.scoped();
    let issuer = checks::check_issuer(cfg, &response, &assertion, flaws)?;
    let audience = checks::check_audience(cfg, &assertion, flaws)?;
    let destination = checks::check_destination(cfg, &response, flaws)?;
    let (recipient, bearer) = checks::check_recipient(cfg, &assertion, flaws)?;
    let (time, accept_until) = checks::check_time(cfg, &assertion, &bearer, flaws, now)?;
    let solicitation = checks::solicitation(cfg, &response, &bearer)?;

    // With the comment-truncation flaw the SP reads the assertion as received (comments and
    // all) and stops at the first comment; otherwise it reads the signed content in full.
    let received_scope;
    let source = if flaws.danger(Flaw::NameIdCommentTruncation) {
        let (el, inherited) = received(&root, &assertion_id)?;
        received_scope = inherited;
        Scoped::with_inherited(el, &received_scope)
    } else {
        assertion.clone()
    };
    let text: fn(&Element) -> String = if flaws.danger(Flaw::NameIdCommentTruncation) {
        view::danger_text_before_first_comment
    } else {
        full_text
    };
    let subject = source
        .saml("Subject")
        .ok_or(SamlRejection::MissingElement { element: "Subject" })?;
    let name_id_el = subject.saml("NameID").ok_or(SamlRejection::MissingNameId)?;
    let name_id = text(name_id_el.el);
    if name_id.is_empty() {
        return Err(SamlRejection::MissingNameId);
    }
    let mut attributes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for statement in source.children_named(ns::SAML, "AttributeStatement") {
        for a in statement.children_named(ns::SAML, "Attribute") {
            let Some(name) = a.attr("Name") else { continue };
            attributes.entry(name.to_string()).or_default().extend(
                a.children_named(ns::SAML, "AttributeValue")
                    .map(|v| text(v.el)),
            );
        }
    }
    let content = Content {
        name_id,
        name_id_format: name_id_el.attr("Format").map(str::to_string),
        attributes,
        issuer: source
            .saml("Issuer")
            .map(|i| full_text(i.el).into())
            .unwrap_or_default(),
        assertion_id: assertion_id.clone(),
        session_index: source
            .saml("AuthnStatement")
            .and_then(|s| s.attr("SessionIndex"))
            .map(str::to_string),
        in_response_to: solicitation.in_response_to().map(str::to_string),
        response_signed: signed.response_signed,
        assertion_signed: signed.assertion_signed,
        signature_algorithms: signed.signature_algorithms.clone(),
        digest_algorithms: signed.digest_algorithms.clone(),
    };

    Ok(CheckedResponse {
        signature: signed.proof,
        issuer,
        audience,
        destination,
        recipient,
        time,
        solicitation,
        expires: accept_until.unwrap_or(now + REPLAY_FALLBACK),
        content,
    })
}

/// Base64 to UTF-8, refusing oversize input before decoding it.
fn decode(b64: &str) -> Result<String, SamlRejection> {
    let too_large = SamlRejection::TooLarge {
        limit: MAX_RESPONSE_BYTES,
    };
    // Base64 is 4 characters per 3 bytes; twice the limit leaves room for line breaks.
    if b64.len() > MAX_RESPONSE_BYTES * 2 {
        return Err(too_large);
    }
    let bytes =
        protocols::saml::b64_decode("SAMLResponse", b64).map_err(|_| SamlRejection::NotBase64)?;
    if bytes.len() > MAX_RESPONSE_BYTES {
        return Err(too_large);
    }
    String::from_utf8(bytes).map_err(|_| SamlRejection::NotUtf8)
}

/// DTD refusal first (a byte scan: no parser ever sees an entity), then the depth guard, then
/// the tree.
pub(super) fn parse(xml_text: &str) -> Result<Element, SamlRejection> {
    let map = |e: XmlError| match e {
        XmlError::Doctype => SamlRejection::DoctypeForbidden,
        XmlError::Entity => SamlRejection::EntityForbidden,
        other => SamlRejection::MalformedXml {
            message: other.to_string(),
        },
    };
    if let Some(e) = xml::has_dtd(xml_text.as_bytes()) {
        return Err(map(e));
    }
    if !view::depth_within(xml_text.as_bytes(), view::MAX_DEPTH) {
        return Err(SamlRejection::TooDeep {
            limit: view::MAX_DEPTH,
        });
    }
    xml::parse(xml_text).map_err(map)
}

fn check_status(response: &Scoped<'_>) -> Result<(), SamlRejection> {
    let status = response
        .samlp("Status")
        .ok_or(SamlRejection::MissingElement { element: "Status" })?;
    let code = status.samlp("StatusCode");
    let value = code.as_ref().and_then(|c| c.attr("Value")).unwrap_or("");
    if value == uri::STATUS_SUCCESS {
        return Ok(());
    }
    Err(SamlRejection::StatusNotSuccess {
        code: value.to_string(),
        second_level: code
            .as_ref()
            .and_then(|c| c.samlp("StatusCode"))
            .and_then(|c| c.attr("Value"))
            .map(str::to_string),
        message: status.samlp("StatusMessage").map(|m| full_text(m.el)),
    })
}

/// Exactly one Assertion element in the whole document (whatever its namespace, wherever it
/// hides: Extensions, ds:Object, inside another assertion), and it is a `saml:Assertion` child of
/// the Response with an ID. Wrapping attacks need a second assertion, so most die here; the
/// signature stage checks coverage by ID regardless.
pub(super) fn locate_assertion(
    root: &Element,
    response: &Scoped<'_>,
) -> Result<String, SamlRejection> {
    // Whatever decrypt::open left encrypted is not where an assertion may be.
    if !root.find_all("EncryptedAssertion").is_empty() {
        return Err(SamlRejection::EncryptedAssertionMisplaced);
    }
    match root.find_all("Assertion").len() {
        0 => return Err(SamlRejection::NoAssertion),
        1 => {}
        found => return Err(SamlRejection::MultipleAssertions { found }),
    }
    let assertion = response
        .child(ns::SAML, "Assertion")
        .ok_or(SamlRejection::AssertionMisplaced)?;
    assertion
        .attr("ID")
        .map(str::to_string)
        .ok_or(SamlRejection::MissingAssertionId)
}

/// The assertion as received, with its ancestors' namespaces.
fn received<'a>(
    root: &'a Element,
    id: &str,
) -> Result<(&'a Element, Vec<protocols::xml::NsDecl>), SamlRejection> {
    let path = root
        .path_to_id(id)
        .ok_or(SamlRejection::MissingAssertionId)?;
    let el = root
        .at_path(&path)
        .ok_or(SamlRejection::MissingAssertionId)?;
    let inherited = match path.split_last() {
        Some((_, parent)) => root.scope_at(parent).unwrap_or_default(),
        None => Vec::new(),
    };
    Ok((el, inherited))
}
