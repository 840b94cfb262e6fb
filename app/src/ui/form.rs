//! Forms that keep what people typed until the server has stored it: a form is cleared when its
//! change succeeded, never before, so an error never costs the input.

use crate::api::ApiError;
use leptos::html;
use leptos::prelude::*;

/// Clears `form` each time `outcome` (a server action's value) turns into a success.
pub fn reset_on_success<T: 'static>(
    outcome: impl With<Value = Option<Result<T, ApiError>>> + Send + Sync + 'static,
    form: NodeRef<html::Form>,
) {
    Effect::new(move |_| {
        if outcome.with(|o| matches!(o, Some(Ok(_))))
            && let Some(form) = form.get_untracked()
        {
            form.reset();
        }
    });
}
