//! The live channel: server-sent events telling an open page that its session's standing or the
//! data it shows changed. A connection re-resolves its session (the rules decide afresh, from the
//! database, so every instance agrees) when a change it shows is pushed (to the user it shows or
//! their tenant's records: see `store::changes`), when a window it knows of ends, and otherwise
//! only every `LIVE_RECHECK`; it sends a message only when something changed.

use super::AppState;
use super::streams::Slot;
use app::api::types::{LivePush, LiveStatus, Watcher};
use crate::store::changes::Change;
use app::backend::{Backend, RequestSession, SessionSecret};
use app::domain::{Account, Principal, TenantId, Timestamp, UserId};
use tokio::sync::broadcast::error::RecvError;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::stream::{self, Stream};
use http::StatusCode;
use std::convert::Infallible;
use std::time::Duration;
use tower_cookies::Cookies;

/// What decides whether a message is worth sending: the standing and the revision, not the time.
fn comparable(push: &LivePush) -> (LiveStatus, i64, Vec<Watcher>) {
    let status = match &push.status {
        LiveStatus::Impersonating { banner } => {
            let mut banner = banner.clone();
            banner.server_now = app::domain::Timestamp::from_unix_millis(0);
            LiveStatus::Impersonating { banner }
        }
        other => other.clone(),
    };
    (status, push.revision, push.watchers.clone())
}

pub async fn stream(State(state): State<AppState>, cookies: Cookies, session: Option<axum::Extension<RequestSession>>) -> Response {
    let secret = state.services.cookie.read(&cookies);
    let (Some(axum::Extension(session)), Some(secret)) = (session, secret) else {
        return (StatusCode::UNAUTHORIZED, "Please log in.").into_response();
    };
    let Some(slot) = state.live_streams.open(session.key.as_str(), session.principal.session_owner()) else {
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
    changes: tokio::sync::broadcast::Receiver<Change>,
    last: Option<(LiveStatus, i64, Vec<Watcher>)>,
    /// When to re-check without being woken: the next window end this stream knows of, or the
    /// safety re-check.
    wake_at: Option<tokio::time::Instant>,
    /// Which changes wake it.
    shows: Shows,
    _slot: Slot,
}

fn pushes(state: AppState, secret: SessionSecret, slot: Slot) -> impl Stream<Item = Result<Event, Infallible>> {
    let changes = state.store.changes().subscribe();
    let cursor = Cursor { state, secret, changes, last: None, wake_at: None, shows: Shows::Everyone, _slot: slot };
    stream::unfold(cursor, |mut cursor| async move {
        loop {
            if let Some(wake_at) = cursor.wake_at {
                cursor.wait(wake_at).await;
            }
            // The session may have moved to a fresh id (start, stop) or ended: end the stream and let
            // the browser reconnect with whatever cookie it holds now.
            let session = cursor.state.store.resolve(&cursor.secret, false).await.ok().flatten()?;
            let revision = cursor.state.store.revision(&session.principal).await.ok()?;
            let now = cursor.state.services.clock.now();
            cursor.plan(&session.principal, now);
            let watchers = cursor.watchers(&session.principal, revision, now).await?;
            let push = LivePush { status: app::api::views::live_status(&session), revision, server_now: now, watchers };
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

impl Cursor {
    /// Who impersonates the user now, when the page is a user's own: their pages tell them. Every
    /// start, join and recorded end moves the revision, so an unmoved one keeps the last answer
    /// and a safety re-check costs no consent read.
    async fn watchers(&self, principal: &Principal, revision: i64, now: Timestamp) -> Option<Vec<Watcher>> {
        let Some(Account::User { id, .. }) = principal.in_own_session() else { return Some(Vec::new()) };
        if let Some((_, _, watchers)) = self.last.as_ref().filter(|(_, seen, _)| *seen == revision) {
            return Some(watchers.clone());
        }
        let record = self.state.store.consent(id).await.ok()?;
        Some(app::api::views::watchers(&record, now))
    }

    /// Decides what wakes the stream next, from what it shows now.
    fn plan(&mut self, principal: &Principal, now: Timestamp) {
        self.shows = Shows::of(principal);
        let recheck = self.state.settings.live.recheck;
        let window_end = principal.impersonation().map(|imp| now.until(imp.ends_at)).unwrap_or(recheck);
        self.wake_at = Some(tokio::time::Instant::now() + recheck.min(window_end));
    }

    /// Waits until a change this stream shows, or `wake_at`.
    async fn wait(&mut self, wake_at: tokio::time::Instant) {
        loop {
            tokio::select! {
                () = tokio::time::sleep_until(wake_at) => return,
                heard = self.changes.recv() => match heard {
                    Ok(change) if !self.shows.shown(change) => continue,
                    Ok(_) | Err(RecvError::Lagged(_)) => return,
                    // No more changes will come (the store is gone): only the clock wakes it.
                    Err(RecvError::Closed) => {
                        tokio::time::sleep_until(wake_at).await;
                        return;
                    }
                },
            }
        }
    }
}

/// What a stream's page shows, so which changes wake it.
#[derive(Debug, PartialEq, Eq)]
enum Shows {
    /// A super admin's own pages: every user's consent (the switcher, the audit log), no tenant's records.
    Everyone,
    /// One user's consent and their tenant's records: the user's own pages, or an impersonator's.
    User { id: UserId, tenant: Option<TenantId> },
}

impl Shows {
    fn of(principal: &Principal) -> Shows {
        match principal.as_super_admin() {
            Some(_) => Shows::Everyone,
            None => Shows::User { id: principal.effective().id(), tenant: principal.effective().tenant() },
        }
    }

    fn shown(&self, change: Change) -> bool {
        match (self, change) {
            (_, Change::Everything) | (Shows::Everyone, Change::User(_)) => true,
            (Shows::Everyone, Change::Tenant(_)) => false,
            (Shows::User { id, .. }, Change::User(user)) => *id == user,
            (Shows::User { tenant, .. }, Change::Tenant(changed)) => *tenant == Some(changed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_woken_by_the_changes_it_shows_and_no_others() {
        let (ann, bob) = (UserId::from_uuid(uuid::Uuid::new_v4()), UserId::from_uuid(uuid::Uuid::new_v4()));
        let (acme, globex) = (TenantId::from_uuid(uuid::Uuid::new_v4()), TenantId::from_uuid(uuid::Uuid::new_v4()));
        let anns = Shows::User { id: ann, tenant: Some(acme) };
        assert!(anns.shown(Change::User(ann)) && anns.shown(Change::Tenant(acme)) && anns.shown(Change::Everything));
        assert!(!anns.shown(Change::User(bob)), "a colleague's consent");
        assert!(!anns.shown(Change::Tenant(globex)), "another tenant's records");
        assert!(Shows::Everyone.shown(Change::User(bob)) && Shows::Everyone.shown(Change::Everything));
        assert!(!Shows::Everyone.shown(Change::Tenant(acme)), "a super admin's own pages show no tenant's records");
    }
}
