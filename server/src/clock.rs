//! Clocks for the server: the system's, and one that tests move by hand.

use app::backend::Clock;
use app::domain::Timestamp;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The real clock, in whole milliseconds (what the database stores exactly).
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let millis = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
        Timestamp::from_unix_millis(i64::try_from(millis).unwrap_or(i64::MAX))
    }
}

/// A clock that stands still until told to move: tests stand on exact boundaries with it. It
/// also counts how often it was read, so a test can tell that a request has reached the server.
pub struct ManualClock {
    millis: AtomicI64,
    reads: AtomicU64,
}

impl ManualClock {
    pub fn starting_at(at: Timestamp) -> Self {
        Self { millis: AtomicI64::new(at.unix_millis()), reads: AtomicU64::new(0) }
    }

    pub fn set(&self, at: Timestamp) {
        self.millis.store(at.unix_millis(), Ordering::SeqCst);
    }

    pub fn advance(&self, by: Duration) {
        self.set(Timestamp::from_unix_millis(self.millis.load(Ordering::SeqCst)).plus(by));
    }

    pub fn reads(&self) -> u64 {
        self.reads.load(Ordering::SeqCst)
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        self.reads.fetch_add(1, Ordering::SeqCst);
        Timestamp::from_unix_millis(self.millis.load(Ordering::SeqCst))
    }
}
