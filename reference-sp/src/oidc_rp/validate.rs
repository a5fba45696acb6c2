//! id_token validation (OIDC Core 3.1.3.7): a pure function of (config, keys, token, what the
//! RP sent, flaws, now). Its result carries proofs that only this module can make.

use super::callback::same;
use super::config::OidcRpConfig;
use super::error::OidcRejection;
use crate::flaws::{Flaw, Flaws};
use chrono::{DateTime, Utc};
use protocols::jose::{self, ClaimChecks, JoseError, Jwks};
use protocols::KeyKind;
use serde_json::{Map, Value};

/// Algorithms the verifier implements; the configured set is intersected with these.
const SUPPORTED_ALGS: [&str; 2] = ["RS256", "ES256"];

/// Header parameters that carry a key or point at one. The RP never uses them, and a token that
/// carries them is refused outright: no OP the harness models sends them in an id_token.
const HEADER_KEY_PARAMS: [&str; 4] = ["jwk", "jku", "x5u", "x5c"];

/// How the signature was established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SignatureProof {
    /// Verified against a published key.
    Verified { alg: String, kid: Option<String> },
    /// `alg: none` let through by [`Flaw::AcceptAlgNone`].
    DangerUnsigned,
}

/// The claim rules of OIDC Core 3.1.3.7 ran (minus what a flaw switched off).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClaimsChecked {
    pub(crate) danger_skipped: Vec<Flaw>,
}

/// An id_token whose signature and claims passed. Only [`validate_id_token`] makes one.
#[derive(Debug, Clone)]
pub struct ValidatedIdToken {
    raw: String,
    header: Map<String, Value>,
    claims: Map<String, Value>,
    pub(crate) signature: SignatureProof,
    pub(crate) checked: ClaimsChecked,
}

impl ValidatedIdToken {
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    pub fn header(&self) -> &Map<String, Value> {
        &self.header
    }

    /// The compact token as received, for evidence traces.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// Present: the claim checks refuse a token without a string `sub`. Empty only when a
    /// flaw let such a token through.
    pub fn subject(&self) -> &str {
        self.claims.get("sub").and_then(Value::as_str).unwrap_or("")
    }

    pub fn issuer(&self) -> &str {
        self.claims.get("iss").and_then(Value::as_str).unwrap_or("")
    }

    /// The key id the signature was verified with, when the header named one.
    pub fn verified_kid(&self) -> Option<&str> {
        match &self.signature {
            SignatureProof::Verified { kid, .. } => kid.as_deref(),
            SignatureProof::DangerUnsigned => None,
        }
    }
}

/// Validate `token` for `cfg`: signature against `jwks`, then iss, aud, azp, sub, exp, iat and
/// nonce, then `at_hash` (with `access_token`) and `c_hash` (with `code`) when present.
///
/// Each flaw in `flaws` switches off exactly one of these checks.
#[allow(clippy::too_many_arguments)] // the agreed contract: every input is explicit
pub fn validate_id_token(
    cfg: &OidcRpConfig,
    jwks: &Jwks,
    token: &str,
    nonce: &str,
    access_token: Option<&str>,
    code: Option<&str>,
    flaws: &Flaws,
    now: DateTime<Utc>,
) -> Result<ValidatedIdToken, OidcRejection> {
    let decoded = jose::decode_unverified(token).map_err(malformed)?;
    let signature = check_signature(cfg, jwks, token, &decoded, flaws)?;
    let checked = check_claims(cfg, &decoded.claims, nonce, flaws, now)?;
    check_hashes(&decoded.claims, access_token, code)?;
    Ok(ValidatedIdToken {
        raw: token.to_string(),
        header: decoded.header,
        claims: decoded.claims,
        signature,
        checked,
    })
}

fn malformed(e: JoseError) -> OidcRejection {
    OidcRejection::MalformedIdToken {
        reason: e.to_string(),
    }
}

fn check_signature(
    cfg: &OidcRpConfig,
    jwks: &Jwks,
    token: &str,
    decoded: &jose::Decoded,
    flaws: &Flaws,
) -> Result<SignatureProof, OidcRejection> {
    if let Some(p) = HEADER_KEY_PARAMS
        .iter()
        .find(|p| decoded.header.contains_key(**p))
    {
        return Err(OidcRejection::HeaderKeyRejected {
            param: p.to_string(),
        });
    }
    let alg = match decoded.header.get("alg") {
        Some(Value::String(a)) => a.as_str(),
        _ => {
            return Err(OidcRejection::MalformedIdToken {
                reason: "the header has no alg".into(),
            })
        }
    };
    // "none", "None", "NONE": every spelling a vulnerable library ever accepted.
    if alg.eq_ignore_ascii_case("none") {
        if flaws.danger(Flaw::AcceptAlgNone) {
            tracing::warn!("danger: accepting an unsigned id_token (alg {alg:?})");
            return Ok(SignatureProof::DangerUnsigned);
        }
        return Err(OidcRejection::AlgNone {
            alg: alg.to_string(),
        });
    }
    let allowed: Vec<&str> = cfg
        .allowed_algs
        .iter()
        .map(String::as_str)
        .filter(|a| SUPPORTED_ALGS.contains(a))
        .collect();
    if !allowed.contains(&alg) {
        return Err(OidcRejection::AlgNotAllowed {
            alg: alg.to_string(),
            allowed: allowed.iter().map(|a| a.to_string()).collect(),
        });
    }
    // CVE-2022-21449: r = s = 0 verified in Java's ECDSA. Refuse by name, before the library
    // (which also refuses it) gets to, so the verdict does not depend on its version.
    if alg == "ES256" && decoded.signature.len() == 64 {
        let (r, s) = decoded.signature.split_at(32);
        if r.iter().all(|b| *b == 0) || s.iter().all(|b| *b == 0) {
            return Err(OidcRejection::EcdsaZeroSignature);
        }
    }
    jose::verify(token, jwks, &allowed).map_err(|e| match e {
        JoseError::AlgNotAllowed { found, allowed } => OidcRejection::AlgNotAllowed {
            alg: found,
            allowed,
        },
        JoseError::UnknownKid { kid } => OidcRejection::UnknownKid { kid },
        JoseError::AmbiguousKey { count } => OidcRejection::AmbiguousKey { count },
        JoseError::NoKeyForAlg { alg } => OidcRejection::NoKeyForAlg { alg },
        JoseError::BadSignature => OidcRejection::BadSignature,
        other => malformed(other),
    })?;
    Ok(SignatureProof::Verified {
        alg: alg.to_string(),
        kid: decoded
            .header
            .get("kid")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

fn check_claims(
    cfg: &OidcRpConfig,
    claims: &Map<String, Value>,
    nonce: &str,
    flaws: &Flaws,
    now: DateTime<Utc>,
) -> Result<ClaimsChecked, OidcRejection> {
    let mut danger_skipped = Vec::new();
    let skip_nonce = flaws.danger(Flaw::SkipNonceCheck);
    if skip_nonce {
        tracing::warn!("danger: the id_token nonce is not checked");
        danger_skipped.push(Flaw::SkipNonceCheck);
    }
    // ClaimChecks runs iss, aud and azp together with the rest; with the flaw on, it checks a
    // copy that says what this RP expects there, so every other rule still runs.
    let patched;
    let subject = if flaws.danger(Flaw::SkipIdTokenIssuerCheck) {
        tracing::warn!("danger: the id_token iss and aud are not checked");
        danger_skipped.push(Flaw::SkipIdTokenIssuerCheck);
        let mut c = claims.clone();
        c.insert("iss".into(), Value::String(cfg.issuer.to_string()));
        c.insert("aud".into(), Value::String(cfg.client_id.clone()));
        c.remove("azp");
        patched = c;
        &patched
    } else {
        claims
    };
    let skew = cfg.max_skew.num_seconds();
    ClaimChecks {
        issuer: cfg.issuer.as_str(),
        client_id: &cfg.client_id,
        nonce: (!skip_nonce).then_some(nonce),
        now,
        skew_secs: skew,
        max_iat_future_secs: skew,
    }
    .check(subject)
    .map_err(|e| claim_rejection(e, cfg, claims))?;
    Ok(ClaimsChecked { danger_skipped })
}

fn audiences(claims: &Map<String, Value>) -> Vec<String> {
    match claims.get("aud") {
        Some(Value::String(a)) => vec![a.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

fn claim_rejection(e: JoseError, cfg: &OidcRpConfig, claims: &Map<String, Value>) -> OidcRejection {
    let found = |c: &str| claims.get(c).and_then(Value::as_str).map(str::to_string);
    match e {
        JoseError::ClaimMissing { claim: "iss" }
        | JoseError::ClaimMismatch { claim: "iss", .. } => OidcRejection::IssuerMismatch {
            expected: cfg.issuer.to_string(),
            found: found("iss"),
        },
        JoseError::ClaimMissing { claim: "aud" }
        | JoseError::ClaimMismatch { claim: "aud", .. } => {
            let auds = audiences(claims);
            if auds.contains(&cfg.client_id) {
                OidcRejection::UntrustedAudience { found: auds }
            } else {
                OidcRejection::AudienceMismatch {
                    expected: cfg.client_id.clone(),
                    found: auds,
                }
            }
        }
        JoseError::ClaimMissing { claim: "azp" }
        | JoseError::ClaimMismatch { claim: "azp", .. } => OidcRejection::AuthorizedPartyMismatch {
            expected: cfg.client_id.clone(),
            found: found("azp"),
        },
        JoseError::ClaimMissing { claim: "sub" } => OidcRejection::SubjectMissing,
        JoseError::ClaimMissing { claim: "exp" } => OidcRejection::ExpiryMissing,
        JoseError::ClaimMissing { claim: "iat" } => OidcRejection::IssuedAtMissing,
        JoseError::ClaimMissing { claim: "nonce" }
        | JoseError::ClaimMismatch { claim: "nonce", .. } => OidcRejection::NonceMismatch {
            found: found("nonce"),
        },
        JoseError::Expired {
            exp,
            now,
            skew_secs,
        } => OidcRejection::Expired {
            exp,
            now,
            skew_secs,
        },
        JoseError::IssuedInFuture {
            iat,
            now,
            skew_secs,
        } => OidcRejection::IssuedInFuture {
            iat,
            now,
            max_secs: skew_secs,
        },
        other => malformed(other),
    }
}

/// `at_hash` and `c_hash` are optional in the code flow; when present they must match. Every
/// allowed algorithm (RS256, ES256) hashes with SHA-256, and so does the flawed `none` path.
fn check_hashes(
    claims: &Map<String, Value>,
    access_token: Option<&str>,
    code: Option<&str>,
) -> Result<(), OidcRejection> {
    let sha256 = jose::alg_for(KeyKind::Rsa);
    let shown = |v: &Value| {
        v.as_str()
            .map(str::to_string)
            .unwrap_or_else(|| v.to_string())
    };
    if let (Some(v), Some(at)) = (claims.get("at_hash"), access_token) {
        let expected = jose::left_half_hash(at, sha256);
        if !v.as_str().is_some_and(|f| same(f, &expected)) {
            return Err(OidcRejection::AccessTokenHashMismatch {
                expected,
                found: shown(v),
            });
        }
    }
    if let (Some(v), Some(c)) = (claims.get("c_hash"), code) {
        let expected = jose::left_half_hash(c, sha256);
        if !v.as_str().is_some_and(|f| same(f, &expected)) {
            return Err(OidcRejection::CodeHashMismatch {
                expected,
                found: shown(v),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
