//! The switcher searches and orders the open grants by their user's name, email and tenant. Read
//! through a join, that touches every user (100 000 of them) to page through the few thousand open
//! grants; kept on the grant itself (written when the user allows, and when they change their
//! email), a search touches only the open grants, through a partial index.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261127_000004_switcher_keys"
    }
}

/// Existing grants get their keys from the users' current details (lower case in SQL: ASCII only on
/// SQLite; new grants are keyed in Rust).
pub const BACKFILL: &str = "
UPDATE grants SET
    subject_search = lower(u.name) || ' ' || u.email_normalized || ' ' || lower(coalesce(t.name, '')),
    subject_tenant = coalesce(t.name, ''),
    subject_name = u.name
FROM users u LEFT JOIN tenants t ON t.id = u.tenant_id
WHERE u.id = grants.user_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in ["subject_search", "subject_tenant", "subject_name"] {
            let add = ColumnDef::new(Alias::new(column)).string_len(1000).not_null().default("").to_owned();
            m.alter_table(Table::alter().table(Alias::new("grants")).add_column(add).to_owned()).await?;
        }
        m.get_connection().execute_unprepared(BACKFILL).await?;
        let index = "CREATE INDEX grants_open_by_subject ON grants (subject_tenant, subject_name, id) WHERE ended_at IS NULL";
        m.get_connection().execute_unprepared(index).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection().execute_unprepared("DROP INDEX grants_open_by_subject").await?;
        for column in ["subject_search", "subject_tenant", "subject_name"] {
            m.alter_table(Table::alter().table(Alias::new("grants")).drop_column(Alias::new(column)).to_owned()).await?;
        }
        Ok(())
    }
}
