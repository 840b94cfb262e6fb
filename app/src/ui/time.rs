//! Instants and spans as people read them.
//!
//! Times are shown in UTC on both sides, so the server-rendered text and the hydrated text are
//! the same characters wherever the browser is; the `datetime` attribute carries the exact instant.

use crate::domain::Timestamp;
use leptos::prelude::*;
use std::time::Duration;
use time::OffsetDateTime;
use time::macros::format_description;

/// `27 Nov 2026, 14:05 UTC`, or with `seconds`, `27 Nov 2026, 14:05:09 UTC` (for logs).
pub fn format_instant(at: Timestamp, seconds: bool) -> String {
    let minutes = format_description!("[day padding:none] [month repr:short] [year], [hour]:[minute] UTC");
    let precise = format_description!("[day padding:none] [month repr:short] [year], [hour]:[minute]:[second] UTC");
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(at.unix_millis()) * 1_000_000)
        .ok()
        .and_then(|t| t.format(if seconds { &precise } else { &minutes }).ok())
        .unwrap_or_else(|| "an unknown time".to_owned())
}

/// RFC 3339, for the `datetime` attribute.
fn machine_instant(at: Timestamp) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(at.unix_millis()) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

/// `45 seconds`, `1 hour 5 minutes`, `24 hours`, `3 days 2 hours`: how long something lasts,
/// in the two largest units that read naturally (hours up to two days).
pub fn format_span(span: Duration) -> String {
    fn unit(n: u64, name: &str) -> String {
        if n == 1 { format!("1 {name}") } else { format!("{n} {name}s") }
    }
    let secs = span.as_secs();
    let (minutes, hours, days) = (secs / 60, secs / 3600, secs / 86_400);
    match secs {
        0..60 => unit(secs, "second"),
        60..3600 => unit(minutes, "minute"),
        3600..172_800 if minutes % 60 == 0 => unit(hours, "hour"),
        3600..172_800 => format!("{} {}", unit(hours, "hour"), unit(minutes % 60, "minute")),
        _ if hours % 24 == 0 => unit(days, "day"),
        _ => format!("{} {}", unit(days, "day"), unit(hours % 24, "hour")),
    }
}

#[component]
pub fn DateTime(at: Timestamp, #[prop(optional)] seconds: bool) -> impl IntoView {
    view! { <time datetime=machine_instant(at)>{format_instant(at, seconds)}</time> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_read_in_utc() {
        assert_eq!(format_instant(Timestamp::from_unix_millis(1_795_788_309_000), false), "27 Nov 2026, 14:05 UTC");
        assert_eq!(format_instant(Timestamp::from_unix_millis(1_795_788_309_000), true), "27 Nov 2026, 14:05:09 UTC");
        assert_eq!(machine_instant(Timestamp::from_unix_millis(0)), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn spans_read_in_the_largest_natural_units() {
        assert_eq!(format_span(Duration::from_secs(1)), "1 second");
        assert_eq!(format_span(Duration::from_secs(5)), "5 seconds");
        assert_eq!(format_span(Duration::from_secs(61)), "1 minute");
        assert_eq!(format_span(Duration::from_secs(3600 + 5 * 60)), "1 hour 5 minutes");
        assert_eq!(format_span(Duration::from_secs(24 * 3600)), "24 hours");
        assert_eq!(format_span(Duration::from_secs(48 * 3600)), "2 days");
        assert_eq!(format_span(Duration::from_secs(74 * 3600)), "3 days 2 hours");
    }
}
