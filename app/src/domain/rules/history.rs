//! Checking a stored history against the rules, after the fact.
//!
//! The decisions above keep the rules one request at a time; this reads what was stored (every
//! grant a user ever gave and every impersonation under them) and says where the stored history
//! contradicts the rules, whichever instance, race or bug wrote it. A load test runs it over the
//! whole database afterwards, so "no rule was broken under load" is the domain's own verdict, not
//! a second copy of the rules in the test tool.
//!
//! What it checks, per user (the rule each breach cites is in [`Breach::rule`]):
//! - only an ordinary user gives grants, and only a super admin other than them impersonates;
//! - the grants follow one another: each starts no earlier than the previous one was over, and
//!   every grant but the latest has its end recorded (allowing settles the last one);
//! - each grant's windows are the policy's: `start_deadline = allowed_at + start_window`, and
//!   `ends_at`, when set, is the first start + the grant's duration; it is set exactly when someone started;
//! - each impersonation started inside its grant's window: not before the grant was allowed, the
//!   first one before `start_deadline`, every one before `ends_at`, none after the grant ended;
//! - an end is recorded no later than the grant was over, and for the reason the rules give it;
//!   a grant recorded as ended leaves no impersonation under it without a recorded end.
//!
//! The audit log is checked against the same records ([`check_audit`], rule 10): replaying a
//! user's lines in the order they were written must rebuild exactly the stored grants and
//! impersonations, each line must follow from the ones before it, and every `wrote` line must
//! fall inside an impersonation that held at that instant, under a grant that allowed changes
//! (rule 14). [`implied_audit`] gives the same
//! agreement as counts by kind, for a summary.
//!
//! Intervals are half-open as everywhere in the rules: a start at `start_deadline` is a breach,
//! one a millisecond before is not. Records are compared on the stored millisecond.

use super::{Access, EndReason, Ending, Grant, Impersonation, LogoutScope, Policy, StartReason, Terms, holds};
use crate::domain::audit::AuditKind;
use crate::domain::ids::{GrantId, ImpersonationId, UserId};
use crate::domain::principal::Account;
use crate::domain::time::Timestamp;
use std::collections::BTreeMap;
use std::fmt;

/// Everything stored about one person's consent: every grant they ever gave and every
/// impersonation under those grants, in any order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredHistory {
    pub subject: Account,
    pub grants: Vec<Grant>,
    pub impersonations: Vec<Impersonation>,
}

/// One place where a stored history contradicts the rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub user: UserId,
    pub grant: Option<GrantId>,
    pub impersonation: Option<ImpersonationId>,
    pub breach: Breach,
}

/// What was broken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Breach {
    /// A super admin has a grant: super admins are never impersonated.
    SubjectIsSuperAdmin,
    /// The impersonator is not a super admin, or is the user themself.
    ImpersonatorNotStaff,
    /// An impersonation names a grant that is not one of this user's.
    UnknownGrant,
    /// A grant was given while the previous one was still open.
    AllowedWhileOpen { previous: GrantId },
    /// A grant other than the latest has no recorded end, so allowing did not settle it.
    SupersededWithoutEnd,
    /// `start_deadline` is not `allowed_at + start_window`.
    WrongStartDeadline,
    /// `ends_at` is not the first start + duration.
    EndsAtNotFromFirstStart,
    /// `ends_at` is set though nobody started under the grant.
    EndsAtWithoutStart,
    /// Someone started under the grant, but `ends_at` was never fixed.
    StartWithoutEndsAt,
    /// A start before the user allowed.
    StartedBeforeAllowed,
    /// The first start at or after `start_deadline`.
    StartedAfterStartDeadline,
    /// A start at or after `ends_at`.
    StartedAfterEndsAt,
    /// A start after the grant's recorded end (a disallow).
    StartedAfterGrantEnded,
    /// An impersonation's recorded end is before its start.
    EndedBeforeStart,
    /// An impersonation's recorded end is after its grant was over.
    EndedAfterGrant,
    /// A grant recorded as ended has an impersonation without a recorded end.
    OutlivesGrant,
    /// A grant's recorded end is after the instant its window closed, or before it was given.
    GrantEndOutsideWindow,
    /// A recorded end whose reason the rules would not have given at that instant.
    UnfoundedEndReason(EndReason),
    /// A record dated after the checker's `now`.
    FromTheFuture,
    /// The grant or impersonation rebuilt from the audit log differs from the stored one, or
    /// exists on one side only.
    AuditDisagrees,
    /// An audit line that cannot follow the lines before it (an end of something never started,
    /// a second end, a start under a grant never given, a line about someone else).
    AuditLineUnfounded,
    /// A `wrote` line at an instant its impersonation did not hold.
    WroteOutsideImpersonation,
    /// A `wrote` line under a grant that allowed viewing only.
    WroteUnderViewOnly,
}

impl Breach {
    /// The rule (numbered as in the module doc of `rules`) this breaks.
    pub const fn rule(self) -> u8 {
        match self {
            Breach::SubjectIsSuperAdmin | Breach::ImpersonatorNotStaff => 9,
            Breach::AllowedWhileOpen { .. } | Breach::SupersededWithoutEnd | Breach::WrongStartDeadline => 1,
            Breach::EndsAtNotFromFirstStart | Breach::EndsAtWithoutStart | Breach::StartWithoutEndsAt => 2,
            Breach::UnknownGrant | Breach::StartedBeforeAllowed => 2,
            Breach::StartedAfterStartDeadline => 3,
            Breach::StartedAfterEndsAt | Breach::EndedAfterGrant | Breach::GrantEndOutsideWindow => 4,
            Breach::StartedAfterGrantEnded | Breach::OutlivesGrant => 5,
            Breach::EndedBeforeStart | Breach::FromTheFuture => 10,
            Breach::AuditDisagrees | Breach::AuditLineUnfounded => 10,
            Breach::WroteOutsideImpersonation => 13,
            Breach::WroteUnderViewOnly => 14,
            Breach::UnfoundedEndReason(EndReason::CoImpersonatorLoggedOut | EndReason::Stopped) => 7,
            Breach::UnfoundedEndReason(EndReason::Disallowed) => 5,
            Breach::UnfoundedEndReason(EndReason::StartWindowOver) => 3,
            Breach::UnfoundedEndReason(EndReason::DurationOver) => 4,
            Breach::UnfoundedEndReason(EndReason::SessionEnded) => 8,
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rule {}: {:?}; user {}", self.breach.rule(), self.breach, self.user)?;
        if let Some(grant) = self.grant {
            write!(f, ", grant {grant}")?;
        }
        if let Some(impersonation) = self.impersonation {
            write!(f, ", impersonation {impersonation}")?;
        }
        Ok(())
    }
}

/// The instant a grant's window closes by time alone: its start deadline until someone starts,
/// then `ends_at`.
fn window_end(grant: &Grant) -> Timestamp {
    grant.ends_at.unwrap_or(grant.start_deadline)
}

/// The instant a grant was over: its recorded end if that came first, else its window's end.
fn over_at(grant: &Grant) -> Timestamp {
    let by_time = window_end(grant);
    grant.ended.map_or(by_time, |e| e.at.min(by_time))
}

/// Every place where `history` contradicts the rules under `policy`, as of `now`. Empty when the
/// history is one the rules could have produced. `is_super_admin` tells the impersonators' roles.
pub fn check_history(history: &StoredHistory, policy: &Policy, now: Timestamp, is_super_admin: impl Fn(UserId) -> bool) -> Vec<Violation> {
    let user = history.subject.id();
    let mut found = Vec::new();
    let mut breach = |grant: Option<GrantId>, impersonation: Option<ImpersonationId>, breach: Breach| {
        found.push(Violation { user, grant, impersonation, breach });
    };

    let mut grants: Vec<&Grant> = history.grants.iter().collect();
    // In the order they were given; within one millisecond, the one already over first.
    grants.sort_by_key(|g| (g.allowed_at, over_at(g), g.ended.is_none(), g.id));
    if matches!(history.subject, Account::SuperAdmin { .. }) && !grants.is_empty() {
        breach(None, None, Breach::SubjectIsSuperAdmin);
    }
    for pair in grants.windows(2) {
        let (previous, next) = (pair[0], pair[1]);
        if previous.ended.is_none() {
            breach(Some(previous.id), None, Breach::SupersededWithoutEnd);
        }
        if next.allowed_at < over_at(previous) {
            breach(Some(next.id), None, Breach::AllowedWhileOpen { previous: previous.id });
        }
    }

    for grant in &grants {
        let mine: Vec<&Impersonation> = history.impersonations.iter().filter(|i| i.grant == grant.id).collect();
        check_grant(grant, &mine, policy, now, &mut breach);
        for impersonation in &mine {
            if !is_super_admin(impersonation.super_admin) || impersonation.super_admin == user {
                breach(Some(grant.id), Some(impersonation.id), Breach::ImpersonatorNotStaff);
            }
        }
    }
    for stray in history.impersonations.iter().filter(|i| !grants.iter().any(|g| g.id == i.grant)) {
        breach(Some(stray.grant), Some(stray.id), Breach::UnknownGrant);
    }
    found
}

/// One grant and the impersonations under it.
fn check_grant(
    grant: &Grant,
    impersonations: &[&Impersonation],
    policy: &Policy,
    now: Timestamp,
    breach: &mut impl FnMut(Option<GrantId>, Option<ImpersonationId>, Breach),
) {
    let g = Some(grant.id);
    if grant.start_deadline != grant.allowed_at.plus(policy.start_window) {
        breach(g, None, Breach::WrongStartDeadline);
    }
    if grant.allowed_at > now {
        breach(g, None, Breach::FromTheFuture);
    }
    let first_start = impersonations.iter().map(|i| i.started_at).min();
    match (grant.ends_at, first_start) {
        (Some(ends_at), Some(first)) if ends_at != first.plus(grant.terms.duration) => breach(g, None, Breach::EndsAtNotFromFirstStart),
        (Some(_), None) => breach(g, None, Breach::EndsAtWithoutStart),
        (None, Some(_)) => breach(g, None, Breach::StartWithoutEndsAt),
        _ => {}
    }
    if let Some(ending) = grant.ended {
        if ending.at < grant.allowed_at || ending.at > window_end(grant) {
            breach(g, None, Breach::GrantEndOutsideWindow);
        }
        let founded = match ending.reason {
            // A disallow only ends an open grant: strictly before its window closed.
            EndReason::Disallowed => ending.at < window_end(grant),
            EndReason::StartWindowOver => grant.ends_at.is_none() && ending.at == grant.start_deadline,
            EndReason::DurationOver => grant.ends_at == Some(ending.at),
            // Stopping, logging out and sessions ending never end a grant (rule 7).
            EndReason::Stopped | EndReason::CoImpersonatorLoggedOut | EndReason::SessionEnded => false,
        };
        if !founded {
            breach(g, None, Breach::UnfoundedEndReason(ending.reason));
        }
        if ending.at > now {
            breach(g, None, Breach::FromTheFuture);
        }
    }

    for imp in impersonations {
        let i = Some(imp.id);
        if imp.started_at < grant.allowed_at {
            breach(g, i, Breach::StartedBeforeAllowed);
        }
        if Some(imp.started_at) == first_start && imp.started_at >= grant.start_deadline {
            breach(g, i, Breach::StartedAfterStartDeadline);
        }
        if grant.ends_at.is_some_and(|ends_at| imp.started_at >= ends_at) {
            breach(g, i, Breach::StartedAfterEndsAt);
        }
        // A start at the very millisecond of a disallow is fine if it came first: the disallow
        // then ended it at that instant.
        if grant.ended.is_some_and(|e| imp.started_at > e.at) {
            breach(g, i, Breach::StartedAfterGrantEnded);
        }
        if imp.started_at > now {
            breach(g, i, Breach::FromTheFuture);
        }
        let Some(ending) = imp.ended else {
            if grant.ended.is_some() {
                breach(g, i, Breach::OutlivesGrant);
            }
            continue;
        };
        if ending.at < imp.started_at {
            breach(g, i, Breach::EndedBeforeStart);
        }
        if ending.at > over_at(grant) {
            breach(g, i, Breach::EndedAfterGrant);
        }
        if !end_is_founded(imp, ending.reason, ending.at, grant, impersonations, policy) {
            breach(g, i, Breach::UnfoundedEndReason(ending.reason));
        }
    }
}

/// Whether the rules give an impersonation this end at this instant.
fn end_is_founded(imp: &Impersonation, reason: EndReason, at: Timestamp, grant: &Grant, all: &[&Impersonation], policy: &Policy) -> bool {
    // Ends that people or sessions cause happen while the grant runs: at `ends_at` the rules
    // settle the grant first, which records the duration's end instead.
    let while_running = grant.ends_at.is_some_and(|ends_at| at < ends_at);
    match reason {
        EndReason::Stopped | EndReason::SessionEnded => while_running,
        EndReason::Disallowed => {
            while_running && grant.ended.is_some_and(|e| e.reason == EndReason::Disallowed && e.at == at)
        }
        // Rule 7, scope `All`: someone else under the same grant stopped at that very instant.
        EndReason::CoImpersonatorLoggedOut => {
            while_running
                && policy.logout_scope == LogoutScope::All
                && all.iter().any(|o| o.id != imp.id && o.ended.is_some_and(|e| e.reason == EndReason::Stopped && e.at == at))
        }
        EndReason::DurationOver => grant.ends_at == Some(at),
        // Nobody can be in a grant that nobody started.
        EndReason::StartWindowOver => false,
    }
}

/// One line of the audit log as stored, with the ids it names (the log keeps them for this).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedEvent {
    pub at: Timestamp,
    pub kind: AuditKind,
    pub subject: UserId,
    pub super_admin: Option<UserId>,
    pub grant: GrantId,
    pub impersonation: Option<ImpersonationId>,
    pub end_reason: Option<EndReason>,
    /// The reason given for starting, on `started` and `joined` lines.
    pub reason: Option<String>,
    /// The user's terms, on `allowed` lines (`None` on lines from before users chose them).
    pub terms: Option<Terms>,
}

/// Replays `lines` (one user's audit lines, in the order they were written) and names every
/// place where they disagree with the stored `history`, or could not have been written by the
/// rules: see the module doc. The windows a line does not carry (the start deadline, `ends_at`)
/// are the policy's, as the rules computed them.
pub fn check_audit(history: &StoredHistory, lines: &[LoggedEvent], policy: &Policy) -> Vec<Violation> {
    let user = history.subject.id();
    let mut found = Vec::new();
    let mut breach = |grant: Option<GrantId>, impersonation: Option<ImpersonationId>, breach: Breach| {
        found.push(Violation { user, grant, impersonation, breach });
    };
    let mut grants: Vec<Grant> = Vec::new();
    let mut impersonations: Vec<Impersonation> = Vec::new();
    for line in lines {
        let (g, i) = (Some(line.grant), line.impersonation);
        if line.subject != user {
            breach(g, i, Breach::AuditLineUnfounded);
            continue;
        }
        let grant = grants.iter_mut().find(|x| x.id == line.grant);
        let applied = match (line.kind, grant) {
            (AuditKind::Allowed, None) => {
                grants.push(Grant {
                    id: line.grant,
                    user,
                    allowed_at: line.at,
                    start_deadline: line.at.plus(policy.start_window),
                    // A line written before users chose their terms does not say them: the
                    // stored grant's stand (the migration gave them), or else the defaults.
                    terms: line.terms.unwrap_or_else(|| {
                        history.grants.iter().find(|g| g.id == line.grant).map_or_else(|| policy.default_terms(), |g| g.terms)
                    }),
                    ends_at: None,
                    ended: None,
                });
                true
            }
            (AuditKind::Disallowed | AuditKind::GrantEnded, Some(grant)) if grant.ended.is_none() => {
                let reason = if line.kind == AuditKind::Disallowed { Some(EndReason::Disallowed) } else { line.end_reason };
                grant.ended = reason.map(|reason| Ending { at: line.at, reason });
                grant.ended.is_some()
            }
            (AuditKind::Started | AuditKind::Joined, Some(grant)) => {
                // The first start under a grant is `started`, every later one `joined`, and none
                // follows the grant's end.
                let first = line.kind == AuditKind::Started;
                let started_before = impersonations.iter().any(|x| x.grant == grant.id);
                let in_order = grant.ended.is_none() && if first { !started_before } else { started_before };
                let new = line.impersonation.zip(line.super_admin).filter(|(id, _)| !impersonations.iter().any(|x| x.id == *id));
                match new {
                    Some((id, super_admin)) if in_order => {
                        if first {
                            grant.ends_at = Some(line.at.plus(grant.terms.duration));
                        }
                        impersonations.push(Impersonation {
                            id,
                            grant: grant.id,
                            super_admin,
                            started_at: line.at,
                            reason: line.reason.clone().map(StartReason::from_stored),
                            ended: None,
                        });
                        true
                    }
                    _ => false,
                }
            }
            (AuditKind::Ended, Some(grant)) => {
                let imp = impersonations.iter_mut().find(|x| Some(x.id) == line.impersonation && x.grant == grant.id && x.ended.is_none());
                match (imp, line.end_reason) {
                    (Some(imp), Some(reason)) => {
                        imp.ended = Some(Ending { at: line.at, reason });
                        true
                    }
                    _ => false,
                }
            }
            (AuditKind::Wrote, Some(grant)) => {
                match impersonations.iter().find(|x| Some(x.id) == line.impersonation && x.grant == grant.id) {
                    Some(imp) => {
                        if holds(imp, grant, line.at).is_err() {
                            breach(g, i, Breach::WroteOutsideImpersonation);
                        }
                        if grant.terms.access == Access::ViewOnly {
                            breach(g, i, Breach::WroteUnderViewOnly);
                        }
                        true
                    }
                    None => false,
                }
            }
            _ => false,
        };
        if !applied {
            breach(g, i, Breach::AuditLineUnfounded);
        }
    }

    // What the log rebuilt must be exactly what is stored.
    for stored in &history.grants {
        if grants.iter().find(|g| g.id == stored.id) != Some(stored) {
            breach(Some(stored.id), None, Breach::AuditDisagrees);
        }
    }
    for rebuilt in grants.iter().filter(|g| !history.grants.iter().any(|s| s.id == g.id)) {
        breach(Some(rebuilt.id), None, Breach::AuditDisagrees);
    }
    for stored in &history.impersonations {
        if impersonations.iter().find(|i| i.id == stored.id) != Some(stored) {
            breach(Some(stored.grant), Some(stored.id), Breach::AuditDisagrees);
        }
    }
    for rebuilt in impersonations.iter().filter(|i| !history.impersonations.iter().any(|s| s.id == i.id)) {
        breach(Some(rebuilt.grant), Some(rebuilt.id), Breach::AuditDisagrees);
    }
    found
}

/// One kind of audit line, with the end reason it carries (only ends carry one, and a grant the
/// user disallowed is a `disallowed` line without one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AuditLine {
    pub kind: AuditKind,
    pub end_reason: Option<EndReason>,
}

impl fmt::Display for AuditLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.end_reason {
            Some(reason) => write!(f, "{} ({})", self.kind.as_str(), reason.as_str()),
            None => f.write_str(self.kind.as_str()),
        }
    }
}

/// How many lines of each kind.
pub type AuditTally = BTreeMap<AuditLine, u64>;

/// The audit lines a stored history implies, one per event that produced it (rule 10): an
/// `allowed` per grant, a `disallowed` or `grant_ended` per recorded grant end, a `started` per
/// started grant and a `joined` per later impersonation, an `ended` per recorded impersonation end.
/// Writes made while impersonating (`wrote`) leave no trace in grants and impersonations, so they
/// are not here.
pub fn implied_audit(history: &StoredHistory) -> AuditTally {
    let mut tally = AuditTally::new();
    let mut add = |kind, end_reason| *tally.entry(AuditLine { kind, end_reason }).or_insert(0) += 1;
    for grant in &history.grants {
        add(AuditKind::Allowed, None);
        match grant.ended.map(|e| e.reason) {
            Some(EndReason::Disallowed) => add(AuditKind::Disallowed, None),
            Some(reason) => add(AuditKind::GrantEnded, Some(reason)),
            None => {}
        }
        let under = history.impersonations.iter().filter(|i| i.grant == grant.id).count();
        if under > 0 {
            add(AuditKind::Started, None);
            for _ in 1..under {
                add(AuditKind::Joined, None);
            }
        }
    }
    for ending in history.impersonations.iter().filter_map(|i| i.ended) {
        add(AuditKind::Ended, Some(ending.reason));
    }
    tally
}

/// For the tests: the line the store appends for an event (`store::tables::audit::append`).
#[cfg(test)]
pub(crate) fn logged(event: &super::Event) -> LoggedEvent {
    let kind = event.audit_kind();
    let line = |at, subject, grant| LoggedEvent { at, kind, subject, super_admin: None, grant, impersonation: None, end_reason: None, reason: None, terms: None };
    match event {
        super::Event::Allowed(g) => LoggedEvent { terms: Some(g.terms), ..line(g.allowed_at, g.user, g.id) },
        super::Event::GrantEnded { grant, user, ending } => LoggedEvent {
            end_reason: (kind != AuditKind::Disallowed).then_some(ending.reason),
            ..line(ending.at, *user, *grant)
        },
        super::Event::Started { impersonation: imp, user, .. } | super::Event::Joined { impersonation: imp, user } => LoggedEvent {
            super_admin: Some(imp.super_admin),
            impersonation: Some(imp.id),
            reason: imp.reason.as_ref().map(|r| r.as_str().to_owned()),
            ..line(imp.started_at, *user, imp.grant)
        },
        super::Event::Ended { impersonation, grant, super_admin, user, ending, .. } => LoggedEvent {
            super_admin: Some(*super_admin),
            impersonation: Some(*impersonation),
            end_reason: Some(ending.reason),
            ..line(ending.at, *user, *grant)
        },
    }
}

#[cfg(test)]
mod tests;
