//! "Your Profile": who the user is, their consent to be impersonated, and its history.

use super::ApiError;
use super::types::Profile;
use crate::domain::Access;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    super::views,
    super::request::{authenticate, services},
    crate::backend::SessionMove,
    crate::domain::{GrantId, Terms, rules},
};

#[cfg(feature = "ssr")]
const HISTORY_LIMIT: u64 = 50;

/// The profile of the person whose app this is (the impersonated user, while impersonating).
#[server(endpoint = "profile")]
pub async fn load_profile() -> Result<Profile, ApiError> {
    let session = authenticate()?;
    let s = services()?;
    let user = session.principal.effective().id();
    let revision = s.backend.revision(&session.principal).await?;
    let (record, history) = s.backend.profile(user, HISTORY_LIMIT).await?;
    Ok(views::profile(&record, &history, &session.principal, s.clock.now(), &s.policy, revision))
}

/// Rule 1: the user allows super admins to start impersonating them, on their terms (left out:
/// full access for the configured duration). The page re-reads the profile.
#[server(endpoint = "impersonation/allow")]
pub async fn allow_impersonation(access: Option<Access>, duration_ms: Option<u64>) -> Result<(), ApiError> {
    let session = authenticate()?;
    let s = services()?;
    let (who, policy, grant) = (session.principal, s.policy, GrantId::from_uuid(uuid::Uuid::new_v4()));
    let defaults = policy.default_terms();
    let duration = duration_ms.map_or(defaults.duration, std::time::Duration::from_millis);
    let terms = Terms { access: access.unwrap_or(defaults.access), duration };
    let decide = Box::new(move |c: &_, now| rules::allow(c, &who, now, &policy, grant, terms));
    s.backend.decide(who.effective().id(), SessionMove::Stay, decide).await?;
    Ok(())
}

/// Rule 5: the user disallows; every impersonation of them ends at once. The page re-reads the profile.
#[server(endpoint = "impersonation/disallow")]
pub async fn disallow_impersonation() -> Result<(), ApiError> {
    let session = authenticate()?;
    let s = services()?;
    let who = session.principal;
    let decide = Box::new(move |c: &_, now| rules::disallow(c, &who, now));
    s.backend.decide(who.effective().id(), SessionMove::Stay, decide).await?;
    Ok(())
}
