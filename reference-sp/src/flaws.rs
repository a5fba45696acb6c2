//! Deliberate flaws for self-testing the harness: each switches off one check.
//!
//! `idpsim reference-sp --danger-flaw NAME` (repeatable). None is on by default. Every scenario
//! catalogue run against a flawed SP must fail at least one scenario, which is how the
//! catalogue proves it catches the mistake. The names are stable: docs and reports use them.

use std::collections::BTreeSet;
use std::str::FromStr;

/// A flaw name that is none of [`Flaw::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown flaw {given:?}; known flaws: {}",
    Flaw::ALL.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
)]
pub struct UnknownFlaw {
    pub given: String,
}

macro_rules! flaws {
    ($($variant:ident => $name:literal : $doc:literal,)*) => {
        /// One deliberate weakness.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Flaw {
            $(#[doc = $doc] $variant,)*
        }

        impl Flaw {
            pub const ALL: &'static [Flaw] = &[$(Flaw::$variant,)*];

            /// The command-line name.
            pub fn name(self) -> &'static str {
                match self { $(Flaw::$variant => $name,)* }
            }

            /// What the flaw switches off.
            pub fn description(self) -> &'static str {
                match self { $(Flaw::$variant => $doc,)* }
            }
        }

        impl FromStr for Flaw {
            type Err = UnknownFlaw;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($name => Ok(Flaw::$variant),)*
                    other => Err(UnknownFlaw {
                        given: other.to_string(),
                    }),
                }
            }
        }
    };
}

flaws! {
    SkipAudienceCheck => "skip-audience-check": "SAML: accept any Audience.",
    AcceptUnsigned => "accept-unsigned": "SAML: accept a response in which neither the response nor the assertion is signed.",
    AcceptUnsignedEncrypted => "accept-unsigned-encrypted": "SAML: accept an unsigned assertion when it arrived encrypted to this SP's key.",
    AcceptUnsignedLogout => "accept-unsigned-logout": "Single Logout: accept an unsigned LogoutRequest or LogoutResponse from the IdP.",
    NameIdCommentTruncation => "nameid-comment-truncation": "SAML: read the NameID (and attribute values) only up to the first XML comment.",
    IgnoreInResponseTo => "ignore-in-response-to": "SAML: do not check InResponseTo against the requests this SP sent.",
    NoReplayCache => "no-replay-cache": "SAML: accept the same assertion ID more than once.",
    TrustKeyInfoCert => "trust-keyinfo-cert": "SAML: verify with the certificate in the message's KeyInfo instead of the configured one.",
    DestinationPrefixMatch => "destination-prefix-match": "SAML: accept a Destination or Recipient that merely starts with the ACS URL.",
    SkipTimeChecks => "skip-time-checks": "SAML: ignore NotBefore/NotOnOrAfter in Conditions and SubjectConfirmationData.",
    SkipIssuerCheck => "skip-issuer-check": "SAML: accept any Issuer.",
    AcceptAlgNone => "accept-alg-none": "OIDC: accept an id_token with alg none.",
    SkipNonceCheck => "skip-nonce-check": "OIDC: do not compare the id_token nonce with the one sent.",
    SkipStateCheck => "skip-state-check": "OIDC: do not compare the callback state with the one sent.",
    SkipIdTokenIssuerCheck => "skip-id-token-issuer-check": "OIDC: accept any iss and aud in the id_token.",
    SkipUserinfoSubCheck => "skip-userinfo-sub-check": "OIDC: do not require the userinfo sub to equal the id_token sub.",
    IgnoreSessionTimeout => "ignore-session-timeout": "Sessions: never expire org SSO sessions.",
    KeepSessionsOnDeprovision => "keep-sessions-on-deprovision": "Sessions: deactivating or deleting a user leaves their sessions alive.",
    ManagedPersonalNamespace => "managed-personal-namespace": "Managed mode: let managed users create content in their personal namespace.",
    SkipEmailMatch => "skip-email-match": "Basic mode: link the IdP identity to the platform account without matching its email.",
    BasicProfileUpdates => "basic-profile-updates": "SCIM, Basic mode: apply profile updates (userName, name, emails) that must be read-only.",
    FirstMatchRole => "first-match-role": "Role mapping: the first matching rule wins instead of the most privileged.",
    ScimPatchCaseSensitive => "scim-patch-case-sensitive": "SCIM: match PATCH op names case-sensitively (refuses Entra's \"Replace\").",
}

/// The set of flaws a running SP has switched on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flaws(BTreeSet<Flaw>);

impl Flaws {
    pub fn none() -> Self {
        Self::default()
    }

    pub fn with(mut self, f: Flaw) -> Self {
        self.0.insert(f);
        self
    }

    /// Whether `f` is on. Named so call sites read as the danger they are.
    pub fn danger(&self, f: Flaw) -> bool {
        self.0.contains(&f)
    }

    pub fn iter(&self) -> impl Iterator<Item = Flaw> + '_ {
        self.0.iter().copied()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<Flaw> for Flaws {
    fn from_iter<I: IntoIterator<Item = Flaw>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_list_the_known_ones() {
        for f in Flaw::ALL {
            assert_eq!(f.name().parse::<Flaw>(), Ok(*f));
            assert!(!f.description().is_empty());
        }
        let e = "skip-everything".parse::<Flaw>().expect_err("unknown");
        assert!(e.to_string().contains("skip-audience-check"), "{e}");
        assert!(Flaws::none().is_empty());
        assert!(Flaws::none()
            .with(Flaw::AcceptAlgNone)
            .danger(Flaw::AcceptAlgNone));
    }
}
