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

/// `2 h 5 min`, `45 s`: how long something lasted or lasts.
pub fn format_span(span: Duration) -> String {
    let secs = span.as_secs();
    let (days, hours, minutes) = (secs / 86_400, (secs / 3600) % 24, (secs / 60) % 60);
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{secs} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
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
    fn spans_read_in_the_largest_units() {
        assert_eq!(format_span(Duration::from_secs(5)), "5 s");
        assert_eq!(format_span(Duration::from_secs(24 * 3600)), "1 d");
        assert_eq!(format_span(Duration::from_secs(3600 + 5 * 60)), "1 h 5 min");
        assert_eq!(format_span(Duration::from_secs(2 * 3600)), "2 h");
        assert_eq!(format_span(Duration::from_secs(61)), "1 min");
        assert_eq!(format_span(Duration::from_secs(26 * 3600)), "1 d 2 h");
    }
}
