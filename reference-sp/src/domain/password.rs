//! Password hashing: PBKDF2-HMAC-SHA256 with a per-password salt, stored as
//! `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`.

use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use base64::Engine;
use protocols::IdGen;

const ITERATIONS: usize = 60_000;
const HASH_LEN: usize = 32;

/// Hash `password` with a fresh salt from `ids`.
pub fn hash(password: &str, ids: &dyn IdGen) -> Result<String, openssl::error::ErrorStack> {
    let mut salt = [0u8; 16];
    ids.fill(&mut salt);
    let out = derive(password, &salt, ITERATIONS)?;
    Ok(format!(
        "pbkdf2-sha256${ITERATIONS}${}${}",
        B64.encode(salt),
        B64.encode(out)
    ))
}

fn derive(
    password: &str,
    salt: &[u8],
    iterations: usize,
) -> Result<[u8; HASH_LEN], openssl::error::ErrorStack> {
    let mut out = [0u8; HASH_LEN];
    openssl::pkcs5::pbkdf2_hmac(
        password.as_bytes(),
        salt,
        iterations,
        openssl::hash::MessageDigest::sha256(),
        &mut out,
    )?;
    Ok(out)
}

/// Whether `password` matches `stored`. An unreadable stored hash matches nothing.
pub fn verify(password: &str, stored: &str) -> bool {
    let mut parts = stored.split('$');
    let (Some("pbkdf2-sha256"), Some(iter), Some(salt), Some(want), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let (Ok(iter), Ok(salt), Ok(want)) =
        (iter.parse::<usize>(), B64.decode(salt), B64.decode(want))
    else {
        return false;
    };
    if iter == 0 || iter > 10_000_000 {
        return false;
    }
    match derive(password, &salt, iter) {
        // memcmp::eq panics on unequal lengths, hence the length check first.
        Ok(got) => want.len() == HASH_LEN && openssl::memcmp::eq(&got, &want),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocols::SeededIds;

    #[test]
    fn round_trip_and_refusals() {
        let ids = SeededIds::new(1);
        let h = hash("correct horse", &ids).expect("hash");
        assert!(verify("correct horse", &h));
        assert!(!verify("wrong", &h));
        assert!(!verify("correct horse", "garbage"));
        assert!(!verify("correct horse", "pbkdf2-sha256$0$AA$AA"));
        assert_ne!(h, hash("correct horse", &ids).expect("hash"), "salted");
    }
}
