//! The tenant's records (tasks). A write while impersonating is re-checked inside its transaction,
//! so it cannot land after a disallow has committed, and is recorded in the audit log.

use super::{Store, audit, consent, internal};
use crate::db::entities::{task, user};
use crate::db::{from_db_time, to_db_time};
use app::api::types::Task;
use app::backend::BackendError;
use app::domain::{Principal, Refusal, TaskId, TenantId, Timestamp};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};

fn view(row: task::Model, created_by: String) -> Task {
    Task { id: TaskId::from_uuid(row.id), title: row.title, done: row.done, created_by, created_at: from_db_time(row.created_at) }
}

pub async fn list(conn: &impl ConnectionTrait, tenant: TenantId) -> Result<Vec<Task>, BackendError> {
    let rows = task::Entity::find()
        .filter(task::Column::TenantId.eq(tenant.uuid()))
        .order_by_asc(task::Column::CreatedAt)
        .all(conn)
        .await
        .map_err(internal)?;
    let ids: Vec<_> = rows.iter().map(|r| r.created_by).collect();
    let authors = user::Entity::find().filter(user::Column::Id.is_in(ids)).all(conn).await.map_err(internal)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let author = authors.iter().find(|u| u.id == row.created_by).map(|u| u.name.clone()).unwrap_or_default();
            view(row, author)
        })
        .collect())
}

/// Opens the write's transaction and answers its time. While impersonating it first locks the
/// user (as every consent change does) and checks the impersonation still holds, so a write never
/// follows a committed disallow; the time is read once the lock is held, so a write that waited
/// cannot land after the window's end under an earlier time.
async fn begin_write(store: &Store, by: &Principal) -> Result<(DatabaseTransaction, Timestamp), BackendError> {
    let txn = store.db().begin().await.map_err(internal)?;
    if let Principal::Impersonating(imp) = by {
        consent::lock(&txn, imp.subject.id()).await?;
        let now = store.now();
        let record = consent::load(&txn, imp.subject.id()).await?;
        if !record.consent.still_holds(imp.id, now) {
            return Err(BackendError::Refused(Refusal::ImpersonationOver));
        }
        return Ok((txn, now));
    }
    Ok((txn, store.now()))
}

pub async fn add(store: &Store, by: &Principal, title: &str) -> Result<Task, BackendError> {
    let tenant = by.effective().tenant().ok_or(BackendError::NotFound)?;
    let (txn, now) = begin_write(store, by).await?;
    let row = task::ActiveModel {
        id: Set(uuid::Uuid::new_v4()),
        tenant_id: Set(tenant.uuid()),
        title: Set(title.to_owned()),
        done: Set(false),
        created_by: Set(by.effective().id().uuid()),
        created_at: Set(to_db_time(now)),
    }
    .insert(&txn)
    .await
    .map_err(internal)?;
    audit::record_write(&txn, by, now, format!("Added task “{title}”")).await.map_err(internal)?;
    let author = user::Entity::find_by_id(row.created_by).one(&txn).await.map_err(internal)?.map(|u| u.name).unwrap_or_default();
    txn.commit().await.map_err(internal)?;
    Ok(view(row, author))
}

pub async fn set_done(store: &Store, by: &Principal, id: TaskId, done: bool) -> Result<Task, BackendError> {
    let tenant = by.effective().tenant().ok_or(BackendError::NotFound)?;
    let (txn, now) = begin_write(store, by).await?;
    // Another tenant's task is as absent as one that does not exist.
    let row = task::Entity::find_by_id(id.uuid())
        .filter(task::Column::TenantId.eq(tenant.uuid()))
        .one(&txn)
        .await
        .map_err(internal)?
        .ok_or(BackendError::NotFound)?;
    let mut active: task::ActiveModel = row.into();
    active.done = Set(done);
    let row = active.update(&txn).await.map_err(internal)?;
    let verb = if done { "done" } else { "not done" };
    audit::record_write(&txn, by, now, format!("Marked task “{}” {verb}", row.title)).await.map_err(internal)?;
    let author = user::Entity::find_by_id(row.created_by).one(&txn).await.map_err(internal)?.map(|u| u.name).unwrap_or_default();
    txn.commit().await.map_err(internal)?;
    Ok(view(row, author))
}
