//! Impersonate's application crate: the pages, the server functions, the impersonation rules and
//! the types the server and the browser share.

pub mod domain;

use leptos::prelude::*;

#[component]
pub fn App() -> impl IntoView {
    view! { <p>"Impersonate"</p> }
}
