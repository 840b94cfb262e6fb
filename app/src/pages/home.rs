//! The home page: the tenant's records for its users (and their impersonators), and a start page
//! for super admins in their own session.

use super::PageData;
use crate::api::home::{AddTask, SetTaskDone, load_home};
use crate::api::types::{Home, Task};
use crate::domain::TaskId;
use crate::ui::{DateTime, Refresh, action_error, reset_on_success};
use crate::ui::IntoAnySync;
use crate::ui::{field, take_submit};
use leptos::prelude::*;
use server_fn::ServerFn;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let refresh = Refresh::use_();
    let add = ServerAction::<AddTask>::new();
    let set_done = ServerAction::<SetTaskDone>::new();
    let data = PageData::new(
        move || {
            refresh.track();
            add.version().track();
            set_done.version().track();
        },
        load_home,
    );
    view! {
        <Title text="Home" />
        {data.view(move |home| {
            // Whose home this is does not change while the page is open: a session that moves into
            // or out of an impersonation reloads the page (see the live channel).
            match home.with_untracked(|h| match h { Home::Tenant { revision, .. } => Some(*revision), Home::SuperAdmin => None }) {
                None => view! { <SuperAdminHome /> }.into_any_sync(),
                Some(revision) => {
                    refresh.drawn_at(revision);
                    view! { <TenantHome home add set_done /> }.into_any_sync()
                }
            }
        })}
    }
}

#[component]
fn SuperAdminHome() -> impl IntoView {
    view! {
        <Title text="Home" />
        <h1>"Vendor staff"</h1>
        <p class="lead">"You belong to no tenant. To see what a user sees, impersonate them while they allow it."</p>
        <ul class="cards">
            <li class="card">
                <h2><a href="/impersonate">"Impersonate a user"</a></h2>
                <p>"Users who allow impersonation right now, with the time left to start."</p>
            </li>
            <li class="card">
                <h2><a href="/audit">"Audit log"</a></h2>
                <p>"Every allowance, impersonation and write made while impersonating."</p>
            </li>
        </ul>
    }
}

#[component]
fn TenantHome(home: Signal<Home>, add: ServerAction<AddTask>, set_done: ServerAction<SetTaskDone>) -> impl IntoView {
    let tenant_name = move || home.with(|h| match h {
        Home::Tenant { tenant_name, .. } => tenant_name.clone(),
        Home::SuperAdmin => String::new(),
    });
    let tasks = Memo::new(move |_| home.with(|h| match h {
        Home::Tenant { tasks, .. } => tasks.clone(),
        Home::SuperAdmin => Vec::new(),
    }));
    // Why the viewer may not change anything here (a view-only impersonation); the server
    // refuses such writes whatever the page shows.
    let read_only = Memo::new(move |_| home.with(|h| match h {
        Home::Tenant { read_only, .. } => read_only.clone(),
        Home::SuperAdmin => None,
    }));
    view! {
        <h1>{tenant_name}</h1>
        <p class="message message-notice" id="read-only-reason" hidden=move || read_only.with(Option::is_none)>
            {move || read_only.get()}
        </p>
        <section aria-labelledby="tasks-title" class="panel">
            <h2 id="tasks-title">"Tasks"</h2>
            <TaskList tasks set_done read_only />
        </section>
        <section aria-label="Add a task" class="panel">
            <AddTaskForm add read_only />
        </section>
    }
}

/// The tasks, one row each, keyed by id: a refresh updates a row in place, so the checkbox a
/// person just used keeps its focus.
#[component]
fn TaskList(tasks: Memo<Vec<Task>>, set_done: ServerAction<SetTaskDone>, read_only: Memo<Option<String>>) -> impl IntoView {
    let task = move |id: TaskId| Memo::new(move |_| tasks.with(|all| all.iter().find(|t| t.id == id).cloned()));
    view! {
        <p class="empty" hidden=move || tasks.with(|t| !t.is_empty())>"No tasks yet. Add the first one below."</p>
        <ul class="tasks" hidden=move || tasks.with(Vec::is_empty)>
            <For each=move || tasks.get() key=|t| t.id let:entry>
                {
                    let id = entry.id;
                    let task = task(id);
                    let done = move || task.with(|t| t.as_ref().is_some_and(|t| t.done));
                    let field = format!("task-{id}");
                    // The browser ticks the box itself; when the change then fails, the stored
                    // state has not moved, so nothing re-applies it: put the box back by hand.
                    let checkbox = NodeRef::<leptos::html::Input>::new();
                    Effect::new(move |_| {
                        if set_done.value().with(|v| matches!(v, Some(Err(_))))
                            && let Some(checkbox) = checkbox.get_untracked()
                        {
                            checkbox.set_checked(task.with_untracked(|t| t.as_ref().is_some_and(|t| t.done)));
                        }
                    });
                    view! {
                        <li class="task" class:task-done=done>
                            <input
                                type="checkbox"
                                id=field.clone()
                                node_ref=checkbox
                                prop:checked=done
                                disabled={move || set_done.pending().get() || read_only.with(Option::is_some)}
                                aria-describedby={move || read_only.with(Option::is_some).then_some("read-only-reason")}
                                on:change=move |ev| { set_done.dispatch(SetTaskDone { task: id, done: event_target_checked(&ev) }); }
                            />
                            <label for=field>{move || task.with(|t| t.as_ref().map(|t| t.title.clone()))}</label>
                            <span class="task-meta">
                                "Added by " {entry.created_by} ", " <DateTime at=entry.created_at />
                            </span>
                        </li>
                    }
                }
            </For>
        </ul>
        {action_error(set_done.value())}
    }
}

#[component]
fn AddTaskForm(add: ServerAction<AddTask>, read_only: Memo<Option<String>>) -> impl IntoView {
    let form = NodeRef::<leptos::html::Form>::new();
    reset_on_success(add.value(), add.pending(), form);
    view! {
        <form action=AddTask::url() method="post" node_ref=form class="form form-inline" on:submit=move |ev| {
            if take_submit(&ev) {
                add.dispatch(AddTask { title: field(&ev, "title") });
            }
        }>
            <fieldset class="fieldset fieldset-contents" disabled=move || read_only.with(Option::is_some) aria-describedby={move || read_only.with(Option::is_some).then_some("read-only-reason")}>
            <div class="field">
                <label for="new-task">"New task"</label>
                <input id="new-task" name="title" type="text" required maxlength=crate::domain::TaskTitle::MAX_CHARS.to_string() autocomplete="off" />
            </div>
            <button type="submit" class="button button-primary" disabled=move || add.pending().get()>"Add task"</button>
            </fieldset>
        </form>
        {action_error(add.value())}
    }
}
