//! Messages that tell people what happened: errors as alerts, notices as polite status.

use crate::api::ApiError;
use leptos::prelude::*;

/// An error, announced to screen readers as it appears.
#[component]
pub fn ErrorMessage(error: ApiError) -> impl IntoView {
    view! { <p class="message message-error" role="alert">{error.to_string()}</p> }
}

/// A notice, announced politely.
#[component]
pub fn Notice(children: Children) -> impl IntoView {
    view! { <div class="message message-notice" role="status">{children()}</div> }
}
