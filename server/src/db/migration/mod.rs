//! The schema, as migrations in code: run at every start-up, the same on SQLite and PostgreSQL.
//! A database that has run some of them runs only the rest, so a released migration never changes.

use sea_orm_migration::prelude::*;

mod append_only_audit;
mod initial;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(initial::Migration), Box::new(append_only_audit::Migration)]
    }
}
