//! A session belongs to the password it was opened under. Every password change counts up the
//! user's `password_version`; a session carries the version its login checked, and a session
//! whose version is not its owner's is over. Ending the other sessions at the change is then not
//! the only guard: a login still checking the old password when it changed, or a session moved
//! while the change was ending it, writes a row that no request accepts.
//!
//! Sessions opened before this migration carry version 0, as every user does until they change
//! their password, so nobody is logged out by the upgrade.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000006_password_version"
    }
}

const TABLES: [&str; 2] = ["users", "sessions"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            let version = ColumnDef::new(Alias::new("password_version")).big_integer().not_null().default(0).to_owned();
            m.alter_table(Table::alter().table(Alias::new(table)).add_column(version).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            m.alter_table(Table::alter().table(Alias::new(table)).drop_column(Alias::new("password_version")).to_owned()).await?;
        }
        Ok(())
    }
}
