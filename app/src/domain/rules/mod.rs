//! The impersonation rules: the product's contract, decided here and nowhere else.
//!
//! Words: a **grant** is a user's consent to be impersonated; an **impersonation** is one super
//! admin acting as that user under a grant.
//!
//! 1. **Allow.** Only the user, in their own session, allows, on their [`Terms`]: full access or
//!    view only, and a duration among those the policy offers. It creates a grant that staff may
//!    start before `start_deadline = now + start_window`. Allowing while a grant is open changes nothing.
//! 2. **Start.** A super admin in their own session may impersonate an ordinary user with an open
//!    grant. The first start fixes `ends_at = now + the grant's duration`; later starts join and
//!    never move it.
//! 3. **Start window.** A grant nobody started before `start_deadline` is over, at that very instant.
//! 4. **Duration.** At `now >= ends_at` the grant and every impersonation under it are over.
//! 5. **Disallow.** The user may disallow at any moment: the grant and all its impersonations end.
//! 6. **The user is never disturbed**: nothing here touches the user's own sessions.
//! 7. **Logging out of an impersonation** ends the user's impersonations for every super admin
//!    (scope `All`) or only the caller's (scope `Own`), never the grant: until `ends_at` any super
//!    admin may start again, without a new consent and without moving `ends_at`.
//! 8. **Returning.** An impersonation lives inside the super admin's session and ends with it.
//! 9. **Never**: impersonating a super admin or oneself, starting while impersonating, or changing
//!    consent while impersonating (see [`Principal`]).
//! 10. **Audit.** Every change is an [`Event`]; storing the events is the audit log.
//! 11. **Staff pages.** The switcher and the audit log are for super admins in their own session;
//!     an impersonator sees only what the user sees.
//! 12. **Credentials** (password, email) are changed by their owner in their own session only.
//! 13. **Records.** A tenant's records are worked on by its users and by whoever impersonates one
//!     of them, and by nobody else: the tenant is always the acting person's.
//! 14. **View only.** Under a view-only grant an impersonator sees what the user sees and changes
//!     nothing: every write is refused, checked again inside the write's own transaction.
//!
//! Intervals are half-open: a window `[from, until)` is over at `now == until`.
//! Nothing here reads a clock or does I/O: callers pass `now` and fresh ids, so tests can stand
//! on the exact millisecond of every boundary.
//!
//! [`check_history`] reads a stored history back against these rules (a load test's verdict).

mod history;
mod terms;

pub use history::{AuditLine, AuditTally, Breach, LoggedEvent, StoredHistory, Violation, check_audit, check_history, implied_audit};
pub use terms::{Access, STANDARD_LENGTHS, Terms};

use super::ids::{GrantId, ImpersonationId, TenantId, UserId};
use super::principal::{Account, ActiveImpersonation, Principal};
use super::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// How long the windows last and how far a logout reaches; read from the settings at start-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// How long staff have to start after the user allows.
    pub start_window: Duration,
    /// How long impersonation lasts from its first start, unless the user chooses another length.
    pub duration: Duration,
    /// The longest length a user may choose.
    pub max_duration: Duration,
    pub logout_scope: LogoutScope,
    /// Whether a super admin must type why they start.
    pub require_reason: bool,
}

impl Default for Policy {
    fn default() -> Self {
        const DAY: Duration = Duration::from_secs(24 * 60 * 60);
        Policy { start_window: DAY, duration: DAY, max_duration: DAY, logout_scope: LogoutScope::All, require_reason: false }
    }
}

/// Whose impersonations end when an impersonator logs out or stops (rule 7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogoutScope {
    /// Every super admin impersonating that user: the product's long-standing behaviour.
    All,
    /// Only the caller's own impersonation.
    Own,
}

/// Why a grant or an impersonation is over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The super admin stopped or logged out.
    Stopped,
    /// Another super admin impersonating the same user stopped or logged out.
    CoImpersonatorLoggedOut,
    /// The user disallowed.
    Disallowed,
    /// Nobody started before the start deadline.
    StartWindowOver,
    /// The impersonation window reached `ends_at`.
    DurationOver,
    /// The super admin's own session ended (expired, or the account lost its role).
    SessionEnded,
}

impl EndReason {
    pub const ALL: [EndReason; 6] = [
        EndReason::Stopped,
        EndReason::CoImpersonatorLoggedOut,
        EndReason::Disallowed,
        EndReason::StartWindowOver,
        EndReason::DurationOver,
        EndReason::SessionEnded,
    ];

    /// The reason's name in storage, URLs and on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            EndReason::Stopped => "stopped",
            EndReason::CoImpersonatorLoggedOut => "co_impersonator_logged_out",
            EndReason::Disallowed => "disallowed",
            EndReason::StartWindowOver => "start_window_over",
            EndReason::DurationOver => "duration_over",
            EndReason::SessionEnded => "session_ended",
        }
    }

    pub fn parse(text: &str) -> Option<EndReason> {
        EndReason::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// A short label for tables and logs.
    pub const fn label(self) -> &'static str {
        match self {
            EndReason::Stopped => "Stopped",
            EndReason::CoImpersonatorLoggedOut => "Another super admin logged out",
            EndReason::Disallowed => "Disallowed",
            EndReason::StartWindowOver => "Start window over",
            EndReason::DurationOver => "Time window over",
            EndReason::SessionEnded => "Super admin's session ended",
        }
    }

    /// How the product explains the end to the super admin who was impersonating.
    pub const fn explain(self) -> &'static str {
        match self {
            EndReason::Stopped => "The impersonation was stopped.",
            EndReason::CoImpersonatorLoggedOut => {
                "Another super admin stopped impersonating this user, which ends every impersonation of them."
            }
            EndReason::Disallowed => "The user disallowed impersonation.",
            EndReason::StartWindowOver => "Nobody started before the start window closed.",
            EndReason::DurationOver => "The impersonation window is over.",
            EndReason::SessionEnded => "Your own session ended.",
        }
    }
}

/// When and why something ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ending {
    pub at: Timestamp,
    pub reason: EndReason,
}

/// The reason a super admin gives for starting; optional unless the policy requires it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartReason(String);

impl StartReason {
    pub const MAX_CHARS: usize = 500;

    /// Reads what the super admin typed: surrounding blanks dropped, blank means none. Whether
    /// none will do is [`start`]'s decision.
    pub fn parse(text: &str) -> Result<Option<StartReason>, Refusal> {
        let text = text.trim();
        if text.chars().count() > Self::MAX_CHARS {
            return Err(Refusal::ReasonTooLong);
        }
        if !super::text::is_plain(text) {
            return Err(Refusal::ReasonNotPlain);
        }
        Ok((!text.is_empty()).then(|| StartReason(text.to_owned())))
    }

    /// A reason read back from storage, already validated when it was given.
    pub fn from_stored(text: String) -> StartReason {
        StartReason(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A user's consent to be impersonated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub id: GrantId,
    pub user: UserId,
    pub allowed_at: Timestamp,
    /// Staff must start before this instant.
    pub start_deadline: Timestamp,
    /// What staff may do, and for how long from the first start: the user's choice.
    pub terms: Terms,
    /// Fixed by the first start; never moves afterwards.
    pub ends_at: Option<Timestamp>,
    /// Recorded end, if one was stored. Time-based ends hold whether recorded or not.
    pub ended: Option<Ending>,
}

/// Where a grant stands at an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrantPhase {
    /// Allowed, not started yet; staff may start until `start_deadline`.
    Waiting { start_deadline: Timestamp },
    /// Started; every impersonation under it ends at `ends_at`.
    Running { ends_at: Timestamp },
    Over(Ending),
}

impl Grant {
    pub fn phase(&self, now: Timestamp) -> GrantPhase {
        if let Some(ending) = self.ended {
            return GrantPhase::Over(ending);
        }
        match self.ends_at {
            None if now < self.start_deadline => GrantPhase::Waiting { start_deadline: self.start_deadline },
            None => GrantPhase::Over(Ending { at: self.start_deadline, reason: EndReason::StartWindowOver }),
            Some(ends_at) if now < ends_at => GrantPhase::Running { ends_at },
            Some(ends_at) => GrantPhase::Over(Ending { at: ends_at, reason: EndReason::DurationOver }),
        }
    }

    pub fn is_open(&self, now: Timestamp) -> bool {
        !matches!(self.phase(now), GrantPhase::Over(_))
    }
}

/// One super admin acting as one user under a grant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Impersonation {
    pub id: ImpersonationId,
    pub grant: GrantId,
    pub super_admin: UserId,
    pub started_at: Timestamp,
    pub reason: Option<StartReason>,
    pub ended: Option<Ending>,
}

/// Everything the rules need about one user's consent: the user, their latest grant (ended or
/// not), and that grant's impersonations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consent {
    pub subject: Account,
    pub grant: Option<Grant>,
    pub impersonations: Vec<Impersonation>,
}

/// A change the rules decided. Applying the events is the only way state changes, and the stored
/// events are the audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// The user allowed; a new grant.
    Allowed(Grant),
    /// A grant ended: disallowed by the user, or found over by time.
    GrantEnded { grant: GrantId, user: UserId, ending: Ending },
    /// The first start under a grant; fixes the grant's `ends_at`.
    Started { impersonation: Impersonation, user: UserId, ends_at: Timestamp },
    /// A later start under a running grant.
    Joined { impersonation: Impersonation, user: UserId },
    /// An impersonation ended. `by` is the super admin whose stop or logout caused it, if any.
    Ended { impersonation: ImpersonationId, grant: GrantId, super_admin: UserId, user: UserId, ending: Ending, by: Option<UserId> },
}

/// Why the rules refuse a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Refusal {
    #[error("Only the user can allow or disallow impersonation of themselves.")]
    NotYourConsent,
    #[error("This cannot be done while impersonating. Stop impersonating first.")]
    WhileImpersonating,
    #[error("Only super admins can impersonate.")]
    NotASuperAdmin,
    #[error("Super admins cannot be impersonated.")]
    SubjectIsSuperAdmin,
    #[error("You cannot impersonate yourself.")]
    SubjectIsSelf,
    #[error("This user does not allow impersonation.")]
    NoGrant,
    #[error("This user's allowance is over; they must allow impersonation again.")]
    GrantExpired,
    #[error("Please give a reason for impersonating.")]
    ReasonRequired,
    #[error("The reason is too long (at most 500 characters).")]
    ReasonTooLong,
    #[error("The reason cannot contain control characters such as line breaks.")]
    ReasonNotPlain,
    #[error("You are not impersonating anyone.")]
    NotImpersonating,
    #[error("Your impersonation has ended.")]
    ImpersonationOver,
    #[error("Only super admins, in their own session, can see this.")]
    SuperAdminOnly,
    #[error("Your account has no tenant records.")]
    NoTenant,
    #[error("View-only access: the user allowed viewing, not changes.")]
    ViewOnly,
    #[error("That length is not offered; choose one of those listed.")]
    LengthNotOffered,
    #[error("Impersonation is already allowed, on other terms. To change them, disallow and allow again.")]
    AlreadyAllowed,
}

/// Decisions return the events to store, or why nothing may happen.
pub type Decision = Result<Vec<Event>, Refusal>;

impl Consent {
    /// The grant if it is open at `now`.
    pub fn open_grant(&self, now: Timestamp) -> Option<&Grant> {
        self.grant.as_ref().filter(|g| g.is_open(now))
    }

    /// Impersonations that hold at `now`: not ended, under a running grant.
    pub fn live_impersonations(&self, now: Timestamp) -> impl Iterator<Item = &Impersonation> {
        let running = self.grant.as_ref().is_some_and(|g| matches!(g.phase(now), GrantPhase::Running { .. }));
        self.impersonations.iter().filter(move |i| running && i.ended.is_none())
    }

    /// Records the ends that time has already brought but nobody stored yet (rules 3 and 4), so
    /// every decision starts from a settled state. Holding or not never depends on this having run.
    pub fn settle(&self, now: Timestamp) -> Vec<Event> {
        let Some(grant) = &self.grant else { return Vec::new() };
        let GrantPhase::Over(ending) = grant.phase(now) else { return Vec::new() };
        if grant.ended.is_some() {
            return Vec::new();
        }
        let mut events = self.end_impersonations(|_| true, ending, None);
        events.push(Event::GrantEnded { grant: grant.id, user: grant.user, ending });
        events
    }

    fn end_impersonations(&self, which: impl Fn(&Impersonation) -> bool, ending: Ending, by: Option<UserId>) -> Vec<Event> {
        let user = self.subject.id();
        self.impersonations
            .iter()
            .filter(|i| i.ended.is_none() && which(i))
            .map(|i| Event::Ended { impersonation: i.id, grant: i.grant, super_admin: i.super_admin, user, ending, by })
            .collect()
    }

    /// The time a decision on this consent is made at: the clock's `now`, unless the consent
    /// already records something later. Instances' clocks differ a little, and a clock can step
    /// back; a decision dated before a stored fact would record an end before its start, so it is
    /// dated at the latest fact instead: within one user's consent, time never runs backwards.
    pub fn decision_time(&self, now: Timestamp) -> Timestamp {
        let grant = self.grant.iter().flat_map(|g| [Some(g.allowed_at), g.ended.map(|e| e.at)]);
        let impersonations = self.impersonations.iter().flat_map(|i| [Some(i.started_at), i.ended.map(|e| e.at)]);
        grant.chain(impersonations).flatten().fold(now, Timestamp::max)
    }

    /// Applies an event; the in-memory twin of what the store does with it.
    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::Allowed(grant) => {
                self.grant = Some(grant.clone());
                self.impersonations.clear();
            }
            Event::GrantEnded { grant, ending, .. } => {
                if let Some(g) = self.grant.as_mut().filter(|g| g.id == *grant) {
                    g.ended = Some(*ending);
                }
            }
            Event::Started { impersonation, ends_at, .. } => {
                if let Some(g) = self.grant.as_mut().filter(|g| g.id == impersonation.grant) {
                    g.ends_at = Some(*ends_at);
                }
                self.impersonations.push(impersonation.clone());
            }
            Event::Joined { impersonation, .. } => self.impersonations.push(impersonation.clone()),
            Event::Ended { impersonation, ending, .. } => {
                if let Some(i) = self.impersonations.iter_mut().find(|i| i.id == *impersonation) {
                    i.ended = Some(*ending);
                }
            }
        }
    }

    /// Rules 4, 5 and 9 for a write made while impersonating: whether impersonation `id` still
    /// holds at `now`, read from this (freshly locked) consent rather than from the request's view.
    pub fn still_holds(&self, id: ImpersonationId, now: Timestamp) -> bool {
        let impersonation = self.impersonations.iter().find(|i| i.id == id);
        impersonation.zip(self.grant.as_ref()).is_some_and(|(i, g)| holds(i, g, now).is_ok())
    }

    /// Rules 4, 5, 9 and 14 for a write made in impersonation `id`, decided on this (freshly
    /// locked) consent: it must still hold, under a grant that allows changes.
    pub fn may_still_write(&self, id: ImpersonationId, now: Timestamp) -> Result<(), Refusal> {
        if !self.still_holds(id, now) {
            return Err(Refusal::ImpersonationOver);
        }
        match self.grant.as_ref().map(|g| g.terms.access) {
            Some(Access::Full) => Ok(()),
            _ => Err(Refusal::ViewOnly),
        }
    }
}

/// Rules 1, 5 and 9: only the user themself, in their own session, changes their consent. Pages
/// ask this too, to say why the menu is locked, so the reason is the rules' own.
pub fn may_change_consent(consent: &Consent, who: &Principal) -> Result<(), Refusal> {
    let me = who.in_own_session().ok_or(Refusal::WhileImpersonating)?;
    if me.id() != consent.subject.id() {
        return Err(Refusal::NotYourConsent);
    }
    match me {
        Account::User { .. } => Ok(()),
        Account::SuperAdmin { .. } => Err(Refusal::SubjectIsSuperAdmin),
    }
}

/// Rule 1: the user allows, on their terms. While a grant is open, allowing on its terms again
/// changes nothing (a second tab, a second click); on other terms it is refused rather than
/// ignored, so nobody believes staff have view-only access while they have full access.
pub fn allow(consent: &Consent, who: &Principal, now: Timestamp, policy: &Policy, new_grant: GrantId, terms: Terms) -> Decision {
    may_change_consent(consent, who)?;
    if !policy.offers(&terms) {
        return Err(Refusal::LengthNotOffered);
    }
    if let Some(open) = consent.open_grant(now) {
        return if open.terms == terms { Ok(Vec::new()) } else { Err(Refusal::AlreadyAllowed) };
    }
    let mut events = consent.settle(now);
    events.push(Event::Allowed(Grant {
        id: new_grant,
        user: consent.subject.id(),
        allowed_at: now,
        start_deadline: now.plus(policy.start_window),
        terms,
        ends_at: None,
        ended: None,
    }));
    Ok(events)
}

/// Rule 5: the user disallows; the grant and every impersonation under it end now.
/// Disallowing without an open grant changes nothing but settling.
pub fn disallow(consent: &Consent, who: &Principal, now: Timestamp) -> Decision {
    may_change_consent(consent, who)?;
    let Some(grant) = consent.open_grant(now) else {
        return Ok(consent.settle(now));
    };
    let ending = Ending { at: now, reason: EndReason::Disallowed };
    let mut events = consent.end_impersonations(|_| true, ending, None);
    events.push(Event::GrantEnded { grant: grant.id, user: grant.user, ending });
    Ok(events)
}

/// Rule 11: who may see the staff's pages (the switcher, the audit log).
pub fn may_see_super_admin_pages(who: &Principal) -> Result<UserId, Refusal> {
    who.as_super_admin().ok_or(Refusal::SuperAdminOnly)
}

/// Rule 12: who may change a password or an email: their owner, in their own session.
pub fn may_change_credentials(who: &Principal) -> Result<Account, Refusal> {
    who.in_own_session().ok_or(Refusal::WhileImpersonating)
}

/// Rule 13: whose records `who` works on: the tenant of the person they act as.
pub fn records_tenant(who: &Principal) -> Result<TenantId, Refusal> {
    who.effective().tenant().ok_or(Refusal::NoTenant)
}

/// Rules 13 and 14: whose records `who` may change: the tenant's, unless they impersonate under a
/// view-only grant. (A write re-checks on the locked consent: [`Consent::may_still_write`].)
pub fn may_write(who: &Principal) -> Result<TenantId, Refusal> {
    let tenant = records_tenant(who)?;
    match who.impersonation() {
        Some(imp) if imp.access == Access::ViewOnly => Err(Refusal::ViewOnly),
        _ => Ok(tenant),
    }
}

/// Rule 9: who may start impersonating at all: a super admin in their own session (no chains).
pub fn starter(who: &Principal) -> Result<UserId, Refusal> {
    match who {
        Principal::Impersonating(_) => Err(Refusal::WhileImpersonating),
        p => p.as_super_admin().ok_or(Refusal::NotASuperAdmin),
    }
}

/// Rules 2, 3 and 9: a super admin starts impersonating the consent's user, or joins.
pub fn start(
    consent: &Consent,
    who: &Principal,
    now: Timestamp,
    policy: &Policy,
    new_impersonation: ImpersonationId,
    reason: Option<StartReason>,
) -> Decision {
    let super_admin = starter(who)?;
    match consent.subject {
        Account::SuperAdmin { id } if id == super_admin => return Err(Refusal::SubjectIsSelf),
        Account::SuperAdmin { .. } => return Err(Refusal::SubjectIsSuperAdmin),
        Account::User { .. } => {}
    }
    if policy.require_reason && reason.is_none() {
        return Err(Refusal::ReasonRequired);
    }
    let grant = consent.grant.as_ref().ok_or(Refusal::NoGrant)?;
    let impersonation = Impersonation {
        id: new_impersonation,
        grant: grant.id,
        super_admin,
        started_at: now,
        reason,
        ended: None,
    };
    let user = consent.subject.id();
    match grant.phase(now) {
        GrantPhase::Waiting { .. } => {
            Ok(vec![Event::Started { impersonation, user, ends_at: now.plus(grant.terms.duration) }])
        }
        GrantPhase::Running { .. } => Ok(vec![Event::Joined { impersonation, user }]),
        GrantPhase::Over(Ending { reason: EndReason::Disallowed, .. }) => Err(Refusal::NoGrant),
        GrantPhase::Over(_) => Err(Refusal::GrantExpired),
    }
}

/// Rule 7: an impersonator stops or logs out. Their impersonation ends, and with scope `All` so
/// does every other impersonation of the same user; the grant stays open until `ends_at`.
///
/// `who` was read before the consent was locked: if the caller's impersonation has ended since
/// (a co-impersonator's stop, a disallow), the caller speaks for nobody any more and ends nothing,
/// not even an impersonation someone started after theirs ended.
pub fn stop(consent: &Consent, who: &Principal, now: Timestamp, policy: &Policy) -> Decision {
    let mine = who.impersonation().ok_or(Refusal::NotImpersonating)?;
    if mine.subject.id() != consent.subject.id() {
        return Err(Refusal::NotImpersonating);
    }
    let settled = consent.settle(now);
    if !settled.is_empty() {
        return Ok(settled);
    }
    if !consent.still_holds(mine.id, now) {
        return Ok(Vec::new());
    }
    let mut events = consent.end_impersonations(
        |i| i.id == mine.id,
        Ending { at: now, reason: EndReason::Stopped },
        None,
    );
    if policy.logout_scope == LogoutScope::All {
        events.extend(consent.end_impersonations(
            |i| i.id != mine.id,
            Ending { at: now, reason: EndReason::CoImpersonatorLoggedOut },
            Some(mine.super_admin),
        ));
    }
    Ok(events)
}

/// Rule 8: the super admin's own session ended, taking its impersonation with it.
pub fn session_ended(consent: &Consent, impersonation: ImpersonationId, now: Timestamp) -> Vec<Event> {
    let settled = consent.settle(now);
    if !settled.is_empty() {
        return settled;
    }
    consent.end_impersonations(|i| i.id == impersonation, Ending { at: now, reason: EndReason::SessionEnded }, None)
}

/// Rules 3, 4, 5, 8 and 9 on every request: what a session inside an impersonation acts as. Only
/// a super admin, in the session that started it, acting as an ordinary user, while the window is
/// open; otherwise the impersonation is over, and this says when and why.
pub fn acting_as(own: Account, subject: Account, impersonation: &Impersonation, grant: &Grant, now: Timestamp) -> Result<ActiveImpersonation, Ending> {
    match (own, subject) {
        (Account::SuperAdmin { id }, Account::User { .. }) if id == impersonation.super_admin && grant.user == subject.id() => {
            let ends_at = holds(impersonation, grant, now)?;
            Ok(ActiveImpersonation { id: impersonation.id, grant: grant.id, super_admin: id, subject, ends_at, access: grant.terms.access })
        }
        // The account lost its role, or the records no longer fit together: the session's own end.
        _ => Err(impersonation.ended.unwrap_or(Ending { at: now, reason: EndReason::SessionEnded })),
    }
}

/// Rules 3, 4 and 5 on every request: does this impersonation still hold at `now`? Holding, it
/// gives `ends_at`; over, it says when and why, whether or not the end was recorded yet.
pub fn holds(impersonation: &Impersonation, grant: &Grant, now: Timestamp) -> Result<Timestamp, Ending> {
    if let Some(ending) = impersonation.ended {
        return Err(ending);
    }
    match grant.phase(now) {
        // Also when its start is dated after `now`: another instance, whose clock runs a little
        // ahead, started it. Its end is fixed by `ends_at` all the same, and ending it here would
        // record an end before its start (decisions are dated by `Consent::decision_time`).
        GrantPhase::Running { ends_at } => Ok(ends_at),
        GrantPhase::Over(ending) => Err(ending),
        // An impersonation under a grant nobody started is a broken record: refuse it rather
        // than trust it.
        GrantPhase::Waiting { .. } => Err(Ending { at: now, reason: EndReason::SessionEnded }),
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod invariants;
