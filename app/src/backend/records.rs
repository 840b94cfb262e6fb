//! What the backend answers: the domain's values with the names people go by. These are not
//! views: `api::views` is the one place that shapes them for the browser, deciding with the rules
//! (and the request's `now`) what each page shows.

use crate::domain::{AuditKind, Terms, Consent, EndReason, Ending, Grant, GrantId, Impersonation, TaskId, Timestamp, UserId};
use std::collections::HashMap;

/// A user's consent with the names the pages show next to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentRecord {
    pub consent: Consent,
    pub name: String,
    pub email: String,
    pub tenant_name: Option<String>,
    /// Names of the super admins among the consent's impersonations.
    pub super_admin_names: HashMap<UserId, String>,
}

/// Who a person is, as the shell shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub email: String,
    pub tenant_name: Option<String>,
}

/// One impersonation of a user, with its grant (whose window may have ended it, recorded or not).
#[derive(Clone, Debug)]
pub struct HistoryRecord {
    pub impersonation: Impersonation,
    pub grant: Grant,
    pub super_admin_name: String,
}

/// One line of the audit log, with the names of the people on it (`None` for someone deleted).
#[derive(Clone, Debug)]
pub struct AuditRecord {
    pub at: Timestamp,
    pub kind: AuditKind,
    /// The grant the line belongs to: one consent's lines share it.
    pub grant: GrantId,
    pub subject: UserId,
    pub subject_name: Option<String>,
    pub super_admin_name: Option<String>,
    pub caused_by: Option<UserId>,
    pub caused_by_name: Option<String>,
    pub end_reason: Option<EndReason>,
    pub reason: Option<String>,
    pub detail: Option<String>,
    /// The user's terms, on `allowed` lines.
    pub terms: Option<Terms>,
}

/// An impersonation that ended while a session was in it.
#[derive(Clone, Debug)]
pub struct EndedImpersonation {
    pub subject_name: String,
    pub ending: Ending,
}

/// One of a tenant's tasks.
#[derive(Clone, Debug)]
pub struct TaskRecord {
    pub id: TaskId,
    pub title: String,
    pub done: bool,
    pub created_by: String,
    pub created_at: Timestamp,
}
