//! People and tenants: the `users` and `tenants` tables.

use crate::db::entities::user::StoredHash;
use crate::db::entities::{tenant, user};
use crate::db::to_db_time;
use crate::store::error::{Context, Result, StoreError};
use app::backend::BackendError;
use app::domain::{TenantId, Timestamp, UserId};
use sea_orm::sea_query::Expr;
use crate::store::sql_once::SqlOnce;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, JoinType, QueryFilter, QueryResult, QuerySelect,
    QueryTrait, Set,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// The names of these people, by id.
pub async fn names(conn: &impl ConnectionTrait, ids: impl IntoIterator<Item = Uuid>) -> Result<HashMap<Uuid, String>> {
    let ids: HashSet<Uuid> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = user::Entity::find().filter(user::Column::Id.is_in(ids)).all(conn).await.context("reading people's names")?;
    Ok(rows.into_iter().map(|u| (u.id, u.name)).collect())
}

pub async fn by_id(conn: &impl ConnectionTrait, id: UserId) -> Result<Option<user::Model>> {
    user::Entity::find_by_id(id.uuid()).one(conn).await.context("reading a person")
}

/// A person and their tenant's name (none for super admins), in one statement whose SQL is built
/// once: the profile and the live channel read it often, and on SQLite building its text took
/// more instructions than running it.
pub async fn with_tenant_name(conn: &impl ConnectionTrait, id: UserId) -> Result<Option<(user::Model, Option<String>)>> {
    static SQL: SqlOnce = SqlOnce::new();
    let query = || {
        let tenant_of = user::Entity::belongs_to(tenant::Entity).from(user::Column::TenantId).to(tenant::Column::Id).into();
        user::Entity::find()
            .join(JoinType::LeftJoin, tenant_of)
            .column_as(tenant::Column::Name, "tenant_name")
            .filter(user::Column::Id.eq(Uuid::nil()))
            .into_query()
    };
    let statement = SQL.statement(conn.get_database_backend(), query, [id.uuid().into()]);
    let row = WithTenantName::find_by_statement(statement).one(conn).await.context("reading a person and their tenant")?;
    Ok(row.map(|row| (row.user, row.tenant_name)))
}

/// A person, and their tenant's name (none for super admins).
pub struct WithTenantName {
    pub user: user::Model,
    pub tenant_name: Option<String>,
}

impl FromQueryResult for WithTenantName {
    fn from_query_result(row: &QueryResult, prefix: &str) -> std::result::Result<Self, DbErr> {
        Ok(WithTenantName { user: user::Model::from_query_result(row, prefix)?, tenant_name: row.try_get(prefix, "tenant_name")? })
    }
}

/// The person signing in with this (normalized) email.
pub async fn by_email(conn: &impl ConnectionTrait, normalized: &str) -> Result<Option<user::Model>> {
    user::Entity::find().filter(user::Column::EmailNormalized.eq(normalized)).one(conn).await.context("finding a person by email")
}

/// Inserts a person; the database's unique index on the normalized email answers whether the
/// address is free, so the raw `DbErr` comes back for the caller to tell that case apart.
pub async fn insert(conn: &impl ConnectionTrait, row: user::ActiveModel) -> Result<(), DbErr> {
    row.insert(conn).await.map(|_| ())
}

/// Stores a new password hash and counts up the person's password version, which it answers:
/// every session opened under an earlier one is over.
pub async fn set_password_hash(conn: &impl ConnectionTrait, id: UserId, hash: StoredHash) -> Result<i64> {
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .col_expr(user::Column::PasswordVersion, Expr::col(user::Column::PasswordVersion).add(1))
        .filter(user::Column::Id.eq(id.uuid()))
        .exec(conn)
        .await
        .context("storing a password hash")?;
    let person = by_id(conn, id).await?.ok_or(StoreError::Answer(BackendError::NotFound))?;
    Ok(person.password_version)
}

/// Changes the email; answers whether the person exists. As for [`insert`], the raw `DbErr`
/// tells a taken address apart.
pub async fn set_email(conn: &impl ConnectionTrait, id: UserId, email: &str, normalized: &str) -> Result<bool, DbErr> {
    let changed = user::Entity::update_many()
        .col_expr(user::Column::Email, Expr::value(email))
        .col_expr(user::Column::EmailNormalized, Expr::value(normalized))
        .filter(user::Column::Id.eq(id.uuid()))
        .exec(conn)
        .await?;
    Ok(changed.rows_affected > 0)
}

/// Everyone, super admins included (the history check reads every consent at once).
pub async fn everyone(conn: &impl ConnectionTrait) -> Result<Vec<user::Model>> {
    user::Entity::find().all(conn).await.context("reading everyone")
}

/// The tenant with exactly this name, if there is one.
pub async fn tenant_named(conn: &impl ConnectionTrait, name: &str) -> Result<Option<TenantId>> {
    let row = tenant::Entity::find().filter(tenant::Column::Name.eq(name)).one(conn).await.context("finding a tenant")?;
    Ok(row.map(|t| TenantId::from_uuid(t.id)))
}

pub async fn insert_tenant(conn: &impl ConnectionTrait, name: &str, now: Timestamp) -> Result<TenantId> {
    let id = TenantId::from_uuid(Uuid::new_v4());
    tenant::ActiveModel { id: Set(id.uuid()), name: Set(name.to_owned()), created_at: Set(to_db_time(now)), records_version: Set(0) }
        .insert(conn)
        .await
        .context("creating a tenant")?;
    Ok(id)
}

/// Counts a write to the tenant's records, holding the tenant's row until the transaction ends
/// (so versions rise in commit order); `NotFound` without the tenant.
pub async fn count_records_change(conn: &impl ConnectionTrait, tenant: TenantId) -> Result<()> {
    let counted = tenant::Entity::update_many()
        .col_expr(tenant::Column::RecordsVersion, Expr::col(tenant::Column::RecordsVersion).add(1))
        .filter(tenant::Column::Id.eq(tenant.uuid()))
        .exec(conn)
        .await
        .context("counting a change to a tenant's records")?;
    if counted.rows_affected == 0 {
        return Err(BackendError::NotFound.into());
    }
    Ok(())
}
