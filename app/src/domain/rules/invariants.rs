//! Random sequences of everything people and time can do, checked against the rules' invariants.
//!
//! The model stores events the way the database does (every grant and impersonation ever, and a
//! consent loaded as "the user's latest grant and its impersonations"), so the invariants are
//! checked on the same state the server would read back.

use super::*;
use crate::domain::ids::TenantId;
use proptest::prelude::*;
use std::collections::HashMap;
use uuid::Uuid;

const USERS: usize = 3;
const ADMINS: usize = 3;

#[derive(Clone, Debug)]
enum Op {
    /// The user allows on terms: view only or not, and the n-th offered length (wrapping).
    Allow { user: usize, view_only: bool, length: usize },
    /// An impersonator changes one of the user's records.
    Write { admin: usize },
    Disallow { user: usize },
    /// A super admin starts (or joins) on a user; `user >= USERS` aims at a super admin instead.
    Start { admin: usize, user: usize },
    /// Stop impersonating, or log out while impersonating: the same rule.
    Stop { admin: usize },
    /// An impersonator tries to change the user's consent.
    ImpersonatorAllows { admin: usize },
    ImpersonatorDisallows { admin: usize },
    Advance { millis: u64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..USERS, any::<bool>(), 0..4usize).prop_map(|(user, view_only, length)| Op::Allow { user, view_only, length }),
        (0..ADMINS).prop_map(|admin| Op::Write { admin }),
        (0..USERS).prop_map(|user| Op::Disallow { user }),
        (0..ADMINS, 0..USERS + ADMINS).prop_map(|(admin, user)| Op::Start { admin, user }),
        (0..ADMINS).prop_map(|admin| Op::Stop { admin }),
        (0..ADMINS).prop_map(|admin| Op::ImpersonatorAllows { admin }),
        (0..ADMINS).prop_map(|admin| Op::ImpersonatorDisallows { admin }),
        // Small steps hit boundaries exactly; large ones jump past whole windows.
        // The rare hour-long jump reaches the ends of the longer offered length.
        prop_oneof![10 => 0u64..3, 10 => 1u64..2_000, 10 => 5_000u64..40_000, 1 => 3_000_000u64..4_000_000].prop_map(|millis| Op::Advance { millis }),
    ]
}

fn policy(scope_all: bool) -> Policy {
    Policy {
        start_window: Duration::from_millis(10_000),
        duration: Duration::from_millis(20_000),
        // Offers 20 s and one hour.
        max_duration: Duration::from_secs(60 * 60),
        logout_scope: if scope_all { LogoutScope::All } else { LogoutScope::Own },
        require_reason: false,
    }
}

struct World {
    now: Timestamp,
    policy: Policy,
    users: Vec<Account>,
    admins: Vec<Account>,
    grants: HashMap<GrantId, Grant>,
    impersonations: HashMap<ImpersonationId, Impersonation>,
    /// Which impersonation each super admin's session is in.
    sessions: Vec<Option<ImpersonationId>>,
    first_ends_at: HashMap<GrantId, Timestamp>,
    first_start: HashMap<GrantId, Timestamp>,
    disallowed_at: HashMap<GrantId, Timestamp>,
    /// Every audit line, in the order the events were stored.
    log: Vec<LoggedEvent>,
    /// Every write stored while impersonating: the impersonation, and when.
    writes: Vec<(ImpersonationId, Timestamp)>,
    next_id: u128,
}

impl World {
    fn new(policy: Policy) -> World {
        let tenant = TenantId(Uuid::from_u128(7));
        World {
            now: Timestamp::from_unix_millis(1_000_000),
            policy,
            users: (0..USERS).map(|i| Account::User { id: UserId(Uuid::from_u128(i as u128 + 1)), tenant }).collect(),
            admins: (0..ADMINS).map(|i| Account::SuperAdmin { id: UserId(Uuid::from_u128(i as u128 + 100)) }).collect(),
            grants: HashMap::new(),
            impersonations: HashMap::new(),
            sessions: vec![None; ADMINS],
            first_ends_at: HashMap::new(),
            first_start: HashMap::new(),
            disallowed_at: HashMap::new(),
            log: Vec::new(),
            writes: Vec::new(),
            next_id: 1_000,
        }
    }

    fn fresh(&mut self) -> Uuid {
        self.next_id += 1;
        Uuid::from_u128(self.next_id)
    }

    /// What the store loads for a subject.
    fn consent(&self, subject: Account) -> Consent {
        let grant = self
            .grants
            .values()
            .filter(|g| g.user == subject.id())
            .max_by_key(|g| (g.ended.is_none(), g.allowed_at, g.id))
            .cloned();
        let impersonations = grant
            .as_ref()
            .map(|g| self.impersonations.values().filter(|i| i.grant == g.id).cloned().collect())
            .unwrap_or_default();
        Consent { subject, grant, impersonations }
    }

    /// What the server resolves a super admin's session to on a request.
    fn principal(&mut self, admin: usize) -> Principal {
        let own = Principal::Own(self.admins[admin]);
        let Some(id) = self.sessions[admin] else { return own };
        let imp = self.impersonations[&id].clone();
        let grant = self.grants[&imp.grant].clone();
        let subject = *self.users.iter().find(|u| u.id() == grant.user).expect("subjects are users");
        match acting_as(self.admins[admin], subject, &imp, &grant, self.now) {
            Ok(active) => Principal::Impersonating(active),
            Err(_) => {
                self.sessions[admin] = None;
                let ended = session_ended(&self.consent(subject), id, self.now);
                self.store(&ended);
                own
            }
        }
    }

    fn store(&mut self, events: &[Event]) {
        for event in events {
            self.log.push(super::history::logged(event));
            match event {
                Event::Allowed(g) => {
                    self.grants.insert(g.id, g.clone());
                }
                Event::GrantEnded { grant, ending, .. } => {
                    let g = self.grants.get_mut(grant).expect("known grant");
                    assert!(g.ended.is_none(), "a grant ends once");
                    g.ended = Some(*ending);
                    if ending.reason == EndReason::Disallowed {
                        self.disallowed_at.insert(*grant, ending.at);
                    }
                }
                Event::Started { impersonation, user, ends_at } => {
                    assert!(self.users.iter().any(|u| u.id() == *user), "never a super admin as subject");
                    let g = self.grants.get_mut(&impersonation.grant).expect("known grant");
                    assert_eq!(g.ends_at, None, "only the first start fixes ends_at");
                    g.ends_at = Some(*ends_at);
                    self.first_ends_at.insert(g.id, *ends_at);
                    self.first_start.insert(g.id, impersonation.started_at);
                    self.impersonations.insert(impersonation.id, impersonation.clone());
                }
                Event::Joined { impersonation, user } => {
                    assert!(self.users.iter().any(|u| u.id() == *user), "never a super admin as subject");
                    self.impersonations.insert(impersonation.id, impersonation.clone());
                }
                Event::Ended { impersonation, ending, .. } => {
                    let i = self.impersonations.get_mut(impersonation).expect("known impersonation");
                    assert!(i.ended.is_none(), "an impersonation ends once");
                    i.ended = Some(*ending);
                }
            }
        }
    }

    fn run(&mut self, op: &Op) {
        let now = self.now;
        let policy = self.policy;
        match *op {
            Op::Allow { user, view_only, length } => {
                let subject = self.users[user];
                let id = GrantId(self.fresh());
                let lengths = policy.lengths();
                let access = if view_only { Access::ViewOnly } else { Access::Full };
                let terms = Terms { access, duration: lengths[length % lengths.len()] };
                let consent = self.consent(subject);
                let decision = allow(&consent, &Principal::Own(subject), now, &policy, id, terms);
                match consent.open_grant(now) {
                    Some(open) if open.terms != terms => assert_eq!(decision, Err(Refusal::AlreadyAllowed)),
                    _ => self.store(&decision.expect("a user may always allow on offered terms, or again on the open grant's")),
                }
            }
            Op::Write { admin } => {
                // What the server does: the request's rule, then the locked consent's.
                let who = self.principal(admin);
                if let (Ok(_), Some(mine)) = (may_write(&who), who.impersonation()) {
                    let consent = self.consent(mine.subject);
                    if consent.may_still_write(mine.id, now).is_ok() {
                        self.writes.push((mine.id, now));
                        let line = LoggedEvent {
                            at: now,
                            kind: crate::domain::audit::AuditKind::Wrote,
                            subject: mine.subject.id(),
                            super_admin: Some(mine.super_admin),
                            grant: mine.grant,
                            impersonation: Some(mine.id),
                            end_reason: None,
                            reason: None,
                            terms: None,
                        };
                        self.log.push(line);
                    }
                }
            }
            Op::Disallow { user } => {
                let subject = self.users[user];
                let decision = disallow(&self.consent(subject), &Principal::Own(subject), now);
                self.store(&decision.expect("a user may always disallow"));
            }
            Op::Start { admin, user } => {
                let who = self.principal(admin);
                let subject = if user < USERS { self.users[user] } else { self.admins[user - USERS] };
                let consent = self.consent(subject);
                let id = ImpersonationId(self.fresh());
                match start(&consent, &who, now, &policy, id, None) {
                    Ok(events) => {
                        assert!(matches!(subject, Account::User { .. }), "a super admin was impersonated");
                        assert!(who.impersonation().is_none(), "an impersonation was chained");
                        self.store(&events);
                        self.sessions[admin] = Some(id);
                    }
                    Err(refusal) => {
                        let open = consent.open_grant(now).is_some();
                        let expected = matches!(subject, Account::SuperAdmin { .. })
                            || who.impersonation().is_some()
                            || !open;
                        assert!(expected, "start refused ({refusal:?}) though the grant is open");
                    }
                }
            }
            Op::Stop { admin } => {
                let who = self.principal(admin);
                if let Some(mine) = who.impersonation() {
                    let events = stop(&self.consent(mine.subject), &who, now, &policy).expect("an impersonator may stop");
                    self.store(&events);
                    self.sessions[admin] = None;
                }
            }
            Op::ImpersonatorAllows { admin } | Op::ImpersonatorDisallows { admin } => {
                let who = self.principal(admin);
                if let Some(mine) = who.impersonation() {
                    let consent = self.consent(mine.subject);
                    let refused = if matches!(op, Op::ImpersonatorAllows { .. }) {
                        allow(&consent, &who, now, &policy, GrantId(Uuid::nil()), policy.default_terms())
                    } else {
                        disallow(&consent, &who, now)
                    };
                    assert_eq!(refused, Err(Refusal::WhileImpersonating));
                }
            }
            Op::Advance { millis } => self.now = self.now.plus(Duration::from_millis(millis)),
        }
    }

    fn check_invariants(&mut self) {
        let now = self.now;
        for user in self.users.clone() {
            let open = self.grants.values().filter(|g| g.user == user.id() && g.is_open(now)).count();
            assert!(open <= 1, "user has {open} open grants");
        }
        for (id, ends_at) in &self.first_ends_at {
            assert_eq!(self.grants[id].ends_at, Some(*ends_at), "ends_at moved");
        }
        for imp in self.impersonations.values() {
            let grant = &self.grants[&imp.grant];
            if let Ok(ends_at) = holds(imp, grant, now) {
                let first = self.first_start[&grant.id];
                assert!(first <= now && now < ends_at, "usable outside [first start, ends_at)");
                assert!(self.disallowed_at.get(&grant.id).is_none_or(|t| now < *t), "usable after a disallow");
                assert!(self.users.iter().any(|u| u.id() == grant.user), "a super admin is a subject");
            }
        }
        // Rule 14: no write is ever stored under a view-only grant, nor outside its impersonation.
        for (id, at) in &self.writes {
            let imp = &self.impersonations[id];
            let grant = &self.grants[&imp.grant];
            assert_eq!(grant.terms.access, Access::Full, "a write was stored under a view-only grant");
            let ends_at = self.first_ends_at[&grant.id];
            assert!(imp.started_at <= *at && *at < ends_at, "a write outside the window");
        }
        // The stored-history checker agrees: whatever the rules decided, it finds nothing.
        let staff: Vec<UserId> = self.admins.iter().map(|a| a.id()).collect();
        for user in self.users.clone() {
            let grants: Vec<Grant> = self.grants.values().filter(|g| g.user == user.id()).cloned().collect();
            let impersonations = self.impersonations.values().filter(|i| grants.iter().any(|g| g.id == i.grant)).cloned().collect();
            let history = StoredHistory { subject: user, grants, impersonations };
            let found = check_history(&history, &self.policy, now, |id| staff.contains(&id));
            assert!(found.is_empty(), "the history checker objects: {found:?}");
            let lines: Vec<LoggedEvent> = self.log.iter().filter(|l| l.subject == user.id()).cloned().collect();
            let found = check_audit(&history, &lines, &self.policy);
            assert!(found.is_empty(), "the audit log disagrees: {found:?}");
        }
        for admin in 0..ADMINS {
            if let Principal::Impersonating(imp) = self.principal(admin) {
                assert!(now < imp.ends_at);
                assert_eq!(imp.super_admin, self.admins[admin].id());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_histories_keep_every_invariant(scope_all in any::<bool>(), ops in prop::collection::vec(op(), 1..80)) {
        let mut world = World::new(policy(scope_all));
        for op in &ops {
            world.run(op);
            world.check_invariants();
        }
    }
}
