//! A tenant's records (its tasks) change under pages that show them: the user's, a colleague's,
//! an impersonator's. Every write to them counts up the tenant's `records_version` in its own
//! transaction, and the live channel's revision includes it, so an open page re-reads when anyone
//! in the tenant writes, not only when an impersonator does (whose writes the audit log counts).
//!
//! The count also takes the tenant's row lock, so on PostgreSQL the versions a page sees go up in
//! the order their writes commit.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000009_records_version"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let version = ColumnDef::new(Alias::new("records_version")).big_integer().not_null().default(0).to_owned();
        m.alter_table(Table::alter().table(Alias::new("tenants")).add_column(version).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Alias::new("tenants")).drop_column(Alias::new("records_version")).to_owned()).await
    }
}
