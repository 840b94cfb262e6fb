//! Users choose their terms when they allow (rule 1): view only or full access, and how long staff
//! keep access once they start. The grant keeps both (its duration fixes `ends_at` at the first
//! start), and the `allowed` audit line records them.
//!
//! Grants given before this migration were given on the defaults: full access, and the duration
//! configured then. A started grant's duration is read back from its own records (`ends_at` minus
//! its first start), so the stored history still adds up; a grant nobody started yet gets the
//! product's default day, which is what the configuration says unless it was changed.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261127_000005_user_terms"
    }
}

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let grants = || Table::alter().table(Alias::new("grants")).to_owned();
        let access = ColumnDef::new(Alias::new("access")).string_len(16).not_null().default("full").to_owned();
        m.alter_table(grants().add_column(access).to_owned()).await?;
        let duration = ColumnDef::new(Alias::new("duration_ms")).big_integer().not_null().default(DAY_MS).to_owned();
        m.alter_table(grants().add_column(duration).to_owned()).await?;
        let first_start = "(SELECT min(i.started_at) FROM impersonations i WHERE i.grant_id = grants.id)";
        let millis_between = match m.get_database_backend() {
            DatabaseBackend::Postgres => format!("CAST(round(EXTRACT(EPOCH FROM (ends_at - {first_start})) * 1000) AS BIGINT)"),
            _ => format!("CAST(round((julianday(ends_at) - julianday({first_start})) * 86400000) AS INTEGER)"),
        };
        let backfill = format!("UPDATE grants SET duration_ms = {millis_between} WHERE ends_at IS NOT NULL AND {first_start} IS NOT NULL");
        m.get_connection().execute_unprepared(&backfill).await?;
        // On the audit line only an `allowed` line has them.
        let audit = || Table::alter().table(Alias::new("audit_events")).to_owned();
        m.alter_table(audit().add_column(ColumnDef::new(Alias::new("access")).string_len(16).null()).to_owned()).await?;
        m.alter_table(audit().add_column(ColumnDef::new(Alias::new("duration_ms")).big_integer().null()).to_owned()).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["grants", "audit_events"] {
            for column in ["access", "duration_ms"] {
                m.alter_table(Table::alter().table(Alias::new(table)).drop_column(Alias::new(column)).to_owned()).await?;
            }
        }
        Ok(())
    }
}
