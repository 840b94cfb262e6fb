//! The impersonation switcher: super admins find a user who allows impersonation and start.

use super::PageData;
use crate::api::impersonation::{StartImpersonation, load_switcher};
use crate::api::types::{Candidate, CandidateState, Switcher};
use crate::domain::{Page, StartReason, Timestamp, UserId};
use crate::ui::{Countdown, DateTime, Notice, Pager, Refresh, action_error, format_terms, hard_navigate, keep_typed_before_hydration};
use crate::ui::{IntoAnySync, SyncHydrate};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SwitcherPage() -> impl IntoView {
    let refresh = Refresh::use_();
    // What the super admin typed lives here, above the data, so a refresh never wipes it.
    // It starts empty, on the first page: the read the server does before drawing (`preload`).
    let input = Input { query: RwSignal::new(String::new()), page: RwSignal::new(Page(0)), reason: RwSignal::new(String::new()) };
    let start = ServerAction::<StartImpersonation>::new();
    // A failed start re-reads the list (the user it named may have left it); a successful one leaves.
    let failed_starts = RwSignal::new(0_u32);
    Effect::new(move |_| match start.value().get() {
        Some(Ok(())) => hard_navigate("/"),
        Some(Err(_)) => failed_starts.update(|n| *n += 1),
        None => {}
    });
    let Input { query, page, .. } = input;
    let data = PageData::new(
        move || {
            refresh.track();
            failed_starts.track();
            query.track();
            page.track();
        },
        // The search runs in the database, a page at a time: the answer never grows with the
        // number of users. Once a start is under way the page is leaving for the user's app, and
        // its session may already be inside the impersonation, where the switcher is refused: no
        // more reads (a failed start counts in `failed_starts`, which reads again).
        move || {
            let leaving = start.pending().get_untracked() || matches!(start.value().get_untracked(), Some(Ok(())));
            let read = (!leaving).then(|| load_switcher(Some(query.get_untracked()), Some(page.get_untracked().0)));
            async move {
                match read {
                    Some(read) => read.await,
                    None => std::future::pending().await,
                }
            }
        },
    );
    // After the data: its effect must be subscribed to the search when the typed text arrives.
    keep_typed_before_hydration("search", query);
    keep_typed_before_hydration("reason", input.reason);
    view! {
        <Title text="Impersonate a user" />
        <h1>"Impersonate a user"</h1>
        {data.view(move |switcher| {
            refresh.drawn_at(switcher.with_untracked(|s| s.revision));
            view! { <SwitcherView switcher input start /> }
        })}
    }
}

/// The search, the page of its results, and the reason, as the super admin chose them.
#[derive(Clone, Copy)]
struct Input {
    query: RwSignal<String>,
    page: RwSignal<Page>,
    reason: RwSignal<String>,
}

#[component]
fn SwitcherView(switcher: Signal<Switcher>, input: Input, start: ServerAction<StartImpersonation>) -> impl IntoView {
    let Input { query, page, reason } = input;
    let candidates = Memo::new(move |_| switcher.with(|s| s.candidates.clone()));
    let total = Memo::new(move |_| switcher.with(|s| s.total));
    let shown_page = Memo::new(move |_| switcher.with(|s| s.page));
    let server_now = Memo::new(move |_| switcher.with(|s| s.server_now));
    let require_reason = Memo::new(move |_| switcher.with(|s| s.require_reason));
    let notice = Memo::new(move |_| switcher.with(|s| s.notice.clone()));
    let candidate = move |user: UserId| Memo::new(move |_| candidates.with(|all| all.iter().find(|c| c.user_id == user).cloned()));

    view! {
        {move || notice.get().map(|notice| view! {
            <Notice>
                {SyncHydrate(view! {
                    <strong>"Your impersonation of " {notice.subject_name} " has ended. "</strong>
                    {notice.reason.explain()}
                    // The notice stays until the next start or stop, so say when, or an old one reads as news.
                    " Ended " <DateTime at=notice.at /> "."
                })}
            </Notice>
        })}
        <p class="lead">"Users who allow impersonation right now. Starting signs you in as them until their window ends."</p>
        <div class="switcher-controls">
            <div class="field">
                <label for="search">"Search users"</label>
                <input id="search" type="search" placeholder="Name, email or tenant" autocomplete="off"
                    prop:value=move || query.get() on:input=move |ev| { page.set(Page(0)); query.set(event_target_value(&ev)); } />
            </div>
            <div class="field">
                <label for="reason">{move || if require_reason.get() { "Reason (required)" } else { "Reason (optional)" }}</label>
                <input id="reason" type="text" maxlength=StartReason::MAX_CHARS.to_string() placeholder="e.g. ticket #1234"
                    required=move || require_reason.get() prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
            </div>
        </div>
        {action_error(start.value())}
        <p class="empty" hidden=move || { total.get() > 0 || !query.with(|q| q.trim().is_empty()) }>"Nobody allows impersonation right now."</p>
        <p class="empty" role="status" hidden=move || { total.get() > 0 || query.with(|q| q.trim().is_empty()) }>
            "No user matches your search."
        </p>
        // Rows are keyed by user: a refresh updates a row's status in place and keeps focus on its button.
        <div class="table-wrap" hidden=move || candidates.with(Vec::is_empty)>
            <table class="stack">
                <caption class="visually-hidden">"Users who allow impersonation"</caption>
                <thead><tr>
                    <th scope="col">"User"</th>
                    <th scope="col">"Tenant"</th>
                    <th scope="col">"Allowed"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col"><span class="visually-hidden">"Action"</span></th>
                </tr></thead>
                <tbody>
                    <For each=move || candidates.get() key=|c| c.user_id let:entry>
                        <CandidateRow entry=entry.clone() row=candidate(entry.user_id) server_now=server_now.into() start reason />
                    </For>
                </tbody>
            </table>
        </div>
        <Pager total=total.into() shown=shown_page.into() page noun="users" label="Pages of users" />
    }
}

#[component]
fn CandidateRow(
    entry: Candidate,
    /// The row as the latest read has it (`None` once it left the page).
    row: Memo<Option<Candidate>>,
    server_now: Signal<Timestamp>,
    start: ServerAction<StartImpersonation>,
    reason: RwSignal<String>,
) -> impl IntoView {
    let refresh = Refresh::use_();
    let at_zero = Callback::new(move |_| refresh.bump());
    let user = entry.user_id;
    let button_label = format!("Impersonate {}", entry.name);
    let state = Memo::new(move |_| row.with(|c| c.as_ref().map(|c| c.state.clone())));
    // What the user allowed, so staff know before they start.
    let terms = Memo::new(move |_| row.with(|c| c.as_ref().map(|c| c.terms)));
    // Re-drawn only when this user's state changed; the countdown ticks on its own.
    let status = move || {
        let server_now = server_now.get_untracked();
        state.get().map(|state| match state {
            CandidateState::Waiting { start_deadline } => view! {
                "Start before " <DateTime at=start_deadline /> " · "
                <Countdown ends_at=start_deadline server_now on_zero=at_zero />
            }
            .into_any_sync(),
            CandidateState::Running { ends_at, by } => view! {
                {if by.is_empty() { "Started earlier".to_owned() } else { format!("In progress by {}", by.join(", ")) }}
                ", ends at " <DateTime at=ends_at /> " · "
                <Countdown ends_at server_now on_zero=at_zero />
            }
            .into_any_sync(),
        })
    };
    view! {
        <tr>
            <td data-label="User"><span class="cell-name">{entry.name}</span><span class="cell-sub">{entry.email}</span></td>
            <td data-label="Tenant">{entry.tenant_name}</td>
            <td data-label="Allowed">{move || terms.get().as_ref().map(format_terms)}</td>
            <td data-label="Status">{status}</td>
            <td>
                <button
                    type="button"
                    class="button button-primary"
                    aria-label=button_label
                    disabled=move || start.pending().get()
                    on:click=move |_| { start.dispatch(StartImpersonation { user, reason: reason.get_untracked() }); }
                >
                    "Impersonate"
                </button>
            </td>
        </tr>
    }
}
