//! The audit log is append-only in the database itself, not only because no code path changes it:
//! an UPDATE, DELETE (or, on PostgreSQL, TRUNCATE) of `audit_events` fails, whoever sends it.
//! A deployment that also wants the app's role unable to drop the triggers gives the table to
//! another owner; this makes a bug or a stray query unable to rewrite history.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261127_000002_append_only_audit"
    }
}

const SQLITE_UP: &str = "
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
";

const SQLITE_DOWN: &str = "
DROP TRIGGER audit_events_no_update;
DROP TRIGGER audit_events_no_delete;
";

const POSTGRES_UP: &str = "
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$;
CREATE TRIGGER audit_events_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_events
FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
";

const POSTGRES_DOWN: &str = "
DROP TRIGGER audit_events_no_truncate ON audit_events;
DROP TRIGGER audit_events_no_update_or_delete ON audit_events;
DROP FUNCTION audit_events_append_only();
";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        execute(m, SQLITE_UP, POSTGRES_UP).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        execute(m, SQLITE_DOWN, POSTGRES_DOWN).await
    }
}

/// Triggers are the one thing here that each database spells its own way.
async fn execute(m: &SchemaManager<'_>, sqlite: &str, postgres: &str) -> Result<(), DbErr> {
    let sql = match m.get_database_backend() {
        DbBackend::Sqlite => sqlite,
        DbBackend::Postgres => postgres,
        DbBackend::MySql => return Err(DbErr::Migration("MySQL is not supported".to_owned())),
    };
    m.get_connection().execute_unprepared(sql).await.map(|_| ())
}
