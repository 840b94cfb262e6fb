//! The `tasks` table: the tenant's records that people, and impersonators, work on. The home
//! page's read of them is in `reads`, with the revision it is read at.

use super::people;
use crate::db::entities::task;
use crate::db::{from_db_time, to_db_time};
use crate::store::error::{Context, Result};
use app::backend::TaskRecord;
use app::domain::{TaskId, TenantId, Timestamp, UserId};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

pub async fn insert(conn: &impl ConnectionTrait, tenant: TenantId, title: &str, by: UserId, now: Timestamp) -> Result<TaskRecord> {
    let row = task::ActiveModel {
        id: Set(uuid::Uuid::new_v4()),
        tenant_id: Set(tenant.uuid()),
        title: Set(title.to_owned()),
        done: Set(false),
        created_by: Set(by.uuid()),
        created_at: Set(to_db_time(now)),
    }
    .insert(conn)
    .await
    .context("adding a task")?;
    with_author(conn, row).await
}

/// Marks a task of `tenant` done or not; `None` when the tenant has no such task (another
/// tenant's task is as absent as one that does not exist).
pub async fn set_done(conn: &impl ConnectionTrait, tenant: TenantId, id: TaskId, done: bool) -> Result<Option<TaskRecord>> {
    let Some(row) = task::Entity::find_by_id(id.uuid())
        .filter(task::Column::TenantId.eq(tenant.uuid()))
        .one(conn)
        .await
        .context("reading a task")?
    else {
        return Ok(None);
    };
    let mut active: task::ActiveModel = row.into();
    active.done = Set(done);
    let row = active.update(conn).await.context("marking a task")?;
    Ok(Some(with_author(conn, row).await?))
}

async fn with_author(conn: &impl ConnectionTrait, row: task::Model) -> Result<TaskRecord> {
    let author = people::names(conn, [row.created_by]).await?.remove(&row.created_by).unwrap_or_default();
    Ok(record(row, author))
}

fn record(row: task::Model, created_by: String) -> TaskRecord {
    TaskRecord { id: TaskId::from_uuid(row.id), title: row.title, done: row.done, created_by, created_at: from_db_time(row.created_at) }
}
