//! The home page: the tenant's records for its users (and their impersonators), and a start page
//! for super admins in their own session.

use super::{PageError, loading};
use crate::api::home::{AddTask, SetTaskDone, TITLE_MAX_CHARS, load_home};
use crate::api::types::{Task, Viewer};
use crate::ui::{DateTime, ErrorMessage, Refresh, reset_on_success};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let is_super_admin = use_context::<Viewer>().is_some_and(|v| v.is_super_admin());
    if is_super_admin { view! { <StaffHome /> }.into_any() } else { view! { <TenantHome /> }.into_any() }
}

#[component]
fn StaffHome() -> impl IntoView {
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
                <p>"Every consent, impersonation and write made while impersonating."</p>
            </li>
        </ul>
    }
}

#[component]
fn TenantHome() -> impl IntoView {
    let refresh = Refresh::use_();
    let add = ServerAction::<AddTask>::new();
    let set_done = ServerAction::<SetTaskDone>::new();
    let data = Resource::new(
        move || (refresh.track(), add.version().get(), set_done.version().get()),
        |_| load_home(),
    );
    view! {
        <Title text="Home" />
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(home) => view! {
                        <h1>{home.tenant_name}</h1>
                        <section aria-labelledby="tasks-title" class="panel">
                            <h2 id="tasks-title">"Tasks"</h2>
                            <TaskList tasks=home.tasks set_done />
                        </section>
                    }.into_any(),
                    Err(error) => view! { <PageError error /> }.into_any(),
                }
            })}
        </Transition>
        // Outside the data's transition, so a refresh never wipes what is being typed.
        <section aria-label="Add a task" class="panel">
            <AddTaskForm add />
        </section>
    }
}

#[component]
fn TaskList(tasks: Vec<Task>, set_done: ServerAction<SetTaskDone>) -> impl IntoView {
    if tasks.is_empty() {
        return view! { <p class="empty">"No tasks yet. Add the first one below."</p> }.into_any();
    }
    view! {
        <ul class="tasks">
            {tasks.into_iter().map(|task| {
                let id = format!("task-{}", task.id);
                view! {
                    <li class="task" class:task-done=task.done>
                        <input
                            type="checkbox"
                            id=id.clone()
                            checked=task.done
                            disabled=move || set_done.pending().get()
                            on:change=move |ev| { set_done.dispatch(SetTaskDone { task: task.id, done: event_target_checked(&ev) }); }
                        />
                        <label for=id>{task.title}</label>
                        <span class="task-meta">
                            "Added by " {task.created_by} ", " <DateTime at=task.created_at />
                        </span>
                    </li>
                }
            }).collect_view()}
        </ul>
        {move || set_done.value().get().and_then(Result::err).map(|error| view! { <ErrorMessage error /> })}
    }
    .into_any()
}

#[component]
fn AddTaskForm(add: ServerAction<AddTask>) -> impl IntoView {
    let form = NodeRef::<leptos::html::Form>::new();
    reset_on_success(add.value(), form);
    view! {
        <ActionForm action=add node_ref=form attr:class="form form-inline">
            <div class="field">
                <label for="new-task">"New task"</label>
                <input id="new-task" name="title" type="text" required maxlength=TITLE_MAX_CHARS.to_string() autocomplete="off" />
            </div>
            <button type="submit" class="button button-primary" disabled=move || add.pending().get()>"Add task"</button>
        </ActionForm>
        {move || add.value().get().and_then(Result::err).map(|error| view! { <ErrorMessage error /> })}
    }
}
