//! The unit of work: the only place that opens a transaction on a user's consent. Every change to
//! one user's consent (a decision, a recorded end, a write made while impersonating them) first
//! bumps the user's `consent_version` (SQLite's write lock, PostgreSQL's row lock), then reads the
//! consent and the time, so concurrent changes apply one after another, each on the state the
//! previous one committed, at the time it applies (never earlier than what the consent records:
//! `Consent::decision_time`).

use super::base::Store;
use super::writer::WriteTransaction;
use super::changes::{self, Change};
use super::error::{Context, Result, StoreError};
use super::tables::{audit, consent, people, sessions};
use app::backend::{BackendError, Decide, SessionMove, SessionSecret};
use app::domain::{ActiveImpersonation, Consent, Event, Principal, TenantId, Timestamp, UserId};
use sea_orm::DatabaseTransaction;

/// Locks the subject, decides, stores the events and their audit lines, moves the caller's
/// session: one transaction. Answers the caller's new session secret when the session moved.
#[tracing::instrument(skip(store, decide), fields(subject = %subject), err)]
pub async fn decide(store: &Store, subject: UserId, moved: SessionMove, decide: Decide) -> Result<Option<SessionSecret>> {
    let txn = store.begin_writing().await.context("beginning a consent change")?;
    consent::lock(&*txn, subject).await?;
    let record = consent::load(&*txn, subject).await?;
    let now = record.consent.decision_time(store.now());
    let events = decide(&record.consent, now)?;
    for event in &events {
        consent::store_event(&*txn, event).await?;
        audit::append(&*txn, event).await?;
        if let Event::Allowed(grant) = event {
            let keys = consent::SwitcherKeys::of(&record.name, &record.email, record.tenant_name.as_deref());
            consent::key_grant(&*txn, grant.id, &keys).await?;
        }
    }
    let tell_here = if events.is_empty() { false } else { changes::queue(&*txn, Change::User(subject)).await? };
    let new_session = move_session(&*txn, &moved, &events, now).await?;
    txn.commit().await.context("committing a consent change")?;
    if tell_here {
        store.changes.tell(Change::User(subject));
    }
    Ok(new_session)
}

/// Records what the rules say has already happened to one user's consent (a window's end, a
/// session's end); nothing to record when the user is gone.
pub async fn record(store: &Store, subject: UserId, happened: impl FnOnce(&Consent, Timestamp) -> Vec<Event> + Send + 'static) -> Result<()> {
    match decide(store, subject, SessionMove::Stay, Box::new(move |c: &Consent, now| Ok(happened(c, now)))).await {
        Ok(_) | Err(StoreError::Answer(BackendError::NotFound)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// A write to the tenant's records, open until the caller commits ([`Write::commit`]), and the
/// time it happens.
/// While impersonating, it first locks the user and checks the impersonation still holds under a
/// grant that allows changes, so a write never follows a committed disallow nor lands after the
/// window under an earlier time. Every write counts up the tenant's records version.
pub struct Write {
    pub txn: WriteTransaction,
    pub now: Timestamp,
    /// The impersonation the write is made in, whose audit line the caller appends.
    pub impersonating: Option<ActiveImpersonation>,
    tenant: TenantId,
}

impl Write {
    /// Commits the write and wakes the live channels showing the tenant's records; a write made
    /// while impersonating also wakes those showing the user (their audit revision moved).
    pub async fn commit(self, store: &Store) -> Result<()> {
        let mut told = vec![Change::Tenant(self.tenant)];
        told.extend(self.impersonating.map(|imp| Change::User(imp.subject.id())));
        let mut tell_here = false;
        for change in &told {
            // The same answer for each: whether this database delivers changes itself.
            tell_here = changes::queue(&*self.txn, *change).await?;
        }
        self.txn.commit().await.context("committing a write")?;
        if tell_here {
            told.into_iter().for_each(|change| store.changes.tell(change));
        }
        Ok(())
    }
}

/// Begins a write to `tenant`'s records by `by`, whom the rules let write there (`rules::may_write`).
#[tracing::instrument(skip(store), err)]
pub async fn begin_write(store: &Store, by: &Principal, tenant: TenantId) -> Result<Write> {
    let txn = store.begin_writing().await.context("beginning a write")?;
    let Principal::Impersonating(imp) = by else {
        people::count_records_change(&*txn, tenant).await?;
        return Ok(Write { txn, now: store.now(), impersonating: None, tenant });
    };
    consent::lock(&*txn, imp.subject.id()).await?;
    // After the consent's lock, as every change that takes both does, so no two wait on each
    // other in a cycle.
    people::count_records_change(&*txn, tenant).await?;
    let record = consent::load(&*txn, imp.subject.id()).await?;
    let now = record.consent.decision_time(store.now());
    record.consent.may_still_write(imp.id, now)?;
    Ok(Write { txn, now, impersonating: Some(*imp), tenant })
}

/// Moves the caller's session as part of a consent change, under a fresh secret when it stays
/// alive (starting and stopping change what the session may do, so the old id stops working).
async fn move_session(txn: &DatabaseTransaction, moved: &SessionMove, events: &[Event], now: Timestamp) -> Result<Option<SessionSecret>> {
    let (key, into) = match moved {
        SessionMove::Stay => return Ok(None),
        SessionMove::End { session } => {
            sessions::delete(txn, session).await?;
            return Ok(None);
        }
        SessionMove::Leave { session } => (session, None),
        SessionMove::Enter { session, impersonation } => {
            let entered = events.iter().any(|e| {
                matches!(e, Event::Started { impersonation: i, .. } | Event::Joined { impersonation: i, .. } if i.id == *impersonation)
            });
            if !entered {
                return Err(StoreError::Inconsistent("start decided without entering the impersonation".into()));
            }
            (session, Some(*impersonation))
        }
    };
    let old = sessions::find(txn, key).await?.ok_or(StoreError::Answer(BackendError::NotFound))?;
    Ok(Some(sessions::replace(txn, &old, into, old.password_version, now).await?))
}

/// Ends sessions, each after recording through the rules that the impersonation it carried ended
/// with it (rule 8): a session never ends leaving its impersonation running.
pub async fn end_sessions(store: &Store, ending: Vec<crate::db::entities::session::Model>) -> Result<()> {
    for row in ending {
        if let Some(id) = row.impersonation_id
            && let Some(imp) = consent::impersonation(store.db(), id).await?
            && let Some(grant) = consent::grant(store.db(), imp.grant_id).await?
        {
            let impersonation = app::domain::ImpersonationId::from_uuid(id);
            record(store, UserId::from_uuid(grant.user_id), move |c, at| app::domain::rules::session_ended(c, impersonation, at)).await?;
        }
        sessions::delete(store.db(), row.id_hash).await?;
    }
    Ok(())
}
