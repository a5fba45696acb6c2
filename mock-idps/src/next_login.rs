//! Per-login control: which user logs in next and what to change in what the IdP sends.
//!
//! A [`NextLogin`] applies to the next SAML response or OIDC authorization of its tenant and is
//! then consumed, unless `sticky` is set. Every field is optional: unset means "as the vendor
//! does it".
//!
//! `saml.attack` and `oidc.attack` name a transform of the security catalogue
//! (`protocols::saml::attacks`, `protocols::jose::attacks`; docs/attacks.md). Combinations that
//! cannot work together (an attack on an assertion beside an error `status`, a wrapping variant
//! beside a `sign` placement it cannot use, ...) are refused when the overrides are read, so the
//! control API answers 400 and keeps what it had; [`SamlOverrides::check`] and
//! [`OidcOverrides::check`] are the same rules for callers that build the structs in Rust.

use protocols::jose::attacks::{OidcAttack, Stage};
use protocols::saml::attacks::SamlAttack;
use protocols::saml::{DigestAlgorithm, SignatureAlgorithm, SignaturePlacement};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Why a next-login body or override combination was refused (the control API's 400 text).
#[derive(Debug, thiserror::Error)]
pub enum OverrideError {
    #[error("invalid next-login JSON: {0}")]
    InvalidJson(#[source] serde_json::Error),
    #[error("{field}: {value:?} is not a URL ({source})")]
    NotAUrl {
        field: &'static str,
        value: String,
        source: url::ParseError,
    },
    #[error("{field}: {value:?} must not contain quotes or angle brackets")]
    UnsafeUrl { field: &'static str, value: String },
    #[error("saml.victim must not be empty")]
    EmptyVictim,
    #[error("saml.victim and saml.xxe_url only go with saml.attack")]
    SamlExtrasWithoutAttack,
    #[error(
        "saml.victim has no effect on attack {attack}: only the wrapping (xsw1..xsw8), \
         two-assertions-* and comment-split attacks forge an identity"
    )]
    VictimUnused { attack: SamlAttack },
    #[error("saml.xxe_url goes with attack xxe, not {attack}")]
    XxeUrlUnused { attack: SamlAttack },
    #[error(
        "attack replay re-sends the previous response unchanged, so \
         the other saml fields would have no effect"
    )]
    ReplayWithOthers,
    #[error(
        "attack {attack} works on an assertion, and saml.status {status:?} makes an error \
         response without one"
    )]
    AttackWithStatus { attack: SamlAttack, status: String },
    #[error(
        "attack {attack} cannot work with saml.sign {sign:?}; it needs one of {:?}",
        attack.placements()
    )]
    PlacementUnusable {
        attack: SamlAttack,
        sign: SignaturePlacement,
    },
    #[error("attack {attack} derives the {field} itself; leave saml.{field} unset")]
    DerivedField {
        attack: SamlAttack,
        field: &'static str,
    },
    #[error(
        "attack foreign-key puts the attacker's certificate in KeyInfo; leave \
         saml.key_info unset"
    )]
    ForeignKeyWithoutKeyInfo,
    #[error("oidc.jku goes with attack header-jku")]
    JkuWithoutAttack,
    #[error("oidc.jku goes with attack header-jku, not {attack}")]
    JkuUnused { attack: OidcAttack },
    #[error(
        "oidc.authorize_error {error:?} answers without a code, so attack {attack} \
         would never apply"
    )]
    AttackWithAuthorizeError { attack: OidcAttack, error: String },
    #[error("attack {attack} signs with a key of its own; leave oidc.signing_key unset")]
    AttackChoosesKey { attack: OidcAttack },
    #[error("attack unknown-kid-rotated needs the kid; leave oidc.omit_kid unset")]
    KidOmitted,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NextLogin {
    /// User id, login or email. Unset: the login hint, else the tenant's first user.
    pub user: Option<String>,
    /// Keep applying to every login until cleared.
    #[serde(default)]
    pub sticky: bool,
    /// Add this many synthetic groups to the user (to trigger overage and caps).
    pub extra_groups: Option<usize>,
    #[serde(default)]
    pub saml: SamlOverrides,
    #[serde(default)]
    pub oidc: OidcOverrides,
}

/// Which key signs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyChoice {
    /// The tenant's active key (default).
    Active,
    /// A published key by kid.
    Kid(String),
    /// A key the tenant never published (an attacker's), with its own certificate.
    Foreign,
}

/// Read through [`SamlOverrides::check`]: see the `Deserialize` impl.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct SamlOverrides {
    pub sign: Option<SignaturePlacement>,
    pub alg: Option<SignatureAlgorithm>,
    pub digest: Option<DigestAlgorithm>,
    /// Put the signing certificate in KeyInfo.
    pub key_info: Option<bool>,
    pub signing_key: Option<KeyChoice>,
    pub issuer: Option<String>,
    pub audience: Option<String>,
    pub destination: Option<String>,
    pub recipient: Option<String>,
    /// Replace InResponseTo (on Response and SubjectConfirmationData); "" removes it.
    pub in_response_to: Option<String>,
    pub name_id: Option<String>,
    pub name_id_format: Option<String>,
    /// Shift IssueInstant (and everything relative to it) by this many seconds.
    pub issue_instant_offset_secs: Option<i64>,
    /// Conditions NotBefore relative to IssueInstant.
    pub not_before_offset_secs: Option<i64>,
    /// Conditions NotOnOrAfter relative to IssueInstant.
    pub not_on_or_after_offset_secs: Option<i64>,
    /// SubjectConfirmationData NotOnOrAfter relative to IssueInstant.
    pub subject_not_on_or_after_offset_secs: Option<i64>,
    /// Attributes to set (replacing values of the same name).
    #[serde(default)]
    pub attributes: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub remove_attributes: Vec<String>,
    /// A failure status instead of success: the second-level code, e.g. "AuthnFailed".
    pub status: Option<String>,
    pub status_message: Option<String>,
    /// A transform of the security catalogue applied to this response (docs/attacks.md).
    pub attack: Option<SamlAttack>,
    /// Whom the forged content of `attack` claims to be (wrapping, two assertions, comment
    /// split). Default: `victim@corp.example`.
    pub victim: Option<String>,
    /// The external entity of the `xxe` attack. Default: `file:///etc/passwd`.
    pub xxe_url: Option<String>,
    /// Encrypt to another key than the SP's, or not at all, this once.
    pub encryption: Option<EncryptionOverride>,
}

/// Read through [`OidcOverrides::check`]: see the `Deserialize` impl.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct OidcOverrides {
    /// Claims to set in the id_token (replacing the vendor's).
    #[serde(default)]
    pub claims: Map<String, Value>,
    #[serde(default)]
    pub remove_claims: Vec<String>,
    /// Claims to set in the userinfo answer.
    #[serde(default)]
    pub userinfo_claims: Map<String, Value>,
    pub signing_key: Option<KeyChoice>,
    /// Leave `kid` out of the header.
    #[serde(default)]
    pub omit_kid: bool,
    /// exp relative to iat, in seconds.
    pub exp_offset_secs: Option<i64>,
    /// Shift iat (and auth_time) by this many seconds.
    pub iat_offset_secs: Option<i64>,
    /// Answer the authorization request with this OAuth error instead of a code.
    pub authorize_error: Option<String>,
    /// A transform of the security catalogue: of the id_token, the callback's `state`, or (while
    /// pending) the discovery document (docs/attacks.md).
    pub attack: Option<OidcAttack>,
    /// The `jku` of the `header-jku` attack. Default:
    /// `https://attacker.example/.well-known/jwks.json`.
    pub jku: Option<String>,
}

impl NextLogin {
    /// Decode a control-API body, with a message that names the bad field.
    pub fn from_json(body: &[u8]) -> Result<Self, OverrideError> {
        serde_json::from_slice(body).map_err(OverrideError::InvalidJson)
    }

    /// The combination rules of both protocols' overrides.
    pub fn check(&self) -> Result<(), OverrideError> {
        self.saml.check()?;
        self.oidc.check()
    }
}

/// A URL that can sit in an attribute or a header value as it is.
fn plain_url(field: &'static str, value: &str) -> Result<(), OverrideError> {
    url::Url::parse(value).map_err(|source| OverrideError::NotAUrl {
        field,
        value: value.to_string(),
        source,
    })?;
    if value.contains(['"', '<', '>', '\'']) {
        return Err(OverrideError::UnsafeUrl {
            field,
            value: value.to_string(),
        });
    }
    Ok(())
}

impl SamlOverrides {
    /// Refuse combinations that cannot work together.
    pub fn check(&self) -> Result<(), OverrideError> {
        if let Some(v) = &self.victim {
            if v.trim().is_empty() {
                return Err(OverrideError::EmptyVictim);
            }
        }
        if let Some(u) = &self.xxe_url {
            plain_url("saml.xxe_url", u)?;
        }
        let Some(attack) = self.attack else {
            if self.victim.is_some() || self.xxe_url.is_some() {
                return Err(OverrideError::SamlExtrasWithoutAttack);
            }
            return Ok(());
        };
        if self.victim.is_some() && !attack.uses_victim() {
            return Err(OverrideError::VictimUnused { attack });
        }
        if self.xxe_url.is_some() && attack != SamlAttack::Xxe {
            return Err(OverrideError::XxeUrlUnused { attack });
        }
        if attack == SamlAttack::Replay {
            let bare = SamlOverrides {
                attack: Some(SamlAttack::Replay),
                ..SamlOverrides::default()
            };
            if *self != bare {
                return Err(OverrideError::ReplayWithOthers);
            }
            return Ok(());
        }
        if let Some(status) = &self.status {
            return Err(OverrideError::AttackWithStatus {
                attack,
                status: status.clone(),
            });
        }
        if let Some(sign) = self.sign {
            if !attack.placements().contains(&sign) {
                return Err(OverrideError::PlacementUnusable { attack, sign });
            }
        }
        let derived = match attack {
            SamlAttack::DestinationPrefix => Some(("destination", self.destination.is_some())),
            SamlAttack::RecipientSubstring => Some(("recipient", self.recipient.is_some())),
            SamlAttack::IssuerPrefix => Some(("issuer", self.issuer.is_some())),
            SamlAttack::AudiencePrefix => Some(("audience", self.audience.is_some())),
            SamlAttack::CommentSplit => Some(("name_id", self.name_id.is_some())),
            _ => None,
        };
        if let Some((field, true)) = derived {
            return Err(OverrideError::DerivedField { attack, field });
        }
        if attack == SamlAttack::ForeignKey && self.key_info == Some(false) {
            return Err(OverrideError::ForeignKeyWithoutKeyInfo);
        }
        Ok(())
    }
}

impl OidcOverrides {
    /// Refuse combinations that cannot work together.
    pub fn check(&self) -> Result<(), OverrideError> {
        if let Some(u) = &self.jku {
            plain_url("oidc.jku", u)?;
        }
        let Some(attack) = self.attack else {
            if self.jku.is_some() {
                return Err(OverrideError::JkuWithoutAttack);
            }
            return Ok(());
        };
        if self.jku.is_some() && attack != OidcAttack::HeaderJku {
            return Err(OverrideError::JkuUnused { attack });
        }
        if let Some(e) = &self.authorize_error {
            if attack.stage() != Stage::Discovery {
                return Err(OverrideError::AttackWithAuthorizeError {
                    attack,
                    error: e.clone(),
                });
            }
        }
        if self.signing_key.is_some() && attack.chooses_key() {
            return Err(OverrideError::AttackChoosesKey { attack });
        }
        if self.omit_kid && attack == OidcAttack::UnknownKidRotated {
            return Err(OverrideError::KidOmitted);
        }
        Ok(())
    }
}

// The `remote = "Self"` derives above generate inherent `serialize`/`deserialize` functions;
// these trait impls route every read through `check`, so a control-API body with a bad
// combination fails to parse (400) and nothing is stored.

impl<'de> Deserialize<'de> for SamlOverrides {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = SamlOverrides::deserialize(d)?;
        v.check().map_err(serde::de::Error::custom)?;
        Ok(v)
    }
}

impl Serialize for SamlOverrides {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        SamlOverrides::serialize(self, s)
    }
}

impl<'de> Deserialize<'de> for OidcOverrides {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = OidcOverrides::deserialize(d)?;
        v.check().map_err(serde::de::Error::custom)?;
        Ok(v)
    }
}

impl Serialize for OidcOverrides {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        OidcOverrides::serialize(self, s)
    }
}

/// How the next response deviates from the app's encryption (a next-login override).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EncryptionOverride {
    /// Encrypt to a key the SP does not hold (the tenant's attacker key), even for an app that
    /// does not encrypt.
    ForeignKey,
    /// Send the assertion in the clear for once.
    Off,
}
