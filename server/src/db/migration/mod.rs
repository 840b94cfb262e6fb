//! The schema, as migrations in code: run at every start-up, the same on SQLite and PostgreSQL.
//! A database that has run some of them runs only the rest, so a released migration never changes.

use sea_orm_migration::prelude::*;

mod append_only_audit;
mod audit_by_subject_and_id;
mod grants_by_user;
mod initial;
mod latest_grant;
mod password_version;
mod records_version;
mod sortable_times;
pub(crate) mod switcher_keys;
mod user_terms;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(initial::Migration), Box::new(append_only_audit::Migration), Box::new(grants_by_user::Migration), Box::new(switcher_keys::Migration), Box::new(user_terms::Migration), Box::new(password_version::Migration), Box::new(latest_grant::Migration), Box::new(sortable_times::Migration), Box::new(records_version::Migration), Box::new(audit_by_subject_and_id::Migration)]
    }
}
