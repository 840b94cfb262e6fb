//! Forms that keep what people typed until the server has stored it: a form is cleared when its
//! change succeeded, never before, so an error never costs the input.

use crate::api::ApiError;
use leptos::html;
use leptos::prelude::*;

/// Clears what `form` sent each time `outcome` (a server action's value) turns into a success.
/// Only the fields still holding what was sent: what someone typed while the request was on its
/// way (the next task, say) is theirs, not the sent one's.
pub fn reset_on_success<T: 'static>(
    outcome: impl With<Value = Option<Result<T, ApiError>>> + Send + Sync + 'static,
    pending: impl Get<Value = bool> + Send + Sync + 'static,
    form: NodeRef<html::Form>,
) {
    let sent = StoredValue::new(Vec::<(String, String)>::new());
    // A dispatch sets `pending` synchronously and effects run before the next input event, so
    // this sees the fields as they were sent.
    Effect::new(move |_| {
        if pending.get() {
            sent.set_value(inputs(form).into_iter().map(|input| (input.name(), input.value())).collect());
        }
    });
    Effect::new(move |_| {
        if outcome.with(|o| matches!(o, Some(Ok(_)))) {
            sent.with_value(|sent| {
                for input in inputs(form) {
                    if sent.iter().any(|(name, value)| *name == input.name() && *value == input.value()) {
                        input.set_value(&input.default_value());
                    }
                }
            });
        }
    });
}

/// The form's named `<input>`s (the only fields these forms have).
fn inputs(form: NodeRef<html::Form>) -> Vec<web_sys::HtmlInputElement> {
    use wasm_bindgen::JsCast;
    let Some(list) = form.get_untracked().and_then(|form| form.query_selector_all("input[name]").ok()) else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.item(i)).filter_map(|node| node.dyn_into::<web_sys::HtmlInputElement>().ok()).collect()
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

/// Gives `text` back what someone typed into the page's input `id` before the page was interactive.
///
/// Hydration sets an input that has a `prop:value` to its signal, which wiped what was typed into
/// the server's page while the WASM loaded (a slow network makes that seconds). The text is read
/// now, while the component is being built and the server's page is still as the person left it,
/// and given to the signal once hydration is done, as if typed then. On the server, and when no
/// such input is on the page (a navigation inside the app): nothing.
pub fn keep_typed_before_hydration(id: &'static str, text: RwSignal<String>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let input = document().get_element_by_id(id).and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok());
        let Some(typed) = input.map(|input| input.value()).filter(|typed| !typed.is_empty()) else { return };
        Effect::new(move |_| text.set(typed.clone()));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (id, text);
}

/// Whether a hydrated form should handle this submit itself (and stop the browser's post).
pub fn take_submit(ev: &leptos::ev::SubmitEvent) -> bool {
    if ev.default_prevented() {
        return false;
    }
    ev.prevent_default();
    true
}
