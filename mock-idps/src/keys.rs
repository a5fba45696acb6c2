//! Pinned signing keys, so that every run signs with the same keys and snapshots stay put.
//! Provenance and the command that regenerates them: fixtures/keys/README.md.

use crate::personality::Vendor;
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

/// `key` under the kid its vendor's JWKS gives it: the certificate's x5t for Entra (S4), the
/// pinned kid elsewhere.
pub fn vendor_kid(
    vendor: Vendor,
    key: SigningKey,
) -> Result<SigningKey, protocols::keys::KeyError> {
    if vendor.personality().oidc.jwks.kid_is_x5t {
        SigningKey::from_pem(protocols::jose::x5t(&key), key.key_pem(), key.cert_pem())
    } else {
        Ok(key)
    }
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
                // S4: Entra's kid is the x5t; Okta's and Google's are not derived from a cert.
                assert_eq!(
                    key.kid() == protocols::jose::x5t(key),
                    v == Vendor::Entra,
                    "{v}"
                );
            }
        }
    }
}
