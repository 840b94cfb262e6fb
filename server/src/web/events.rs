//! The live channel: server-sent events telling an open page that its session's standing or the
//! data it shows changed. Each connection re-resolves its session on an interval (the rules decide
//! afresh each time, from the database, so every server instance agrees) and sends a message
//! only when something changed.

use super::AppState;
use super::streams::Slot;
use app::api::types::{LivePush, LiveStatus};
use app::backend::{RequestSession, SessionSecret};
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::stream::{self, Stream};
use http::StatusCode;
use std::convert::Infallible;
use std::time::Duration;
use tower_cookies::Cookies;

/// What decides whether a message is worth sending: the standing and the revision, not the time.
fn comparable(push: &LivePush) -> (LiveStatus, i64) {
    let status = match &push.status {
        LiveStatus::Impersonating { banner } => {
            let mut banner = banner.clone();
            banner.server_now = app::domain::Timestamp::from_unix_millis(0);
            LiveStatus::Impersonating { banner }
        }
        other => other.clone(),
    };
    (status, push.revision)
}

pub async fn stream(State(state): State<AppState>, cookies: Cookies, session: Option<axum::Extension<RequestSession>>) -> Response {
    let secret = state.services.cookie.read(&cookies);
    let (Some(axum::Extension(session)), Some(secret)) = (session, secret) else {
        return (StatusCode::UNAUTHORIZED, "Please log in.").into_response();
    };
    let Some(slot) = state.live_streams.open(session.key.as_str()) else {
        let headers = [(http::header::RETRY_AFTER, "30")];
        return (StatusCode::TOO_MANY_REQUESTS, headers, "Too many live channels are open; close some tabs.").into_response();
    };
    // A comment every tick while nothing changes: writing is how a stream learns that its client
    // has gone, so it stops (and frees its slot) at the next tick instead of working on.
    let keep_alive = KeepAlive::new().interval(state.settings.live.interval);
    Sse::new(pushes(state, secret, slot)).keep_alive(keep_alive).into_response()
}

struct Cursor {
    state: AppState,
    secret: SessionSecret,
    last: Option<(LiveStatus, i64)>,
    first: bool,
    _slot: Slot,
}

fn pushes(state: AppState, secret: SessionSecret, slot: Slot) -> impl Stream<Item = Result<Event, Infallible>> {
    stream::unfold(Cursor { state, secret, last: None, first: true, _slot: slot }, |mut cursor| async move {
        loop {
            if !cursor.first {
                tokio::time::sleep(cursor.state.settings.live.interval).await;
            }
            cursor.first = false;
            // The session may have moved to a fresh id (start, stop) or ended: end the stream and let
            // the browser reconnect with whatever cookie it holds now.
            let session = cursor.state.store.resolve(&cursor.secret, false).await.ok().flatten()?;
            let revision = cursor.state.store.revision(&session.principal).await.ok()?;
            let push = LivePush { status: app::api::views::live_status(&session), revision, server_now: cursor.state.services.clock.now() };
            let key = comparable(&push);
            if cursor.last.as_ref() == Some(&key) {
                continue;
            }
            cursor.last = Some(key);
            let event = Event::default().retry(Duration::from_secs(1)).json_data(&push).ok()?;
            return Some((Ok(event), cursor));
        }
    })
}
