//! Instants and spans as people read them.
//!
//! The server cannot know the reader's time zone, so it renders instants in UTC and the browser
//! hydrates that same text (no mismatch), then rewrites it in the browser's own zone with the
//! offset that zone had at that instant (so summer and winter times are both right). The
//! `datetime` attribute carries the exact instant and the `title` the UTC reading.

use crate::domain::Timestamp;
use leptos::prelude::*;
use std::time::Duration;

/// `27 Nov 2026, 14:05 UTC`, or with `seconds`, `27 Nov 2026, 14:05:09 UTC` (for logs).
pub fn format_instant(at: Timestamp, seconds: bool) -> String {
    format_instant_at(at, seconds, 0)
}

/// The same reading at `offset_minutes` east of UTC: `27 Nov 2026, 19:35 UTC+5:30`.
///
/// Written out by hand rather than with the `time` crate's formatter: this runs in the browser,
/// and the formatter and its tables were a measurable part of the WASM (issue 11).
pub fn format_instant_at(at: Timestamp, seconds: bool, offset_minutes: i32) -> String {
    // Offsets beyond ±25:59:59 do not exist (the `time` crate's limit, which this kept before).
    if offset_minutes.unsigned_abs() >= 26 * 60 {
        return format_instant(at, seconds);
    }
    let local = at.unix_millis().div_euclid(1000).checked_add(i64::from(offset_minutes) * 60);
    let Some(Civil { year, month, day, hour, minute, second }) = local.and_then(civil) else {
        return "an unknown time".to_owned();
    };
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = MONTHS[usize::from(month - 1)];
    let zone = zone_name(offset_minutes);
    if seconds {
        format!("{day} {month} {year:04}, {hour:02}:{minute:02}:{second:02} {zone}")
    } else {
        format!("{day} {month} {year:04}, {hour:02}:{minute:02} {zone}")
    }
}

/// A reading of the proleptic Gregorian calendar, as `time` gives it.
struct Civil {
    year: i64,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
}

/// The calendar reading of `secs` since the Unix epoch (UTC), for years 0 to 9999 (outside them
/// there is no four-digit reading; `None`). Days to date: Howard Hinnant's `civil_from_days`.
fn civil(secs: i64) -> Option<Civil> {
    let (days, in_day) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days.checked_add(719_468)?;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    if !(0..=9999).contains(&year) {
        return None;
    }
    // Every value below is in range by construction (month 1-12, day 1-31, and so on).
    let small = |n: i64| u8::try_from(n).ok();
    Some(Civil {
        year,
        month: small(month)?,
        day: small(day)?,
        hour: small(in_day / 3600)?,
        minute: small(in_day / 60 % 60)?,
        second: small(in_day % 60)?,
    })
}

/// `UTC`, `UTC+1`, `UTC+5:30`, `UTC-3`.
fn zone_name(offset_minutes: i32) -> String {
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let (hours, minutes) = (offset_minutes.unsigned_abs() / 60, offset_minutes.unsigned_abs() % 60);
    match (hours, minutes) {
        (0, 0) => "UTC".to_owned(),
        (_, 0) => format!("UTC{sign}{hours}"),
        _ => format!("UTC{sign}{hours}:{minutes:02}"),
    }
}

/// RFC 3339, for the `datetime` attribute (empty outside the years 0 to 9999, as before); any
/// milliseconds as a fraction without trailing zeros, as the `time` crate wrote them.
fn machine_instant(at: Timestamp) -> String {
    let millis = at.unix_millis().rem_euclid(1000);
    let fraction = if millis == 0 { String::new() } else { format!(".{millis:03}").trim_end_matches('0').to_owned() };
    civil(at.unix_millis().div_euclid(1000))
        .map(|c| format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{fraction}Z", c.year, c.month, c.day, c.hour, c.minute, c.second))
        .unwrap_or_default()
}

/// "View only · 8 hours from the first start": what a user allowed, wherever it is shown.
pub fn format_terms(terms: &crate::domain::Terms) -> String {
    format!("{} · {} from the first start", terms.access.label(), format_span(terms.duration))
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
    let utc = format_instant(at, seconds);
    let text = RwSignal::new(utc.clone());
    // Effects run only in the browser, after hydration has matched the server's UTC text.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| text.set(format_instant_at(at, seconds, browser_offset_minutes(at))));
    view! { <time datetime=machine_instant(at) title=utc>{text}</time> }
}

/// Minutes east of UTC in the browser's zone at that instant (JavaScript counts them westwards).
#[cfg(feature = "hydrate")]
fn browser_offset_minutes(at: Timestamp) -> i32 {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.unix_millis() as f64));
    -(date.get_timezone_offset() as i32)
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
    fn instants_read_in_the_readers_zone_with_its_offset() {
        let at = Timestamp::from_unix_millis(1_795_788_309_000);
        assert_eq!(format_instant_at(at, false, 330), "27 Nov 2026, 19:35 UTC+5:30");
        assert_eq!(format_instant_at(at, true, 60), "27 Nov 2026, 15:05:09 UTC+1");
        assert_eq!(format_instant_at(at, false, -15 * 60), "26 Nov 2026, 23:05 UTC-15");
        assert_eq!(format_instant_at(at, false, 0), "27 Nov 2026, 14:05 UTC");
    }

    #[test]
    fn an_impossible_offset_falls_back_to_utc() {
        let at = Timestamp::from_unix_millis(1_795_788_309_000);
        assert_eq!(format_instant_at(at, false, 48 * 60), "27 Nov 2026, 14:05 UTC");
        assert_eq!(format_instant_at(at, false, i32::MIN), "27 Nov 2026, 14:05 UTC");
    }

    /// The hand-written calendar agrees with the `time` crate (which the server still uses).
    #[test]
    fn the_calendar_matches_the_time_crate() {
        use time::macros::format_description;
        let fmt = format_description!("[day padding:none] [month repr:short] [year], [hour]:[minute]:[second]");
        let mut millis: i64 = -62_167_219_200_000; // 0000-01-01T00:00:00Z
        while millis < 253_402_300_799_000 {
            let at = Timestamp::from_unix_millis(millis);
            let expected = at.to_utc().and_then(|t| t.format(&fmt).ok()).map(|t| format!("{t} UTC"));
            assert_eq!(Some(format_instant(at, true)), expected, "at {millis}");
            let rfc = at.to_utc().and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok());
            assert_eq!(Some(machine_instant(at)), rfc, "at {millis}");
            millis += 7_777_777_777; // about 90 days and an odd time of day
        }
        assert_eq!(machine_instant(Timestamp::from_unix_millis(1_120)), "1970-01-01T00:00:01.12Z");
        assert_eq!(machine_instant(Timestamp::from_unix_millis(-62_167_219_200_001)), "");
        assert_eq!(format_instant(Timestamp::from_unix_millis(i64::MIN), false), "an unknown time");
        assert_eq!(format_instant_at(Timestamp::from_unix_millis(i64::MAX), false, 60), "an unknown time");
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
