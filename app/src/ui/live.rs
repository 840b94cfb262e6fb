//! The live channel: server-sent events that keep an open page true without a click.
//!
//! The server pushes the session's standing and a revision number that changes whenever a consent
//! or impersonation that the page shows changes, or the tenant's records do. Pages re-read their
//! data when the revision moves; an impersonator whose impersonation ended is sent back to the
//! switcher, where the server says why. The server refuses regardless: this only spares people
//! from acting on a stale page.

use crate::api::types::LiveStatus;
#[cfg(feature = "hydrate")]
use crate::api::types::LivePush;
use leptos::prelude::*;

/// A counter that pages' resources depend on; it moves whenever the server says something changed.
#[derive(Clone, Copy)]
pub struct Refresh {
    count: RwSignal<u64>,
    /// The revision the page on screen was read at, when it says (see `drawn_at`).
    drawn: StoredValue<Option<i64>>,
}

impl Refresh {
    pub fn provide() -> Refresh {
        let refresh = Refresh { count: RwSignal::new(0), drawn: StoredValue::new(None) };
        provide_context(refresh);
        refresh
    }

    /// The page on screen was read at `revision`. The live channel's first message is compared
    /// with it: a change made between the server's read and the channel's opening (while the
    /// page loads and hydrates) would otherwise show only at the next change.
    pub fn drawn_at(self, revision: i64) {
        self.drawn.set_value(Some(revision));
    }

    pub fn use_() -> Refresh {
        use_context::<Refresh>().unwrap_or_else(Refresh::provide)
    }

    pub fn bump(self) {
        self.count.update(|n| *n += 1);
    }

    /// Read inside a resource's source to re-fetch on every bump.
    pub fn track(self) -> u64 {
        self.count.get()
    }
}

/// Leaves for `path` with a full page load, so the server renders the new state of the session.
pub fn hard_navigate(path: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href(path);
    }
}

/// Decides what a page does with one pushed message.
#[derive(Debug, PartialEq, Eq)]
pub enum Reaction {
    Nothing,
    Refresh,
    /// Leave for this path with a full page load.
    Leave(String),
}

/// `impersonating`: whether the page was rendered inside an impersonation; `data_changed`: whether
/// the revision moved since the previous message.
pub fn react(status: &LiveStatus, impersonating: bool, data_changed: bool, here: &str) -> Reaction {
    match (status, impersonating) {
        (LiveStatus::LoggedOut, _) => Reaction::Leave(crate::api::navigation::login_then(here)),
        (LiveStatus::Own, true) => Reaction::Leave("/impersonate".to_owned()),
        (LiveStatus::Impersonating { .. }, false) => Reaction::Leave("/".to_owned()),
        _ if data_changed => Reaction::Refresh,
        _ => Reaction::Nothing,
    }
}

/// Opens the live channel for as long as the shell is on screen.
#[component]
pub fn LiveChannel(impersonating: bool) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    listen(impersonating);
    #[cfg(not(feature = "hydrate"))]
    let _ = impersonating;
}

#[cfg(feature = "hydrate")]
fn listen(impersonating: bool) {
    use super::countdown::ServerClock;
    use leptos::__reexports::send_wrapper::SendWrapper;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    let refresh = Refresh::use_();
    let watchers = super::Watchers::use_();
    let clock = use_context::<ServerClock>();
    Effect::new(move |_| {
        let Ok(source) = web_sys::EventSource::new(crate::api::live::LIVE_CHANNEL) else { return };
        let last_revision = StoredValue::new(None::<i64>);
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let Some(text) = event.data().as_string() else { return };
            // `from_slice`, as server functions decode: one copy of each `Deserialize` in the bundle.
            let Ok(push) = serde_json::from_slice::<LivePush>(text.as_bytes()) else { return };
            if let Some(clock) = clock {
                clock.0.set(Some(push.server_now.unix_millis().saturating_sub(js_sys::Date::now() as i64)));
            }
            if watchers.0.with_untracked(|w| *w != push.watchers) {
                watchers.0.set(push.watchers.clone());
            }
            let seen = last_revision.get_value().or_else(|| refresh.drawn.get_value());
            let data_changed = seen.is_some_and(|r| r != push.revision);
            match react(&push.status, impersonating, data_changed, &here()) {
                Reaction::Nothing => {}
                Reaction::Refresh => refresh.bump(),
                Reaction::Leave(path) => hard_navigate(&path),
            }
            last_revision.set_value(Some(push.revision));
        });
        source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // The browser reconnects by itself after a dropped stream; a refused one (the session is
        // gone) closes for good, so ask where this session stands now.
        let closed_source = source.clone();
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            if closed_source.ready_state() != web_sys::EventSource::CLOSED {
                return;
            }
            leptos::task::spawn_local(async move {
                let Ok(status) = crate::api::live::current_status().await else { return };
                if let Reaction::Leave(path) = react(&status, impersonating, false, &here()) {
                    hard_navigate(&path);
                }
            });
        });
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let source = SendWrapper::new((source, on_message, on_error));
        on_cleanup(move || source.0.close());
    });
}

/// The path of the page on screen.
#[cfg(feature = "hydrate")]
fn here() -> String {
    web_sys::window().and_then(|w| w.location().pathname().ok()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::Banner;
    use crate::domain::Timestamp;

    fn impersonating() -> LiveStatus {
        let t = Timestamp::from_unix_millis(0);
        LiveStatus::Impersonating {
            banner: Banner { super_admin_name: "A".into(), subject_name: "U".into(), tenant_name: "T".into(), ends_at: t, server_now: t, access: crate::domain::Access::Full },
        }
    }

    #[test]
    fn an_impersonator_whose_impersonation_ended_goes_back_to_the_switcher() {
        assert_eq!(react(&LiveStatus::Own, true, false, "/"), Reaction::Leave("/impersonate".into()));
    }

    #[test]
    fn a_logged_out_page_goes_to_login_and_comes_back() {
        assert_eq!(react(&LiveStatus::LoggedOut, false, false, "/profile"), Reaction::Leave("/login?next=/profile".into()));
    }

    #[test]
    fn a_moved_revision_refreshes_the_page_and_an_unmoved_one_does_not() {
        assert_eq!(react(&impersonating(), true, false, "/"), Reaction::Nothing);
        assert_eq!(react(&impersonating(), true, true, "/"), Reaction::Refresh);
        assert_eq!(react(&LiveStatus::Own, false, true, "/profile"), Reaction::Refresh);
    }

    #[test]
    fn a_page_rendered_in_ones_own_session_follows_a_session_that_moved_into_an_impersonation() {
        assert_eq!(react(&impersonating(), false, false, "/impersonate"), Reaction::Leave("/".into()));
    }
}
