//! What every use case of the store shares: the connection pool, the clock, and the limits the
//! settings chose. A leaf, so the unit of work and the use cases can take it without importing
//! the `Backend` facade above them.

use super::attempts::Turns;
use super::passwords::HashingGate;
use super::throttle;
use crate::config::Settings;
use app::backend::Clock;
use app::domain::Timestamp;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use std::time::Duration;

/// How long sessions last.
#[derive(Clone, Copy, Debug)]
pub struct SessionLimits {
    /// A session unused this long is over.
    pub idle_timeout: Duration,
    /// A session is over this long after login, however active.
    pub lifetime: Duration,
}

pub struct Store {
    pub(super) db: DatabaseConnection,
    clock: Arc<dyn Clock>,
    pub(super) sessions: SessionLimits,
    pub(super) account_throttle: throttle::Limits,
    pub(super) address_throttle: throttle::Limits,
    pub(super) login_turns: Turns,
    pub(super) hashing: HashingGate,
}

impl Store {
    pub fn new(db: DatabaseConnection, clock: Arc<dyn Clock>, settings: &Settings) -> Self {
        Store {
            db,
            clock,
            sessions: SessionLimits { idle_timeout: settings.session_idle_timeout, lifetime: settings.session_lifetime },
            account_throttle: throttle::Limits { max_failures: settings.login_max_failures, lockout: settings.login_lockout },
            address_throttle: throttle::Limits { max_failures: settings.login_max_failures_per_address, lockout: settings.login_lockout },
            login_turns: Turns::default(),
            hashing: HashingGate::new(settings.password_hashing_at_once as usize, settings.password_hashing_max_wait),
        }
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    pub(super) fn now(&self) -> Timestamp {
        self.clock.now()
    }
}
