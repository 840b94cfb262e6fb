//! The `tasks` table: the tenant's records that people, and impersonators, work on.

use super::people;
use crate::db::entities::{task, user};
use crate::store::sql_once::SqlOnce;
use crate::db::{from_db_time, to_db_time};
use crate::store::error::{Context, Result};
use app::backend::TaskRecord;
use app::domain::{TaskId, TenantId, Timestamp, UserId};
use sea_orm::sea_query::{Alias, Expr, JoinType, Order, Query, SelectStatement};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, Set};

/// The tenant's tasks, oldest first, with their authors' names: one query (the home page runs it
/// on every load).
pub async fn of_tenant(conn: &impl ConnectionTrait, tenant: TenantId) -> Result<Vec<TaskRecord>> {
    static SQL: SqlOnce = SqlOnce::new();
    let statement = SQL.statement(conn.get_database_backend(), tenant_query, [tenant.uuid().into()]);
    let rows = WithAuthor::find_by_statement(statement).all(conn).await.context("reading tasks")?;
    Ok(rows
        .into_iter()
        .map(|row| TaskRecord {
            id: TaskId::from_uuid(row.id),
            title: row.title,
            done: row.done,
            created_by: row.author.unwrap_or_default(),
            created_at: from_db_time(row.created_at),
        })
        .collect())
}

#[derive(FromQueryResult)]
struct WithAuthor {
    id: uuid::Uuid,
    title: String,
    done: bool,
    created_at: time::OffsetDateTime,
    author: Option<String>,
}

/// A tenant's tasks with their authors' names; the one value is the tenant's id.
fn tenant_query() -> SelectStatement {
    let mut query = Query::select();
    query
        .columns([(task::Entity, task::Column::Id), (task::Entity, task::Column::Title), (task::Entity, task::Column::Done), (task::Entity, task::Column::CreatedAt)])
        .expr_as(Expr::col((user::Entity, user::Column::Name)), Alias::new("author"))
        .from(task::Entity)
        .join(JoinType::LeftJoin, user::Entity, Expr::col((user::Entity, user::Column::Id)).equals((task::Entity, task::Column::CreatedBy)))
        .and_where(Expr::col((task::Entity, task::Column::TenantId)).eq(uuid::Uuid::nil()))
        .order_by((task::Entity, task::Column::CreatedAt), Order::Asc);
    query
}

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
