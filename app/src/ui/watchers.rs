//! The notice a user gets on every open page the moment a super admin starts (or joins)
//! impersonating them: who, and a one-click Disallow. The live channel says who is in now (the
//! server fills it only for a user's own pages); the notice stays until the user dismisses it, and
//! a dismissal is remembered in this browser so it does not come back on the next page.

use crate::api::profile::DisallowImpersonation;
use crate::api::types::Watcher;
use crate::domain::ImpersonationId;
use leptos::prelude::*;

/// Who impersonates the viewer now, as the live channel last said.
#[derive(Clone, Copy)]
pub struct Watchers(pub RwSignal<Vec<Watcher>>);

impl Watchers {
    /// Shared by the live channel and the notices: the frame around the page provides it.
    pub fn provide() -> Watchers {
        let watchers = Watchers(RwSignal::new(Vec::new()));
        provide_context(watchers);
        watchers
    }

    pub fn use_() -> Watchers {
        use_context::<Watchers>().unwrap_or_else(Watchers::provide)
    }
}

/// The notices, in a polite live region that is on the page from the start, so screen readers
/// announce a notice when it appears.
#[component]
pub fn WatcherNotices() -> impl IntoView {
    let watchers = Watchers::use_();
    // Ids as text: comparing text needs no UUID parser in the bundle.
    let dismissed = RwSignal::new(Vec::<String>::new());
    // Read in the browser only: the server renders no notice, so hydration sees the same page.
    Effect::new(move |_| dismissed.set(remembered()));
    let disallow = ServerAction::<DisallowImpersonation>::new();
    let shown = move || watchers.0.get().into_iter().filter(|w| !dismissed.with(|d| d.contains(&w.impersonation.to_string()))).collect::<Vec<_>>();
    let dismiss = move |id: ImpersonationId| {
        dismissed.update(|d| d.push(id.to_string()));
        // Only the ones still live are worth keeping.
        let live: Vec<String> = watchers.0.with_untracked(|w| w.iter().map(|w| w.impersonation.to_string()).collect());
        remember(&dismissed.get_untracked().into_iter().filter(|id| live.contains(id)).collect::<Vec<_>>());
    };
    view! {
        <div class="notices" aria-live="polite">
            <For each=shown key=|w| w.impersonation let:watcher>
                {
                    let id = watcher.impersonation;
                    view! {
                        <div class="notice">
                            <p class="notice-text">
                                <strong>{watcher.super_admin_name}</strong> " started impersonating you"
                                " · "
                                <button type="button" class="button-link" disabled=move || disallow.pending().get() on:click=move |_| { disallow.dispatch(DisallowImpersonation {}); }>
                                    "Disallow"
                                </button>
                            </p>
                            <button type="button" class="notice-dismiss" aria-label="Dismiss this notice" on:click=move |_| dismiss(id)>
                                <span aria-hidden="true">"×"</span>
                            </button>
                        </div>
                    }
                }
            </For>
            {super::action_error(disallow.value())}
        </div>
    }
}

const KEY: &str = "impersonate.dismissed-notices";

#[cfg(feature = "hydrate")]
fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The dismissed impersonations, as ids separated by spaces: no JSON encoder in the bundle for this.
fn remembered() -> Vec<String> {
    #[cfg(feature = "hydrate")]
    if let Some(text) = storage().and_then(|s| s.get_item(KEY).ok().flatten()) {
        return text.split_whitespace().map(str::to_owned).collect();
    }
    Vec::new()
}

fn remember(ids: &[String]) {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = storage() {
        let _ = storage.set_item(KEY, &ids.join(" "));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ids, KEY);
}
