//! Each deliberate flaw switches off exactly one check: its hostile input is accepted with the
//! flaw on, and every other flaw's hostile input is still refused.

use super::wire::comment_split;
use super::*;
use crate::flaws::Flaw;

/// A hostile input for one flaw, and whether the SP fell for it.
struct Case {
    flaw: Flaw,
    exploited: fn(&Flaws) -> bool,
}

fn accepted(el: Element) -> impl Fn(&Flaws) -> bool {
    move |f| check_with(&cfg(), &el, f).is_ok()
}

const CASES: &[Case] = &[
    // SAML-AUD-1
    Case {
        flaw: Flaw::SkipAudienceCheck,
        exploited: |f| {
            accepted(sign(
                &spec_with(|s| {
                    a(s).conditions.as_mut().unwrap().audiences = vec!["https://other".into()]
                }),
                SignaturePlacement::Assertion,
            ))(f)
        },
    },
    // SAML-SIG-1
    Case {
        flaw: Flaw::AcceptUnsigned,
        exploited: |f| accepted(sign(&spec(), SignaturePlacement::None))(f),
    },
    // SAML-ENC-2: an unsigned assertion encrypted to the SP's key.
    Case {
        flaw: Flaw::AcceptUnsignedEncrypted,
        exploited: |f| {
            let mut r = sign(&spec(), SignaturePlacement::None);
            encrypt_to(
                &mut r,
                sp_enc_key(),
                &protocols::saml::EncryptionSettings::default(),
            );
            check_with(&cfg_enc(), &r, f).is_ok()
        },
    },
    // SAML-CMT-1: logged in as the truncated address.
    Case {
        flaw: Flaw::NameIdCommentTruncation,
        exploited: |f| {
            check_with(&cfg(), &comment_split(SignaturePlacement::Assertion), f)
                .is_ok_and(|acc| acc.name_id() == "victim@corp.example")
        },
    },
    // SAML-IRT-1
    Case {
        flaw: Flaw::IgnoreInResponseTo,
        exploited: |f| {
            accepted(sign(
                &spec_with(|s| {
                    s.in_response_to = Some("_never_sent".into());
                    a(s).subject_confirmation.as_mut().unwrap().in_response_to =
                        Some("_never_sent".into());
                }),
                SignaturePlacement::Assertion,
            ))(f)
        },
    },
    // SAML-RPL-1: the second post of an unsolicited response.
    Case {
        flaw: Flaw::NoReplayCache,
        exploited: |f| {
            let state = MemState::default();
            let r = post(&sign(
                &spec_with(unsolicited),
                SignaturePlacement::Assertion,
            ));
            let c = cfg_unsolicited();
            validate_response(&c, &r, &state, f, now()).is_ok()
                && validate_response(&c, &r, &state, f, now()).is_ok()
        },
    },
    // SAML-SIG-3
    Case {
        flaw: Flaw::TrustKeyInfoCert,
        exploited: |f| {
            accepted(sign_by(
                &spec(),
                opts(SignaturePlacement::Assertion),
                attacker(),
            ))(f)
        },
    },
    // SAML-DST-2 (and the same prefix on the Recipient)
    Case {
        flaw: Flaw::DestinationPrefixMatch,
        exploited: |f| {
            let other = format!("{ACS}-other");
            accepted(sign(
                &spec_with(|s| {
                    s.destination = Some(other.clone());
                    a(s).subject_confirmation.as_mut().unwrap().recipient = Some(other.clone());
                }),
                SignaturePlacement::Both,
            ))(f)
        },
    },
    // SAML-EXP-1/3: expired an hour ago.
    Case {
        flaw: Flaw::SkipTimeChecks,
        exploited: |f| {
            let t = now() - Duration::hours(1);
            accepted(sign(
                &spec_with(|s| {
                    a(s).conditions.as_mut().unwrap().not_on_or_after = Some(t);
                    a(s).subject_confirmation.as_mut().unwrap().not_on_or_after = Some(t);
                }),
                SignaturePlacement::Assertion,
            ))(f)
        },
    },
    // SAML-ISS-1
    Case {
        flaw: Flaw::SkipIssuerCheck,
        exploited: |f| {
            accepted(sign(
                &spec_with(|s| s.issuer.value = "http://www.okta.com/exkother".into()),
                SignaturePlacement::Assertion,
            ))(f)
        },
    },
];

#[test]
fn each_flaw_lets_exactly_its_own_hostile_input_through() {
    for case in CASES {
        assert!(
            !(case.exploited)(&Flaws::none()),
            "{:?} exploited without flaws",
            case.flaw
        );
    }
    for flaw in CASES.iter().map(|c| c.flaw) {
        let flaws = Flaws::none().with(flaw);
        for case in CASES {
            // Accepting every unsigned assertion accepts the encrypted ones too.
            let implied =
                flaw == Flaw::AcceptUnsigned && case.flaw == Flaw::AcceptUnsignedEncrypted;
            assert_eq!(
                (case.exploited)(&flaws),
                case.flaw == flaw || implied,
                "flaw {} on, hostile input for {}",
                flaw.name(),
                case.flaw.name()
            );
        }
    }
}

#[test]
fn every_saml_flaw_has_a_case() {
    let saml: Vec<Flaw> = Flaw::ALL
        .iter()
        .copied()
        .filter(|f| f.description().starts_with("SAML"))
        .collect();
    assert_eq!(saml, CASES.iter().map(|c| c.flaw).collect::<Vec<_>>());
}

#[test]
fn flaws_stay_narrow() {
    // Accepting unsigned responses does not accept broken signatures.
    let mut r = valid();
    name_id_mut(assertion_mut(&mut r)).set_text("mallory@evil.example");
    let unsigned_ok = Flaws::none().with(Flaw::AcceptUnsigned);
    assert_rejected!(
        check_with(&cfg(), &r, &unsigned_ok),
        SamlRejection::SignatureInvalid { .. }
    );
    // ... and reads an unsigned assertion as received.
    let acc = check_with(
        &cfg(),
        &sign(&spec(), SignaturePlacement::None),
        &unsigned_ok,
    )
    .unwrap();
    assert_eq!(acc.name_id(), ALICE);
    assert!(acc.signature_algorithms().is_empty());

    // Prefix matching is not substring matching.
    let prefix = Flaws::none().with(Flaw::DestinationPrefixMatch);
    let r = sign(
        &spec_with(|s| {
            a(s).subject_confirmation.as_mut().unwrap().recipient =
                Some(format!("https://other/acs?next={ACS}"))
        }),
        SignaturePlacement::Assertion,
    );
    assert_rejected!(
        check_with(&cfg(), &r, &prefix),
        SamlRejection::RecipientMismatch { .. }
    );

    // Ignoring InResponseTo still refuses unsolicited responses where they are not allowed.
    let ignore = Flaws::none().with(Flaw::IgnoreInResponseTo);
    let r = sign(&spec_with(unsolicited), SignaturePlacement::Assertion);
    assert_rejected!(
        check_with(&cfg(), &r, &ignore),
        SamlRejection::UnsolicitedNotAllowed
    );

    // Trusting KeyInfo still needs a signature that verifies with it.
    let trust = Flaws::none().with(Flaw::TrustKeyInfoCert);
    let mut r = sign_by(&spec(), opts(SignaturePlacement::Assertion), attacker());
    name_id_mut(assertion_mut(&mut r)).set_text("mallory@evil.example");
    assert_rejected!(
        check_with(&cfg(), &r, &trust),
        SamlRejection::SignatureInvalid { .. }
    );

    // Truncation only changes how text is read: the full comment-free name without comments.
    let trunc = Flaws::none().with(Flaw::NameIdCommentTruncation);
    let acc = check_with(&cfg(), &comment_split(SignaturePlacement::Both), &trunc).unwrap();
    assert_eq!(acc.name_id(), "victim@corp.example");
    assert_eq!(
        acc.attribute("email"),
        Some(&["victim@corp.example".to_string()][..])
    );
    assert_eq!(
        check_with(&cfg(), &valid(), &trunc).unwrap().name_id(),
        ALICE
    );
}
