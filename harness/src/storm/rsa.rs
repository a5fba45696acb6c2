//! The baseline a round trip is compared with: raw RSA-2048 signatures per second on one
//! core, since every SAML round trip costs the IdP one (OpenSSL, as the IdPs sign with it).

use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::rsa::Rsa;
use openssl::sign::Signer;
use std::time::{Duration, Instant};

/// RSA-2048 SHA-256 signatures per second on this thread, signing for at least `span`.
/// Blocking: call it from a blocking thread.
pub fn rsa2048_signs_per_sec(span: Duration) -> Result<f64, openssl::error::ErrorStack> {
    let key = PKey::from_rsa(Rsa::generate(2048)?)?;
    let data = [0x5a_u8; 64];
    let begun = Instant::now();
    let mut n = 0_u64;
    while n < 10 || begun.elapsed() < span {
        let mut s = Signer::new(MessageDigest::sha256(), &key)?;
        s.update(&data)?;
        std::hint::black_box(s.sign_to_vec()?);
        n += 1;
    }
    Ok(n as f64 / begun.elapsed().as_secs_f64())
}
