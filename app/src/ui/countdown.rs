//! A live `HH:MM:SS` countdown to an instant on the server's clock.
//!
//! The remaining time is recomputed every second from `ends_at` and the server's clock (our clock
//! plus the offset the live channel measured), never by decrementing a counter, so a sleeping
//! laptop or a skewed clock cannot make it drift. The server renders the same first value the
//! browser hydrates with, so nothing jumps.

use crate::domain::{Timestamp, format_countdown};
use leptos::prelude::*;

/// The difference between the server's clock and the browser's, in milliseconds, as last measured.
#[derive(Clone, Copy)]
pub struct ServerClock(pub RwSignal<Option<i64>>);

impl ServerClock {
    pub fn provide() -> ServerClock {
        let clock = ServerClock(RwSignal::new(None));
        provide_context(clock);
        clock
    }
}

#[component]
pub fn Countdown(
    ends_at: Timestamp,
    server_now: Timestamp,
    /// Called once when the countdown reaches zero.
    #[prop(optional)]
    on_zero: Option<Callback<()>>,
) -> impl IntoView {
    let left = RwSignal::new(server_now.until(ends_at));
    #[cfg(feature = "hydrate")]
    tick_every_second(left, ends_at, server_now, on_zero);
    #[cfg(not(feature = "hydrate"))]
    let _ = on_zero;
    view! {
        <span class="countdown" role="timer">
            {move || format_countdown(left.get())}
        </span>
    }
}

#[cfg(feature = "hydrate")]
fn tick_every_second(left: RwSignal<std::time::Duration>, ends_at: Timestamp, server_now: Timestamp, on_zero: Option<Callback<()>>) {
    use gloo_timers::callback::Interval;
    use leptos::__reexports::send_wrapper::SendWrapper;

    let measured = use_context::<ServerClock>().map(|c| c.0);
    // Until the live channel measures the offset, assume the data is as fresh as this moment.
    let fallback_offset = server_now.unix_millis().saturating_sub(js_sys::Date::now() as i64);
    let fired = StoredValue::new(false);
    let tick = move || {
        let offset = measured.and_then(|m| m.get_untracked()).unwrap_or(fallback_offset);
        let now = Timestamp::from_unix_millis((js_sys::Date::now() as i64).saturating_add(offset));
        let remaining = now.until(ends_at);
        left.set(remaining);
        if remaining.is_zero() && !fired.get_value() {
            fired.set_value(true);
            if let Some(on_zero) = on_zero {
                on_zero.run(());
            }
        }
    };
    let interval = SendWrapper::new(Interval::new(1_000, tick));
    on_cleanup(move || drop(interval));
}
