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

/// The value of the control named `name` in the form that `ev` submits ("" when there is none).
///
/// The app's forms post to their server function's URL, so they work before the WASM has loaded
/// and without JavaScript; once hydrated, their `on:submit` reads the fields with this and
/// dispatches the server action. This stands in for Leptos' `ActionForm`, whose generic body and
/// `serde_qs` decoding were compiled once per server function into the WASM (issue 11).
pub fn field(ev: &leptos::ev::SubmitEvent, name: &str) -> String {
    use wasm_bindgen::JsCast;
    ev.target()
        .and_then(|target| target.dyn_into::<web_sys::HtmlFormElement>().ok())
        .and_then(|form| form.query_selector(&format!("[name=\"{name}\"]")).ok().flatten())
        .and_then(|control| control.dyn_into::<web_sys::HtmlInputElement>().ok())
        .map(|input| input.value())
        .unwrap_or_default()
}

/// Whether a hydrated form should handle this submit itself (and stop the browser's post).
pub fn take_submit(ev: &leptos::ev::SubmitEvent) -> bool {
    if ev.default_prevented() {
        return false;
    }
    ev.prevent_default();
    true
}
