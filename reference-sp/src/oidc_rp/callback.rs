//! The redirect back from the OP: an error, or a code bound to the state this RP sent.

use super::config::{PendingOidc, PENDING_LIFETIME_SECS};
use super::error::OidcRejection;
use crate::flaws::{Flaw, Flaws};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Longest piece of an OP-supplied string echoed into a rejection.
const MAX_ECHO_CHARS: usize = 200;

/// The code of a callback that passed the error, state and age checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackCode(pub String);

/// Check the callback query against the pending login.
///
/// An `error` answer wins over everything else: it never leads to a session, and reporting it
/// as-is is what the user needs (OIDC-ERR-1).
pub fn check_callback(
    pending: &PendingOidc,
    callback: &BTreeMap<String, String>,
    flaws: &Flaws,
    now: DateTime<Utc>,
) -> Result<CallbackCode, OidcRejection> {
    if let Some(error) = callback.get("error") {
        return Err(OidcRejection::ProviderError {
            error: clip(error),
            description: callback.get("error_description").map(|d| clip(d)),
        });
    }
    if flaws.danger(Flaw::SkipStateCheck) {
        tracing::warn!("danger: the callback state is not checked");
    } else {
        match callback.get("state") {
            None => return Err(OidcRejection::StateMissing),
            Some(s) if s.is_empty() => return Err(OidcRejection::StateMissing),
            Some(s) if !same(s, &pending.state) => {
                return Err(OidcRejection::StateMismatch { found: clip(s) })
            }
            Some(_) => {}
        }
    }
    let age = (now - pending.created).num_seconds();
    if age > PENDING_LIFETIME_SECS {
        return Err(OidcRejection::PendingExpired {
            age_secs: age,
            max_secs: PENDING_LIFETIME_SECS,
        });
    }
    match callback.get("code") {
        Some(c) if !c.is_empty() => Ok(CallbackCode(c.clone())),
        _ => Err(OidcRejection::CodeMissing),
    }
}

/// Constant-time equality, so the comparison leaks nothing about the expected value.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && openssl::memcmp::eq(a.as_bytes(), b.as_bytes())
}

pub(crate) fn clip(s: &str) -> String {
    s.chars().take(MAX_ECHO_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use protocols::clock::snapshot_epoch;

    fn pending() -> PendingOidc {
        PendingOidc {
            state: "st-1".into(),
            nonce: "n-1".into(),
            code_verifier: "v".into(),
            created: snapshot_epoch(),
        }
    }

    fn q(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn run(pairs: &[(&str, &str)], flaws: &Flaws) -> Result<CallbackCode, OidcRejection> {
        check_callback(&pending(), &q(pairs), flaws, snapshot_epoch())
    }

    #[test]
    fn a_code_with_the_right_state_passes() {
        assert_eq!(
            run(&[("code", "c"), ("state", "st-1")], &Flaws::none()),
            Ok(CallbackCode("c".into()))
        );
    }

    #[test]
    fn oidc_err_1_errors_are_reported_with_their_description() {
        for error in ["access_denied", "login_required"] {
            let e = run(
                &[
                    ("error", error),
                    ("error_description", "no"),
                    ("state", "st-1"),
                ],
                &Flaws::none(),
            );
            assert_eq!(
                e,
                Err(OidcRejection::ProviderError {
                    error: error.into(),
                    description: Some("no".into())
                })
            );
        }
    }

    #[test]
    fn oidc_state_1_missing_or_altered_state_is_refused() {
        let none = Flaws::none();
        assert_eq!(
            run(&[("code", "c")], &none),
            Err(OidcRejection::StateMissing)
        );
        assert_eq!(
            run(&[("code", "c"), ("state", "")], &none),
            Err(OidcRejection::StateMissing)
        );
        assert_eq!(
            run(&[("code", "c"), ("state", "st-2")], &none),
            Err(OidcRejection::StateMismatch {
                found: "st-2".into()
            })
        );
    }

    #[test]
    fn flaw_skip_state_check_accepts_any_state() {
        let flaws = Flaws::none().with(Flaw::SkipStateCheck);
        assert!(run(&[("code", "c"), ("state", "evil")], &flaws).is_ok());
        assert!(run(&[("code", "c")], &flaws).is_ok());
    }

    #[test]
    fn missing_code_and_stale_pending_are_refused() {
        assert_eq!(
            run(&[("state", "st-1")], &Flaws::none()),
            Err(OidcRejection::CodeMissing)
        );
        let late = snapshot_epoch() + Duration::seconds(PENDING_LIFETIME_SECS + 1);
        let e = check_callback(
            &pending(),
            &q(&[("code", "c"), ("state", "st-1")]),
            &Flaws::none(),
            late,
        );
        assert!(matches!(e, Err(OidcRejection::PendingExpired { .. })));
    }
}
