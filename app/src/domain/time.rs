//! Instants on the server's clock, as the domain sees them.
//!
//! The rules compare instants and add window lengths; nothing more. A millisecond count since the
//! Unix epoch (UTC) is exact, orders trivially, survives every database and JSON unchanged, and
//! lets the browser compute a countdown from the same numbers the server decided on.

use serde::{Deserialize, Serialize};
use std::time::Duration;
use time::OffsetDateTime;

/// An instant in UTC, in whole milliseconds since the Unix epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_unix_millis(millis: i64) -> Self {
        Self(millis)
    }

    pub const fn unix_millis(self) -> i64 {
        self.0
    }

    /// `self + span`, pinned to the largest instant rather than wrapping.
    pub fn plus(self, span: Duration) -> Self {
        let millis = i64::try_from(span.as_millis()).unwrap_or(i64::MAX);
        Self(self.0.saturating_add(millis))
    }

    /// `self - span`, pinned to the smallest instant rather than wrapping.
    pub fn minus(self, span: Duration) -> Self {
        let millis = i64::try_from(span.as_millis()).unwrap_or(i64::MAX);
        Self(self.0.saturating_sub(millis))
    }

    /// The instant as a UTC date and time (for storage and display); `None` past the year 9999.
    pub fn to_utc(self) -> Option<OffsetDateTime> {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000_000).ok()
    }

    /// A stored date and time as an instant, to the millisecond it falls in (before 1970 too).
    pub fn from_utc(at: OffsetDateTime) -> Self {
        Self(i64::try_from(at.unix_timestamp_nanos().div_euclid(1_000_000)).unwrap_or(i64::MAX))
    }

    /// The time left from `self` until `later`; zero when `later` is not after `self`.
    pub fn until(self, later: Timestamp) -> Duration {
        let millis = later.0.saturating_sub(self.0).max(0);
        Duration::from_millis(millis.unsigned_abs())
    }
}

/// Formats a remaining time as `HH:MM:SS`, rounding partial seconds up so the display never shows
/// `00:00:00` while any time is left, and hours growing past 99 rather than wrapping.
pub fn format_countdown(left: Duration) -> String {
    let total = left.as_millis().div_ceil(1000);
    let (hours, minutes, seconds) = (total / 3600, (total / 60) % 60, total % 60);
    format!("{hours:02}:{minutes:02}:{seconds:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plus_and_until_are_inverse() {
        let t = Timestamp::from_unix_millis(1_000);
        let later = t.plus(Duration::from_secs(5));
        assert_eq!(later.unix_millis(), 6_000);
        assert_eq!(t.until(later), Duration::from_secs(5));
        assert_eq!(later.minus(Duration::from_secs(5)), t);
    }

    #[test]
    fn a_stored_time_reads_as_the_millisecond_it_falls_in() {
        let epoch = OffsetDateTime::UNIX_EPOCH;
        assert_eq!(Timestamp::from_utc(epoch + time::Duration::nanoseconds(999_999)).unix_millis(), 0);
        assert_eq!(Timestamp::from_utc(epoch - time::Duration::nanoseconds(1)).unix_millis(), -1);
    }

    #[test]
    fn until_a_past_instant_is_zero() {
        let t = Timestamp::from_unix_millis(10_000);
        assert_eq!(t.until(Timestamp::from_unix_millis(9_999)), Duration::ZERO);
    }

    #[test]
    fn plus_saturates_instead_of_overflowing() {
        let t = Timestamp::from_unix_millis(i64::MAX - 1);
        assert_eq!(t.plus(Duration::from_secs(u64::MAX)).unix_millis(), i64::MAX);
    }

    #[test]
    fn countdown_rounds_partial_seconds_up() {
        assert_eq!(format_countdown(Duration::from_millis(1)), "00:00:01");
        assert_eq!(format_countdown(Duration::from_millis(999)), "00:00:01");
        assert_eq!(format_countdown(Duration::from_millis(1000)), "00:00:01");
        assert_eq!(format_countdown(Duration::from_millis(1001)), "00:00:02");
        assert_eq!(format_countdown(Duration::ZERO), "00:00:00");
    }

    #[test]
    fn countdown_shows_hours_minutes_seconds() {
        assert_eq!(format_countdown(Duration::from_secs(24 * 3600)), "24:00:00");
        assert_eq!(format_countdown(Duration::from_secs(3600 + 61)), "01:01:01");
        assert_eq!(format_countdown(Duration::from_secs(100 * 3600)), "100:00:00");
    }
}
