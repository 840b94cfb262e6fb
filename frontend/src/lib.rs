//! The browser's entry point: takes over the server-rendered page and makes it interactive.
//! Everything else lives in the `app` crate so the server renders exactly what the browser hydrates.
#![recursion_limit = "256"]

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
