//! The `login_throttles` table: failures counted per throttle key (an account, an address), shared
//! by every server instance on the database.

use crate::db::entities::login_throttle;
use crate::db::{from_db_time, to_db_time};
use crate::store::error::{Context, Result};
use crate::store::throttle::State;
use app::domain::Timestamp;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect, Set};

/// A key's counted failures; `lock` holds its row until the transaction ends.
pub async fn state(conn: &impl ConnectionTrait, key: &str, lock: bool) -> Result<Option<State>> {
    let find = login_throttle::Entity::find_by_id(key.to_owned());
    let find = if lock { find.lock_exclusive() } else { find };
    let row = find.one(conn).await.context("reading a login throttle")?;
    Ok(row.map(|r| State {
        failures: u32::try_from(r.failures).unwrap_or(0),
        window_started_at: from_db_time(r.window_started_at),
        locked_until: r.locked_until.map(from_db_time),
    }))
}

/// The key's state, its row created if missing and locked until the transaction ends. Writing
/// first takes SQLite's write lock; PostgreSQL's row lock comes with `FOR UPDATE`.
pub async fn locked_state(txn: &DatabaseTransaction, key: &str, now: Timestamp) -> Result<State> {
    let blank = login_throttle::ActiveModel {
        key: Set(key.to_owned()),
        failures: Set(0),
        window_started_at: Set(to_db_time(now)),
        locked_until: Set(None),
    };
    login_throttle::Entity::insert(blank)
        .on_conflict(OnConflict::column(login_throttle::Column::Key).do_nothing().to_owned())
        .exec_without_returning(txn)
        .await
        .context("creating a login throttle")?;
    let state = state(txn, key, true).await?;
    Ok(state.unwrap_or(State { failures: 0, window_started_at: now, locked_until: None }))
}

pub async fn write_state(txn: &DatabaseTransaction, key: &str, state: State) -> Result<()> {
    login_throttle::Entity::update_many()
        .col_expr(login_throttle::Column::Failures, Expr::value(i32::try_from(state.failures).unwrap_or(i32::MAX)))
        .col_expr(login_throttle::Column::WindowStartedAt, Expr::value(to_db_time(state.window_started_at)))
        .col_expr(login_throttle::Column::LockedUntil, Expr::value(state.locked_until.map(to_db_time)))
        .filter(login_throttle::Column::Key.eq(key))
        .exec(txn)
        .await
        .context("counting a failed attempt")?;
    Ok(())
}

/// Forgets a key's failures (after a success).
pub async fn clear(conn: &impl ConnectionTrait, key: &str) -> Result<()> {
    login_throttle::Entity::delete_by_id(key.to_owned()).exec(conn).await.context("clearing a login throttle")?;
    Ok(())
}

/// Forgets the keys whose window began at or before `window_over` and whose lock is over.
pub async fn sweep(conn: &impl ConnectionTrait, window_over: Timestamp, now: Timestamp) -> Result<()> {
    login_throttle::Entity::delete_many()
        .filter(login_throttle::Column::WindowStartedAt.lte(to_db_time(window_over)))
        .filter(login_throttle::Column::LockedUntil.is_null().or(login_throttle::Column::LockedUntil.lte(to_db_time(now))))
        .exec(conn)
        .await
        .context("sweeping login throttles")?;
    Ok(())
}
