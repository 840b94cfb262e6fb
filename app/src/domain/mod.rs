//! The domain: the product's concepts and the impersonation rules, as plain data and pure functions.
//!
//! No I/O, no clock reads, no framework types: the server passes `now` and fresh ids in and stores
//! the events that come out. Compiled on both sides so the browser can share the vocabulary
//! (ids, times, end reasons), though only the server ever decides.

pub mod audit;
pub mod ids;
pub mod inputs;
pub mod principal;
pub mod rules;
pub mod text;
pub mod time;

pub use audit::AuditKind;
pub use inputs::{Email, InvalidInput, Name, NewPassword, Page, PersonName, Search, TaskTitle, TypedPassword};
pub use ids::{GrantId, ImpersonationId, TaskId, TenantId, UserId};
pub use principal::{Account, ActiveImpersonation, Principal, Role};
pub use rules::{
    Access, Terms, Consent, Decision, EndReason, Ending, Event, Grant, GrantPhase, Impersonation, LogoutScope, Policy, Refusal,
    StartReason,
};
pub use time::{Timestamp, format_countdown};
