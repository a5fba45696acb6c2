//! Pinned signing keys, so that every run signs with the same keys and snapshots stay put.
//! Provenance and the command that regenerates them: fixtures/keys/README.md.

use crate::personality::{IdShape, Vendor};
use protocols::SigningKey;
use std::sync::OnceLock;

pub struct PinnedKeys {
    /// Published in metadata and JWKS; the first signs.
    pub published: Vec<SigningKey>,
    /// Never published: the attacker's key.
    pub foreign: SigningKey,
}

macro_rules! key {
    ($kid:literal, $name:literal) => {
        SigningKey::from_pem(
            $kid,
            include_str!(concat!("../../fixtures/keys/", $name, ".key.pem")),
            include_str!(concat!("../../fixtures/keys/", $name, ".crt.pem")),
        )
    };
}

fn load(vendor: Vendor) -> Result<PinnedKeys, protocols::keys::KeyError> {
    let published = match vendor {
        Vendor::Okta => vec![key!("okta-k1", "okta-1")?, key!("okta-k2", "okta-2")?],
        Vendor::Entra => vec![
            key!("entra-k1", "entra-1")?,
            key!("entra-k2", "entra-2")?,
            key!("entra-k3", "entra-3")?,
        ],
        Vendor::Google => vec![
            key!("google-k1", "google-1")?,
            key!("google-k2", "google-2")?,
        ],
    };
    let published = published
        .into_iter()
        .map(|k| vendor_kid(vendor, k))
        .collect::<Result<_, _>>()?;
    Ok(PinnedKeys {
        published,
        foreign: key!("attacker-k1", "attacker")?,
    })
}

/// `key` under the kid its vendor's JWKS gives it, derived from the certificate so that it is
/// stable across runs: the certificate's x5t for Entra (S4); for the others a value in the
/// vendor's kid shape (`IdShapes::kid`): Okta's 43 base64url characters (S10), Google's 40
/// lowercase hex digits (audit, Google JWKS row). A kid of another shape is kept as it is.
pub fn vendor_kid(
    vendor: Vendor,
    key: SigningKey,
) -> Result<SigningKey, protocols::keys::KeyError> {
    let p = vendor.personality();
    let kid = if p.oidc.jwks.kid_is_x5t {
        protocols::jose::x5t(&key)
    } else {
        match derived_kid(p.ids.kid, key.cert_der()) {
            Some(kid) => kid,
            None => return Ok(key),
        }
    };
    SigningKey::from_pem(kid, key.key_pem(), key.cert_pem())
}

/// A kid in `shape` taken from the certificate's SHA-256 digest: base64url for `Prefixed`, hex
/// for `Hex`. `None` for the other shapes.
fn derived_kid(shape: IdShape, cert_der: &[u8]) -> Option<String> {
    use base64::Engine as _;
    let digest = openssl::hash::hash(openssl::hash::MessageDigest::sha256(), cert_der).ok()?;
    let (prefix, body, len) = match shape {
        IdShape::Prefixed { prefix, len } => (
            prefix,
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest),
            len,
        ),
        IdShape::Hex { prefix, len } => (prefix, hex_lower(&digest), len),
        IdShape::Guid { .. } | IdShape::Digits { .. } => return None,
    };
    Some(format!("{prefix}{}", body.get(..len).unwrap_or(&body)))
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The pinned keys of `vendor`, parsed once per process.
pub fn pinned_keys(vendor: Vendor) -> &'static PinnedKeys {
    static ALL: OnceLock<Vec<PinnedKeys>> = OnceLock::new();
    let all = ALL.get_or_init(|| {
        Vendor::ALL
            .iter()
            .map(|v| {
                // Invariant: the fixtures are compiled in and checked by the pinned_keys_load test.
                load(*v).unwrap_or_else(|e| panic!("pinned {v} keys do not load: {e}"))
            })
            .collect()
    });
    &all[vendor as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_keys_load() {
        for v in Vendor::ALL {
            let k = load(v).expect("pinned keys");
            assert!(!k.published.is_empty());
            assert_ne!(k.published[0].cert_der(), k.foreign.cert_der());
            for key in &k.published {
                let kid = key.kid();
                match v {
                    // S4: Entra's kid is the certificate's x5t.
                    Vendor::Entra => assert_eq!(kid, protocols::jose::x5t(key)),
                    // S10: 43 base64url characters.
                    Vendor::Okta => assert!(
                        kid.len() == 43
                            && kid
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                        "okta kid {kid}"
                    ),
                    // Google: 40 lowercase hex digits.
                    Vendor::Google => assert!(
                        kid.len() == 40
                            && kid
                                .chars()
                                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()),
                        "google kid {kid}"
                    ),
                }
            }
            let kids: std::collections::BTreeSet<_> = k.published.iter().map(|k| k.kid()).collect();
            assert_eq!(kids.len(), k.published.len(), "{v}: kids are distinct");
        }
    }
}
