//! The history checker on its boundaries: histories the rules produce pass, and each record moved
//! by one millisecond across a boundary (or given the wrong reason) is named as the breach it is.

use super::*;
use crate::domain::ids::TenantId;
use crate::domain::principal::Principal;
use crate::domain::rules::{Consent, Ending, Event, allow, disallow, start, stop};
use std::time::Duration;
use uuid::Uuid;

const MS: Duration = Duration::from_millis(1);
const T0: Timestamp = Timestamp::from_unix_millis(1_700_000_000_000);
const WINDOW: Duration = Duration::from_secs(60);
const DURATION: Duration = Duration::from_secs(600);

fn policy() -> Policy {
    Policy { start_window: WINDOW, duration: DURATION, max_duration: Duration::from_secs(24 * 60 * 60), logout_scope: LogoutScope::All, require_reason: false }
}

fn user() -> Account {
    Account::User { id: UserId(Uuid::from_u128(1)), tenant: TenantId(Uuid::from_u128(100)) }
}

fn admin(n: u128) -> Account {
    Account::SuperAdmin { id: UserId(Uuid::from_u128(10 + n)) }
}

fn is_staff(id: UserId) -> bool {
    id.uuid().as_u128() >= 10
}

/// A user's history as the store keeps it, made by the rules' own decisions, and its audit lines.
struct Recorder {
    consent: Consent,
    history: StoredHistory,
    log: Vec<LoggedEvent>,
    next_id: u128,
}

impl Recorder {
    fn new() -> Recorder {
        Recorder {
            consent: Consent { subject: user(), grant: None, impersonations: Vec::new() },
            history: StoredHistory { subject: user(), grants: Vec::new(), impersonations: Vec::new() },
            log: Vec::new(),
            next_id: 1_000,
        }
    }

    fn fresh(&mut self) -> Uuid {
        self.next_id += 1;
        Uuid::from_u128(self.next_id)
    }

    /// Stores what a decision that must succeed decided, the way the store does.
    fn store(&mut self, events: Vec<Event>) {
        for event in &events {
            self.consent.apply(event);
            self.log.push(logged(event));
            match event {
                Event::Allowed(g) => self.history.grants.push(g.clone()),
                Event::GrantEnded { grant, ending, .. } => {
                    self.history.grants.iter_mut().filter(|g| g.id == *grant).for_each(|g| g.ended = Some(*ending));
                }
                Event::Started { impersonation, ends_at, .. } => {
                    self.history.grants.iter_mut().filter(|g| g.id == impersonation.grant).for_each(|g| g.ends_at = Some(*ends_at));
                    self.history.impersonations.push(impersonation.clone());
                }
                Event::Joined { impersonation, .. } => self.history.impersonations.push(impersonation.clone()),
                Event::Ended { impersonation, ending, .. } => {
                    self.history.impersonations.iter_mut().filter(|i| i.id == *impersonation).for_each(|i| i.ended = Some(*ending));
                }
            }
        }
    }

    fn allow(&mut self, at: Timestamp) {
        self.allow_on(at, policy().default_terms());
    }

    fn allow_on(&mut self, at: Timestamp, terms: Terms) {
        let id = GrantId(self.fresh());
        let events = allow(&self.consent, &Principal::Own(user()), at, &policy(), id, terms).expect("allowed");
        self.store(events);
    }

    fn disallow(&mut self, at: Timestamp) {
        let events = disallow(&self.consent, &Principal::Own(user()), at).expect("disallowed");
        self.store(events);
    }

    /// `admin` starts (or joins) at `at`; answers the impersonation.
    fn start(&mut self, admin: Account, at: Timestamp) -> ImpersonationId {
        let id = ImpersonationId(self.fresh());
        let events = start(&self.consent, &Principal::Own(admin), at, &policy(), id, None).expect("started");
        self.store(events);
        id
    }

    fn stop(&mut self, id: ImpersonationId, at: Timestamp) {
        let imp = self.consent.impersonations.iter().find(|i| i.id == id).expect("an impersonation").clone();
        let grant = self.consent.grant.as_ref().expect("a grant");
        let who = Principal::Impersonating(crate::domain::principal::ActiveImpersonation {
            id,
            grant: grant.id,
            super_admin: imp.super_admin,
            subject: user(),
            ends_at: grant.ends_at.expect("started"),
            access: grant.terms.access,
        });
        let events = stop(&self.consent, &who, at, &policy()).expect("stopped");
        self.store(events);
    }

    /// A write made at `at` while impersonating in `id`, as its audit line.
    fn write(&mut self, id: ImpersonationId, at: Timestamp) {
        let imp = self.history.impersonations.iter().find(|i| i.id == id).expect("an impersonation");
        self.log.push(LoggedEvent {
            at,
            kind: AuditKind::Wrote,
            subject: user().id(),
            super_admin: Some(imp.super_admin),
            grant: imp.grant,
            impersonation: Some(id),
            end_reason: None,
            reason: None,
            terms: None,
        });
    }

    fn check_log(&self) -> Vec<Breach> {
        check_audit(&self.history, &self.log, &policy()).into_iter().map(|v| v.breach).collect()
    }

    fn check(&self, now: Timestamp) -> Vec<Breach> {
        check_history(&self.history, &policy(), now, is_staff).into_iter().map(|v| v.breach).collect()
    }

    fn grant(&mut self, n: usize) -> &mut Grant {
        &mut self.history.grants[n]
    }

    fn impersonation(&mut self, n: usize) -> &mut Impersonation {
        &mut self.history.impersonations[n]
    }
}

/// Allowed at T0, started by admin 1 at T0 + 10 s, joined by admin 2 at T0 + 20 s.
fn running() -> Recorder {
    let mut r = Recorder::new();
    r.allow(T0);
    r.start(admin(1), T0.plus(Duration::from_secs(10)));
    r.start(admin(2), T0.plus(Duration::from_secs(20)));
    r
}

const LATER: Timestamp = Timestamp::from_unix_millis(1_800_000_000_000);

// What the rules produce passes

#[test]
fn a_history_made_by_the_rules_has_no_violation() {
    let mut r = running();
    let first = r.history.impersonations[0].id;
    r.stop(first, T0.plus(Duration::from_secs(30)));
    r.start(admin(1), T0.plus(Duration::from_secs(40)));
    r.disallow(T0.plus(Duration::from_secs(50)));
    r.allow(T0.plus(Duration::from_secs(50)));
    r.start(admin(2), T0.plus(Duration::from_secs(55)));
    // The second grant runs out by time, and allowing again settles it.
    let second_end = T0.plus(Duration::from_secs(55)).plus(DURATION);
    r.allow(second_end);
    // The third one is never started and is settled at its start deadline.
    r.allow(second_end.plus(WINDOW));
    assert_eq!(r.check(LATER), []);
    assert_eq!(r.history.grants.len(), 4);
}

#[test]
fn an_empty_history_and_a_waiting_grant_pass() {
    let mut r = Recorder::new();
    assert_eq!(r.check(T0), []);
    r.allow(T0);
    assert_eq!(r.check(T0), []);
}

// Rule 1: one grant at a time, with the policy's window

#[test]
fn a_grant_given_while_the_previous_was_open_is_a_violation() {
    let mut r = running();
    r.disallow(T0.plus(Duration::from_secs(30)));
    r.allow(T0.plus(Duration::from_secs(30)));
    assert_eq!(r.check(LATER), [], "allowed at the instant the previous was disallowed");
    r.grant(1).allowed_at = T0.plus(Duration::from_secs(30)).minus(MS);
    r.grant(1).start_deadline = r.history.grants[1].allowed_at.plus(WINDOW);
    assert!(r.check(LATER).iter().any(|b| matches!(b, Breach::AllowedWhileOpen { .. })));
}

#[test]
fn a_second_grant_not_ended_is_a_violation() {
    let mut r = Recorder::new();
    r.allow(T0);
    r.allow(T0.plus(WINDOW));
    assert_eq!(r.check(LATER), [], "allowing at the deadline settles the first grant");
    r.grant(0).ended = None;
    assert_eq!(r.check(LATER), [Breach::SupersededWithoutEnd]);
}

#[test]
fn a_start_deadline_not_one_start_window_after_allowing_is_a_violation() {
    let mut r = Recorder::new();
    r.allow(T0);
    r.grant(0).start_deadline = T0.plus(WINDOW).plus(MS);
    assert_eq!(r.check(LATER), [Breach::WrongStartDeadline]);
}

// Rules 2 and 3: the first start fixes ends_at, within the start window

#[test]
fn a_first_start_one_millisecond_before_the_deadline_passes_and_at_it_is_a_violation() {
    let mut r = Recorder::new();
    r.allow(T0);
    let deadline = T0.plus(WINDOW);
    r.start(admin(1), deadline.minus(MS));
    assert_eq!(r.check(LATER), []);
    r.impersonation(0).started_at = deadline;
    r.grant(0).ends_at = Some(deadline.plus(DURATION));
    assert_eq!(r.check(LATER), [Breach::StartedAfterStartDeadline]);
}

#[test]
fn ends_at_moved_by_a_millisecond_is_a_violation() {
    let mut r = running();
    let ends_at = r.history.grants[0].ends_at.expect("started");
    r.grant(0).ends_at = Some(ends_at.plus(MS));
    assert_eq!(r.check(LATER), [Breach::EndsAtNotFromFirstStart]);
}

#[test]
fn ends_at_without_a_start_and_a_start_without_ends_at_are_violations() {
    let mut r = Recorder::new();
    r.allow(T0);
    r.grant(0).ends_at = Some(T0.plus(DURATION));
    assert_eq!(r.check(LATER), [Breach::EndsAtWithoutStart]);
    let mut r = running();
    r.grant(0).ends_at = None;
    assert!(r.check(LATER).contains(&Breach::StartWithoutEndsAt));
}

#[test]
fn a_start_before_the_user_allowed_is_a_violation() {
    let mut r = running();
    r.impersonation(1).started_at = T0.minus(MS);
    assert!(r.check(LATER).contains(&Breach::StartedBeforeAllowed));
}

// Rule 4: nothing after ends_at

#[test]
fn a_join_one_millisecond_before_ends_at_passes_and_at_it_is_a_violation() {
    let mut r = running();
    let ends_at = r.history.grants[0].ends_at.expect("started");
    r.start(admin(3), ends_at.minus(MS));
    assert_eq!(r.check(LATER), []);
    r.impersonation(2).started_at = ends_at;
    assert_eq!(r.check(LATER), [Breach::StartedAfterEndsAt]);
}

#[test]
fn an_end_recorded_after_the_window_closed_is_a_violation() {
    let mut r = running();
    let ends_at = r.history.grants[0].ends_at.expect("started");
    r.allow(ends_at);
    assert_eq!(r.check(LATER), [], "settled at ends_at exactly");
    r.impersonation(0).ended = Some(Ending { at: ends_at.plus(MS), reason: EndReason::DurationOver });
    assert_eq!(r.check(LATER), [Breach::EndedAfterGrant, Breach::UnfoundedEndReason(EndReason::DurationOver)]);
    let mut r = running();
    r.allow(ends_at);
    r.grant(0).ended = Some(Ending { at: ends_at.plus(MS), reason: EndReason::DurationOver });
    assert!(r.check(LATER).contains(&Breach::GrantEndOutsideWindow));
}

// Rule 5: a disallow ends everything under the grant, at once

#[test]
fn a_start_at_the_instant_of_a_disallow_passes_and_one_after_is_a_violation() {
    let mut r = Recorder::new();
    r.allow(T0);
    let at = T0.plus(Duration::from_secs(5));
    r.start(admin(1), at);
    r.disallow(at);
    assert_eq!(r.check(LATER), [], "started, then disallowed, in one millisecond");
    r.impersonation(0).started_at = at.plus(MS);
    r.grant(0).ends_at = Some(at.plus(MS).plus(DURATION));
    let found = r.check(LATER);
    assert!(found.contains(&Breach::StartedAfterGrantEnded), "{found:?}");
}

#[test]
fn an_impersonation_left_running_under_a_disallowed_grant_is_a_violation() {
    let mut r = running();
    r.disallow(T0.plus(Duration::from_secs(30)));
    assert_eq!(r.check(LATER), []);
    r.impersonation(1).ended = None;
    assert_eq!(r.check(LATER), [Breach::OutlivesGrant]);
}

#[test]
fn a_disallow_recorded_at_ends_at_is_a_violation() {
    let mut r = running();
    let ends_at = r.history.grants[0].ends_at.expect("started");
    r.disallow(ends_at.minus(MS));
    assert_eq!(r.check(LATER), []);
    r.grant(0).ended = Some(Ending { at: ends_at, reason: EndReason::Disallowed });
    for i in 0..2 {
        r.impersonation(i).ended = Some(Ending { at: ends_at, reason: EndReason::Disallowed });
    }
    let found = r.check(LATER);
    assert!(found.contains(&Breach::UnfoundedEndReason(EndReason::Disallowed)), "{found:?}");
}

// Rule 7: stopping ends impersonations, never the grant

#[test]
fn a_co_impersonator_end_needs_a_stop_at_that_instant() {
    let mut r = running();
    let first = r.history.impersonations[0].id;
    let at = T0.plus(Duration::from_secs(30));
    r.stop(first, at);
    assert_eq!(r.history.impersonations[1].ended.map(|e| e.reason), Some(EndReason::CoImpersonatorLoggedOut));
    assert_eq!(r.check(LATER), []);
    r.impersonation(0).ended = Some(Ending { at: at.minus(MS), reason: EndReason::Stopped });
    assert_eq!(r.check(LATER), [Breach::UnfoundedEndReason(EndReason::CoImpersonatorLoggedOut)]);
}

#[test]
fn a_co_impersonator_end_under_scope_own_is_a_violation() {
    let mut r = running();
    let first = r.history.impersonations[0].id;
    r.stop(first, T0.plus(Duration::from_secs(30)));
    let own = Policy { logout_scope: LogoutScope::Own, ..policy() };
    let found: Vec<_> = check_history(&r.history, &own, LATER, is_staff).into_iter().map(|v| v.breach).collect();
    assert_eq!(found, [Breach::UnfoundedEndReason(EndReason::CoImpersonatorLoggedOut)]);
}

#[test]
fn a_grant_ended_by_a_stop_is_a_violation() {
    let mut r = running();
    r.grant(0).ended = Some(Ending { at: T0.plus(Duration::from_secs(30)), reason: EndReason::Stopped });
    for i in 0..2 {
        r.impersonation(i).ended = Some(Ending { at: T0.plus(Duration::from_secs(30)), reason: EndReason::Stopped });
    }
    let found = r.check(LATER);
    assert!(found.contains(&Breach::UnfoundedEndReason(EndReason::Stopped)), "{found:?}");
}

#[test]
fn a_stop_recorded_at_ends_at_is_a_violation() {
    let mut r = running();
    let ends_at = r.history.grants[0].ends_at.expect("started");
    r.impersonation(0).ended = Some(Ending { at: ends_at.minus(MS), reason: EndReason::Stopped });
    assert_eq!(r.check(LATER), []);
    r.impersonation(0).ended = Some(Ending { at: ends_at, reason: EndReason::Stopped });
    assert_eq!(r.check(LATER), [Breach::UnfoundedEndReason(EndReason::Stopped)]);
}

// Rule 9: only staff impersonate, only ordinary users are impersonated

#[test]
fn an_impersonator_who_is_not_staff_is_a_violation() {
    let mut r = running();
    r.impersonation(1).super_admin = user().id();
    assert_eq!(r.check(LATER), [Breach::ImpersonatorNotStaff]);
}

#[test]
fn a_super_admin_with_a_grant_is_a_violation() {
    let mut r = Recorder::new();
    r.allow(T0);
    r.history.subject = admin(1);
    r.history.grants[0].user = admin(1).id();
    assert_eq!(r.check(LATER), [Breach::SubjectIsSuperAdmin]);
}

#[test]
fn an_impersonation_under_someone_elses_grant_is_a_violation() {
    let mut r = running();
    r.impersonation(1).grant = GrantId(Uuid::from_u128(99));
    let found = r.check(LATER);
    assert!(found.contains(&Breach::UnknownGrant), "{found:?}");
}

#[test]
fn records_after_now_are_violations() {
    let r = running();
    assert_eq!(r.check(T0.plus(Duration::from_secs(20))), []);
    assert_eq!(r.check(T0.plus(Duration::from_secs(20)).minus(MS)), [Breach::FromTheFuture]);
}

#[test]
fn every_violation_names_its_rule_and_records() {
    let mut r = running();
    r.impersonation(1).super_admin = user().id();
    let found = check_history(&r.history, &policy(), LATER, is_staff);
    let text = found[0].to_string();
    assert!(text.starts_with("rule 9: ImpersonatorNotStaff; user "), "{text}");
    assert!(text.contains(&r.history.impersonations[1].id.to_string()), "{text}");
}

// Rule 10: the audit lines a history implies

#[test]
fn the_implied_audit_has_a_line_per_event() {
    let mut r = running();
    let first = r.history.impersonations[0].id;
    r.stop(first, T0.plus(Duration::from_secs(30)));
    r.start(admin(1), T0.plus(Duration::from_secs(40)));
    r.disallow(T0.plus(Duration::from_secs(50)));
    r.allow(T0.plus(Duration::from_secs(60)));
    r.allow(T0.plus(Duration::from_secs(60)).plus(WINDOW));
    let line = |kind, end_reason| AuditLine { kind, end_reason };
    let expected = AuditTally::from([
        (line(AuditKind::Allowed, None), 3),
        (line(AuditKind::Disallowed, None), 1),
        (line(AuditKind::GrantEnded, Some(EndReason::StartWindowOver)), 1),
        (line(AuditKind::Started, None), 1),
        (line(AuditKind::Joined, None), 2),
        (line(AuditKind::Ended, Some(EndReason::Stopped)), 1),
        (line(AuditKind::Ended, Some(EndReason::CoImpersonatorLoggedOut)), 1),
        (line(AuditKind::Ended, Some(EndReason::Disallowed)), 1),
    ]);
    assert_eq!(implied_audit(&r.history), expected);
    assert_eq!(line(AuditKind::Ended, Some(EndReason::Stopped)).to_string(), "ended (stopped)");
}

// Rule 10: the audit log, replayed, is the stored history

/// `running()` with writes, a stop, a disallow and a new grant: every kind of line.
fn logged_history() -> Recorder {
    let mut r = running();
    let (first, second) = (r.history.impersonations[0].id, r.history.impersonations[1].id);
    r.write(first, T0.plus(Duration::from_secs(25)));
    r.stop(first, T0.plus(Duration::from_secs(30)));
    let third = r.start(admin(1), T0.plus(Duration::from_secs(40)));
    r.write(third, T0.plus(Duration::from_secs(45)));
    r.disallow(T0.plus(Duration::from_secs(50)));
    r.allow(T0.plus(Duration::from_secs(60)));
    assert!(r.history.impersonations.iter().any(|i| i.id == second));
    r
}

#[test]
fn the_log_of_a_history_made_by_the_rules_rebuilds_it() {
    let r = logged_history();
    assert_eq!(r.check_log(), []);
    assert_eq!(r.check(LATER), []);
}

#[test]
fn a_missing_line_is_a_disagreement() {
    let mut r = logged_history();
    let at = r.log.iter().position(|l| l.kind == AuditKind::Ended).expect("an end");
    let line = r.log.remove(at);
    let found = check_audit(&r.history, &r.log, &policy());
    assert_eq!(found.iter().map(|v| v.breach).collect::<Vec<_>>(), [Breach::AuditDisagrees]);
    assert_eq!(found[0].impersonation, line.impersonation);
}

#[test]
fn a_line_moved_by_a_millisecond_is_a_disagreement() {
    let mut r = logged_history();
    let at = r.log.iter().position(|l| l.kind == AuditKind::Joined).expect("a join");
    r.log[at].at = r.log[at].at.plus(MS);
    assert_eq!(r.check_log(), [Breach::AuditDisagrees]);
}

#[test]
fn a_stored_record_without_lines_is_a_disagreement() {
    let mut r = logged_history();
    r.log.retain(|l| l.grant != r.history.grants[1].id);
    assert_eq!(r.check_log(), [Breach::AuditDisagrees]);
}

#[test]
fn a_join_before_any_start_and_a_second_end_are_unfounded() {
    let mut r = logged_history();
    let started = r.log.iter().position(|l| l.kind == AuditKind::Started).expect("a start");
    r.log[started].kind = AuditKind::Joined;
    assert!(r.check_log().contains(&Breach::AuditLineUnfounded));
    let mut r = logged_history();
    let ended = r.log.iter().find(|l| l.kind == AuditKind::Ended).expect("an end").clone();
    r.log.push(ended);
    assert_eq!(r.check_log(), [Breach::AuditLineUnfounded]);
}

#[test]
fn a_line_about_someone_else_is_unfounded() {
    let mut r = logged_history();
    r.log[0].subject = UserId(Uuid::from_u128(2));
    assert!(r.check_log().contains(&Breach::AuditLineUnfounded));
}

#[test]
fn a_write_one_millisecond_before_ends_at_holds_and_at_it_is_a_violation() {
    let mut r = running();
    let id = r.history.impersonations[0].id;
    let ends_at = r.history.grants[0].ends_at.expect("started");
    r.write(id, ends_at.minus(MS));
    assert_eq!(r.check_log(), []);
    r.write(id, ends_at);
    assert_eq!(r.check_log(), [Breach::WroteOutsideImpersonation]);
}

#[test]
fn a_write_after_the_disallow_is_a_violation() {
    let mut r = running();
    let id = r.history.impersonations[0].id;
    r.disallow(T0.plus(Duration::from_secs(30)));
    r.write(id, T0.plus(Duration::from_secs(30)));
    assert_eq!(r.check_log(), [Breach::WroteOutsideImpersonation]);
}

#[test]
fn a_write_under_a_view_only_grant_is_a_violation_of_rule_14() {
    let mut r = Recorder::new();
    r.allow_on(T0, Terms { access: Access::ViewOnly, duration: DURATION });
    let id = r.start(admin(1), T0);
    assert_eq!(r.check_log(), []);
    r.write(id, T0.plus(MS));
    assert_eq!(r.check_log(), [Breach::WroteUnderViewOnly]);
    assert_eq!(Breach::WroteUnderViewOnly.rule(), 14);
}

#[test]
fn a_chosen_length_fixes_ends_at_and_the_log_replays_it() {
    let mut r = Recorder::new();
    // An hour: not the policy's 10 minutes.
    let chosen = policy().lengths()[1];
    assert_ne!(chosen, DURATION);
    r.allow_on(T0, Terms { access: Access::Full, duration: chosen });
    r.start(admin(1), T0.plus(MS));
    assert_eq!(r.history.grants[0].ends_at, Some(T0.plus(MS).plus(chosen)));
    assert_eq!(r.check(T0.plus(MS)), []);
    assert_eq!(r.check_log(), []);
    // Stored with another length, the end no longer follows from it.
    r.history.grants[0].terms.duration = chosen + MS;
    assert!(r.check(T0.plus(MS)).contains(&Breach::EndsAtNotFromFirstStart));
}

#[test]
fn an_allowed_line_from_before_users_chose_their_terms_replays_the_stored_grants_terms() {
    let mut r = Recorder::new();
    let chosen = Terms { access: Access::ViewOnly, duration: policy().lengths()[1] };
    r.allow_on(T0, chosen);
    r.log[0].terms = None;
    assert_eq!(r.check_log(), [], "the line says nothing, so the stored terms stand");
    r.log[0].terms = Some(policy().default_terms());
    assert_eq!(r.check_log(), [Breach::AuditDisagrees], "a line that says other terms than the stored ones");
}
