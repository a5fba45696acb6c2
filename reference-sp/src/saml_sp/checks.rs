//! The rules after the signature: issuer, audience, destination and recipient, time, request
//! binding and replay. Each returns a zero-size proof that only it can make; a deliberate flaw
//! makes its one check hand out the proof without looking.

use super::config::SamlSpConfig;
use super::error::{AcceptError, SamlRejection};
use super::view::{full_text, Scoped};
use super::{OutstandingRequest, SamlSpState};
use crate::flaws::{Flaw, Flaws};
use chrono::{DateTime, Utc};
use protocols::saml::response::uri;
use protocols::xml::ns;

macro_rules! proof {
    ($($(#[$m:meta])* $name:ident;)*) => {$(
        $(#[$m])*
        #[derive(Debug)]
        pub(super) struct $name {
            _private: (),
        }
        impl $name {
            fn made() -> Self {
                Self { _private: () }
            }
        }
    )*};
}

proof! {
    /// The Response (when it names one) and the Assertion name the configured IdP exactly.
    IssuerChecked;
    /// Every AudienceRestriction names this SP exactly.
    AudienceChecked;
    /// The Response's Destination, when present, is exactly our ACS URL.
    DestinationChecked;
    /// A bearer SubjectConfirmation names exactly our ACS URL as Recipient.
    RecipientChecked;
    /// Conditions and the bearer confirmation are current, within the skew.
    TimeChecked;
    /// The assertion ID had not been seen, and is now recorded.
    NotReplayed;
    /// The response answers a request this SP has outstanding (now consumed), or is unsolicited
    /// where that is allowed.
    RequestMatched;
}

/// The bearer SubjectConfirmationData that passed the recipient check.
#[derive(Debug, Default)]
pub(super) struct Bearer {
    pub in_response_to: Option<String>,
    pub not_on_or_after: Option<String>,
}

pub(super) fn check_issuer(
    cfg: &SamlSpConfig,
    response: &Scoped<'_>,
    assertion: &Scoped<'_>,
    flaws: &Flaws,
) -> Result<IssuerChecked, SamlRejection> {
    if flaws.danger(Flaw::SkipIssuerCheck) {
        return Ok(IssuerChecked::made());
    }
    let mismatch = |element: &'static str, found: Option<String>| SamlRejection::IssuerMismatch {
        element,
        expected: cfg.idp_entity_id.clone(),
        found,
    };
    // The Response's Issuer is optional (SAML core 3.2.2); when present it must match too.
    if let Some(i) = response.saml("Issuer") {
        let found = full_text(i.el);
        if found != cfg.idp_entity_id {
            return Err(mismatch("Response", Some(found)));
        }
    }
    match assertion.saml("Issuer").map(|i| full_text(i.el)) {
        Some(found) if found == cfg.idp_entity_id => Ok(IssuerChecked::made()),
        found => Err(mismatch("Assertion", found)),
    }
}

pub(super) fn check_audience(
    cfg: &SamlSpConfig,
    assertion: &Scoped<'_>,
    flaws: &Flaws,
) -> Result<AudienceChecked, SamlRejection> {
    if flaws.danger(Flaw::SkipAudienceCheck) {
        return Ok(AudienceChecked::made());
    }
    let restrictions: Vec<Vec<String>> = assertion
        .saml("Conditions")
        .map(|c| {
            c.children_named(ns::SAML, "AudienceRestriction")
                .map(|r| {
                    r.children_named(ns::SAML, "Audience")
                        .map(|a| full_text(a.el))
                        .collect()
                })
                .collect()
        })
        .unwrap_or_default();
    // Conditions are a conjunction: each restriction must include us. The Web SSO profile
    // requires at least one.
    let ok = !restrictions.is_empty() && restrictions.iter().all(|r| r.contains(&cfg.sp_entity_id));
    if ok {
        Ok(AudienceChecked::made())
    } else {
        Err(SamlRejection::AudienceMismatch {
            expected: cfg.sp_entity_id.clone(),
            found: restrictions.into_iter().flatten().collect(),
        })
    }
}

/// Exact equality, or with [`Flaw::DestinationPrefixMatch`] the prefix match a popular SP
/// library once shipped.
fn url_matches(acs: &str, found: &str, flaws: &Flaws) -> bool {
    found == acs || flaws.danger(Flaw::DestinationPrefixMatch) && found.starts_with(acs)
}

pub(super) fn check_destination(
    cfg: &SamlSpConfig,
    response: &Scoped<'_>,
    flaws: &Flaws,
) -> Result<DestinationChecked, SamlRejection> {
    match response.attr("Destination") {
        Some(found) if !url_matches(&cfg.acs_url, found, flaws) => {
            Err(SamlRejection::DestinationMismatch {
                expected: cfg.acs_url.clone(),
                found: found.to_string(),
            })
        }
        _ => Ok(DestinationChecked::made()),
    }
}

/// Find a bearer SubjectConfirmation whose Recipient is our ACS URL.
pub(super) fn check_recipient(
    cfg: &SamlSpConfig,
    assertion: &Scoped<'_>,
    flaws: &Flaws,
) -> Result<(RecipientChecked, Bearer), SamlRejection> {
    let subject = assertion
        .saml("Subject")
        .ok_or(SamlRejection::MissingElement { element: "Subject" })?;
    let mut first_error = None;
    for sc in subject.children_named(ns::SAML, "SubjectConfirmation") {
        if sc.attr("Method") != Some(uri::CM_BEARER) {
            continue;
        }
        let data = sc.saml("SubjectConfirmationData");
        let recipient = data.as_ref().and_then(|d| d.attr("Recipient"));
        match recipient {
            Some(r) if url_matches(&cfg.acs_url, r, flaws) => {
                let data = data.as_ref();
                return Ok((
                    RecipientChecked::made(),
                    Bearer {
                        in_response_to: data
                            .and_then(|d| d.attr("InResponseTo"))
                            .map(str::to_string),
                        not_on_or_after: data
                            .and_then(|d| d.attr("NotOnOrAfter"))
                            .map(str::to_string),
                    },
                ));
            }
            found => {
                first_error.get_or_insert(SamlRejection::RecipientMismatch {
                    expected: cfg.acs_url.clone(),
                    found: found.map(str::to_string),
                });
            }
        }
    }
    Err(first_error.unwrap_or(SamlRejection::NoBearerConfirmation))
}

pub(super) fn parse_instant(
    attribute: &'static str,
    value: &str,
) -> Result<DateTime<Utc>, SamlRejection> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| SamlRejection::InvalidTimestamp {
            attribute,
            value: value.to_string(),
        })
}

fn optional_instant(
    el: Option<&Scoped<'_>>,
    attribute: &'static str,
) -> Result<Option<DateTime<Utc>>, SamlRejection> {
    el.and_then(|e| e.attr(attribute))
        .map(|v| parse_instant(attribute, v))
        .transpose()
}

/// Conditions NotBefore/NotOnOrAfter and the bearer NotOnOrAfter (required by the Web SSO
/// profile), each with `cfg.max_skew` of slack. Returns the latest instant the assertion could
/// still be accepted, for the replay cache.
pub(super) fn check_time(
    cfg: &SamlSpConfig,
    assertion: &Scoped<'_>,
    bearer: &Bearer,
    flaws: &Flaws,
    now: DateTime<Utc>,
) -> Result<(TimeChecked, Option<DateTime<Utc>>), SamlRejection> {
    let conditions = assertion.saml("Conditions");
    let not_before = optional_instant(conditions.as_ref(), "NotBefore")?;
    let not_on_or_after = optional_instant(conditions.as_ref(), "NotOnOrAfter")?;
    let bearer_expiry = bearer
        .not_on_or_after
        .as_deref()
        .map(|v| parse_instant("NotOnOrAfter", v))
        .transpose()?;
    let accept_until = [not_on_or_after, bearer_expiry]
        .into_iter()
        .flatten()
        .min()
        .map(|t| t + cfg.max_skew);
    if flaws.danger(Flaw::SkipTimeChecks) {
        return Ok((TimeChecked::made(), accept_until));
    }

    let skew = cfg.max_skew;
    if let Some(nb) = not_before {
        if now + skew < nb {
            return Err(SamlRejection::NotYetValid {
                not_before: nb,
                now,
            });
        }
    }
    if let Some(noa) = not_on_or_after {
        if now - skew >= noa {
            return Err(SamlRejection::Expired {
                not_on_or_after: noa,
                now,
            });
        }
    }
    match bearer_expiry {
        None => Err(SamlRejection::MissingConfirmationExpiry),
        Some(noa) if now - skew >= noa => Err(SamlRejection::ConfirmationExpired {
            not_on_or_after: noa,
            now,
        }),
        Some(_) => Ok((TimeChecked::made(), accept_until)),
    }
}

/// What a response answers, once the unsolicited case has been allowed or refused. Only
/// [`solicitation`] makes one.
#[derive(Debug)]
pub(super) struct Solicitation {
    in_response_to: Option<String>,
}

impl Solicitation {
    pub fn in_response_to(&self) -> Option<&str> {
        self.in_response_to.as_deref()
    }
}

/// What the response claims to answer: the signed bearer confirmation's InResponseTo, else the
/// Response's. Pure: nothing is consumed yet.
pub(super) fn solicitation(
    cfg: &SamlSpConfig,
    response: &Scoped<'_>,
    bearer: &Bearer,
) -> Result<Solicitation, SamlRejection> {
    let on_response = response.attr("InResponseTo");
    let on_assertion = bearer.in_response_to.as_deref();
    if let (Some(r), Some(a)) = (on_response, on_assertion) {
        if r != a {
            return Err(SamlRejection::InResponseToMismatch {
                response: r.to_string(),
                assertion: a.to_string(),
            });
        }
    }
    match on_assertion.or(on_response) {
        None if !cfg.allow_idp_initiated => Err(SamlRejection::UnsolicitedNotAllowed),
        irt => Ok(Solicitation {
            in_response_to: irt.map(str::to_string),
        }),
    }
}

/// Record the assertion ID until `expires`; a second sighting is a replay.
pub(super) fn check_replay<S: SamlSpState + ?Sized>(
    state: &S,
    assertion_id: &str,
    expires: DateTime<Utc>,
    flaws: &Flaws,
) -> Result<NotReplayed, AcceptError<S::Error>> {
    if flaws.danger(Flaw::NoReplayCache)
        || state
            .record_assertion(assertion_id, expires)
            .map_err(AcceptError::State)?
    {
        Ok(NotReplayed::made())
    } else {
        Err(AcceptError::Rejected(SamlRejection::Replayed {
            assertion_id: assertion_id.to_string(),
        }))
    }
}

/// Consume the outstanding request the response answers (if it answers one); the request comes
/// back when one was consumed.
pub(super) fn check_in_response_to<S: SamlSpState + ?Sized>(
    state: &S,
    solicitation: &Solicitation,
    flaws: &Flaws,
) -> Result<(RequestMatched, Option<OutstandingRequest>), AcceptError<S::Error>> {
    match solicitation.in_response_to() {
        None => Ok((RequestMatched::made(), None)),
        Some(_) if flaws.danger(Flaw::IgnoreInResponseTo) => Ok((RequestMatched::made(), None)),
        Some(id) => match state.consume_request(id).map_err(AcceptError::State)? {
            Some(request) => Ok((RequestMatched::made(), Some(request))),
            None => Err(AcceptError::Rejected(SamlRejection::UnknownInResponseTo {
                in_response_to: id.to_string(),
            })),
        },
    }
}
