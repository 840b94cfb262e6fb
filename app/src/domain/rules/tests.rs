//! The rules at their boundaries: one millisecond before, at, and after every deadline.

use super::*;
use crate::domain::ids::TenantId;
use crate::domain::principal::ActiveImpersonation;
use uuid::Uuid;

const MS: Duration = Duration::from_millis(1);
const T0: Timestamp = Timestamp::from_unix_millis(1_700_000_000_000);

fn policy() -> Policy {
    Policy {
        start_window: Duration::from_secs(60),
        duration: Duration::from_secs(600),
        max_duration: Duration::from_secs(24 * 60 * 60),
        logout_scope: LogoutScope::All,
        require_reason: false,
    }
}

fn user() -> Account {
    Account::User { id: UserId(Uuid::from_u128(1)), tenant: TenantId(Uuid::from_u128(100)) }
}

fn other_user() -> Account {
    Account::User { id: UserId(Uuid::from_u128(2)), tenant: TenantId(Uuid::from_u128(100)) }
}

fn admin_a() -> Account {
    Account::SuperAdmin { id: UserId(Uuid::from_u128(10)) }
}

fn admin_b() -> Account {
    Account::SuperAdmin { id: UserId(Uuid::from_u128(11)) }
}

fn grant_id(n: u128) -> GrantId {
    GrantId(Uuid::from_u128(1000 + n))
}

fn imp_id(n: u128) -> ImpersonationId {
    ImpersonationId(Uuid::from_u128(2000 + n))
}

fn fresh(subject: Account) -> Consent {
    Consent { subject, grant: None, impersonations: Vec::new() }
}

/// Applies a decision that must succeed and returns its events.
fn apply(consent: &mut Consent, decide: impl FnOnce(&Consent) -> Decision) -> Vec<Event> {
    let events = decide(consent).expect("the rules should allow this");
    for e in &events {
        consent.apply(e);
    }
    events
}

/// The user has allowed at T0.
fn allowed() -> Consent {
    let mut c = fresh(user());
    apply(&mut c, |c| allow(c, &Principal::Own(user()), T0, &policy(), grant_id(1), policy().default_terms()));
    c
}

/// The user allowed at T0 and admin A started at `at`; returns the consent and A's principal.
fn started_by_a(at: Timestamp) -> (Consent, Principal) {
    let mut c = allowed();
    apply(&mut c, |c| start(c, &Principal::Own(admin_a()), at, &policy(), imp_id(1), None));
    let principal = principal_for(&c, imp_id(1));
    (c, principal)
}

fn principal_for(c: &Consent, id: ImpersonationId) -> Principal {
    let imp = c.impersonations.iter().find(|i| i.id == id).expect("impersonation exists");
    let grant = c.grant.as_ref().expect("grant exists");
    Principal::Impersonating(ActiveImpersonation {
        id,
        grant: grant.id,
        super_admin: imp.super_admin,
        subject: c.subject,
        ends_at: grant.ends_at.expect("started"),
        access: grant.terms.access,
    })
}

fn ending_of(c: &Consent, id: ImpersonationId) -> Option<Ending> {
    c.impersonations.iter().find(|i| i.id == id).and_then(|i| i.ended)
}

// Rule 1: allow

#[test]
fn allowing_creates_a_grant_that_must_be_started_within_the_start_window() {
    let c = allowed();
    let grant = c.grant.as_ref().expect("a grant");
    assert_eq!(grant.user, user().id());
    assert_eq!(grant.allowed_at, T0);
    assert_eq!(grant.start_deadline, T0.plus(Duration::from_secs(60)));
    assert_eq!(grant.ends_at, None);
    assert_eq!(grant.phase(T0), GrantPhase::Waiting { start_deadline: T0.plus(Duration::from_secs(60)) });
}

#[test]
fn allowing_again_while_the_grant_waits_changes_nothing() {
    let c = allowed();
    let deadline = c.grant.as_ref().map(|g| g.start_deadline).expect("grant");
    let again = allow(&c, &Principal::Own(user()), deadline.minus(MS), &policy(), grant_id(2), policy().default_terms());
    assert_eq!(again, Ok(vec![]));
}

#[test]
fn allowing_again_while_impersonated_changes_nothing() {
    let (c, _) = started_by_a(T0);
    let again = allow(&c, &Principal::Own(user()), T0.plus(Duration::from_secs(300)), &policy(), grant_id(2), policy().default_terms());
    assert_eq!(again, Ok(vec![]));
}

#[test]
fn allowing_again_on_other_terms_while_a_grant_is_open_is_refused_not_ignored() {
    // Two tabs: one allowed on the defaults, the other's dialog still asks, with view only chosen.
    let view_only = Terms { access: Access::ViewOnly, ..policy().default_terms() };
    let (waiting, (started, _)) = (allowed(), started_by_a(T0));
    assert_eq!(allow(&waiting, &Principal::Own(user()), T0.plus(MS), &policy(), grant_id(2), view_only), Err(Refusal::AlreadyAllowed));
    assert_eq!(allow(&started, &Principal::Own(user()), T0.plus(MS), &policy(), grant_id(2), view_only), Err(Refusal::AlreadyAllowed));
    // At the start deadline the unstarted grant is over: other terms make a new grant.
    let deadline = waiting.grant.as_ref().map(|g| g.start_deadline).expect("grant");
    assert_eq!(allow(&waiting, &Principal::Own(user()), deadline.minus(MS), &policy(), grant_id(2), view_only), Err(Refusal::AlreadyAllowed));
    let events = allow(&waiting, &Principal::Own(user()), deadline, &policy(), grant_id(2), view_only).expect("allowed anew");
    assert!(events.iter().any(|e| matches!(e, Event::Allowed(g) if g.terms == view_only)));
}

#[test]
fn allowing_at_the_start_deadline_of_an_unstarted_grant_creates_a_new_one() {
    let c = allowed();
    let deadline = T0.plus(Duration::from_secs(60));
    let events = allow(&c, &Principal::Own(user()), deadline, &policy(), grant_id(2), policy().default_terms()).expect("allowed");
    assert_eq!(
        events[0],
        Event::GrantEnded {
            grant: grant_id(1),
            user: user().id(),
            ending: Ending { at: deadline, reason: EndReason::StartWindowOver }
        }
    );
    assert!(matches!(&events[1], Event::Allowed(g) if g.id == grant_id(2) && g.start_deadline == deadline.plus(Duration::from_secs(60))));
}

#[test]
fn nobody_can_allow_for_someone_else() {
    let c = fresh(user());
    assert_eq!(allow(&c, &Principal::Own(other_user()), T0, &policy(), grant_id(1), policy().default_terms()), Err(Refusal::NotYourConsent));
    assert_eq!(allow(&c, &Principal::Own(admin_a()), T0, &policy(), grant_id(1), policy().default_terms()), Err(Refusal::NotYourConsent));
}

#[test]
fn a_super_admin_cannot_allow_being_impersonated() {
    let c = fresh(admin_a());
    assert_eq!(allow(&c, &Principal::Own(admin_a()), T0, &policy(), grant_id(1), policy().default_terms()), Err(Refusal::SubjectIsSuperAdmin));
}

#[test]
fn an_impersonator_can_neither_allow_nor_disallow() {
    let (c, as_user) = started_by_a(T0);
    assert_eq!(allow(&c, &as_user, T0, &policy(), grant_id(2), policy().default_terms()), Err(Refusal::WhileImpersonating));
    assert_eq!(disallow(&c, &as_user, T0), Err(Refusal::WhileImpersonating));
}

// Rules 2 and 3: start and the start window

#[test]
fn the_first_start_fixes_ends_at_one_duration_later() {
    let at = T0.plus(Duration::from_secs(30));
    let (c, _) = started_by_a(at);
    assert_eq!(c.grant.as_ref().and_then(|g| g.ends_at), Some(at.plus(Duration::from_secs(600))));
}

#[test]
fn a_start_one_millisecond_before_the_start_deadline_succeeds() {
    let c = allowed();
    let at = T0.plus(Duration::from_secs(60)).minus(MS);
    let events = start(&c, &Principal::Own(admin_a()), at, &policy(), imp_id(1), None).expect("started");
    assert!(matches!(&events[..], [Event::Started { ends_at, .. }] if *ends_at == at.plus(Duration::from_secs(600))));
}

#[test]
fn a_start_at_or_after_the_start_deadline_is_refused() {
    let c = allowed();
    let deadline = T0.plus(Duration::from_secs(60));
    for at in [deadline, deadline.plus(MS)] {
        assert_eq!(start(&c, &Principal::Own(admin_a()), at, &policy(), imp_id(1), None), Err(Refusal::GrantExpired));
    }
}

#[test]
fn later_starts_join_and_never_move_ends_at() {
    let (mut c, _) = started_by_a(T0);
    let ends_at = T0.plus(Duration::from_secs(600));
    let join_at = ends_at.minus(MS);
    let events = apply(&mut c, |c| start(c, &Principal::Own(admin_b()), join_at, &policy(), imp_id(2), None));
    assert!(matches!(&events[..], [Event::Joined { .. }]));
    assert_eq!(c.grant.as_ref().and_then(|g| g.ends_at), Some(ends_at));
}

#[test]
fn the_same_super_admin_starting_again_from_another_session_joins() {
    let (mut c, _) = started_by_a(T0);
    let events = apply(&mut c, |c| start(c, &Principal::Own(admin_a()), T0.plus(MS), &policy(), imp_id(2), None));
    assert!(matches!(&events[..], [Event::Joined { impersonation, .. }] if impersonation.super_admin == admin_a().id()));
}

#[test]
fn a_join_at_ends_at_is_refused() {
    let (c, _) = started_by_a(T0);
    let ends_at = T0.plus(Duration::from_secs(600));
    assert_eq!(start(&c, &Principal::Own(admin_b()), ends_at, &policy(), imp_id(2), None), Err(Refusal::GrantExpired));
}

#[test]
fn only_super_admins_start() {
    let c = allowed();
    assert_eq!(start(&c, &Principal::Own(other_user()), T0, &policy(), imp_id(1), None), Err(Refusal::NotASuperAdmin));
}

#[test]
fn an_impersonator_cannot_start_another_impersonation() {
    let (_, as_user) = started_by_a(T0);
    let mut other = fresh(other_user());
    apply(&mut other, |c| allow(c, &Principal::Own(other_user()), T0, &policy(), grant_id(9), policy().default_terms()));
    assert_eq!(start(&other, &as_user, T0, &policy(), imp_id(2), None), Err(Refusal::WhileImpersonating));
}

#[test]
fn super_admins_and_oneself_cannot_be_impersonated() {
    let mut c = fresh(admin_b());
    // Even a grant that somehow exists for a super admin does not make them impersonatable.
    c.grant = Some(Grant { id: grant_id(1), user: admin_b().id(), allowed_at: T0, start_deadline: T0.plus(MS), terms: policy().default_terms(), ends_at: None, ended: None });
    assert_eq!(start(&c, &Principal::Own(admin_a()), T0, &policy(), imp_id(1), None), Err(Refusal::SubjectIsSuperAdmin));
    let myself = Consent { subject: admin_a(), ..c };
    assert_eq!(start(&myself, &Principal::Own(admin_a()), T0, &policy(), imp_id(1), None), Err(Refusal::SubjectIsSelf));
}

#[test]
fn without_a_grant_nobody_starts() {
    let c = fresh(user());
    assert_eq!(start(&c, &Principal::Own(admin_a()), T0, &policy(), imp_id(1), None), Err(Refusal::NoGrant));
}

#[test]
fn a_required_reason_must_be_given() {
    let c = allowed();
    let strict = Policy { require_reason: true, ..policy() };
    assert_eq!(start(&c, &Principal::Own(admin_a()), T0, &strict, imp_id(1), None), Err(Refusal::ReasonRequired));
    let blank = StartReason::parse("   ").expect("valid");
    assert_eq!(start(&c, &Principal::Own(admin_a()), T0, &strict, imp_id(1), blank), Err(Refusal::ReasonRequired));
    let reason = StartReason::parse("  ticket #42 ").expect("valid");
    let events = start(&c, &Principal::Own(admin_a()), T0, &strict, imp_id(1), reason).expect("started");
    assert!(matches!(&events[..], [Event::Started { impersonation, .. }] if impersonation.reason.as_ref().map(StartReason::as_str) == Some("ticket #42")));
}

#[test]
fn a_reason_is_trimmed_blank_means_none_and_length_is_bounded() {
    assert_eq!(StartReason::parse("   "), Ok(None));
    assert!(StartReason::parse(&"é".repeat(StartReason::MAX_CHARS)).is_ok_and(|r| r.is_some()));
    assert_eq!(StartReason::parse(&"é".repeat(StartReason::MAX_CHARS + 1)), Err(Refusal::ReasonTooLong));
    assert_eq!(StartReason::parse("ticket\0#42"), Err(Refusal::ReasonNotPlain));
}

// Rule 4: the duration, checked on every request

#[test]
fn an_impersonation_holds_until_one_millisecond_before_ends_at() {
    let (c, _) = started_by_a(T0);
    let (imp, grant) = (&c.impersonations[0], c.grant.as_ref().expect("grant"));
    let ends_at = T0.plus(Duration::from_secs(600));
    assert_eq!(holds(imp, grant, T0), Ok(ends_at));
    assert_eq!(holds(imp, grant, ends_at.minus(MS)), Ok(ends_at));
}

#[test]
fn an_impersonation_is_over_at_and_after_ends_at() {
    let (c, _) = started_by_a(T0);
    let (imp, grant) = (&c.impersonations[0], c.grant.as_ref().expect("grant"));
    let ends_at = T0.plus(Duration::from_secs(600));
    for now in [ends_at, ends_at.plus(MS)] {
        assert_eq!(holds(imp, grant, now), Err(Ending { at: ends_at, reason: EndReason::DurationOver }));
    }
}

#[test]
fn a_write_while_impersonating_is_allowed_until_one_millisecond_before_ends_at() {
    let (c, _) = started_by_a(T0);
    let ends_at = T0.plus(policy().duration);
    assert!(c.still_holds(imp_id(1), ends_at.minus(MS)));
    assert!(!c.still_holds(imp_id(1), ends_at));
    assert!(!c.still_holds(imp_id(2), T0), "an impersonation the consent does not know holds nothing");
}

#[test]
fn a_write_after_a_disallow_or_a_stop_is_refused() {
    let (mut disallowed, _) = started_by_a(T0);
    apply(&mut disallowed, |c| disallow(c, &Principal::Own(user()), T0.plus(MS)));
    assert!(!disallowed.still_holds(imp_id(1), T0.plus(MS)));
    let (mut stopped, a) = started_by_a(T0);
    apply(&mut stopped, |c| stop(c, &a, T0.plus(MS), &policy()));
    assert!(!stopped.still_holds(imp_id(1), T0.plus(MS)));
}

#[test]
fn only_the_user_in_their_own_session_may_change_their_consent() {
    let (c, a) = started_by_a(T0);
    assert_eq!(may_change_consent(&c, &Principal::Own(user())), Ok(()));
    assert_eq!(may_change_consent(&c, &a), Err(Refusal::WhileImpersonating));
    assert_eq!(may_change_consent(&c, &Principal::Own(other_user())), Err(Refusal::NotYourConsent));
    assert_eq!(may_change_consent(&fresh(admin_a()), &Principal::Own(admin_a())), Err(Refusal::SubjectIsSuperAdmin));
}

#[test]
fn settling_records_the_duration_end_for_every_live_impersonation() {
    let (mut c, _) = started_by_a(T0);
    apply(&mut c, |c| start(c, &Principal::Own(admin_b()), T0, &policy(), imp_id(2), None));
    let ends_at = T0.plus(Duration::from_secs(600));
    assert_eq!(c.settle(ends_at.minus(MS)), vec![]);
    let events = c.settle(ends_at);
    let ending = Ending { at: ends_at, reason: EndReason::DurationOver };
    assert_eq!(events.len(), 3);
    assert!(events.iter().all(|e| matches!(e, Event::Ended { ending: x, .. } | Event::GrantEnded { ending: x, .. } if *x == ending)));
    for e in &events {
        c.apply(e);
    }
    assert_eq!(c.settle(ends_at.plus(MS)), vec![], "settling twice records nothing new");
}

#[test]
fn settling_an_unstarted_grant_records_the_start_window_end_at_the_deadline() {
    let c = allowed();
    let deadline = T0.plus(Duration::from_secs(60));
    assert_eq!(c.settle(deadline.minus(MS)), vec![]);
    assert_eq!(
        c.settle(deadline.plus(Duration::from_secs(1))),
        vec![Event::GrantEnded { grant: grant_id(1), user: user().id(), ending: Ending { at: deadline, reason: EndReason::StartWindowOver } }]
    );
}

// Rule 5: disallow

#[test]
fn disallowing_ends_the_grant_and_every_impersonation_at_once() {
    let (mut c, as_user) = started_by_a(T0);
    apply(&mut c, |c| start(c, &Principal::Own(admin_b()), T0, &policy(), imp_id(2), None));
    let at = T0.plus(Duration::from_secs(10));
    apply(&mut c, |c| disallow(c, &Principal::Own(user()), at));
    let ending = Ending { at, reason: EndReason::Disallowed };
    assert_eq!(ending_of(&c, imp_id(1)), Some(ending));
    assert_eq!(ending_of(&c, imp_id(2)), Some(ending));
    assert_eq!(c.grant.as_ref().and_then(|g| g.ended), Some(ending));
    let imp = &c.impersonations[0];
    assert_eq!(holds(imp, c.grant.as_ref().expect("grant"), at), Err(ending));
    assert_eq!(stop(&c, &as_user, at, &policy()), Ok(vec![]), "nothing is left to stop");
}

#[test]
fn after_a_disallow_nobody_can_start() {
    let mut c = allowed();
    apply(&mut c, |c| disallow(c, &Principal::Own(user()), T0.plus(MS)));
    assert_eq!(start(&c, &Principal::Own(admin_a()), T0.plus(MS), &policy(), imp_id(1), None), Err(Refusal::NoGrant));
}

#[test]
fn disallowing_without_an_open_grant_changes_nothing() {
    assert_eq!(disallow(&fresh(user()), &Principal::Own(user()), T0), Ok(vec![]));
}

#[test]
fn nobody_can_disallow_for_someone_else() {
    let c = allowed();
    assert_eq!(disallow(&c, &Principal::Own(other_user()), T0), Err(Refusal::NotYourConsent));
    assert_eq!(disallow(&c, &Principal::Own(admin_a()), T0), Err(Refusal::NotYourConsent));
}

// Rule 7: logging out of an impersonation

#[test]
fn stopping_ends_every_impersonation_of_the_user_but_not_the_grant() {
    let (mut c, as_user) = started_by_a(T0);
    apply(&mut c, |c| start(c, &Principal::Own(admin_b()), T0, &policy(), imp_id(2), None));
    let at = T0.plus(Duration::from_secs(100));
    apply(&mut c, |c| stop(c, &as_user, at, &policy()));
    assert_eq!(ending_of(&c, imp_id(1)), Some(Ending { at, reason: EndReason::Stopped }));
    assert_eq!(ending_of(&c, imp_id(2)), Some(Ending { at, reason: EndReason::CoImpersonatorLoggedOut }));
    assert!(c.grant.as_ref().is_some_and(|g| g.is_open(at)));
    assert_eq!(c.live_impersonations(at).count(), 0);
}

#[test]
fn with_scope_own_stopping_ends_only_the_callers_impersonation() {
    let (mut c, as_user) = started_by_a(T0);
    apply(&mut c, |c| start(c, &Principal::Own(admin_b()), T0, &policy(), imp_id(2), None));
    let own = Policy { logout_scope: LogoutScope::Own, ..policy() };
    apply(&mut c, |c| stop(c, &as_user, T0.plus(MS), &own));
    assert!(ending_of(&c, imp_id(1)).is_some());
    assert_eq!(ending_of(&c, imp_id(2)), None);
}

#[test]
fn after_stopping_a_super_admin_may_start_again_until_ends_at_without_moving_it() {
    let (mut c, as_user) = started_by_a(T0);
    let ends_at = T0.plus(Duration::from_secs(600));
    apply(&mut c, |c| stop(c, &as_user, T0.plus(Duration::from_secs(100)), &policy()));
    let events = apply(&mut c, |c| start(c, &Principal::Own(admin_a()), ends_at.minus(MS), &policy(), imp_id(3), None));
    assert!(matches!(&events[..], [Event::Joined { .. }]));
    assert_eq!(c.grant.as_ref().and_then(|g| g.ends_at), Some(ends_at));
    assert_eq!(start(&c, &Principal::Own(admin_b()), ends_at, &policy(), imp_id(4), None), Err(Refusal::GrantExpired));
}

#[test]
fn a_stop_read_before_a_co_impersonators_stop_ends_nobody_who_started_since() {
    // Ada and Sam impersonate the user; Sam's stop is read while he still impersonates, then
    // waits for the lock while Ada stops (ending both) and starts again.
    let (mut c, ada) = started_by_a(T0);
    apply(&mut c, |c| start(c, &Principal::Own(admin_b()), T0, &policy(), imp_id(2), None));
    let sam = principal_for(&c, imp_id(2));
    apply(&mut c, |c| stop(c, &ada, T0.plus(MS), &policy()));
    apply(&mut c, |c| start(c, &Principal::Own(admin_a()), T0.plus(MS * 2), &policy(), imp_id(3), None));
    assert_eq!(stop(&c, &sam, T0.plus(MS * 3), &policy()), Ok(vec![]));
    assert!(c.still_holds(imp_id(3), T0.plus(MS * 3)));
}

#[test]
fn a_stop_from_an_impersonation_under_an_earlier_grant_ends_nothing_under_the_new_one() {
    let (mut c, ada) = started_by_a(T0);
    apply(&mut c, |c| disallow(c, &Principal::Own(user()), T0.plus(MS)));
    apply(&mut c, |c| allow(c, &Principal::Own(user()), T0.plus(MS * 2), &policy(), grant_id(2), policy().default_terms()));
    apply(&mut c, |c| start(c, &Principal::Own(admin_b()), T0.plus(MS * 3), &policy(), imp_id(2), None));
    assert_eq!(stop(&c, &ada, T0.plus(MS * 4), &policy()), Ok(vec![]));
    assert!(c.still_holds(imp_id(2), T0.plus(MS * 4)));
}

#[test]
fn after_a_co_impersonators_stop_a_write_is_refused_inside_the_lock() {
    let (mut c, ada) = started_by_a(T0);
    apply(&mut c, |c| start(c, &Principal::Own(admin_b()), T0, &policy(), imp_id(2), None));
    assert_eq!(c.may_still_write(imp_id(2), T0.plus(MS)), Ok(()));
    apply(&mut c, |c| stop(c, &ada, T0.plus(MS), &policy()));
    assert_eq!(c.may_still_write(imp_id(2), T0.plus(MS)), Err(Refusal::ImpersonationOver));
}

#[test]
fn stopping_when_not_impersonating_is_refused() {
    let (c, _) = started_by_a(T0);
    assert_eq!(stop(&c, &Principal::Own(admin_a()), T0, &policy()), Err(Refusal::NotImpersonating));
}

#[test]
fn stopping_after_ends_at_only_records_the_duration_end() {
    let (c, as_user) = started_by_a(T0);
    let ends_at = T0.plus(Duration::from_secs(600));
    let events = stop(&c, &as_user, ends_at.plus(Duration::from_secs(1)), &policy()).expect("settled");
    assert!(events.iter().all(|e| matches!(e,
        Event::Ended { ending, .. } | Event::GrantEnded { ending, .. } if ending.reason == EndReason::DurationOver)));
}

// Rule 8: an impersonation lives inside the super admin's session

#[test]
fn a_super_admins_session_ending_ends_only_its_impersonation() {
    let (mut c, _) = started_by_a(T0);
    apply(&mut c, |c| start(c, &Principal::Own(admin_b()), T0, &policy(), imp_id(2), None));
    let at = T0.plus(Duration::from_secs(1));
    for e in session_ended(&c, imp_id(1), at) {
        c.apply(&e);
    }
    assert_eq!(ending_of(&c, imp_id(1)), Some(Ending { at, reason: EndReason::SessionEnded }));
    assert_eq!(ending_of(&c, imp_id(2)), None);
}

#[test]
fn end_reasons_round_trip_through_their_names() {
    for reason in EndReason::ALL {
        assert_eq!(EndReason::parse(reason.as_str()), Some(reason));
    }
    assert_eq!(EndReason::parse("expired"), None);
}

// Rules 8 and 9 on every request: what a session inside an impersonation acts as

#[test]
fn a_super_admins_session_acts_as_the_user_until_ends_at() {
    let (c, _) = started_by_a(T0);
    let (imp, grant) = (&c.impersonations[0], c.grant.as_ref().expect("grant"));
    let ends_at = T0.plus(Duration::from_secs(600));
    let active = acting_as(admin_a(), user(), imp, grant, ends_at.minus(MS)).expect("acts as the user");
    assert_eq!((active.subject, active.super_admin, active.ends_at), (user(), admin_a().id(), ends_at));
    assert_eq!(acting_as(admin_a(), user(), imp, grant, ends_at), Err(Ending { at: ends_at, reason: EndReason::DurationOver }));
}

#[test]
fn a_session_whose_owner_lost_the_role_acts_as_nobody_else() {
    let (c, _) = started_by_a(T0);
    let (imp, grant) = (&c.impersonations[0], c.grant.as_ref().expect("grant"));
    let demoted = Account::User { id: admin_a().id(), tenant: TenantId(Uuid::from_u128(100)) };
    assert_eq!(acting_as(demoted, user(), imp, grant, T0), Err(Ending { at: T0, reason: EndReason::SessionEnded }));
}

#[test]
fn a_session_never_acts_as_a_super_admin_or_through_someone_elses_impersonation() {
    let (c, _) = started_by_a(T0);
    let (imp, grant) = (&c.impersonations[0], c.grant.as_ref().expect("grant"));
    assert!(acting_as(admin_a(), admin_b(), imp, grant, T0).is_err());
    assert!(acting_as(admin_b(), user(), imp, grant, T0).is_err());
    assert!(acting_as(admin_a(), other_user(), imp, grant, T0).is_err());
}

// Rules 11, 12 and 13: super admins' pages, credentials, records

#[test]
fn only_a_super_admin_in_their_own_session_sees_the_staff_pages() {
    let (_, impersonating) = started_by_a(T0);
    assert_eq!(may_see_super_admin_pages(&Principal::Own(admin_a())), Ok(admin_a().id()));
    assert_eq!(may_see_super_admin_pages(&impersonating), Err(Refusal::SuperAdminOnly));
    assert_eq!(may_see_super_admin_pages(&Principal::Own(user())), Err(Refusal::SuperAdminOnly));
}

#[test]
fn credentials_change_only_in_their_owners_own_session() {
    let (_, impersonating) = started_by_a(T0);
    assert_eq!(may_change_credentials(&Principal::Own(user())), Ok(user()));
    assert_eq!(may_change_credentials(&Principal::Own(admin_a())), Ok(admin_a()));
    assert_eq!(may_change_credentials(&impersonating), Err(Refusal::WhileImpersonating));
}

#[test]
fn records_are_always_the_tenant_of_the_person_acted_as() {
    let (_, impersonating) = started_by_a(T0);
    assert_eq!(records_tenant(&Principal::Own(user())), Ok(user().tenant().expect("a user has a tenant")));
    assert_eq!(records_tenant(&impersonating), records_tenant(&Principal::Own(user())), "the impersonator works on the user's");
    assert_eq!(records_tenant(&Principal::Own(admin_a())), Err(Refusal::NoTenant));
}

// Rules 1, 2 and 14: the user's terms

fn allowed_on(terms: Terms) -> Consent {
    let mut c = fresh(user());
    apply(&mut c, |c| allow(c, &Principal::Own(user()), T0, &policy(), grant_id(1), terms));
    c
}

const HOUR: Duration = Duration::from_secs(60 * 60);

#[test]
fn the_user_may_choose_any_offered_length_and_no_other() {
    for duration in policy().lengths() {
        let c = allowed_on(Terms { access: Access::Full, duration });
        assert_eq!(c.grant.map(|g| g.terms.duration), Some(duration));
    }
    let over = Terms { access: Access::Full, duration: 72 * HOUR };
    assert_eq!(allow(&fresh(user()), &Principal::Own(user()), T0, &policy(), grant_id(1), over), Err(Refusal::LengthNotOffered));
    let odd = Terms { access: Access::Full, duration: HOUR + MS };
    assert_eq!(allow(&fresh(user()), &Principal::Own(user()), T0, &policy(), grant_id(1), odd), Err(Refusal::LengthNotOffered));
}

#[test]
fn a_chosen_length_ends_the_window_at_the_first_start_plus_that_length_to_the_millisecond() {
    let mut c = allowed_on(Terms { access: Access::Full, duration: HOUR });
    let first = T0.plus(Duration::from_secs(30));
    apply(&mut c, |c| start(c, &Principal::Own(admin_a()), first, &policy(), imp_id(1), None));
    let ends_at = first.plus(HOUR);
    assert_eq!(c.grant.as_ref().and_then(|g| g.ends_at), Some(ends_at));
    let who = principal_for(&c, imp_id(1));
    assert!(c.still_holds(imp_id(1), ends_at.minus(MS)));
    assert!(!c.still_holds(imp_id(1), ends_at));
    // A join later does not move it.
    apply(&mut c, |c| start(c, &Principal::Own(admin_b()), ends_at.minus(MS), &policy(), imp_id(2), None));
    assert_eq!(c.grant.as_ref().and_then(|g| g.ends_at), Some(ends_at));
    assert_eq!(who.impersonation().map(|i| i.ends_at), Some(ends_at));
}

#[test]
fn an_impersonator_under_a_view_only_grant_reads_the_users_records_but_writes_nothing() {
    let mut c = allowed_on(Terms { access: Access::ViewOnly, duration: policy().duration });
    apply(&mut c, |c| start(c, &Principal::Own(admin_a()), T0, &policy(), imp_id(1), None));
    let who = principal_for(&c, imp_id(1));
    assert_eq!(who.impersonation().map(|i| i.access), Some(Access::ViewOnly));
    assert_eq!(records_tenant(&who), Ok(user().tenant().expect("a user has a tenant")));
    assert_eq!(may_write(&who), Err(Refusal::ViewOnly));
    assert_eq!(c.may_still_write(imp_id(1), T0), Err(Refusal::ViewOnly));
    // The user's own writes are theirs, whatever they allowed staff.
    assert_eq!(may_write(&Principal::Own(user())), records_tenant(&Principal::Own(user())));
}

#[test]
fn under_full_access_a_write_holds_until_the_last_millisecond_of_the_window() {
    let (c, who) = started_by_a(T0);
    let ends_at = T0.plus(policy().duration);
    assert_eq!(may_write(&who), records_tenant(&who));
    assert_eq!(c.may_still_write(imp_id(1), ends_at.minus(MS)), Ok(()));
    assert_eq!(c.may_still_write(imp_id(1), ends_at), Err(Refusal::ImpersonationOver));
    assert_eq!(may_write(&Principal::Own(admin_a())), Err(Refusal::NoTenant));
}

#[test]
fn a_user_who_just_confirms_gets_todays_behaviour() {
    let c = allowed_on(policy().default_terms());
    let grant = c.grant.expect("allowed");
    assert_eq!(grant.terms, Terms { access: Access::Full, duration: policy().duration });
    assert_eq!(grant.start_deadline, T0.plus(policy().start_window));
}

// Clocks: instances' clocks differ a little

#[test]
fn an_impersonation_started_by_a_clock_a_little_ahead_holds() {
    let (c, _) = started_by_a(T0);
    let grant = c.grant.as_ref().expect("grant");
    assert_eq!(holds(&c.impersonations[0], grant, T0.minus(MS)), Ok(T0.plus(Duration::from_secs(600))));
    assert!(c.still_holds(imp_id(1), T0.minus(MS)));
}

#[test]
fn a_decision_is_never_dated_before_what_the_consent_records() {
    let (mut c, ada) = started_by_a(T0.plus(MS * 5));
    assert_eq!(c.decision_time(T0), T0.plus(MS * 5), "a clock behind the start waits for it");
    assert_eq!(c.decision_time(T0.plus(MS * 5)), T0.plus(MS * 5), "at the start itself");
    assert_eq!(c.decision_time(T0.plus(MS * 9)), T0.plus(MS * 9), "a clock past every record is the time");
    apply(&mut c, |c| stop(c, &ada, T0.plus(MS * 7), &policy()));
    assert_eq!(c.decision_time(T0.plus(MS * 6)), T0.plus(MS * 7), "an end counts too");
    assert_eq!(fresh(user()).decision_time(T0), T0);
}
