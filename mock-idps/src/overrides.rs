//! Per-login control: which user logs in next and what to change in what the IdP sends.
//!
//! A [`NextLogin`] applies to the next SAML response or OIDC authorization of its tenant and is
//! then consumed, unless `sticky` is set. Every field is optional: unset means "as the vendor
//! does it".

use protocols::saml::{DigestAlgorithm, SignatureAlgorithm, SignaturePlacement};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

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

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
}

impl NextLogin {
    /// Decode a control-API body, with a message that names the bad field.
    pub fn from_json(body: &[u8]) -> Result<Self, String> {
        serde_json::from_slice(body).map_err(|e| format!("invalid next-login JSON: {e}"))
    }
}
