//! The domain's persistence: the [`Backend`] the server functions call, on sea-orm.
//!
//! Modules import downwards only (`tests/layers.rs` checks it):
//!
//! | level | modules | what they do |
//! |---|---|---|
//! | 0 | `error`, `passwords`, `throttle`, `attempts` | the error type; hashing, throttle arithmetic, turns (no tables) |
//! | 1 | `rows`, `changes`, `writer`, `sql_once` | stored rows as domain values; change notifications; write transactions (SQLite's turns); SQL text built once per database kind |
//! | 2 | `base`, `tables::people` | the shared state (pool, clock, limits, changes); people and tenants, whose names the other tables attach |
//! | 3 | `tables::{consent, audit, sessions, logins, tasks}` | one table family each, on any connection |
//! | 4 | `unit` | the unit of work: the only place a consent transaction is opened |
//! | 5 | `resolve`, `accounts`, `tasks`, `reads`, `sweep` | the use cases |
//! | 6 | this module | the `Backend` facade; store errors become `BackendError` here, once |

mod accounts;
mod attempts;
mod base;
pub mod changes;
mod error;
pub mod passwords;
mod reads;
mod resolve;
pub mod rows;
mod sql_once;
mod sweep;
mod tables;
mod tasks;
pub mod throttle;
mod unit;
mod writer;

pub use accounts::NewUser;
pub use base::{SessionLimits, Store};
pub use error::StoreError;
pub use reads::{StoredRecords, stored_records};

use app::backend::{
    AuditRecord, Backend, BackendError, ConsentRecord, Decide, EndedImpersonation, HistoryRecord, RequestSession, SessionKey, SessionMove,
    SessionSecret, TaskRecord,
};
use app::domain::{Email, NewPassword, Page, Principal, Search, TaskId, TaskTitle, TenantId, Timestamp, UserId};
use std::net::IpAddr;

impl Store {
    /// Resolves a cookie's session for one request: `None` when it is unknown or over. `touch`
    /// counts the request as use of the session (the live channel's checks do not).
    pub async fn resolve(&self, secret: &SessionSecret, touch: bool) -> Result<Option<RequestSession>, BackendError> {
        Ok(resolve::resolve(self, &secret.key(), self.now(), touch).await?)
    }

    pub async fn create_user(&self, new: NewUser, now: Timestamp) -> Result<UserId, BackendError> {
        Ok(accounts::create_user(self.db(), &self.hashing, new, now).await?)
    }

    pub async fn create_tenant(&self, name: &str, now: Timestamp) -> Result<TenantId, BackendError> {
        Ok(accounts::create_tenant(self.db(), name, now).await?)
    }

    /// The tenant of that name, created when there is none.
    pub async fn tenant_named_or_new(&self, name: &str, now: Timestamp) -> Result<TenantId, BackendError> {
        match accounts::tenant_named(self.db(), name).await? {
            Some(id) => Ok(id),
            None => self.create_tenant(name, now).await,
        }
    }

    /// Everything stored about every consent, and the audit log by kind, for checking them
    /// against the rules afterwards (`server check-history`; see [`StoredRecords`]).
    pub async fn stored_records(&self) -> Result<StoredRecords, BackendError> {
        Ok(reads::stored_records(self.db()).await?)
    }

    /// Records the time-based ends nobody stored yet and removes over sessions.
    pub async fn sweep(&self) -> Result<(), BackendError> {
        Ok(sweep::sweep(self).await?)
    }
}

#[async_trait::async_trait]
impl Backend for Store {
    async fn log_in(&self, email: &str, password: &str, client: Option<IpAddr>, now: Timestamp) -> Result<SessionSecret, BackendError> {
        Ok(accounts::log_in(self, email, password, client, now).await?)
    }

    async fn revision(&self, principal: &Principal) -> Result<i64, BackendError> {
        Ok(reads::revision(self.db(), principal).await?)
    }

    async fn log_out(&self, session: &SessionKey) -> Result<(), BackendError> {
        tables::sessions::delete(self.db(), session).await?;
        Ok(())
    }

    async fn change_password(&self, user: UserId, current: &str, new: NewPassword, keep: &SessionKey) -> Result<SessionSecret, BackendError> {
        Ok(accounts::change_password(self, user, current, new, keep).await?)
    }

    async fn change_email(&self, user: UserId, email: Email, current: &str) -> Result<(), BackendError> {
        Ok(accounts::change_email(self, user, email, current).await?)
    }

    async fn consent(&self, subject: UserId) -> Result<ConsentRecord, BackendError> {
        Ok(tables::consent::load(self.db(), subject).await?)
    }

    async fn decide(&self, subject: UserId, session: SessionMove, decide: Decide) -> Result<Option<SessionSecret>, BackendError> {
        Ok(unit::decide(self, subject, session, decide).await?)
    }

    async fn open_grants(&self, now: Timestamp, search: &Search, page: Page) -> Result<(Vec<ConsentRecord>, u64), BackendError> {
        Ok(tables::consent::open_page(self.db(), now, search, page).await?)
    }

    async fn profile(&self, subject: UserId, history_limit: u64) -> Result<(ConsentRecord, Vec<HistoryRecord>), BackendError> {
        Ok(reads::profile(self.db(), subject, history_limit).await?)
    }

    async fn audit_log(&self, page: Page) -> Result<(Vec<AuditRecord>, u64), BackendError> {
        Ok(reads::audit_log(self.db(), page).await?)
    }

    async fn end_notice(&self, session: &SessionKey) -> Result<Option<EndedImpersonation>, BackendError> {
        Ok(resolve::end_notice(self, session).await?)
    }

    async fn tasks(&self, reader: &Principal) -> Result<(Vec<TaskRecord>, i64), BackendError> {
        Ok(reads::tasks(self.db(), reader).await?)
    }

    async fn add_task(&self, by: &Principal, title: TaskTitle) -> Result<TaskRecord, BackendError> {
        Ok(tasks::add(self, by, title).await?)
    }

    async fn set_task_done(&self, by: &Principal, task: TaskId, done: bool) -> Result<TaskRecord, BackendError> {
        Ok(tasks::set_done(self, by, task, done).await?)
    }
}
