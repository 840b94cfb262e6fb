//! The super admins' side: the switcher, starting, and stopping.

use super::ApiError;
use super::types::Switcher;
use crate::domain::UserId;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    super::views,
    super::request::{authenticate, services},
    crate::backend::SessionMove,
    crate::domain::{ImpersonationId, Page, Refusal, Search, StartReason, rules},
};

/// One page of the users who allow impersonation now and match `search`, for a super admin in
/// their own session. Both arguments may be left out: everyone, the first page.
#[server(endpoint = "impersonation/switcher")]
pub async fn load_switcher(search: Option<String>, page: Option<u32>) -> Result<Switcher, ApiError> {
    let session = authenticate()?;
    rules::may_see_super_admin_pages(&session.principal)?;
    let (search, page) = (Search::parse(search.as_deref().unwrap_or_default())?, Page(page.unwrap_or_default()));
    let s = services()?;
    let revision = s.backend.revision(&session.principal).await?;
    let now = s.clock.now();
    let (records, total) = s.backend.open_grants(now, &search, page).await?;
    let candidates = records.iter().filter_map(|r| views::candidate(r, now)).collect();
    let notice = s.backend.end_notice(&session.key).await?.map(views::end_notice);
    Ok(Switcher { candidates, total, page, server_now: now, require_reason: s.policy.require_reason, notice, revision })
}

/// Rules 2 and 9: start (or join) impersonating a user; the session moves into the impersonation.
#[server(endpoint = "impersonation/start")]
pub async fn start_impersonation(user: UserId, reason: String) -> Result<(), ApiError> {
    let session = authenticate()?;
    // Refuse non-starters before touching the subject, so nobody can probe which users exist.
    rules::starter(&session.principal)?;
    let s = services()?;
    let reason = StartReason::parse(&reason)?;
    let (who, policy, id) = (session.principal, s.policy, ImpersonationId::from_uuid(uuid::Uuid::new_v4()));
    let decide = Box::new(move |c: &_, now| rules::start(c, &who, now, &policy, id, reason));
    let moved = SessionMove::Enter { session: session.key, impersonation: id };
    let new_session = s.backend.decide(user, moved, decide).await?.ok_or(ApiError::Internal)?;
    s.hand_out(&new_session).await
}

/// Rule 7: stop impersonating; the super admin returns to their own session.
#[server(endpoint = "impersonation/stop")]
pub async fn stop_impersonation() -> Result<(), ApiError> {
    let session = authenticate()?;
    let s = services()?;
    let imp = session.principal.impersonation().ok_or(Refusal::NotImpersonating)?;
    let (who, policy) = (session.principal, s.policy);
    let decide = Box::new(move |c: &_, now| rules::stop(c, &who, now, &policy));
    let moved = SessionMove::Leave { session: session.key };
    let new_session = s.backend.decide(imp.subject.id(), moved, decide).await?.ok_or(ApiError::Internal)?;
    s.hand_out(&new_session).await
}

