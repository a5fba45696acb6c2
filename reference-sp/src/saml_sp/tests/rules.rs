//! Issuer, audience, destination, recipient, time, InResponseTo and replay.

use super::*;

fn signed(f: impl FnOnce(&mut ResponseSpec)) -> Element {
    sign(&spec_with(f), SignaturePlacement::Assertion)
}

// ---- issuer (SAML-ISS-1, SAML-AUD-2) ----

#[test]
fn issuer_of_another_idp_or_with_our_prefix_is_refused() {
    for other in ["http://www.okta.com/exkother", &format!("{IDP}x"), ""] {
        let r = signed(|s| s.issuer.value = other.to_string());
        assert_rejected!(
            check(&r),
            SamlRejection::IssuerMismatch { element: "Response", ref found, .. } if found.as_deref() == Some(other)
        );
    }
    // The (unsigned) Response Issuer fixed up to ours: the signed Assertion Issuer still tells.
    let mut r = signed(|s| s.issuer.value = format!("{IDP}x"));
    r.child_named_mut("Issuer").unwrap().set_text(IDP);
    assert_rejected!(
        check(&r),
        SamlRejection::IssuerMismatch {
            element: "Assertion",
            ..
        }
    );
}

// ---- audience (SAML-AUD-1, SAML-AUD-2) ----

#[test]
fn audience_of_another_sp_or_with_our_prefix_is_refused() {
    for other in [
        vec!["https://other.example/saml".to_string()],
        vec![format!("{SP}-evil")],
        vec![],
    ] {
        let r = signed(|s| a(s).conditions.as_mut().unwrap().audiences = other.clone());
        assert_rejected!(
            check(&r),
            SamlRejection::AudienceMismatch { ref expected, ref found } if expected == SP && *found == other
        );
    }
    // No Conditions at all: no audience restriction.
    assert_rejected!(
        check(&signed(|s| a(s).conditions = None)),
        SamlRejection::AudienceMismatch { .. }
    );
    // One of several audiences in a restriction is enough.
    let r = signed(|s| {
        a(s).conditions.as_mut().unwrap().audiences = vec!["https://other".into(), SP.into()]
    });
    assert!(check(&r).is_ok());
}

#[test]
fn every_audience_restriction_must_name_us() {
    let mut r = sign(&spec(), SignaturePlacement::None);
    let conditions = assertion_mut(&mut r).child_named_mut("Conditions").unwrap();
    conditions.children.push(Node::Element(
        Element::new("saml2", "AudienceRestriction")
            .child(Element::new("saml2", "Audience").text("https://other")),
    ));
    sign_root(&mut r);
    assert_rejected!(check(&r), SamlRejection::AudienceMismatch { ref found, .. } if found.len() == 2);
}

// ---- destination and recipient (SAML-DST-1/2, SAML-RCP-1/2) ----

#[test]
fn destination_other_or_prefixed_is_refused_and_absent_is_fine() {
    for other in [
        "https://other.example/acs".to_string(),
        format!("{ACS}-other"),
    ] {
        let r = sign(
            &spec_with(|s| s.destination = Some(other.clone())),
            SignaturePlacement::Both,
        );
        assert_rejected!(
            check(&r),
            SamlRejection::DestinationMismatch { ref found, .. } if *found == other
        );
    }
    assert!(check(&sign(
        &spec_with(|s| s.destination = None),
        SignaturePlacement::Both
    ))
    .is_ok());
}

#[test]
fn recipient_other_containing_ours_or_absent_is_refused() {
    for other in [
        Some("https://other.example/acs".to_string()),
        Some(format!("https://other/acs?next={ACS}")),
        Some(format!("{ACS}-other")),
        None,
    ] {
        let r = signed(|s| a(s).subject_confirmation.as_mut().unwrap().recipient = other.clone());
        assert_rejected!(
            check(&r),
            SamlRejection::RecipientMismatch { ref found, .. } if *found == other
        );
    }
}

#[test]
fn confirmation_method_must_be_bearer() {
    let r = signed(|s| {
        a(s).subject_confirmation.as_mut().unwrap().method =
            "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key".into()
    });
    assert_rejected!(check(&r), SamlRejection::NoBearerConfirmation);
    assert_rejected!(
        check(&signed(|s| a(s).subject_confirmation = None)),
        SamlRejection::NoBearerConfirmation
    );
}

// ---- time (SAML-EXP-1/2/3, SAML-SKEW-1) ----

fn secs(n: i64) -> Duration {
    Duration::seconds(n)
}

#[test]
fn conditions_not_on_or_after_within_skew_accepted_beyond_refused() {
    let at = |noa: DateTime<Utc>| {
        signed(|s| a(s).conditions.as_mut().unwrap().not_on_or_after = Some(noa))
    };
    assert!(check(&at(now() - secs(179))).is_ok());
    assert_rejected!(check(&at(now() - secs(180))), SamlRejection::Expired { .. });
    assert_rejected!(
        check(&at(now() - Duration::hours(1))),
        SamlRejection::Expired { .. }
    );
}

#[test]
fn not_before_within_skew_accepted_beyond_refused() {
    let at =
        |nb: DateTime<Utc>| signed(|s| a(s).conditions.as_mut().unwrap().not_before = Some(nb));
    assert!(check(&at(now() + secs(180))).is_ok());
    assert_rejected!(
        check(&at(now() + secs(181))),
        SamlRejection::NotYetValid { .. }
    );
}

#[test]
fn confirmation_not_on_or_after_within_skew_accepted_beyond_refused_absent_refused() {
    let at = |noa: Option<DateTime<Utc>>| {
        signed(|s| a(s).subject_confirmation.as_mut().unwrap().not_on_or_after = noa)
    };
    assert!(check(&at(Some(now() - secs(179)))).is_ok());
    assert_rejected!(
        check(&at(Some(now() - secs(180)))),
        SamlRejection::ConfirmationExpired { .. }
    );
    assert_rejected!(check(&at(None)), SamlRejection::MissingConfirmationExpiry);
}

#[test]
fn unparseable_timestamps_are_refused() {
    let mut r = sign(&spec(), SignaturePlacement::None);
    assertion_mut(&mut r)
        .child_named_mut("Conditions")
        .unwrap()
        .set_attr("NotOnOrAfter", "tomorrow");
    sign_root(&mut r);
    assert_rejected!(
        check(&r),
        SamlRejection::InvalidTimestamp {
            attribute: "NotOnOrAfter",
            ..
        }
    );
}

// ---- InResponseTo (SAML-IRT-1, SAML-IRT-2) ----

#[test]
fn in_response_to_a_request_never_sent_is_refused() {
    let r = signed(|s| {
        s.in_response_to = Some("_never_sent".into());
        a(s).subject_confirmation.as_mut().unwrap().in_response_to = Some("_never_sent".into());
    });
    assert_rejected!(
        check(&r),
        SamlRejection::UnknownInResponseTo { ref in_response_to } if in_response_to == "_never_sent"
    );
    // Only the Response says it (the assertion is silent): still checked.
    let r = signed(|s| {
        s.in_response_to = Some("_never_sent".into());
        a(s).subject_confirmation.as_mut().unwrap().in_response_to = None;
    });
    assert_rejected!(check(&r), SamlRejection::UnknownInResponseTo { .. });
}

#[test]
fn a_request_is_answered_once() {
    let state = MemState::expecting(&[REQ]);
    let first = sign(&spec(), SignaturePlacement::Assertion);
    let second = sign(
        &spec_with(|s| a(s).id = "_assert2".into()),
        SignaturePlacement::Assertion,
    );
    assert!(validate_response(&cfg(), &post(&first), &state, &Flaws::none(), now()).is_ok());
    assert_rejected!(
        validate_response(&cfg(), &post(&second), &state, &Flaws::none(), now()),
        SamlRejection::UnknownInResponseTo { .. }
    );
}

#[test]
fn response_and_assertion_must_answer_the_same_request() {
    let r = signed(|s| s.in_response_to = Some("_other".into()));
    assert_rejected!(
        check(&r),
        SamlRejection::InResponseToMismatch { ref response, ref assertion } if response == "_other" && assertion == REQ
    );
}

#[test]
fn unsolicited_response_is_refused_unless_allowed() {
    let r = signed(unsolicited);
    assert_rejected!(check(&r), SamlRejection::UnsolicitedNotAllowed);
    assert!(check_with(&cfg_unsolicited(), &r, &Flaws::none()).is_ok());
}

// ---- replay (SAML-RPL-1) ----

#[test]
fn replayed_assertion_is_refused_and_kept_until_its_expiry() {
    // Unsolicited, so only the replay cache stands in the way.
    let state = MemState::default();
    let r = post(&signed(unsolicited));
    let c = cfg_unsolicited();
    assert!(validate_response(&c, &r, &state, &Flaws::none(), now()).is_ok());
    assert_eq!(
        state.seen.lock().unwrap().get(ASSERTION_ID),
        Some(&(now() + Duration::minutes(5) + DEFAULT_MAX_SKEW)),
        "cached until the earliest NotOnOrAfter plus skew"
    );
    assert_rejected!(
        validate_response(&c, &r, &state, &Flaws::none(), now() + secs(1)),
        SamlRejection::Replayed { ref assertion_id } if assertion_id == ASSERTION_ID
    );
    // Solicited: the replay is reported as a replay (checked before the request is consumed).
    let state = MemState::expecting(&[REQ]);
    let r = post(&valid());
    assert!(validate_response(&cfg(), &r, &state, &Flaws::none(), now()).is_ok());
    assert_rejected!(
        validate_response(&cfg(), &r, &state, &Flaws::none(), now()),
        SamlRejection::Replayed { .. }
    );
}

#[test]
fn rejected_responses_leave_state_alone_until_the_side_effects() {
    // A response refused on a pure rule neither consumes the request nor records the assertion.
    let state = MemState::expecting(&[REQ]);
    let r = signed(|s| a(s).conditions.as_mut().unwrap().audiences = vec!["https://other".into()]);
    assert!(validate_response(&cfg(), &post(&r), &state, &Flaws::none(), now()).is_err());
    assert!(state.seen.lock().unwrap().is_empty());
    assert!(matches!(state.consume_request(REQ), Ok(Some(_))));
}

#[test]
fn name_id_is_required() {
    let r = signed(|s| a(s).name_id.value = String::new());
    assert_rejected!(check(&r), SamlRejection::MissingNameId);
}
