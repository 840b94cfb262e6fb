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

/// What an action's last run failed with, as an alert; nothing while it has not failed. One
/// place for every form and button, so each says its errors the same way.
pub fn action_error<T, S>(last: S) -> impl IntoView
where
    S: With<Value = Option<Result<T, ApiError>>> + Send + Sync + 'static,
    T: 'static,
{
    move || last.with(|last| match last {
        Some(Err(error)) => Some(view! { <ErrorMessage error=error.clone() /> }),
        _ => None,
    })
}
