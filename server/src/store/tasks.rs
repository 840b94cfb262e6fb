//! The tenant's records (tasks). A write while impersonating is re-checked inside its transaction,
//! so it cannot land after a disallow has committed, and is recorded in the audit log.

use super::base::Store;
use super::error::{Result, StoreError};
use super::tables::{audit, tasks};
use super::unit;
use app::backend::{BackendError, TaskRecord};
use app::domain::{Principal, TaskId, TaskTitle, rules};

#[tracing::instrument(skip(store, title), err)]
pub async fn add(store: &Store, by: &Principal, title: TaskTitle) -> Result<TaskRecord> {
    let tenant = rules::may_write(by)?;
    let write = unit::begin_write(store, by, tenant).await?;
    let task = tasks::insert(&*write.txn, tenant, title.as_str(), by.effective().id(), write.now).await?;
    if let Some(imp) = &write.impersonating {
        audit::append_write(&*write.txn, imp, write.now, format!("Added task “{}”", title.as_str())).await?;
    }
    write.commit(store).await?;
    Ok(task)
}

#[tracing::instrument(skip(store), err)]
pub async fn set_done(store: &Store, by: &Principal, id: TaskId, done: bool) -> Result<TaskRecord> {
    let tenant = rules::may_write(by)?;
    let write = unit::begin_write(store, by, tenant).await?;
    let task = tasks::set_done(&*write.txn, tenant, id, done).await?.ok_or(StoreError::Answer(BackendError::NotFound))?;
    if let Some(imp) = &write.impersonating {
        let verb = if done { "done" } else { "not done" };
        audit::append_write(&*write.txn, imp, write.now, format!("Marked task “{}” {verb}", task.title)).await?;
    }
    write.commit(store).await?;
    Ok(task)
}
