//! The login page. Works without JavaScript too: the form posts to the login server function.

use crate::api::account::LogIn;
use crate::ui::{action_error, hard_navigate};
use crate::ui::{field, take_submit};
use leptos::prelude::*;
use server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let log_in = ServerAction::<LogIn>::new();
    // A full page load after login, so the server renders the app in the new session.
    Effect::new(move |_| {
        if let Some(Ok(path)) = log_in.value().get() {
            hard_navigate(&path);
        }
    });

    view! {
        <Title text="Log in" />
        <main class="login">
            <section class="login-card" aria-labelledby="login-title">
                <p class="brand brand-large" aria-hidden="true">"Impersonate"</p>
                <h1 id="login-title">"Log in"</h1>
                <form action=LogIn::url() method="post" class="form" on:submit=move |ev| {
                    if take_submit(&ev) {
                        log_in.dispatch(LogIn { email: field(&ev, "email"), password: field(&ev, "password").into(), next: Some(field(&ev, "next")) });
                    }
                }>
                    <input type="hidden" name="next" value=next />
                    <div class="field">
                        <label for="email">"Email"</label>
                        <input id="email" name="email" type="email" autocomplete="username" required maxlength=crate::domain::Email::MAX_CHARS.to_string() />
                    </div>
                    <div class="field">
                        <label for="password">"Password"</label>
                        <input id="password" name="password" type="password" autocomplete="current-password" required maxlength=crate::domain::NewPassword::MAX_CHARS.to_string() />
                    </div>
                    {action_error(log_in.value())}
                    <button type="submit" class="button button-primary button-wide" disabled=move || log_in.pending().get()>
                        {move || if log_in.pending().get() { "Logging in…" } else { "Log in" }}
                    </button>
                </form>
            </section>
        </main>
    }
}
