#![recursion_limit = "256"]
//! Impersonate's application crate: the pages, the server functions, the impersonation rules and
//! the types the server and the browser share.
//!
//! - [`domain`]: the rules, pure.
//! - [`api`]: server functions and the views they send.
//! - [`backend`] (server only): what the server functions need from the server binary.
//! - [`ui`] and [`pages`]: the interface.

pub mod api;
#[cfg(feature = "ssr")]
pub mod assets;
#[cfg(feature = "ssr")]
pub mod backend;
pub mod domain;
pub mod pages;
pub mod ui;

use leptos::prelude::*;
use leptos_meta::{Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{SsrMode, path};
use ui::SyncHydrate;

/// The HTML document the server renders around the app; `head` is the front end's tags, written
/// once at start-up. Server only: the browser hydrates the body's [`App`], never the document.
#[cfg(feature = "ssr")]
pub fn shell(head: assets::FrontEndHead) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href=assets::FAVICON type="image/svg+xml" />
                // The stylesheet, the preloads and the hydration script, written once at start-up.
                <assets::FrontEndTags head />
                <leptos_meta::MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Marks the page interactive once the WASM has taken over, for people's tools and the tests.
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    ui::Refresh::provide();
    ui::countdown::ServerClock::provide();
    view! {
        <Title formatter=|page: String| if page.is_empty() { "Impersonate".to_owned() } else { format!("{page} · Impersonate") } />
        // Async rendering: every page arrives complete, without streamed chunks swapping in later.
        // The router type-erases each page; `SyncHydrate` keeps that from compiling a second,
        // never-used async hydration of the whole page into the WASM (see `ui::sync_hydrate`).
        <Router>
            <Routes fallback=pages::NotFound>
                <Route path=path!("/login") view=|| SyncHydrate(pages::LoginPage()) ssr=SsrMode::Async />
                <ParentRoute path=path!("") view=|| SyncHydrate(pages::Shell()) ssr=SsrMode::Async>
                    <Route path=path!("") view=|| SyncHydrate(pages::HomePage()) ssr=SsrMode::Async />
                    <Route path=path!("/profile") view=|| SyncHydrate(pages::ProfilePage()) ssr=SsrMode::Async />
                    <Route path=path!("/impersonate") view=|| SyncHydrate(pages::SwitcherPage()) ssr=SsrMode::Async />
                    <Route path=path!("/audit") view=|| SyncHydrate(pages::AuditPage()) ssr=SsrMode::Async />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
