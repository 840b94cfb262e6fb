//! What every use case of the store shares: the connection pool, the clock and the limits the
//! settings chose. A leaf, so the unit of work and the use cases can take it without importing
//! the `Backend` facade above them.

use super::attempts::Turns;
use super::changes::Changes;
use super::passwords::HashingGate;
use super::throttle;
use super::writer::{WriteTransaction, Writers};
pub use crate::config::SessionLimits;
use crate::config::Settings;
use app::backend::Clock;
use app::domain::Timestamp;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};
use std::sync::Arc;

pub struct Store {
    pub(super) db: DatabaseConnection,
    clock: Arc<dyn Clock>,
    pub(super) sessions: SessionLimits,
    pub(super) account_throttle: throttle::Limits,
    pub(super) address_throttle: throttle::Limits,
    pub(super) login_turns: Turns,
    pub(super) hashing: HashingGate,
    pub(super) changes: Changes,
    writers: Writers,
}

impl Store {
    pub fn new(db: DatabaseConnection, clock: Arc<dyn Clock>, settings: &Settings) -> Self {
        Store {
            writers: Writers::for_backend(db.get_database_backend(), crate::db::WRITE_WAIT),
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

    /// Begins a transaction that writes, after waiting for this process's turn to write on
    /// SQLite (see `writer`).
    pub(super) async fn begin_writing(&self) -> Result<WriteTransaction, DbErr> {
        self.writers.begin(&self.db).await
    }

    /// The changes this instance hears about, for its live channels.
    pub fn changes(&self) -> &Changes {
        &self.changes
    }

    pub(super) fn now(&self) -> Timestamp {
        self.clock.now()
    }
}
