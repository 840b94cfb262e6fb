//! The frame around every page after login: the sidebar with the avatar menu, the impersonation
//! banner, and the live channel.

use super::PageError;
use crate::api::account::LogOut;
use crate::api::codec::Json;
use crate::api::impersonation::StopImpersonation;
use crate::api::types::{Banner, Viewer};
use crate::domain::Access;
use crate::ui::{Countdown, LiveChannel, MenuButton, MenuItem, WatcherNotices, action_error, hard_navigate};
use crate::ui::{IntoAnySync, SyncHydrate};
use leptos::prelude::*;
use leptos_router::components::{A, Outlet};
use leptos_router::hooks::{use_location, use_navigate};

#[component]
pub fn Shell() -> impl IntoView {
    // Who is logged in is known before the server draws anything (the request's session), so the
    // frame is drawn at once, not behind a suspense that waits for data already there: that wait
    // walked the frame's whole tree twice per page on the server. The page carries the answer to
    // the browser, which hydrates from it.
    let viewer = SharedValue::<_, Json>::new_with_encoding(viewer_at_load).into_inner();
    // The page (the outlet) waits for its own data (see `PageData`), and is drawn only in a
    // frame: without one, this document is about to be left (for the server's page, or the
    // login) or shows why it cannot be, and a page drawn there would read its data for nothing.
    view! {
        <div class="app">
            {match viewer {
                Some(Ok(Some(viewer))) => view! {
                    // Past the sidebar: only a frame has one.
                    <a class="skip-link" href="#main">"Skip to content"</a>
                    <Frame viewer />
                    <main class="content" id="main" tabindex="-1">
                        <Outlet />
                    </main>
                }
                .into_any_sync(),
                Some(Ok(None)) => view! { <LoggedOut /> }.into_any_sync(),
                Some(Err(error)) => view! { <div class="standalone"><PageError error /></div> }.into_any_sync(),
                None => view! { <DrawnByServer /> }.into_any_sync(),
            }}
        </div>
    }
}

/// The viewer as the server knew it when drawing the page; `None` in a browser that reached the
/// frame by navigating from a page outside it (the login page, a missing page), where no server
/// drew it.
#[cfg(feature = "ssr")]
fn viewer_at_load() -> Option<Result<Option<Viewer>, crate::api::ApiError>> {
    Some(crate::api::account::viewer_of_request())
}

#[cfg(not(feature = "ssr"))]
fn viewer_at_load() -> Option<Result<Option<Viewer>, crate::api::ApiError>> {
    None
}

/// The frame was reached without the server drawing it: load the page from the server, which
/// knows who is logged in.
#[component]
fn DrawnByServer() -> impl IntoView {
    let location = use_location();
    Effect::new(move |_| hard_navigate(&format!("{}{}", location.pathname.get_untracked(), location.search.get_untracked())));
    view! { <p class="loading" role="status">"Loading…"</p> }
}

/// Reached only when the session ended between the server's check (which sends visitors to the
/// login page) and this render: go to the login page and come back.
#[component]
fn LoggedOut() -> impl IntoView {
    let location = use_location();
    let login = crate::api::navigation::login_then(&location.pathname.get_untracked());
    let target = login.clone();
    Effect::new(move |_| hard_navigate(&target));
    view! {
        <div class="standalone" role="status">
            <p>"Your session has ended. " <a href=login>"Log in again"</a></p>
        </div>
    }
}

fn initials(name: &str) -> String {
    let mut letters = name.split_whitespace().filter_map(|w| w.chars().next()).flat_map(char::to_uppercase);
    let first = letters.next();
    let last = letters.last();
    first.into_iter().chain(last).collect()
}

/// What surrounds every page: the banner while impersonating, the sidebar and the live channel.
#[component]
fn Frame(viewer: Viewer) -> impl IntoView {
    let impersonating = viewer.impersonation.is_some();
    crate::ui::Watchers::provide();
    let log_out = ServerAction::<LogOut>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = log_out.value().get() {
            hard_navigate("/login");
        }
    });
    view! {
        {viewer.impersonation.clone().map(|banner| view! { <ImpersonationBanner banner /> }.into_any_sync())}
        <Sidebar viewer log_out />
        <WatcherNotices />
        <LiveChannel impersonating />
    }
}

/// The sidebar: where one is, the navigation, and the avatar with the account menu.
#[component]
fn Sidebar(viewer: Viewer, log_out: ServerAction<LogOut>) -> impl IntoView {
    let navigate = use_navigate();
    let account_items = Signal::stored(vec![
        MenuItem {
            label: "Your Profile",
            unavailable_because: None,
            on_select: Callback::new(move |_| navigate("/profile", Default::default())),
        },
        MenuItem { label: "Log out", unavailable_because: None, on_select: Callback::new(move |_| { log_out.dispatch(LogOut {}); }) },
    ]);
    let is_super_admin = viewer.is_super_admin();
    let where_ = viewer.tenant_name.clone().unwrap_or_else(|| "Vendor staff".to_owned());
    let avatar = initials(&viewer.name);

    view! {
        <nav class="sidebar" aria-label="Main">
            <div class="sidebar-top">
                <p class="brand">"Impersonate"</p>
                <p class="sidebar-tenant">{where_}</p>
                <ul class="nav">
                    <li><A href="/" exact=true>"Home"</A></li>
                    {is_super_admin.then(|| view! {
                        <li><A href="/impersonate">"Impersonate a user"</A></li>
                        <li><A href="/audit">"Audit log"</A></li>
                    })}
                </ul>
            </div>
            <div class="sidebar-account">
                <MenuButton id="account" label="Account menu" items=account_items class="account-menu" placement="above">
                    {SyncHydrate(view! {
                        // The initials are drawn by CSS from the attribute: the button's name is "Account menu".
                        <span class="avatar" aria-hidden="true" data-initials=avatar></span>
                    })}
                </MenuButton>
                <div class="sidebar-who">
                    <span class="sidebar-name">{viewer.name.clone()}</span>
                    <span class="sidebar-email">{viewer.email.clone()}</span>
                </div>
            </div>
            {action_error(log_out.value())}
        </nav>
    }
    .into_any_sync()
}

/// Shown on every page while impersonating; cannot be dismissed.
#[component]
fn ImpersonationBanner(banner: Banner) -> impl IntoView {
    let stop = ServerAction::<StopImpersonation>::new();
    // Back to the switcher once stopped, or when there was nothing left to stop (it had ended).
    Effect::new(move |_| {
        if let Some(Ok(()) | Err(crate::api::ApiError::Refused(_) | crate::api::ApiError::Unauthenticated)) = stop.value().get() {
            hard_navigate("/impersonate");
        }
    });
    let at_zero = Callback::new(|_| hard_navigate("/impersonate"));
    view! {
        <section class="banner" aria-label="Impersonation">
            <p class="banner-who">
                "Impersonating " <strong>{banner.subject_name}</strong> " (" {banner.tenant_name} ")"
                {(banner.access == Access::ViewOnly).then(|| view! {
                    " " <span class="badge badge-view-only" title="The user allowed viewing, not changes">"View only"</span>
                })}
            </p>
            <p class="banner-time">
                "Time left " <Countdown ends_at=banner.ends_at server_now=banner.server_now on_zero=at_zero />
            </p>
            <button
                type="button"
                class="button button-banner"
                disabled=move || stop.pending().get()
                on:click=move |_| { stop.dispatch(StopImpersonation {}); }
            >
                "Stop impersonating"
            </button>
            {action_error(stop.value())}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::initials;

    #[test]
    fn initials_take_the_first_and_last_names() {
        assert_eq!(initials("Ada Lovelace"), "AL");
        assert_eq!(initials("Grace Brewster Murray Hopper"), "GH");
        assert_eq!(initials("Cher"), "C");
        assert_eq!(initials("élodie durand"), "ÉD");
        assert_eq!(initials("   "), "");
    }
}
