//! The session's current standing, for pages that must notice changes without a click.
//! Pushed over server-sent events by the server (`/api/events`); this is the same answer on demand.

use super::ApiError;
use super::types::LiveStatus;
use leptos::prelude::*;

#[server(endpoint = "session/status")]
pub async fn current_status() -> Result<LiveStatus, ApiError> {
    match super::request::authenticate() {
        Ok(session) => Ok(super::views::live_status(&session)),
        Err(ApiError::Unauthenticated) => Ok(LiveStatus::LoggedOut),
        Err(e) => Err(e),
    }
}
