//! JOSE: signing and verifying JWTs (RS256, ES256) and publishing JWKS.
//!
//! Signing goes through `jsonwebtoken` with keys parsed once inside [`SigningKey`]. Verification
//! checks only the signature and the key choice; claim rules that depend on time or on the
//! relying party (iss, aud, exp, nonce, ...) take `now` explicitly in [`ClaimChecks`], because
//! `jsonwebtoken`'s own expiry check reads the wall clock.
//!
//! [`attacks`] holds the security catalogue's transforms of a signed id_token.

pub mod attacks;

use crate::keys::{KeyKind, SigningKey};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, thiserror::Error)]
pub enum JoseError {
    #[error("token is not three base64url segments")]
    Malformed,
    #[error("token header is not valid JSON: {0}")]
    BadHeader(String),
    #[error("token payload is not a JSON object: {0}")]
    BadPayload(String),
    #[error("algorithm {found} is not allowed (allowed: {allowed:?})")]
    AlgNotAllowed { found: String, allowed: Vec<String> },
    #[error("no key in the JWKS has kid {kid:?}")]
    UnknownKid { kid: String },
    #[error("token has no kid and the JWKS holds {count} keys")]
    AmbiguousKey { count: usize },
    #[error("no key in the JWKS fits algorithm {alg}")]
    NoKeyForAlg { alg: String },
    #[error("signature does not verify")]
    BadSignature,
    #[error("signing failed: {0}")]
    Signing(String),
    #[error("claim {claim}: expected {expected}, found {found}")]
    ClaimMismatch {
        claim: &'static str,
        expected: String,
        found: String,
    },
    #[error("claim {claim} is missing")]
    ClaimMissing { claim: &'static str },
    #[error("token expired at {exp} (now {now}, skew {skew_secs}s)")]
    Expired { exp: i64, now: i64, skew_secs: i64 },
    #[error("token issued in the future at {iat} (now {now}, skew {skew_secs}s)")]
    IssuedInFuture { iat: i64, now: i64, skew_secs: i64 },
}

/// The JWS algorithm a key signs with.
pub fn alg_for(kind: KeyKind) -> jsonwebtoken::Algorithm {
    match kind {
        KeyKind::Rsa => jsonwebtoken::Algorithm::RS256,
        KeyKind::Ec => jsonwebtoken::Algorithm::ES256,
    }
}

/// What goes into the JOSE header besides `alg`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HeaderOptions {
    /// `typ`, e.g. "JWT" (Entra) or none (Okta, Google).
    pub typ: Option<String>,
    /// Put the key id in `kid`.
    pub kid: bool,
    /// Put the certificate SHA-1 thumbprint in `x5t` (Entra v1).
    pub x5t: bool,
}

impl Default for HeaderOptions {
    fn default() -> Self {
        Self {
            typ: None,
            kid: true,
            x5t: false,
        }
    }
}

/// Sign `claims` (a JSON object) with `key`.
///
/// The signature comes from the key parsed once in [`SigningKey`] (openssl), not from
/// `jsonwebtoken`, whose signers re-read the key from DER on every call: that costs RS256 about
/// two thirds of its throughput. Verification still goes through `jsonwebtoken`, an independent
/// implementation, so the round-trip tests cross-check the two.
pub fn sign(key: &SigningKey, claims: &Value, opts: &HeaderOptions) -> Result<String, JoseError> {
    let alg = alg_for(key.kind());
    let mut header = Map::new();
    header.insert("alg".into(), Value::String(format!("{alg:?}")));
    if opts.kid {
        header.insert("kid".into(), Value::String(key.kid().to_string()));
    }
    if let Some(typ) = &opts.typ {
        header.insert("typ".into(), Value::String(typ.clone()));
    }
    if opts.x5t {
        header.insert("x5t".into(), Value::String(x5t(key)));
    }
    let json = |v: &Value| serde_json::to_vec(v).map_err(|e| JoseError::Signing(e.to_string()));
    let mut token = URL_SAFE_NO_PAD.encode(json(&Value::Object(header))?);
    token.push('.');
    token.push_str(&URL_SAFE_NO_PAD.encode(json(claims)?));
    let sig_alg = match key.kind() {
        KeyKind::Rsa => crate::saml::SignatureAlgorithm::RsaSha256,
        KeyKind::Ec => crate::saml::SignatureAlgorithm::EcdsaSha256,
    };
    // JWS ES256 wants raw r || s, which is what the XML-DSig signer produces too.
    let sig = crate::saml::dsig::sign_bytes(key, sig_alg, token.as_bytes())
        .map_err(|e| JoseError::Signing(e.to_string()))?;
    token.push('.');
    token.push_str(&URL_SAFE_NO_PAD.encode(sig));
    Ok(token)
}

/// base64url(SHA-1(certificate DER)).
pub fn x5t(key: &SigningKey) -> String {
    let digest = openssl::hash::hash(openssl::hash::MessageDigest::sha1(), key.cert_der())
        .map(|d| d.to_vec())
        .unwrap_or_default();
    URL_SAFE_NO_PAD.encode(digest)
}

/// One public key as a JWK.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    pub kty: String,
    #[serde(rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x5t: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x5c: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

impl Jwk {
    /// The public half of `key`, with its certificate chain in `x5c` when `with_cert`.
    pub fn from_key(key: &SigningKey, with_cert: bool) -> Result<Self, JoseError> {
        let sign_err = |e: openssl::error::ErrorStack| JoseError::Signing(e.to_string());
        let mut jwk = Jwk {
            kty: String::new(),
            use_: Some("sig".into()),
            kid: Some(key.kid().to_string()),
            alg: Some(format!("{:?}", alg_for(key.kind()))),
            n: None,
            e: None,
            crv: None,
            x: None,
            y: None,
            x5t: with_cert.then(|| x5t(key)),
            x5c: with_cert.then(|| vec![key.cert_b64()]),
        };
        match key.kind() {
            KeyKind::Rsa => {
                let rsa = key.pkey().rsa().map_err(sign_err)?;
                jwk.kty = "RSA".into();
                jwk.n = Some(URL_SAFE_NO_PAD.encode(rsa.n().to_vec()));
                jwk.e = Some(URL_SAFE_NO_PAD.encode(rsa.e().to_vec()));
            }
            KeyKind::Ec => {
                let ec = key.pkey().ec_key().map_err(sign_err)?;
                let mut ctx = openssl::bn::BigNumContext::new().map_err(sign_err)?;
                let mut x = openssl::bn::BigNum::new().map_err(sign_err)?;
                let mut y = openssl::bn::BigNum::new().map_err(sign_err)?;
                ec.public_key()
                    .affine_coordinates(ec.group(), &mut x, &mut y, &mut ctx)
                    .map_err(sign_err)?;
                jwk.kty = "EC".into();
                jwk.crv = Some("P-256".into());
                jwk.x = Some(URL_SAFE_NO_PAD.encode(x.to_vec_padded(32).map_err(sign_err)?));
                jwk.y = Some(URL_SAFE_NO_PAD.encode(y.to_vec_padded(32).map_err(sign_err)?));
            }
        }
        Ok(jwk)
    }

    fn decoding_key(&self) -> Result<jsonwebtoken::DecodingKey, JoseError> {
        match self.kty.as_str() {
            "RSA" => jsonwebtoken::DecodingKey::from_rsa_components(
                self.n.as_deref().unwrap_or_default(),
                self.e.as_deref().unwrap_or_default(),
            )
            .map_err(|_| JoseError::BadSignature),
            "EC" => jsonwebtoken::DecodingKey::from_ec_components(
                self.x.as_deref().unwrap_or_default(),
                self.y.as_deref().unwrap_or_default(),
            )
            .map_err(|_| JoseError::BadSignature),
            _ => Err(JoseError::NoKeyForAlg {
                alg: self.kty.clone(),
            }),
        }
    }

    fn fits(&self, alg: &str) -> bool {
        match alg {
            "RS256" => self.kty == "RSA",
            "ES256" => self.kty == "EC",
            _ => false,
        }
    }
}

impl Jwks {
    pub fn from_keys<'a>(
        keys: impl IntoIterator<Item = &'a SigningKey>,
    ) -> Result<Self, JoseError> {
        Ok(Self {
            keys: keys
                .into_iter()
                .map(|k| Jwk::from_key(k, k.kind() == KeyKind::Rsa))
                .collect::<Result<_, _>>()?,
        })
    }
}

/// A token split into its parts without checking anything. For evidence traces and attacks.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    pub signing_input: String,
    pub signature: Vec<u8>,
}

pub fn decode_unverified(token: &str) -> Result<Decoded, JoseError> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JoseError::Malformed);
    };
    let obj = |seg: &str, err: fn(String) -> JoseError| -> Result<Map<String, Value>, JoseError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(seg)
            .map_err(|e| err(e.to_string()))?;
        match serde_json::from_slice::<Value>(&bytes).map_err(|e| err(e.to_string()))? {
            Value::Object(m) => Ok(m),
            _ => Err(err("not an object".into())),
        }
    };
    Ok(Decoded {
        header: obj(h, JoseError::BadHeader)?,
        claims: obj(p, JoseError::BadPayload)?,
        signing_input: format!("{h}.{p}"),
        signature: URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|_| JoseError::Malformed)?,
    })
}

/// Verify the signature of `token` against `jwks`, accepting only `allowed` algorithms.
///
/// Key choice: by `kid` when the header has one; without a kid, only when the JWKS holds exactly
/// one key that fits the algorithm. Header-supplied keys (`jwk`, `jku`, `x5u`) are never used.
pub fn verify(token: &str, jwks: &Jwks, allowed: &[&str]) -> Result<Decoded, JoseError> {
    let decoded = decode_unverified(token)?;
    let alg = decoded
        .header
        .get("alg")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if !allowed.contains(&alg.as_str()) || !matches!(alg.as_str(), "RS256" | "ES256") {
        return Err(JoseError::AlgNotAllowed {
            found: alg,
            allowed: allowed.iter().map(|s| s.to_string()).collect(),
        });
    }
    let jwk = match decoded.header.get("kid").and_then(Value::as_str) {
        Some(kid) => jwks
            .keys
            .iter()
            .find(|k| k.kid.as_deref() == Some(kid))
            .ok_or_else(|| JoseError::UnknownKid {
                kid: kid.to_string(),
            })?,
        None => {
            let fitting: Vec<&Jwk> = jwks.keys.iter().filter(|k| k.fits(&alg)).collect();
            match fitting.as_slice() {
                [one] => *one,
                [] => return Err(JoseError::NoKeyForAlg { alg }),
                many => return Err(JoseError::AmbiguousKey { count: many.len() }),
            }
        }
    };
    if !jwk.fits(&alg) {
        return Err(JoseError::NoKeyForAlg { alg });
    }
    let key = jwk.decoding_key()?;
    let algorithm = if alg == "RS256" {
        jsonwebtoken::Algorithm::RS256
    } else {
        jsonwebtoken::Algorithm::ES256
    };
    let sig = URL_SAFE_NO_PAD.encode(&decoded.signature);
    match jsonwebtoken::crypto::verify(&sig, decoded.signing_input.as_bytes(), &key, algorithm) {
        Ok(true) => Ok(decoded),
        _ => Err(JoseError::BadSignature),
    }
}

/// The OIDC `at_hash` / `c_hash`: base64url of the left half of the hash matching the alg.
pub fn left_half_hash(value: &str, alg: jsonwebtoken::Algorithm) -> String {
    let md = match alg {
        jsonwebtoken::Algorithm::RS384 | jsonwebtoken::Algorithm::ES384 => {
            openssl::hash::MessageDigest::sha384()
        }
        jsonwebtoken::Algorithm::RS512 => openssl::hash::MessageDigest::sha512(),
        _ => openssl::hash::MessageDigest::sha256(),
    };
    let digest = openssl::hash::hash(md, value.as_bytes())
        .map(|d| d.to_vec())
        .unwrap_or_default();
    URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2])
}

/// Relying-party claim rules, with time passed in.
#[derive(Debug, Clone)]
pub struct ClaimChecks<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub nonce: Option<&'a str>,
    pub now: DateTime<Utc>,
    pub skew_secs: i64,
    /// Largest allowed distance of `iat` into the future.
    pub max_iat_future_secs: i64,
}

impl ClaimChecks<'_> {
    /// Apply iss, aud, azp, sub, exp, iat and nonce rules (OIDC Core 3.1.3.7).
    pub fn check(&self, claims: &Map<String, Value>) -> Result<(), JoseError> {
        let s = |k: &'static str| claims.get(k).and_then(Value::as_str);
        let iss = s("iss").ok_or(JoseError::ClaimMissing { claim: "iss" })?;
        if iss != self.issuer {
            return Err(mismatch("iss", self.issuer, iss));
        }
        let auds: Vec<&str> = match claims.get("aud") {
            Some(Value::String(a)) => vec![a.as_str()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => return Err(JoseError::ClaimMissing { claim: "aud" }),
        };
        if !auds.contains(&self.client_id) {
            return Err(mismatch("aud", self.client_id, &auds.join(",")));
        }
        match s("azp") {
            Some(azp) if azp != self.client_id => return Err(mismatch("azp", self.client_id, azp)),
            None if auds.len() > 1 => return Err(JoseError::ClaimMissing { claim: "azp" }),
            _ => {}
        }
        if auds.len() > 1 {
            return Err(mismatch("aud", self.client_id, &auds.join(",")));
        }
        s("sub").ok_or(JoseError::ClaimMissing { claim: "sub" })?;
        let now = self.now.timestamp();
        let exp = claims
            .get("exp")
            .and_then(Value::as_i64)
            .ok_or(JoseError::ClaimMissing { claim: "exp" })?;
        if now >= exp + self.skew_secs {
            return Err(JoseError::Expired {
                exp,
                now,
                skew_secs: self.skew_secs,
            });
        }
        let iat = claims
            .get("iat")
            .and_then(Value::as_i64)
            .ok_or(JoseError::ClaimMissing { claim: "iat" })?;
        if iat > now + self.max_iat_future_secs {
            return Err(JoseError::IssuedInFuture {
                iat,
                now,
                skew_secs: self.max_iat_future_secs,
            });
        }
        if let Some(expected) = self.nonce {
            let found = s("nonce").ok_or(JoseError::ClaimMissing { claim: "nonce" })?;
            if found != expected {
                return Err(mismatch("nonce", expected, found));
            }
        }
        Ok(())
    }
}

fn mismatch(claim: &'static str, expected: &str, found: &str) -> JoseError {
    JoseError::ClaimMismatch {
        claim,
        expected: expected.to_string(),
        found: found.to_string(),
    }
}

#[cfg(test)]
mod tests;
