//! Injected time. Nothing in the core reads the wall clock: it asks a [`Clock`].
//!
//! [`SystemClock`] is the only place the wall clock is read. [`ManualClock`] is virtual time for
//! tests and for the mock IdPs' per-tenant clock offsets: it starts where you put it and moves
//! only when told.

use chrono::{DateTime, Duration, Utc};
use parking_lot::RwLock;
use std::sync::Arc;

/// A source of the current instant.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
}

/// Shared, dynamically dispatched clock, as stored in servers and tenants.
pub type SharedClock = Arc<dyn Clock>;

/// The real wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the one sanctioned wall-clock read
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Virtual time: fixed until [`ManualClock::advance`] or [`ManualClock::set`] moves it.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<RwLock<DateTime<Utc>>>,
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: Arc::new(RwLock::new(start)),
        }
    }

    /// A clock pinned at 2026-01-01T00:00:00Z, the epoch of every snapshot.
    pub fn fixed() -> Self {
        Self::new(snapshot_epoch())
    }

    pub fn advance(&self, by: Duration) {
        *self.now.write() += by;
    }

    pub fn set(&self, to: DateTime<Utc>) {
        *self.now.write() = to;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.read()
    }
}

/// Another clock seen through an adjustable offset: a tenant's "clock skew" knob.
#[derive(Debug, Clone)]
pub struct OffsetClock {
    inner: SharedClock,
    offset: Arc<RwLock<Duration>>,
}

impl OffsetClock {
    pub fn new(inner: SharedClock) -> Self {
        Self {
            inner,
            offset: Arc::new(RwLock::new(Duration::zero())),
        }
    }

    pub fn set_offset(&self, offset: Duration) {
        *self.offset.write() = offset;
    }

    pub fn offset(&self) -> Duration {
        *self.offset.read()
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> DateTime<Utc> {
        self.inner.now() + *self.offset.read()
    }
}

/// 2026-01-01T00:00:00Z.
pub fn snapshot_epoch() -> DateTime<Utc> {
    DateTime::from_timestamp(1_767_225_600, 0).unwrap_or_default()
}

/// SAML's xs:dateTime form, always UTC with a `Z` and no fractional seconds beyond millis.
pub fn saml_instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// [`saml_instant`] with milliseconds (`2026-01-01T00:00:00.000Z`), as Okta, Entra and Google
/// write every SAML instant (vendor-audit S8, S12, S13).
pub fn saml_instant_millis(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = ManualClock::fixed();
        let t0 = c.now();
        assert_eq!(c.now(), t0);
        c.advance(Duration::minutes(5));
        assert_eq!(c.now() - t0, Duration::minutes(5));
    }

    #[test]
    fn offset_clock_applies_offset() {
        let base = ManualClock::fixed();
        let off = OffsetClock::new(Arc::new(base.clone()));
        off.set_offset(Duration::hours(-2));
        assert_eq!(base.now() - off.now(), Duration::hours(2));
    }

    #[test]
    fn saml_instant_is_utc_z() {
        assert_eq!(saml_instant(snapshot_epoch()), "2026-01-01T00:00:00Z");
    }
}
