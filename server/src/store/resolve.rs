//! Resolving a request's session: one query (session, its person, their tenant, the
//! impersonation, its grant, the impersonated user and their tenant), then the rules decide, on
//! every request, from stored times only. Nothing is cached between requests, so every server
//! instance agrees at once.

use super::base::Store;
use super::error::Result;
use super::tables::sessions::{self, Row, is_over};
use super::tables::{consent, people};
use super::{rows, unit};
use crate::db::from_db_time;
use app::backend::{EndedImpersonation, Person, RequestSession, SessionKey};
use app::domain::{EndReason, Ending, Grant, Impersonation, ImpersonationId, Principal, Timestamp, UserId, rules};
use std::time::Duration;

/// `last_seen_at` is written at most this often, not on every request; and at least every
/// hundredth of the idle timeout, which counts from the last write: a session in use must not end
/// early by more than that (a one-minute idle timeout with a one-minute write ended every session
/// a minute after its login, however busy).
const TOUCH_EVERY: Duration = Duration::from_secs(60);

fn touch_every(idle_timeout: Duration) -> Duration {
    TOUCH_EVERY.min(idle_timeout / 100)
}

/// The session behind `key` at `now`, or `None` when it is unknown or over. `touch` counts the
/// request as use of the session (the live channel's checks do not).
#[tracing::instrument(skip_all, err)]
pub async fn resolve(store: &Store, key: &SessionKey, now: Timestamp, touch: bool) -> Result<Option<RequestSession>> {
    let Some(row) = sessions::load(store.db(), key).await? else { return Ok(None) };
    // Over in time, or opened under a password its owner has since changed (however late the
    // row was written: a login that checked the old one while it changed).
    let changed_password = row.password_version != row.p_password_version;
    if changed_password || is_over(from_db_time(row.expires_at), from_db_time(row.last_seen_at), store.sessions.idle_timeout, now) {
        // Rule 8: an impersonation lives inside the super admin's session and ends with it.
        if let Some((impersonation, grant)) = sessions::impersonation_of(&row) {
            end_with_session(store, grant.user, impersonation.id).await?;
        }
        sessions::delete(store.db(), key).await?;
        return Ok(None);
    }
    let Some(own) = rows::account(row.user_id, &row.p_role, row.p_tenant_id) else {
        tracing::warn!(user = %row.user_id, "session of an account with an inconsistent role; refusing it");
        return Ok(None);
    };
    let mut principal = Principal::Own(own);
    if let Some((impersonation, grant)) = sessions::impersonation_of(&row) {
        let subject = row.s_role.as_deref().and_then(|role| rows::account(grant.user.uuid(), role, row.s_tenant_id));
        let acting = match subject {
            Some(subject) => rules::acting_as(own, subject, &impersonation, &grant, now),
            None => Err(Ending { at: now, reason: EndReason::SessionEnded }),
        };
        match acting {
            Ok(active) => principal = Principal::Impersonating(active),
            Err(_) => fall_out_of(store, key, &impersonation, &grant).await?,
        }
    }
    if touch && now >= from_db_time(row.last_seen_at).plus(touch_every(store.sessions.idle_timeout)) {
        sessions::touch(store.db(), key, now).await?;
    }
    let acting_as = principal.impersonation().map(|_| subject_of(&row));
    Ok(Some(RequestSession { key: key.clone(), principal, owner: owner_of(row), acting_as, resolved_at: now }))
}

fn owner_of(row: Row) -> Person {
    Person { name: row.p_name, email: row.p_email, tenant_name: row.p_tenant_name }
}

fn subject_of(row: &Row) -> Person {
    Person {
        name: row.s_name.clone().unwrap_or_default(),
        email: row.s_email.clone().unwrap_or_default(),
        tenant_name: row.s_tenant_name.clone(),
    }
}

/// The session's impersonation is over: record its end if nobody did yet (the window's end, or
/// the session's when its owner lost the role), and return the session to the super admin's own,
/// remembering the impersonation for the notice. Idempotent, so concurrent requests of one tab (a
/// page and its live channel) agree.
async fn fall_out_of(store: &Store, key: &SessionKey, impersonation: &Impersonation, grant: &Grant) -> Result<()> {
    if impersonation.ended.is_none() {
        end_with_session(store, grant.user, impersonation.id).await?;
    }
    sessions::leave_ended(store.db(), key, impersonation.id).await
}

async fn end_with_session(store: &Store, subject: UserId, impersonation: ImpersonationId) -> Result<()> {
    unit::record(store, subject, move |c, at| rules::session_ended(c, impersonation, at)).await
}

/// Why the impersonation this session was last in has ended, if it ended under it.
pub async fn end_notice(store: &Store, key: &SessionKey) -> Result<Option<EndedImpersonation>> {
    let conn = store.db();
    let Some(session) = sessions::find(conn, key).await? else { return Ok(None) };
    let Some(id) = session.ended_impersonation_id else { return Ok(None) };
    let Some(imp) = consent::impersonation(conn, id).await? else { return Ok(None) };
    let Some(ending) = rows::impersonation_of(&imp).ended else { return Ok(None) };
    let subject = match consent::grant(conn, imp.grant_id).await? {
        Some(g) => people::names(conn, [g.user_id]).await?.remove(&g.user_id),
        None => None,
    };
    Ok(Some(EndedImpersonation { subject_name: subject.unwrap_or_default(), ending }))
}
