//! A user's consent stands on one grant: the one not recorded as ended, else the latest given.
//! Every change to the consent, and every profile page, reads it. Through an index on
//! `grants.user_id` alone that meant reading every grant the user ever gave (each allow adds
//! one), so both grew with the user's history. An index on `(user_id, allowed_at)` finds the
//! latest given at once; the open one has its own (the partial unique index). It serves every
//! lookup by `user_id` too, so it replaces the index on `user_id` alone.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000007_latest_grant"
    }
}

const NEW: &str = "grants_by_user_latest";
const OLD: &str = "grants_by_user";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Each step may already be done: written when SQLite's migrations ran statement by
        // statement (see `db::migrate`), where a process that stopped between the two would
        // otherwise never start again.
        let latest = Index::create().name(NEW).table(Alias::new("grants")).col(Alias::new("user_id")).col(Alias::new("allowed_at")).if_not_exists().to_owned();
        m.create_index(latest).await?;
        m.drop_index(Index::drop().name(OLD).table(Alias::new("grants")).if_exists().to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(Index::create().name(OLD).table(Alias::new("grants")).col(Alias::new("user_id")).to_owned()).await?;
        m.drop_index(Index::drop().name(NEW).table(Alias::new("grants")).to_owned()).await
    }
}
