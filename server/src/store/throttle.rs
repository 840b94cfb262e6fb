//! Login throttling: after too many failures for one account, or from one client address, further
//! attempts are refused for a while with "try again in N s". Kept in the database, so every server
//! instance counts the same failures.

use app::domain::Timestamp;
use std::time::Duration;

/// How many failures a key may collect within `lockout` before it is locked for `lockout`
/// (the settings' own type, so the limits are read once and never rebuilt).
pub use crate::config::ThrottleLimits as Limits;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct State {
    pub failures: u32,
    pub window_started_at: Timestamp,
    pub locked_until: Option<Timestamp>,
}

/// How long until this key may try again, if it is locked now.
pub fn retry_after(state: Option<&State>, now: Timestamp) -> Option<Duration> {
    let until = state?.locked_until?;
    (now < until).then(|| now.until(until))
}

/// The state after one more failure.
pub fn after_failure(state: Option<State>, now: Timestamp, limits: Limits) -> State {
    let in_window = state.filter(|s| now < s.window_started_at.plus(limits.lockout));
    let failures = in_window.map_or(0, |s| s.failures) + 1;
    if failures >= limits.max_failures {
        State { failures: 0, window_started_at: now, locked_until: Some(now.plus(limits.lockout)) }
    } else {
        State {
            failures,
            window_started_at: in_window.map_or(now, |s| s.window_started_at),
            locked_until: state.and_then(|s| s.locked_until),
        }
    }
}

/// Whole seconds to show, never "0 s" while still locked.
pub fn seconds_to_show(wait: Duration) -> u64 {
    wait.as_millis().div_ceil(1000).max(1) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Timestamp = Timestamp::from_unix_millis(1_000_000);
    const LIMITS: Limits = Limits { max_failures: 3, lockout: Duration::from_secs(60) };

    fn fail_times(n: u32, at: Timestamp) -> Option<State> {
        (0..n).fold(None, |s, _| Some(after_failure(s, at, LIMITS)))
    }

    #[test]
    fn failures_below_the_limit_do_not_lock() {
        let s = fail_times(2, T0);
        assert_eq!(retry_after(s.as_ref(), T0), None);
    }

    #[test]
    fn the_limit_locks_for_the_lockout_exactly() {
        let s = fail_times(3, T0);
        assert_eq!(retry_after(s.as_ref(), T0), Some(Duration::from_secs(60)));
        assert_eq!(retry_after(s.as_ref(), T0.plus(Duration::from_millis(59_999))), Some(Duration::from_millis(1)));
        assert_eq!(retry_after(s.as_ref(), T0.plus(Duration::from_secs(60))), None);
    }

    #[test]
    fn a_failure_one_millisecond_before_the_window_closes_still_counts() {
        let s = fail_times(2, T0);
        let last = after_failure(s, T0.plus(Duration::from_millis(59_999)), LIMITS);
        assert!(retry_after(Some(&last), T0.plus(Duration::from_millis(59_999))).is_some());
    }

    #[test]
    fn old_failures_are_forgotten_after_the_window() {
        let s = fail_times(2, T0);
        let later = after_failure(s, T0.plus(Duration::from_secs(60)), LIMITS);
        assert_eq!(later.failures, 1);
        assert_eq!(retry_after(Some(&later), T0.plus(Duration::from_secs(60))), None);
    }

    #[test]
    fn the_wait_is_shown_in_whole_seconds_rounded_up() {
        assert_eq!(seconds_to_show(Duration::from_millis(1)), 1);
        assert_eq!(seconds_to_show(Duration::from_millis(1_001)), 2);
        assert_eq!(seconds_to_show(Duration::from_secs(60)), 60);
    }
}
