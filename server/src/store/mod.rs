//! The domain's persistence: the [`Backend`] the server functions call, on sea-orm.
//!
//! Every change to a user's consent runs in one transaction that first bumps the user's
//! `consent_version` (taking the write lock on SQLite and the row lock on PostgreSQL), then reads
//! the consent, asks the rules, and stores the events and the audit log. Concurrent starts,
//! disallows and logouts on one user therefore apply one after another, each on the state the
//! previous one committed.

mod accounts;
mod attempts;
mod audit;
mod consent;
pub mod passwords;
pub mod rows;
mod sessions;
mod tasks;
pub mod throttle;

pub use accounts::NewUser;
pub use sessions::SessionLimits;

use crate::config::Settings;
use app::api::types::{AuditEntry, EndNotice, HistoryEntry, Task};
use app::backend::{Backend, BackendError, Clock, ConsentRecord, Decide, RequestSession, SessionKey, SessionMove, SessionSecret};
use app::domain::{Principal, TaskId, TenantId, Timestamp, UserId};
use sea_orm::{DatabaseConnection, DbErr};
use std::net::IpAddr;
use std::sync::Arc;

pub struct Store {
    db: DatabaseConnection,
    clock: Arc<dyn Clock>,
    sessions: SessionLimits,
    account_throttle: throttle::Limits,
    address_throttle: throttle::Limits,
    login_turns: attempts::Turns,
    hashing: passwords::HashingGate,
}

impl Store {
    pub fn new(db: DatabaseConnection, clock: Arc<dyn Clock>, settings: &Settings) -> Self {
        Store {
            db,
            clock,
            sessions: SessionLimits { idle_timeout: settings.session_idle_timeout, lifetime: settings.session_lifetime },
            account_throttle: throttle::Limits { max_failures: settings.login_max_failures, lockout: settings.login_lockout },
            address_throttle: throttle::Limits { max_failures: settings.login_max_failures_per_address, lockout: settings.login_lockout },
            login_turns: attempts::Turns::default(),
            hashing: passwords::HashingGate::new(settings.password_hashing_at_once as usize, settings.password_hashing_max_wait),
        }
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Resolves a cookie's session for one request: `None` when it is unknown or over. `touch`
    /// counts the request as use of the session (the live channel's checks do not).
    pub async fn resolve(&self, secret: &SessionSecret, touch: bool) -> Result<Option<RequestSession>, BackendError> {
        sessions::resolve(self, &secret.key(), self.now(), touch).await
    }

    /// What a page showing `principal`'s data must re-read when it changes: the latest audit event
    /// about the user (or about anyone, for a super admin in their own session).
    pub async fn revision(&self, principal: &Principal) -> Result<i64, BackendError> {
        audit::revision(&self.db, principal).await.map_err(internal)
    }

    pub async fn create_user(&self, new: NewUser, now: Timestamp) -> Result<UserId, BackendError> {
        accounts::create_user(&self.db, &self.hashing, new, now).await
    }

    pub async fn create_tenant(&self, name: &str, now: Timestamp) -> Result<TenantId, BackendError> {
        accounts::create_tenant(&self.db, name, now).await
    }

    /// The tenant of that name, created when there is none.
    pub async fn tenant_named_or_new(&self, name: &str, now: Timestamp) -> Result<TenantId, BackendError> {
        match accounts::tenant_named(&self.db, name).await? {
            Some(id) => Ok(id),
            None => self.create_tenant(name, now).await,
        }
    }

    /// Records the time-based ends nobody stored yet and removes over sessions. Nothing depends
    /// on it; it keeps the tables and the audit log tidy.
    pub async fn sweep(&self) -> Result<(), BackendError> {
        let now = self.now();
        consent::settle_all(self, now).await?;
        accounts::sweep_throttles(self, now).await?;
        sessions::delete_over(self, now).await
    }
}

pub(crate) fn internal(error: DbErr) -> BackendError {
    BackendError::Internal(error.to_string())
}

#[async_trait::async_trait]
impl Backend for Store {
    async fn log_in(&self, email: &str, password: &str, client: Option<IpAddr>, now: Timestamp) -> Result<SessionSecret, BackendError> {
        accounts::log_in(self, email, password, client, now).await
    }

    async fn log_out(&self, session: &SessionKey) -> Result<(), BackendError> {
        sessions::delete(&self.db, session).await
    }

    async fn change_password(&self, user: UserId, current: &str, new: &str, keep: &SessionKey) -> Result<(), BackendError> {
        accounts::change_password(self, user, current, new, keep).await
    }

    async fn change_email(&self, user: UserId, email: &str) -> Result<(), BackendError> {
        accounts::change_email(self, user, email).await
    }

    async fn consent(&self, subject: UserId) -> Result<ConsentRecord, BackendError> {
        consent::load(&self.db, subject).await
    }

    async fn decide(&self, subject: UserId, session: SessionMove, decide: Decide) -> Result<Option<SessionSecret>, BackendError> {
        consent::decide(self, subject, session, decide).await
    }

    async fn consents_with_grants(&self) -> Result<Vec<ConsentRecord>, BackendError> {
        consent::with_grants(&self.db).await
    }

    async fn history(&self, subject: UserId, limit: u64) -> Result<Vec<HistoryEntry>, BackendError> {
        consent::history(&self.db, subject, limit, self.now()).await
    }

    async fn audit_log(&self, limit: u64) -> Result<Vec<AuditEntry>, BackendError> {
        audit::log(&self.db, limit).await
    }

    async fn end_notice(&self, session: &SessionKey) -> Result<Option<EndNotice>, BackendError> {
        sessions::end_notice(&self.db, session).await
    }

    async fn tasks(&self, tenant: TenantId) -> Result<Vec<Task>, BackendError> {
        tasks::list(&self.db, tenant).await
    }

    async fn add_task(&self, by: &Principal, title: &str) -> Result<Task, BackendError> {
        tasks::add(self, by, title).await
    }

    async fn set_task_done(&self, by: &Principal, task: TaskId, done: bool) -> Result<Task, BackendError> {
        tasks::set_done(self, by, task, done).await
    }
}
