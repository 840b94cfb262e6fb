//! The tenant's home page: its records, as the user (or their impersonator) sees them.

use super::ApiError;
use super::types::{Home, Task};
use crate::domain::TaskId;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    super::views,
    super::request::{authenticate, services},
};


/// The home page's data; a super admin in their own session belongs to no tenant and gets a super admin's start page.
#[server(endpoint = "home")]
pub async fn load_home() -> Result<Home, ApiError> {
    let session = authenticate()?;
    if crate::domain::rules::records_tenant(&session.principal).is_err() {
        return Ok(Home::SuperAdmin);
    }
    let (tasks, revision) = services()?.backend.tasks(&session.principal).await?;
    let tasks = tasks.into_iter().map(views::task).collect();
    let tenant_name = views::tenant_name(&session);
    let read_only = crate::domain::rules::may_write(&session.principal).err().map(|refusal| refusal.to_string());
    Ok(Home::Tenant { tenant_name, tasks, read_only, revision })
}

/// Adds a task; a write while impersonating is attributed to the super admin in the audit log.
#[server(endpoint = "tasks/add")]
pub async fn add_task(title: String) -> Result<Task, ApiError> {
    let session = authenticate()?;
    crate::domain::rules::may_write(&session.principal)?;
    let title = crate::domain::TaskTitle::parse(&title)?;
    let s = services()?;
    Ok(views::task(s.backend.add_task(&session.principal, title).await?))
}

#[server(endpoint = "tasks/set-done")]
pub async fn set_task_done(task: TaskId, done: bool) -> Result<Task, ApiError> {
    let session = authenticate()?;
    crate::domain::rules::may_write(&session.principal)?;
    let s = services()?;
    Ok(views::task(s.backend.set_task_done(&session.principal, task, done).await?))
}
