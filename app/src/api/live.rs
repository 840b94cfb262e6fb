//! The session's current standing, for pages that must notice changes without a click.
//! Pushed over server-sent events by the server (`/api/events`); this is the same answer on demand.

use super::ApiError;
use super::types::LiveStatus;
use leptos::prelude::*;

#[server(endpoint = "session/status")]
pub async fn current_status() -> Result<LiveStatus, ApiError> {
    use crate::backend::{authenticate, services};
    let session = match authenticate() {
        Ok(session) => session,
        Err(ApiError::Unauthenticated) => return Ok(LiveStatus::LoggedOut),
        Err(e) => return Err(e),
    };
    match session.viewer.impersonation {
        Some(banner) => Ok(LiveStatus::Impersonating { banner }),
        None => Ok(LiveStatus::Own { ended: services()?.backend.end_notice(&session.key).await? }),
    }
}
