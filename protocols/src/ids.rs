//! Injected ids and nonces. Seeded generators make every artefact reproducible; the random one is
//! for production serving.

use parking_lot::Mutex;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use std::sync::Arc;

/// A source of random-looking bytes for ids, nonces, codes and secrets.
pub trait IdGen: Send + Sync + std::fmt::Debug {
    fn fill(&self, buf: &mut [u8]);

    /// `n` random bytes as lowercase hex.
    fn hex(&self, n: usize) -> String {
        let mut b = vec![0u8; n];
        self.fill(&mut b);
        hex::encode(b)
    }

    /// A version-4 style GUID (`8-4-4-4-12` lowercase hex).
    fn guid(&self) -> String {
        let mut b = [0u8; 16];
        self.fill(&mut b);
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let h = hex::encode(b);
        format!(
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )
    }

    /// A decimal string of `n` digits (Okta's `id` + digits ids).
    fn digits(&self, n: usize) -> String {
        let mut b = vec![0u8; n];
        self.fill(&mut b);
        b.iter().map(|x| char::from(b'0' + x % 10)).collect()
    }

    /// `n` characters from `[A-Za-z0-9]` (Okta object ids, OAuth codes).
    fn alnum(&self, n: usize) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let mut b = vec![0u8; n];
        self.fill(&mut b);
        b.iter()
            .map(|x| char::from(A[*x as usize % A.len()]))
            .collect()
    }

    /// URL-safe token of `n` random bytes.
    fn token(&self, n: usize) -> String {
        use base64::Engine;
        let mut b = vec![0u8; n];
        self.fill(&mut b);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
    }
}

pub type SharedIdGen = Arc<dyn IdGen>;

/// Deterministic generator: the same seed gives the same sequence.
#[derive(Debug)]
pub struct SeededIds {
    rng: Mutex<ChaCha20Rng>,
}

impl SeededIds {
    pub fn new(seed: u64) -> Self {
        Self {
            rng: Mutex::new(ChaCha20Rng::seed_from_u64(seed)),
        }
    }
}

impl IdGen for SeededIds {
    fn fill(&self, buf: &mut [u8]) {
        self.rng.lock().fill_bytes(buf);
    }
}

/// Operating-system randomness.
#[derive(Debug, Default)]
pub struct RandomIds;

impl IdGen for RandomIds {
    fn fill(&self, buf: &mut [u8]) {
        rand::thread_rng().fill(buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_repeats() {
        let a = SeededIds::new(7);
        let b = SeededIds::new(7);
        assert_eq!(a.guid(), b.guid());
        assert_eq!(a.alnum(20), b.alnum(20));
        assert_ne!(SeededIds::new(8).guid(), SeededIds::new(7).guid());
    }

    #[test]
    fn shapes() {
        let g = SeededIds::new(1);
        let guid = g.guid();
        assert_eq!(guid.len(), 36);
        assert_eq!(&guid[14..15], "4");
        assert!(g.digits(12).chars().all(|c| c.is_ascii_digit()));
        assert!(g.alnum(17).chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
