//! The user's terms (rules 1, 2 and 14): when they allow, the user says what staff may do as them
//! (full access, or view only) and how long staff keep access once they start, from the lengths
//! the policy offers. A user who just confirms gets the defaults: full access for the configured
//! duration.

use super::Policy;
use serde::{Deserialize, Serialize};
use std::time::Duration;

const HOUR: Duration = Duration::from_secs(60 * 60);

/// The lengths every user is offered, when the policy's maximum allows them.
pub const STANDARD_LENGTHS: [Duration; 4] = [HOUR, Duration::from_secs(8 * 60 * 60), Duration::from_secs(24 * 60 * 60), Duration::from_secs(72 * 60 * 60)];

/// What an impersonator may do as the user.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Everything the user may do, except what is theirs alone (consent, password, email).
    #[default]
    Full,
    /// See what the user sees; change nothing.
    ViewOnly,
}

impl Access {
    pub const ALL: [Access; 2] = [Access::Full, Access::ViewOnly];

    /// The level's name in storage and on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Access::Full => "full",
            Access::ViewOnly => "view_only",
        }
    }

    pub fn parse(text: &str) -> Option<Access> {
        Access::ALL.into_iter().find(|a| a.as_str() == text)
    }

    /// How the product names the level.
    pub const fn label(self) -> &'static str {
        match self {
            Access::Full => "Full access",
            Access::ViewOnly => "View only",
        }
    }
}

/// What a grant lets staff do, and for how long from the first start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Terms {
    pub access: Access,
    /// How long impersonation lasts from the first start under the grant.
    pub duration: Duration,
}

impl Policy {
    /// The lengths a user may choose, shortest first: the standard ones up to the maximum, and the
    /// configured duration (the default) whatever it is.
    pub fn lengths(&self) -> Vec<Duration> {
        let mut lengths: Vec<Duration> = STANDARD_LENGTHS.into_iter().filter(|l| *l <= self.max_duration).collect();
        lengths.push(self.duration);
        lengths.sort();
        lengths.dedup();
        lengths
    }

    /// What a user who just confirms agrees to.
    pub fn default_terms(&self) -> Terms {
        Terms { access: Access::Full, duration: self.duration }
    }

    /// Whether the user may choose these terms.
    pub fn offers(&self, terms: &Terms) -> bool {
        self.lengths().contains(&terms.duration)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(duration: Duration, max_duration: Duration) -> Policy {
        Policy { duration, max_duration, ..Policy::default() }
    }

    #[test]
    fn by_default_every_standard_length_is_offered_up_to_a_day_and_the_day_is_the_default() {
        let p = Policy::default();
        assert_eq!(p.lengths(), vec![HOUR, 8 * HOUR, 24 * HOUR]);
        assert_eq!(p.default_terms(), Terms { access: Access::Full, duration: 24 * HOUR });
    }

    #[test]
    fn a_length_over_the_maximum_is_not_offered_and_one_at_it_is() {
        let p = policy(24 * HOUR, 72 * HOUR);
        assert_eq!(p.lengths(), vec![HOUR, 8 * HOUR, 24 * HOUR, 72 * HOUR]);
        let p = policy(24 * HOUR, 72 * HOUR - Duration::from_millis(1));
        assert!(!p.offers(&Terms { access: Access::Full, duration: 72 * HOUR }));
        assert!(p.offers(&Terms { access: Access::ViewOnly, duration: 24 * HOUR }));
    }

    #[test]
    fn the_configured_duration_is_always_offered_even_off_the_standard_list() {
        let p = policy(Duration::from_secs(5), 24 * HOUR);
        assert_eq!(p.lengths(), vec![Duration::from_secs(5), HOUR, 8 * HOUR, 24 * HOUR]);
        assert!(!p.offers(&Terms { access: Access::Full, duration: Duration::from_secs(6) }));
    }

    #[test]
    fn access_levels_round_trip_through_their_names() {
        for access in Access::ALL {
            assert_eq!(Access::parse(access.as_str()), Some(access));
        }
        assert_eq!(Access::parse("admin"), None);
    }
}
