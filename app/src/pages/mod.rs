//! The app's pages, one file each, and the shell they share.

mod audit;
mod data;
mod home;
mod login;
mod not_found;
#[cfg(feature = "ssr")]
mod preload;
mod profile;
mod shell;
mod switcher;

pub use audit::AuditPage;
pub use data::PageData;
pub use home::HomePage;
pub use login::LoginPage;
pub use not_found::NotFound;
pub use profile::ProfilePage;
pub use shell::Shell;
#[cfg(feature = "ssr")]
pub use preload::{FirstRead, Preloaded};
pub use switcher::SwitcherPage;

use crate::api::ApiError;
use crate::domain::Refusal;
use leptos::prelude::*;

/// Shown while a page's data loads (rarely seen: pages arrive rendered from the server).
pub fn loading() -> impl IntoView {
    view! { <p class="loading" role="status">"Loading…"</p> }
}

/// A page that could not load: tells why, and on the server answers with the error's status.
#[component]
pub fn PageError(error: ApiError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(status) = http::StatusCode::from_u16(error.status())
    {
        response.set_status(status);
    }
    let hint = match error {
        ApiError::Refused(Refusal::SuperAdminOnly | Refusal::NoTenant) => "This page is not available to your account.",
        ApiError::Unauthenticated => "Your session has ended.",
        _ => "",
    };
    view! {
        <section class="page-error">
            <crate::ui::ErrorMessage error />
            {(!hint.is_empty()).then(|| view! { <p>{hint} " " <a href="/">"Go to the home page"</a></p> })}
        </section>
    }
}
