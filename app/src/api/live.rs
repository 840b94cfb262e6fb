//! The session's current standing, for pages that must notice changes without a click.
//! Pushed over server-sent events by the server (`LIVE_CHANNEL`); this is the same answer on demand.

use super::ApiError;
use super::types::LiveStatus;
use leptos::prelude::*;

/// Where the live channel's server-sent events are: the page opens it, the server serves it.
pub const LIVE_CHANNEL: &str = "/api/events";

#[server(endpoint = "session/status")]
pub async fn current_status() -> Result<LiveStatus, ApiError> {
    match super::request::authenticate() {
        Ok(session) => Ok(super::views::live_status(&session)),
        Err(ApiError::Unauthenticated) => Ok(LiveStatus::LoggedOut),
        Err(e) => Err(e),
    }
}
