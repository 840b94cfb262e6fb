//! A modal confirmation on the native `<dialog>` element, opened with `showModal()`: the browser
//! makes the rest of the page inert, traps focus and closes it on Escape. Focus starts on Cancel
//! (the safe choice) and returns to a given element when the dialog closes, however it closes.

use leptos::html;
use leptos::prelude::*;

#[component]
pub fn ConfirmDialog(
    /// `id` prefix, unique on the page.
    id: &'static str,
    open: RwSignal<bool>,
    title: &'static str,
    confirm_label: &'static str,
    on_confirm: Callback<()>,
    /// The element (by id) that gets focus back when the dialog closes.
    return_focus_to: &'static str,
    /// While true the buttons are disabled and Confirm says so.
    #[prop(into)]
    busy: Signal<bool>,
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    let title_id = format!("{id}-title");
    let body_id = format!("{id}-body");

    Effect::new(move |_| {
        let Some(dialog) = dialog.get() else { return };
        match (open.get(), dialog.open()) {
            (true, false) => {
                let _ = dialog.show_modal();
            }
            (false, true) => dialog.close(),
            _ => {}
        }
    });
    let on_close = move |_| {
        open.set(false);
        if let Some(element) = document().get_element_by_id(return_focus_to)
            && let Ok(element) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(element)
        {
            let _ = element.focus();
        }
    };

    view! {
        <dialog
            id=id
            class="dialog"
            node_ref=dialog
            aria-labelledby=title_id.clone()
            aria-describedby=body_id.clone()
            on:close=on_close
        >
            <h2 id=title_id.clone() class="dialog-title">{title}</h2>
            <div id=body_id.clone() class="dialog-body">{children()}</div>
            <div class="dialog-actions">
                <button
                    type="button"
                    class="button button-secondary"
                    autofocus
                    disabled=move || busy.get()
                    on:click=move |_| open.set(false)
                >
                    "Cancel"
                </button>
                <button
                    type="button"
                    class="button button-primary"
                    disabled=move || busy.get()
                    on:click=move |_| on_confirm.run(())
                >
                    {move || if busy.get() { "Working…" } else { confirm_label }}
                </button>
            </div>
        </dialog>
    }
}
