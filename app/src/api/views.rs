//! Turning stored records into what the pages show, with the domain deciding every phase.

use super::types::{Candidate, CandidateState, ConsentState, ConsentView, HistoryEntry, Profile};
use crate::backend::ConsentRecord;
use crate::domain::{GrantPhase, Policy, Principal, Refusal, Timestamp, rules};

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
    ConsentView {
        state,
        server_now: now,
        start_window_secs: policy.start_window.as_secs(),
        duration_secs: policy.duration.as_secs(),
        locked_because,
    }
}

pub fn profile(record: &ConsentRecord, history: Vec<HistoryEntry>, viewer: &Principal, now: Timestamp, policy: &Policy) -> Profile {
    Profile {
        user_id: record.consent.subject.id(),
        name: record.name.clone(),
        email: record.email.clone(),
        role: record.consent.subject.role(),
        tenant_name: record.tenant_name.clone(),
        consent: consent(record, viewer, now, policy),
        history,
        impersonated: viewer.impersonation().is_some(),
    }
}

/// A user a super admin may start on now, or `None` when their grant is not open.
pub fn candidate(record: &ConsentRecord, now: Timestamp) -> Option<Candidate> {
    let state = match record.consent.grant.as_ref()?.phase(now) {
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
