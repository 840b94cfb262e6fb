//! "Your Profile": the user's details, the "More actions" menu with Allow/Disallow to Impersonate,
//! the live consent status and the impersonation history.

use super::PageData;
use crate::api::account::{ChangeEmail, ChangePassword};
use crate::api::profile::{AllowImpersonation, DisallowImpersonation, load_profile};
use crate::api::types::{ConsentState, ConsentView, HistoryEntry, Profile};
use crate::domain::{Access, Role, Timestamp};
use crate::ui::{ConfirmDialog, Countdown, DateTime, ErrorMessage, MenuButton, MenuItem, Refresh, format_span, format_terms, reset_on_success};
use crate::ui::{IntoAnySync, SyncHydrate};
use crate::ui::{field, take_submit};
use leptos::prelude::*;
use server_fn::ServerFn;
use leptos_meta::Title;
use std::time::Duration;

#[component]
pub fn ProfilePage() -> impl IntoView {
    let refresh = Refresh::use_();
    let allow = ServerAction::<AllowImpersonation>::new();
    let disallow = ServerAction::<DisallowImpersonation>::new();
    let change_email = ServerAction::<ChangeEmail>::new();
    let data = PageData::new(
        move || {
            refresh.track();
            allow.version().track();
            disallow.version().track();
            change_email.version().track();
        },
        load_profile,
    );
    view! {
        <Title text="Your Profile" />
        {data.view(move |profile| {
            refresh.drawn_at(profile.with_untracked(|p| p.revision));
            view! {
                <ProfileView profile allow disallow />
                <LoginDetailsPanel profile change_email />
            }
        })}
    }
}

/// Changing the login email and the password: the owner's alone, so an impersonator sees why not.
#[component]
fn LoginDetailsPanel(profile: Signal<Profile>, change_email: ServerAction<ChangeEmail>) -> impl IntoView {
    let impersonated = Memo::new(move |_| profile.with(|p| p.impersonated));
    let email = Memo::new(move |_| profile.with(|p| p.email.clone()));
    let change_password = ServerAction::<ChangePassword>::new();
    let email_form = NodeRef::<leptos::html::Form>::new();
    let password_form = NodeRef::<leptos::html::Form>::new();
    reset_on_success(change_email.value(), change_email.pending(), email_form);
    reset_on_success(change_password.value(), change_password.pending(), password_form);
    let outcome = |done: &'static str, value: Option<Result<(), crate::api::ApiError>>| {
        value.map(|result| match result {
            Ok(()) => view! { <p class="message message-notice" role="status">{done}</p> }.into_any_sync(),
            Err(error) => view! { <ErrorMessage error /> }.into_any_sync(),
        })
    };
    view! {
        <section class="panel" aria-labelledby="login-details-title">
            <h2 id="login-details-title">"Login details"</h2>
            <p class="hint" hidden=move || !impersonated.get()>"Only the user can change their email or password, not an impersonator."</p>
            <fieldset class="fieldset" disabled=move || impersonated.get()>
                <form action=ChangeEmail::url() method="post" node_ref=email_form class="form form-inline" on:submit=move |ev| {
                    if take_submit(&ev) {
                        change_email.dispatch(ChangeEmail { email: field(&ev, "email"), current: field(&ev, "current").into() });
                    }
                }>
                    <div class="field">
                        <label for="new-email">"New email"</label>
                        <input id="new-email" name="email" type="email" autocomplete="email" required maxlength=crate::domain::Email::MAX_CHARS.to_string() />
                    </div>
                    <div class="field">
                        <label for="email-password">"Your password"</label>
                        <input id="email-password" name="current" type="password" autocomplete="current-password" required />
                    </div>
                    <button type="submit" class="button button-secondary" disabled=move || change_email.pending().get()>"Change email"</button>
                </form>
                {move || outcome("Email changed.", change_email.value().get())}
                <form action=ChangePassword::url() method="post" node_ref=password_form class="form form-inline" on:submit=move |ev| {
                    if take_submit(&ev) {
                        change_password.dispatch(ChangePassword { current: field(&ev, "current").into(), new: field(&ev, "new").into() });
                    }
                }>
                    // For password managers: whose password this is (no name, so it is not sent).
                    <input type="email" autocomplete="username" prop:value=move || email.get() readonly hidden />
                    <div class="field">
                        <label for="current-password">"Current password"</label>
                        <input id="current-password" name="current" type="password" autocomplete="current-password" required />
                    </div>
                    <div class="field">
                        <label for="new-password">"New password"</label>
                        <input id="new-password" name="new" type="password" autocomplete="new-password" required minlength=crate::domain::NewPassword::MIN_CHARS.to_string() maxlength=crate::domain::NewPassword::MAX_CHARS.to_string() />
                    </div>
                    <button type="submit" class="button button-secondary" disabled=move || change_password.pending().get()>"Change password"</button>
                </form>
                {move || outcome("Password changed. Your other sessions were logged out.", change_password.value().get())}
            </fieldset>
        </section>
    }
}

/// The profile, built once; every value follows `profile`, so a refresh never closes the menu or
/// the dialog a person is using.
#[component]
fn ProfileView(profile: Signal<Profile>, allow: ServerAction<AllowImpersonation>, disallow: ServerAction<DisallowImpersonation>) -> impl IntoView {
    let consent = Memo::new(move |_| profile.with(|p| p.consent.clone()));
    let allowed = Memo::new(move |_| consent.with(|c| !matches!(c.state, ConsentState::NotAllowed)));
    let confirm_open = RwSignal::new(false);
    // The terms chosen in the dialog; every opening starts from the defaults.
    let access = RwSignal::new(Access::Full);
    let length_ms = RwSignal::new(0u64);
    let default_ms = Signal::derive(move || consent.with(|c| c.duration_secs.saturating_mul(1000)));
    // The dialog closes once the server answered (an error shows on the page), or once the
    // consent is allowed, from here or from another tab: its question is then moot, and the panel
    // says on what terms. `|`, not `||`: each run must read both to follow both.
    Effect::new(move |_| {
        if allow.value().with(Option::is_some) | allowed.get() {
            confirm_open.set(false);
        }
    });
    // One item whose label follows the consent: the menu stays open when Allow turns into Disallow.
    let items = Signal::derive(move || {
        vec![MenuItem {
            label: if allowed.get() { "Disallow to Impersonate" } else { "Allow to Impersonate" },
            unavailable_because: consent.with(|c| c.locked_because.clone()),
            // Disallowing acts at once, without a dialog: quick revocation is a safety feature.
            on_select: Callback::new(move |_| {
                if allowed.get_untracked() {
                    disallow.dispatch(DisallowImpersonation {});
                } else {
                    access.set(Access::Full);
                    length_ms.set(default_ms.get_untracked());
                    confirm_open.set(true);
                }
            }),
        }]
    });
    let error = move || {
        let failed = |v: Option<Result<(), crate::api::ApiError>>| v.and_then(Result::err);
        failed(allow.value().get()).or_else(|| failed(disallow.value().get()))
    };
    let text = move |f: fn(&Profile) -> String| move || profile.with(f);

    view! {
        <header class="page-header">
            <div>
                <h1>{text(|p| p.name.clone())}</h1>
                <p class="lead">"Your Profile"</p>
            </div>
            <MenuButton id="more-actions" label="More actions" items class="more-actions">
                {SyncHydrate(view! {
                    <span class="kebab" aria-hidden="true">"⋮"</span>
                })}
            </MenuButton>
        </header>
        {move || error().map(|error| view! { <ErrorMessage error /> })}
        <section class="panel" aria-labelledby="details-title">
            <h2 id="details-title">"Details"</h2>
            <dl class="details">
                <dt>"Name"</dt><dd>{text(|p| p.name.clone())}</dd>
                <dt>"Email"</dt><dd>{text(|p| p.email.clone())}</dd>
                <dt>"Tenant"</dt><dd>{text(|p| p.tenant_name.clone().unwrap_or_else(|| "None (vendor staff)".to_owned()))}</dd>
                <dt>"Role"</dt><dd>{text(|p| match p.role { Role::User => "User", Role::SuperAdmin => "Super admin" }.to_owned())}</dd>
            </dl>
        </section>
        <ConsentPanel consent=consent.into() />
        <HistoryPanel history=Memo::new(move |_| profile.with(|p| p.history.clone())).into() />
        <ConfirmDialog
            id="allow-dialog"
            open=confirm_open
            title="Allow to Impersonate?"
            confirm_label="Confirm"
            return_focus_to="more-actions"
            busy=allow.pending()
            on_confirm=Callback::new(move |_| {
                allow.dispatch(AllowImpersonation { access: Some(access.get_untracked()), duration_ms: Some(length_ms.get_untracked()) });
            })
        >
            {SyncHydrate(view! {
                <p>
                    "Support staff (super admins) will be able to log in as you and see exactly what you see, "
                    "without your password."
                </p>
                <TermsChoice access length_ms lengths_ms=Signal::derive(move || consent.with(|c| c.lengths_ms.clone())) default_ms />
                <ul>
                    <li>"They have " <strong>{move || consent.with(|c| format_span(Duration::from_secs(c.start_window_secs)))}</strong> " to start."</li>
                    <li>"Once started, the impersonation lasts " <strong>{move || format_span(Duration::from_millis(length_ms.get()))}</strong> " from its start."</li>
                    <li>"You can disallow at any time from this menu; that ends every impersonation of you at once."</li>
                </ul>
            })}
        </ConfirmDialog>
    }
}

/// The user's terms in the confirm dialog: two groups of radio buttons (arrow keys move within a
/// group), preset to the defaults so that just confirming gives full access for the usual length.
#[component]
fn TermsChoice(access: RwSignal<Access>, length_ms: RwSignal<u64>, lengths_ms: Signal<Vec<u64>>, default_ms: Signal<u64>) -> impl IntoView {
    let access_option = move |level: Access, hint: &'static str| {
        view! {
            <label class="choice-option">
                <input type="radio" name="access" value=level.as_str() prop:checked=move || access.get() == level on:change=move |_| access.set(level) />
                <span><strong>{level.label()}</strong> <span class="hint">{hint}</span></span>
            </label>
        }
    };
    view! {
        <fieldset class="choice">
            <legend>"What staff may do"</legend>
            {access_option(Access::Full, "Everything you can do, except changing your login details or this allowance.")}
            {access_option(Access::ViewOnly, "See what you see; every change is refused.")}
        </fieldset>
        <fieldset class="choice">
            <legend>"How long staff keep access once they start"</legend>
            {move || lengths_ms.get().into_iter().map(|ms| {
                let label = format_span(Duration::from_millis(ms));
                let is_default = default_ms.get_untracked() == ms;
                view! {
                    <label class="choice-option">
                        <input type="radio" name="length" value=ms.to_string() prop:checked=move || length_ms.get() == ms on:change=move |_| length_ms.set(ms) />
                        <span>{label} {is_default.then_some(" (default)")}</span>
                    </label>
                }
            }).collect_view()}
        </fieldset>
    }
}

/// The consent status, always current: the live channel refreshes it and each countdown's end does too.
#[component]
fn ConsentPanel(consent: Signal<ConsentView>) -> impl IntoView {
    let refresh = Refresh::use_();
    let at_zero = Callback::new(move |_| refresh.bump());
    // Re-run when the consent changed (each re-read brings a new `server_now`); tachys patches the
    // same-shaped view in place, so the nodes, and the countdowns ticking in them, stay.
    let status = move || {
        let consent = consent.get();
        status(consent.state, consent.server_now, at_zero)
    };
    let terms = move || consent.with(|c| c.terms).map(|terms| view! { <p class="status-terms">"Allowed: " {format_terms(&terms)}</p> });
    view! {
        <section class="panel" aria-labelledby="consent-title">
            <h2 id="consent-title">"Impersonation"</h2>
            <div aria-live="polite">{status} {terms}</div>
            {move || consent.with(|c| c.locked_because.clone()).map(|why| view! { <p class="hint">{why}</p> })}
        </section>
    }
}

fn status(state: ConsentState, now: Timestamp, at_zero: Callback<()>) -> AnyView {
    match state {
        ConsentState::NotAllowed => view! {
            <p class="status status-off"><strong>"Not allowed."</strong> " Support staff cannot log in as you."</p>
        }
        .into_any_sync(),
        ConsentState::Waiting { start_deadline } => view! {
            <p class="status status-on">
                <strong>"Allowed."</strong> " Staff can start until " <DateTime at=start_deadline /> "."
            </p>
            <p class="status-timer">"Time left to start: " <Countdown ends_at=start_deadline server_now=now on_zero=at_zero /></p>
        }
        .into_any_sync(),
        ConsentState::Running { since, ends_at, by } => view! {
            <p class="status status-live">
                {if by.is_empty() {
                    view! { <strong>"Impersonation window open."</strong> " Nobody is signed in as you right now." }.into_any_sync()
                } else {
                    view! { <strong>"Being impersonated by " {by.join(", ")}</strong> " since " <DateTime at=since /> "." }.into_any_sync()
                }}
                " It ends at " <DateTime at=ends_at /> "."
            </p>
            <p class="status-timer">"Time left: " <Countdown ends_at server_now=now on_zero=at_zero /></p>
        }
        .into_any_sync(),
    }
}

#[component]
fn HistoryPanel(history: Signal<Vec<HistoryEntry>>) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="history-title">
            <h2 id="history-title">"Impersonation history"</h2>
            {move || { let history = history.get(); if history.is_empty() {
                view! { <p class="empty">"Nobody has impersonated you yet."</p> }.into_any_sync()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="stack">
                            <thead><tr>
                                <th scope="col">"Super admin"</th>
                                <th scope="col">"Started"</th>
                                <th scope="col">"How long"</th>
                                <th scope="col">"Allowed"</th>
                                <th scope="col">"Reason given"</th>
                                <th scope="col">"Ended"</th>
                            </tr></thead>
                            <tbody>
                                {history.into_iter().map(|entry| view! { <HistoryRow entry /> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any_sync()
            }}}
        </section>
    }
}

#[component]
fn HistoryRow(entry: HistoryEntry) -> impl IntoView {
    let lasted = |end: Timestamp| format_span(entry.started_at.until(end));
    view! {
        <tr>
            <td data-label="Super admin">{entry.super_admin_name}</td>
            <td data-label="Started"><DateTime at=entry.started_at /></td>
            <td data-label="How long">{entry.ended_at.map_or_else(|| "In progress".to_owned(), lasted)}</td>
            <td data-label="Allowed">{entry.terms.as_ref().map_or_else(|| "—".to_owned(), format_terms)}</td>
            <td data-label="Reason given">{entry.reason.unwrap_or_else(|| "—".to_owned())}</td>
            <td data-label="Ended">{entry.end_reason.map_or("—", |r| r.label())}</td>
        </tr>
    }
}
