//! The text of the queries read most often, built once. A leaf below the tables, which use it.

use sea_orm::sea_query::SelectStatement;
use sea_orm::{DbBackend, Statement, Value};
use std::sync::OnceLock;

/// A query run on every request, its SQL text built once per database kind. sea-query builds a
/// statement's text anew on each call (a few hundred allocations for the session's seven-table
/// join); the text never changes, only the values do. The database still gets a bound parameter,
/// and sqlx keeps the prepared statement per connection, keyed by this text.
pub struct SqlOnce {
    sqlite: OnceLock<String>,
    postgres: OnceLock<String>,
    mysql: OnceLock<String>,
}

impl SqlOnce {
    pub const fn new() -> SqlOnce {
        SqlOnce { sqlite: OnceLock::new(), postgres: OnceLock::new(), mysql: OnceLock::new() }
    }

    /// The statement `build` makes, with `values` bound in the order `build` placed them.
    pub fn statement(&self, backend: DbBackend, build: impl FnOnce() -> SelectStatement, values: impl IntoIterator<Item = Value>) -> Statement {
        let cell = match backend {
            DbBackend::Sqlite => &self.sqlite,
            DbBackend::Postgres => &self.postgres,
            DbBackend::MySql => &self.mysql,
        };
        let sql = cell.get_or_init(|| backend.build(&build()).sql);
        Statement::from_sql_and_values(backend, sql.as_str(), values)
    }
}
