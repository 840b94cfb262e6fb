//! What the server functions need from the server binary, as traits and plain types.
//!
//! The server crate depends on this crate (it renders its pages), so this crate cannot call the
//! server's database code directly. Instead it names what it needs here — a [`Backend`] for
//! persistence and passwords, a [`Clock`] for `now` — and the server provides implementations
//! through Leptos context. Server-only: compiled with the `ssr` feature.

mod context;
mod records;
mod session;

pub use context::{ClientAddress, RequestSession, Services};
pub use records::{AuditRecord, ConsentRecord, EndedImpersonation, HistoryRecord, Person, TaskRecord};
pub use session::{SessionCookie, SessionKey, SessionSecret};

use crate::domain::{Consent, Decision, Email, ImpersonationId, NewPassword, Page, Principal, Search, TaskId, TaskTitle, Timestamp, UserId};
use crate::domain::Refusal;
use std::net::IpAddr;

/// The server's clock. The domain never reads one; server functions pass `now` in from here, and
/// tests inject a clock they can stand at any instant.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// A rule decision to run against the freshly locked consent, inside the store's transaction, at
/// the time the store reads once the lock is held: a decision that waited for the lock is taken
/// at the moment it applies, never at an earlier one.
pub type Decide = Box<dyn FnOnce(&Consent, Timestamp) -> Decision + Send>;

/// What happens to the caller's session in the same transaction as a consent change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionMove {
    /// Nothing: the caller is the user, whose sessions are never disturbed.
    Stay,
    /// The super admin's session moves into the impersonation, under a fresh session id.
    Enter { session: SessionKey, impersonation: ImpersonationId },
    /// The super admin returns to their own session, under a fresh session id.
    Leave { session: SessionKey },
    /// The session ends (logout while impersonating).
    End { session: SessionKey },
}

/// Why the backend could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("not found")]
    NotFound,
    #[error("wrong email or password")]
    InvalidCredentials,
    #[error("throttled for {retry_after_secs} s")]
    Throttled { retry_after_secs: u64 },
    #[error("email already in use")]
    EmailTaken,
    /// Too much work of this kind at once (password hashing); the client should retry soon.
    #[error("busy, retry in {retry_after_secs} s")]
    Busy { retry_after_secs: u64 },
    #[error("invalid input: {0}")]
    Invalid(String),
    /// A failure of ours (database, hashing); logged by the server, never shown.
    #[error("internal: {0}")]
    Internal(String),
}

impl From<crate::domain::InvalidInput> for BackendError {
    fn from(invalid: crate::domain::InvalidInput) -> Self {
        BackendError::Invalid(invalid.to_string())
    }
}

/// Persistence and credentials, as the server provides them.
#[async_trait::async_trait]
pub trait Backend: Send + Sync {
    /// Verifies credentials (throttled per account and per client address) and opens a session.
    async fn log_in(&self, email: &str, password: &str, client: Option<IpAddr>, now: Timestamp)
    -> Result<SessionSecret, BackendError>;
    async fn log_out(&self, session: &SessionKey) -> Result<(), BackendError>;
    /// Where the data a page shows to `principal` stands: the live channel's revision (see
    /// `Refresh::drawn_at`), read before the page's data so that a change between the two reads
    /// makes the page re-read rather than miss it.
    async fn revision(&self, principal: &Principal) -> Result<i64, BackendError>;
    /// Checks the current password, stores the new one and ends the user's other sessions. The
    /// session `keep` goes on under the new password and a new secret, which is answered.
    async fn change_password(&self, user: UserId, current: &str, new: NewPassword, keep: &SessionKey)
    -> Result<SessionSecret, BackendError>;
    /// Checks the current password (throttled with the password form's), then changes the email.
    async fn change_email(&self, user: UserId, email: Email, current: &str) -> Result<(), BackendError>;

    /// The user's consent as stored; `NotFound` when there is no such user.
    async fn consent(&self, subject: UserId) -> Result<ConsentRecord, BackendError>;
    /// Locks the subject's consent, runs `decide` on it, stores the events (and the audit log) and
    /// moves the caller's session, all in one transaction; answers the caller's new session secret
    /// when the session moved.
    async fn decide(&self, subject: UserId, session: SessionMove, decide: Decide) -> Result<Option<SessionSecret>, BackendError>;
    /// One page of the users whose grant is open at `now` and who match `search`, and how many
    /// match in all (the rules decide again on each).
    async fn open_grants(&self, now: Timestamp, search: &Search, page: Page) -> Result<(Vec<ConsentRecord>, u64), BackendError>;
    /// The user's consent (as [`Backend::consent`]) and their impersonations, newest first, at
    /// most `history_limit`: what their profile shows, read together.
    async fn profile(&self, subject: UserId, history_limit: u64) -> Result<(ConsentRecord, Vec<HistoryRecord>), BackendError>;
    /// One page of the audit log, newest first, and how many lines it has in all.
    async fn audit_log(&self, page: Page) -> Result<(Vec<AuditRecord>, u64), BackendError>;
    /// Why the impersonation this session was last in has ended, if it ended without the session leaving it.
    async fn end_notice(&self, session: &SessionKey) -> Result<Option<EndedImpersonation>, BackendError>;

    /// The tasks `reader` works on (their tenant's, oldest first) and the revision (as
    /// [`Backend::revision`]) they were read at: one read, so no write can fall between the two.
    /// `NotFound` when the tenant is gone.
    async fn tasks(&self, reader: &Principal) -> Result<(Vec<TaskRecord>, i64), BackendError>;
    /// Adds a task to the principal's tenant; an impersonator's write is re-checked and audited.
    /// Writes take their time once their transaction holds its locks (see [`Decide`]).
    async fn add_task(&self, by: &Principal, title: TaskTitle) -> Result<TaskRecord, BackendError>;
    async fn set_task_done(&self, by: &Principal, task: TaskId, done: bool) -> Result<TaskRecord, BackendError>;
}
