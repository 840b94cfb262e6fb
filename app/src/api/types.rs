//! What the server functions send to the browser: views of the domain, already decided.
//!
//! Every instant is the server's, and every view that shows a countdown carries `server_now`, so
//! the browser counts from the server's clock, not its own.

use crate::domain::{Access, EndReason, GrantId, ImpersonationId, Page, Role, TaskId, Terms, Timestamp, UserId};
pub use crate::domain::AuditKind;
use serde::{Deserialize, Serialize};

/// Who is looking at the app, for the shell: sidebar, avatar, banner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    /// The person whose app this is: the impersonated user while impersonating.
    pub name: String,
    pub email: String,
    pub role: Role,
    pub tenant_name: Option<String>,
    /// Present while a super admin is impersonating; every page shows it.
    pub impersonation: Option<Banner>,
}

impl Viewer {
    /// A super admin in their own session: sees the admin navigation.
    pub fn is_super_admin(&self) -> bool {
        self.role == Role::SuperAdmin && self.impersonation.is_none()
    }
}

/// The impersonation banner: who, where, and until when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Banner {
    pub super_admin_name: String,
    pub subject_name: String,
    pub tenant_name: String,
    pub ends_at: Timestamp,
    pub server_now: Timestamp,
    /// What the user allowed: the banner says "View only" when they allowed no changes.
    pub access: Access,
}

/// Where a user's consent stands, as their profile shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConsentState {
    NotAllowed,
    /// Allowed; staff may start until `start_deadline`.
    Waiting { start_deadline: Timestamp },
    /// Being impersonated since `since` (the first start) until `ends_at`; `by` lists who is in now.
    Running { since: Timestamp, ends_at: Timestamp, by: Vec<String> },
}

/// The consent panel and menu on the profile page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentView {
    pub state: ConsentState,
    pub server_now: Timestamp,
    /// The configured window lengths, in seconds, for the confirm dialog's explanation.
    pub start_window_secs: u64,
    pub duration_secs: u64,
    /// The lengths the confirm dialog offers, shortest first; `duration_secs` is the default.
    pub lengths_ms: Vec<u64>,
    /// The terms of the consent given, while it is open.
    pub terms: Option<Terms>,
    /// Why the viewer cannot change this consent (an impersonator, a super admin); `None` if they can.
    pub locked_because: Option<String>,
}

/// One impersonation of a user, for their history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub super_admin_name: String,
    pub started_at: Timestamp,
    /// When it ended, or `None` while it lasts.
    pub ended_at: Option<Timestamp>,
    pub end_reason: Option<EndReason>,
    pub reason: Option<String>,
    /// The terms of the consent it was under.
    pub terms: Option<Terms>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub name: String,
    pub email: String,
    pub role: Role,
    pub tenant_name: Option<String>,
    pub consent: ConsentView,
    pub history: Vec<HistoryEntry>,
    /// Seen by an impersonator, who may not change the user's login details.
    pub impersonated: bool,
    /// The live channel's revision this was read at.
    pub revision: i64,
}

/// A user a super admin may impersonate now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub tenant_name: String,
    pub state: CandidateState,
    /// What the user allowed, so staff know before they start.
    pub terms: Terms,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CandidateState {
    /// Nobody started yet; start before `start_deadline`.
    Waiting { start_deadline: Timestamp },
    /// In progress by `by`, ends at `ends_at`.
    Running { ends_at: Timestamp, by: Vec<String> },
}

/// The impersonation switcher's content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Switcher {
    /// One page of them, in a stable order (tenant, name).
    pub candidates: Vec<Candidate>,
    /// How many match the search in all.
    pub total: u64,
    pub page: Page,
    pub server_now: Timestamp,
    pub require_reason: bool,
    /// Why the super admin's last impersonation ended, when it ended without them stopping it.
    pub notice: Option<EndNotice>,
    /// The live channel's revision this was read at.
    pub revision: i64,
}

/// Why an impersonation a super admin was in has ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndNotice {
    pub subject_name: String,
    pub reason: EndReason,
    pub at: Timestamp,
}

/// What the live channel pushes a page to keep it true (and a page asks once, when the channel
/// was refused): the session's current standing. (Why an
/// impersonation ended is the switcher's to say; see [`Switcher::notice`].)
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LiveStatus {
    LoggedOut,
    Own,
    Impersonating { banner: Banner },
}

impl LiveStatus {
    /// The standing of a logged-in viewer.
    pub fn of(viewer: &Viewer) -> LiveStatus {
        match &viewer.impersonation {
            Some(banner) => LiveStatus::Impersonating { banner: banner.clone() },
            None => LiveStatus::Own,
        }
    }
}

/// One of a tenant's records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub id: TaskId,
    pub title: String,
    pub done: bool,
    pub created_by: String,
    pub created_at: Timestamp,
}

/// The home page: a tenant's records, or the start page of a super admin in their own session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Home {
    /// `read_only` says why the viewer may not change the records (a view-only impersonation);
    /// `revision`: the live channel's revision the tasks were read at.
    Tenant { tenant_name: String, tasks: Vec<Task>, read_only: Option<String>, revision: i64 },
    SuperAdmin,
}

/// One page of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLogPage {
    /// Newest first.
    pub entries: Vec<AuditEntry>,
    /// How many lines the log has in all.
    pub total: u64,
    pub page: Page,
}

/// One line of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: Timestamp,
    pub kind: AuditKind,
    pub subject_name: String,
    pub super_admin_name: Option<String>,
    /// Who caused it, when not the super admin or the user themself (a co-impersonator's logout).
    pub caused_by_name: Option<String>,
    pub grant: GrantId,
    pub end_reason: Option<EndReason>,
    pub reason: Option<String>,
    pub detail: Option<String>,
    /// The user's terms, on `allowed` lines.
    pub terms: Option<Terms>,
}

/// One message of the live channel (`/api/events`, server-sent events).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LivePush {
    pub status: LiveStatus,
    /// Changes whenever something the page shows may have changed (a consent, an impersonation,
    /// the tenant's records).
    pub revision: i64,
    pub server_now: Timestamp,
    /// Who is impersonating the user now, for the user's own pages (empty on anyone else's).
    pub watchers: Vec<Watcher>,
}

/// A super admin impersonating the user who is looking: the user's pages tell them at once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Watcher {
    pub impersonation: ImpersonationId,
    pub super_admin_name: String,
}
