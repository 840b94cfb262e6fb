//! Turning the backend's records into what the pages show, with the domain deciding every phase:
//! the one place that shapes data for the browser.

use super::types::{
    AuditEntry, Banner, Candidate, CandidateState, ConsentState, ConsentView, EndNotice, HistoryEntry, LiveStatus, Profile, Task, Viewer, Watcher,
};
use crate::backend::{AuditRecord, ConsentRecord, EndedImpersonation, HistoryRecord, RequestSession, TaskRecord};
use crate::domain::{GrantPhase, Policy, Principal, Refusal, Role, Timestamp, rules};

fn consent(record: &ConsentRecord, viewer: &Principal, now: Timestamp, policy: &Policy) -> ConsentView {
    let state = match record.consent.grant.as_ref().map(|g| (g, g.phase(now))) {
        None | Some((_, GrantPhase::Over(_))) => ConsentState::NotAllowed,
        Some((_, GrantPhase::Waiting { start_deadline })) => ConsentState::Waiting { start_deadline },
        Some((grant, GrantPhase::Running { ends_at })) => ConsentState::Running {
            since: record.consent.impersonations.iter().map(|i| i.started_at).min().unwrap_or(grant.allowed_at),
            ends_at,
            by: impersonator_names(record, now),
        },
    };
    let locked_because = rules::may_change_consent(&record.consent, viewer).err().map(|refusal| match refusal {
        Refusal::WhileImpersonating => format!("Only {} can allow or disallow impersonation, not an impersonator.", record.name),
        other => other.to_string(),
    });
    let terms = record.consent.open_grant(now).map(|g| g.terms);
    let lengths_ms = policy.lengths().iter().map(|l| u64::try_from(l.as_millis()).unwrap_or(u64::MAX)).collect();
    ConsentView {
        state,
        server_now: now,
        start_window_secs: policy.start_window.as_secs(),
        duration_secs: policy.duration.as_secs(),
        lengths_ms,
        terms,
        locked_because,
    }
}

pub fn profile(record: &ConsentRecord, history: &[HistoryRecord], viewer: &Principal, now: Timestamp, policy: &Policy, revision: i64) -> Profile {
    Profile {
        name: record.name.clone(),
        email: record.email.clone(),
        role: record.consent.subject.role(),
        tenant_name: record.tenant_name.clone(),
        consent: consent(record, viewer, now, policy),
        history: history.iter().map(|h| history_entry(h, now)).collect(),
        impersonated: viewer.impersonation().is_some(),
        revision,
    }
}

/// A user a super admin may start on now, or `None` when their grant is not open.
pub fn candidate(record: &ConsentRecord, now: Timestamp) -> Option<Candidate> {
    let grant = record.consent.grant.as_ref()?;
    let state = match grant.phase(now) {
        GrantPhase::Waiting { start_deadline } => CandidateState::Waiting { start_deadline },
        GrantPhase::Running { ends_at } => CandidateState::Running { ends_at, by: impersonator_names(record, now) },
        GrantPhase::Over(_) => return None,
    };
    Some(Candidate {
        user_id: record.consent.subject.id(),
        name: record.name.clone(),
        email: record.email.clone(),
        tenant_name: record.tenant_name.clone().unwrap_or_default(),
        state,
        terms: grant.terms,
    })
}

fn impersonator_names(record: &ConsentRecord, now: Timestamp) -> Vec<String> {
    let mut names: Vec<String> = record
        .consent
        .live_impersonations(now)
        .filter_map(|i| record.super_admin_names.get(&i.super_admin).cloned())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// One impersonation in a user's history; an end that time brought counts even before it is recorded.
fn history_entry(record: &HistoryRecord, now: Timestamp) -> HistoryEntry {
    let imp = &record.impersonation;
    let ending = rules::holds(imp, &record.grant, now).err();
    HistoryEntry {
        super_admin_name: record.super_admin_name.clone(),
        started_at: imp.started_at,
        ended_at: ending.map(|e| e.at),
        end_reason: ending.map(|e| e.reason),
        reason: imp.reason.as_ref().map(|r| r.as_str().to_owned()),
        terms: Some(record.grant.terms),
    }
}

/// Who is looking, for the shell: while impersonating, the user, with the banner that says so.
pub fn viewer(session: &RequestSession) -> Viewer {
    match (session.principal.impersonation(), &session.acting_as) {
        (Some(imp), Some(subject)) => Viewer {
            name: subject.name.clone(),
            email: subject.email.clone(),
            role: Role::User,
            tenant_name: subject.tenant_name.clone(),
            impersonation: Some(Banner {
                super_admin_name: session.owner.name.clone(),
                subject_name: subject.name.clone(),
                tenant_name: subject.tenant_name.clone().unwrap_or_default(),
                ends_at: imp.ends_at,
                server_now: session.resolved_at,
                access: imp.access,
            }),
        },
        _ => Viewer {
            name: session.owner.name.clone(),
            email: session.owner.email.clone(),
            role: session.principal.effective().role(),
            tenant_name: session.owner.tenant_name.clone(),
            impersonation: None,
        },
    }
}

/// The session's standing, for the live channel.
pub fn live_status(session: &RequestSession) -> LiveStatus {
    LiveStatus::of(&viewer(session))
}

/// The tenant name the home page shows: the user's, or the impersonated user's.
pub fn tenant_name(session: &RequestSession) -> String {
    session.acting_as.as_ref().unwrap_or(&session.owner).tenant_name.clone().unwrap_or_default()
}

pub fn task(record: TaskRecord) -> Task {
    Task { id: record.id, title: record.title, done: record.done, created_by: record.created_by, created_at: record.created_at }
}

pub fn end_notice(ended: EndedImpersonation) -> EndNotice {
    EndNotice { subject_name: ended.subject_name, reason: ended.ending.reason, at: ended.ending.at }
}

/// One audit line; who caused it is named only when it was not the user themselves.
pub fn audit_entry(record: AuditRecord) -> AuditEntry {
    AuditEntry {
        at: record.at,
        kind: record.kind,
        subject_name: record.subject_name.unwrap_or_else(|| "(deleted user)".to_owned()),
        super_admin_name: record.super_admin_name,
        caused_by_name: record.caused_by_name.filter(|_| record.caused_by != Some(record.subject)),
        grant: record.grant,
        end_reason: record.end_reason,
        reason: record.reason,
        detail: record.detail,
        terms: record.terms,
    }
}

/// Who impersonates the user now, oldest first, for the notice on the user's own pages.
pub fn watchers(record: &ConsentRecord, now: Timestamp) -> Vec<Watcher> {
    record
        .consent
        .live_impersonations(now)
        .map(|i| Watcher {
            impersonation: i.id,
            super_admin_name: record.super_admin_names.get(&i.super_admin).cloned().unwrap_or_else(|| "A super admin".to_owned()),
        })
        .collect()
}
