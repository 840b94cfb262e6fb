//! A user's history reads every grant they ever gave: with years of grants, that wants an index on
//! `grants.user_id` (the partial unique index covers only the open one).

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261127_000003_grants_by_user"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(Index::create().name("grants_by_user").table(Alias::new("grants")).col(Alias::new("user_id")).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("grants_by_user").table(Alias::new("grants")).to_owned()).await
    }
}
