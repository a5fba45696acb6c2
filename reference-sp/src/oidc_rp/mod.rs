//! The reference SP's OIDC relying party: authorization code flow with PKCE (S256),
//! client_secret_post, id_token validation and userinfo.
//!
//! Design: everything that decides is pure and lives in its own file —
//! [`callback`] (error, state, code), [`discovery`] (document and JWKS), [`exchange`] (token and
//! userinfo answers), [`validate`] (the id_token rules of OIDC Core 3.1.3.7) and [`accepted`]
//! (binding userinfo, claim lookups). [`OidcRp`] is the thin shell that fetches over HTTP
//! (through the `http` module, which caps every body) and caches each issuer's discovery document and
//! JWKS. Time is always the caller's `now`; nonces come from the caller's [`protocols::IdGen`].
//!
//! Each deliberate flaw of [`crate::flaws`] that concerns OIDC switches off exactly one check,
//! and an accepted login records which ones it relied on.

pub mod accepted;
pub mod callback;
pub mod config;
pub mod discovery;
pub mod error;
pub mod exchange;
mod http;
pub mod validate;

pub use accepted::{accept, AcceptedIdToken, UserinfoAnswer};
pub use config::{OidcRpConfig, PendingOidc};
pub use discovery::ProviderMetadata;
pub use error::OidcRejection;
pub use http::MAX_BODY_BYTES;
pub use validate::{validate_id_token, ValidatedIdToken};

use crate::flaws::Flaws;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use parking_lot::Mutex;
use protocols::id_types::Issuer;
use protocols::jose::Jwks;
use std::collections::{BTreeMap, HashMap};

/// How long a fetched discovery document is trusted before it is fetched again.
pub const DISCOVERY_TTL_SECS: i64 = 3600;
/// How long a fetched JWKS is used before it is fetched again; an unknown kid refetches sooner.
pub const JWKS_TTL_SECS: i64 = 3600;

#[derive(Debug, Clone)]
struct CachedProvider {
    meta: ProviderMetadata,
    fetched: DateTime<Utc>,
    jwks: Option<(Jwks, DateTime<Utc>)>,
}

/// An OIDC relying party shared by every organisation of the SP.
#[derive(Debug)]
pub struct OidcRp {
    http: reqwest::Client,
    /// Per configured issuer. Never held across an await.
    cache: Mutex<HashMap<Issuer, CachedProvider>>,
}

fn fresh(fetched: DateTime<Utc>, now: DateTime<Utc>, ttl_secs: i64) -> bool {
    now >= fetched && now - fetched < Duration::seconds(ttl_secs)
}

impl OidcRp {
    pub fn new(http: reqwest::Client) -> Self {
        Self {
            http,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Discovery (cached) then the authorize URL: response_type=code, PKCE S256, state, nonce,
    /// scopes, and the login hint when given.
    pub async fn begin(
        &self,
        cfg: &OidcRpConfig,
        ids: &dyn protocols::IdGen,
        now: DateTime<Utc>,
        login_hint: Option<&str>,
    ) -> Result<(String, PendingOidc), OidcRejection> {
        let meta = self.provider(cfg, now).await?;
        let pending = PendingOidc {
            state: ids.token(32),
            nonce: ids.token(32),
            // 32 bytes give 43 base64url characters, the RFC 7636 minimum.
            code_verifier: ids.token(32),
            created: now,
        };
        let challenge =
            URL_SAFE_NO_PAD.encode(openssl::sha::sha256(pending.code_verifier.as_bytes()));
        let mut url = url::Url::parse(&meta.authorization_endpoint).map_err(|e| {
            OidcRejection::DiscoveryInvalid {
                url: discovery::discovery_url(cfg.issuer.as_str()),
                reason: format!("authorization_endpoint: {e}"),
            }
        })?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("response_type", "code")
                .append_pair("client_id", &cfg.client_id)
                .append_pair("redirect_uri", &cfg.redirect_uri)
                .append_pair("scope", &cfg.scope_param())
                .append_pair("state", &pending.state)
                .append_pair("nonce", &pending.nonce)
                .append_pair("code_challenge", &challenge)
                .append_pair("code_challenge_method", "S256");
            if let Some(hint) = login_hint.filter(|h| !h.is_empty()) {
                q.append_pair("login_hint", hint);
            }
        }
        Ok((url.into(), pending))
    }

    /// Handle the callback query: error params, state, code exchange (client_secret_post and the
    /// verifier), id_token validation (refetching the JWKS once for an unknown kid), userinfo
    /// with the sub match.
    pub async fn complete(
        &self,
        cfg: &OidcRpConfig,
        pending: &PendingOidc,
        callback: &BTreeMap<String, String>,
        flaws: &Flaws,
        now: DateTime<Utc>,
    ) -> Result<AcceptedIdToken, OidcRejection> {
        let code = callback::check_callback(pending, callback, flaws, now)?;
        let meta = self.provider(cfg, now).await?;
        let answer = http::post_form(
            &self.http,
            &meta.token_endpoint,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code.0),
                ("redirect_uri", &cfg.redirect_uri),
                ("client_id", &cfg.client_id),
                ("client_secret", &cfg.client_secret),
                ("code_verifier", &pending.code_verifier),
            ],
        )
        .await
        .map_err(|e| OidcRejection::TokenEndpointUnavailable {
            reason: e.to_string(),
        })?;
        let tokens = exchange::parse_token_response(&answer)?;

        let validate = |jwks: &Jwks| {
            validate_id_token(
                cfg,
                jwks,
                &tokens.id_token,
                &pending.nonce,
                Some(&tokens.access_token),
                Some(&code.0),
                flaws,
                now,
            )
        };
        let (jwks, just_fetched) = self.jwks(cfg, &meta, now, false).await?;
        let validated = match validate(&jwks) {
            // Key rotation (OIDC-KID-3): the OP may sign with a key published after our fetch.
            Err(OidcRejection::UnknownKid { .. } | OidcRejection::NoKeyForAlg { .. })
                if !just_fetched =>
            {
                let (jwks, _) = self.jwks(cfg, &meta, now, true).await?;
                validate(&jwks)?
            }
            other => other?,
        };

        let userinfo = match &meta.userinfo_endpoint {
            None => UserinfoAnswer::NotOffered,
            Some(url) => {
                let answer = http::get(&self.http, url, Some(&tokens.access_token))
                    .await
                    .map_err(|e| OidcRejection::UserinfoUnavailable {
                        reason: e.to_string(),
                    })?;
                exchange::parse_userinfo(&answer)?
            }
        };
        accept(validated, userinfo, flaws)
    }

    /// The discovery document of `cfg.issuer`, from the cache while fresh.
    async fn provider(
        &self,
        cfg: &OidcRpConfig,
        now: DateTime<Utc>,
    ) -> Result<ProviderMetadata, OidcRejection> {
        if let Some(c) = self.cache.lock().get(&cfg.issuer) {
            if fresh(c.fetched, now, DISCOVERY_TTL_SECS) {
                return Ok(c.meta.clone());
            }
        }
        let url = discovery::discovery_url(cfg.issuer.as_str());
        let answer = http::get(&self.http, &url, None).await.map_err(|e| {
            OidcRejection::DiscoveryUnavailable {
                url: url.clone(),
                reason: e.to_string(),
            }
        })?;
        let meta = discovery::parse_discovery(cfg.issuer.as_str(), &url, &answer)?;
        let mut cache = self.cache.lock();
        let entry = cache
            .entry(cfg.issuer.clone())
            .or_insert_with(|| CachedProvider {
                meta: meta.clone(),
                fetched: now,
                jwks: None,
            });
        if entry.meta.jwks_uri != meta.jwks_uri {
            entry.jwks = None;
        }
        entry.meta = meta.clone();
        entry.fetched = now;
        Ok(meta)
    }

    /// The JWKS of `meta`, from the cache unless stale or `refetch`; also says whether it was
    /// fetched by this call.
    async fn jwks(
        &self,
        cfg: &OidcRpConfig,
        meta: &ProviderMetadata,
        now: DateTime<Utc>,
        refetch: bool,
    ) -> Result<(Jwks, bool), OidcRejection> {
        if !refetch {
            if let Some((jwks, at)) = self
                .cache
                .lock()
                .get(&cfg.issuer)
                .and_then(|c| c.jwks.clone())
            {
                if fresh(at, now, JWKS_TTL_SECS) {
                    return Ok((jwks, false));
                }
            }
        }
        let url = &meta.jwks_uri;
        let answer =
            http::get(&self.http, url, None)
                .await
                .map_err(|e| OidcRejection::JwksUnavailable {
                    url: url.clone(),
                    reason: e.to_string(),
                })?;
        let jwks = discovery::parse_jwks(url, &answer)?;
        if let Some(c) = self.cache.lock().get_mut(&cfg.issuer) {
            if c.meta.jwks_uri == *url {
                c.jwks = Some((jwks.clone(), now));
            }
        }
        Ok((jwks, true))
    }
}

#[cfg(test)]
mod tests;
