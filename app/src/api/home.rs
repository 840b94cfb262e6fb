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

/// Longest task title accepted, in characters.
pub const TITLE_MAX_CHARS: usize = 200;

/// The home page's data; a super admin in their own session belongs to no tenant and gets the staff page.
#[server(endpoint = "home")]
pub async fn load_home() -> Result<Home, ApiError> {
    let session = authenticate()?;
    let Some(tenant) = session.principal.effective().tenant() else { return Ok(Home::Staff) };
    let tasks = services()?.backend.tasks(tenant).await?.into_iter().map(views::task).collect();
    let tenant_name = views::tenant_name(&session);
    Ok(Home::Tenant { tenant_name, tasks })
}

/// Adds a task; a write while impersonating is attributed to the super admin in the audit log.
#[server(endpoint = "tasks/add")]
pub async fn add_task(title: String) -> Result<Task, ApiError> {
    let session = authenticate()?;
    session.principal.effective().tenant().ok_or(ApiError::Forbidden)?;
    let title = title.trim();
    if title.is_empty() || title.chars().count() > TITLE_MAX_CHARS {
        return Err(ApiError::Invalid(format!("A task needs a title of 1 to {TITLE_MAX_CHARS} characters.")));
    }
    if !crate::domain::text::is_plain(title) {
        return Err(ApiError::Invalid("A task title cannot contain control characters such as line breaks.".to_owned()));
    }
    let s = services()?;
    Ok(views::task(s.backend.add_task(&session.principal, title).await?))
}

#[server(endpoint = "tasks/set-done")]
pub async fn set_task_done(task: TaskId, done: bool) -> Result<Task, ApiError> {
    let session = authenticate()?;
    session.principal.effective().tenant().ok_or(ApiError::Forbidden)?;
    let s = services()?;
    Ok(views::task(s.backend.set_task_done(&session.principal, task, done).await?))
}
