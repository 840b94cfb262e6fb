//! Times stored on SQLite before every time had one shape (see `db::to_db_time`) are rewritten
//! into it, so that the ones already stored compare and sort as times with the new ones.
//!
//! `strftime(…%f)` keeps a stored time's milliseconds (every time here is whole milliseconds) and
//! turns a time already in the new shape into itself, so running it twice changes nothing. The
//! audit log is not rewritten: it is append-only in the database itself, no query compares or
//! sorts its times (its order is its ids), and the old shape still reads back the same.
//! PostgreSQL has a time type: nothing to do.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000008_sortable_times"
    }
}

/// Every time column but the audit log's, as `(table, column)`.
const TIMES: [(&str, &str); 14] = [
    ("tenants", "created_at"),
    ("users", "created_at"),
    ("grants", "allowed_at"),
    ("grants", "start_deadline"),
    ("grants", "ends_at"),
    ("grants", "ended_at"),
    ("impersonations", "started_at"),
    ("impersonations", "ended_at"),
    ("sessions", "created_at"),
    ("sessions", "expires_at"),
    ("sessions", "last_seen_at"),
    ("tasks", "created_at"),
    ("login_throttles", "window_started_at"),
    ("login_throttles", "locked_until"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Sqlite {
            return Ok(());
        }
        for (table, column) in TIMES {
            let sql = format!(r#"UPDATE "{table}" SET "{column}" = strftime('%Y-%m-%dT%H:%M:%f', "{column}") || '000001Z' WHERE "{column}" IS NOT NULL"#);
            m.get_connection().execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, _: &SchemaManager) -> Result<(), DbErr> {
        // The earlier code reads the new shape as it reads its own.
        Ok(())
    }
}
