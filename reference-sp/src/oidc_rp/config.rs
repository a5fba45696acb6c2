//! What an organisation configures for its OIDC connection, and what the RP remembers between
//! the authorization redirect and the callback.

use chrono::{DateTime, Duration, Utc};
use protocols::id_types::Issuer;
use serde::{Deserialize, Serialize};

/// Scopes requested unless the organisation says otherwise.
pub const DEFAULT_SCOPES: [&str; 3] = ["openid", "email", "profile"];
/// id_token algorithms accepted unless the organisation narrows them.
pub const DEFAULT_ALGS: [&str; 2] = ["RS256", "ES256"];
/// Clock skew tolerated on exp and iat.
pub const DEFAULT_MAX_SKEW_SECS: i64 = 180;

/// One organisation's OIDC connection.
#[derive(Clone, PartialEq, Eq)]
pub struct OidcRpConfig {
    /// Must equal the discovery document's `issuer` and every id_token's `iss`, byte for byte.
    pub issuer: Issuer,
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub allowed_algs: Vec<String>,
    pub max_skew: Duration,
}

impl OidcRpConfig {
    /// A connection with the default scopes, algorithms and skew.
    pub fn new(
        issuer: impl Into<Issuer>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        redirect_uri: impl Into<String>,
    ) -> Self {
        Self {
            issuer: issuer.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            redirect_uri: redirect_uri.into(),
            ..Self::default()
        }
    }

    /// Always `openid` first, then the other configured scopes once each.
    pub(crate) fn scope_param(&self) -> String {
        let mut out = vec!["openid"];
        for s in &self.scopes {
            if !s.is_empty() && !out.contains(&s.as_str()) {
                out.push(s);
            }
        }
        out.join(" ")
    }
}

impl Default for OidcRpConfig {
    fn default() -> Self {
        Self {
            issuer: Issuer::default(),
            client_id: String::new(),
            client_secret: String::new(),
            redirect_uri: String::new(),
            scopes: DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect(),
            allowed_algs: DEFAULT_ALGS.iter().map(|s| s.to_string()).collect(),
            max_skew: Duration::seconds(DEFAULT_MAX_SKEW_SECS),
        }
    }
}

impl std::fmt::Debug for OidcRpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcRpConfig")
            .field("issuer", &self.issuer.as_str())
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("redirect_uri", &self.redirect_uri)
            .field("scopes", &self.scopes)
            .field("allowed_algs", &self.allowed_algs)
            .field("max_skew", &self.max_skew)
            .finish()
    }
}

/// What `begin` sent, kept by the caller (keyed by `state`) until the callback.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct PendingOidc {
    pub state: String,
    pub nonce: String,
    pub code_verifier: String,
    pub created: DateTime<Utc>,
}

/// How long a pending login may wait for its callback.
pub const PENDING_LIFETIME_SECS: i64 = 15 * 60;
