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
    ///
    /// The values `build` writes only stand in for `values`; a debug build (the tests') checks, the first time,
    /// that they are as many and of the same kinds, in the same order.
    pub fn statement(&self, backend: DbBackend, build: impl FnOnce() -> SelectStatement, values: impl IntoIterator<Item = Value>) -> Statement {
        let cell = match backend {
            DbBackend::Sqlite => &self.sqlite,
            DbBackend::Postgres => &self.postgres,
            DbBackend::MySql => &self.mysql,
        };
        let values: Vec<Value> = values.into_iter().collect();
        let sql = cell.get_or_init(|| {
            let built = backend.build(&build());
            debug_assert!(same_kinds(built.values.as_ref().map_or(&[], |v| &v.0), &values), "values bound unlike the query's: {built:?}");
            built.sql
        });
        Statement::from_sql_and_values(backend, sql.as_str(), values)
    }
}

/// [`SqlOnce`] for a query whose text depends on a count (the words of a search): the text for
/// each count below `N` is built once, for any other on each call.
pub struct SqlPerCount<const N: usize>([SqlOnce; N]);

impl<const N: usize> SqlPerCount<N> {
    pub const fn new() -> SqlPerCount<N> {
        SqlPerCount([const { SqlOnce::new() }; N])
    }

    /// [`SqlOnce::statement`] for `count`.
    pub fn statement(
        &self,
        count: usize,
        backend: DbBackend,
        build: impl FnOnce() -> SelectStatement,
        values: impl IntoIterator<Item = Value>,
    ) -> Statement {
        match self.0.get(count) {
            Some(once) => once.statement(backend, build, values),
            None => Statement::from_sql_and_values(backend, backend.build(&build()).sql, values),
        }
    }
}

fn same_kinds(built: &[Value], bound: &[Value]) -> bool {
    built.len() == bound.len() && built.iter().zip(bound).all(|(a, b)| std::mem::discriminant(a) == std::mem::discriminant(b))
}
