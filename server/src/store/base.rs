//! What every use case of the store shares: the connection pool, the clock, the limits the
//! settings chose, and the text of the hottest queries built once. A leaf, so the unit of work and the use cases can take it without importing
//! the `Backend` facade above them.

use super::attempts::Turns;
use super::changes::Changes;
use super::passwords::HashingGate;
use super::throttle;
pub use crate::config::SessionLimits;
use crate::config::Settings;
use app::backend::Clock;
use app::domain::Timestamp;
use sea_orm::sea_query::SelectStatement;
use sea_orm::{DatabaseConnection, DbBackend, Statement, Value};
use std::sync::{Arc, OnceLock};

pub struct Store {
    pub(super) db: DatabaseConnection,
    clock: Arc<dyn Clock>,
    pub(super) sessions: SessionLimits,
    pub(super) account_throttle: throttle::Limits,
    pub(super) address_throttle: throttle::Limits,
    pub(super) login_turns: Turns,
    pub(super) hashing: HashingGate,
    pub(super) changes: Changes,
}

impl Store {
    pub fn new(db: DatabaseConnection, clock: Arc<dyn Clock>, settings: &Settings) -> Self {
        Store {
            db,
            clock,
            sessions: settings.sessions,
            account_throttle: settings.login.account,
            address_throttle: settings.login.address,
            login_turns: Turns::default(),
            hashing: HashingGate::new(settings.hashing.at_once, settings.hashing.max_wait),
            changes: Changes::default(),
        }
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// The changes this instance hears about, for its live channels.
    pub fn changes(&self) -> &Changes {
        &self.changes
    }

    pub(super) fn now(&self) -> Timestamp {
        self.clock.now()
    }
}

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
