//! The audit log, for super admins: every consent and impersonation event and every write made
//! while impersonating.

use super::PageData;
use crate::api::audit::audit_log;
use crate::api::types::{AuditEntry, AuditKind};
use crate::domain::Page;
use crate::ui::{DateTime, Pager, Refresh};
use crate::ui::IntoAnySync;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AuditPage() -> impl IntoView {
    let refresh = Refresh::use_();
    // The first page: the read the server does before drawing (`preload`).
    let page = RwSignal::new(Page(0));
    let data = PageData::new(
        move || {
            refresh.track();
            page.track();
        },
        move || audit_log(Some(page.get_untracked().0)),
    );
    view! {
        <Title text="Audit log" />
        <h1>"Audit log"</h1>
        {data.view(move |log| {
            let total = Signal::derive(move || log.with(|l| l.total));
            let shown = Signal::derive(move || log.with(|l| l.page));
            view! {
                {move || {
                    // The table has nothing to focus or type in: re-drawing it when the log grows loses nothing.
                    let entries = log.with(|l| l.entries.clone());
                    if entries.is_empty() && total.get() == 0 {
                        view! { <p class="empty">"Nothing has happened yet."</p> }.into_any_sync()
                    } else {
                        view! { <AuditTable entries /> }.into_any_sync()
                    }
                }}
                <Pager total shown page noun="lines" label="Pages of the audit log" />
            }
        })}
    }
}

fn describe(kind: AuditKind) -> &'static str {
    match kind {
        AuditKind::Allowed => "Allowed impersonation",
        AuditKind::Disallowed => "Disallowed impersonation",
        AuditKind::GrantEnded => "Allowance ended",
        AuditKind::Started => "Started impersonating",
        AuditKind::Joined => "Joined impersonation",
        AuditKind::Ended => "Impersonation ended",
        AuditKind::Wrote => "Wrote while impersonating",
    }
}

#[component]
fn AuditTable(entries: Vec<AuditEntry>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="stack">
                <thead><tr>
                    <th scope="col">"When"</th>
                    <th scope="col">"What"</th>
                    <th scope="col">"User"</th>
                    <th scope="col">"Super admin"</th>
                    <th scope="col">"Details"</th>
                </tr></thead>
                <tbody>
                    {entries.into_iter().map(|e| {
                        let details = [
                            e.terms.as_ref().map(crate::ui::format_terms),
                            e.end_reason.map(|r| r.label().to_owned()),
                            e.caused_by_name.map(|n| format!("by {n}")),
                            e.reason.map(|r| format!("Reason: {r}")),
                            e.detail,
                        ].into_iter().flatten().collect::<Vec<_>>().join(" · ");
                        view! {
                            <tr>
                                <td data-label="When"><DateTime at=e.at seconds=true /></td>
                                <td data-label="What">{describe(e.kind)}</td>
                                <td data-label="User">{e.subject_name}</td>
                                <td data-label="Super admin">{e.super_admin_name.unwrap_or_else(|| "—".to_owned())}</td>
                                <td data-label="Details">{details}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
