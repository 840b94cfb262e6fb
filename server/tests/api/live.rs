//! The live channel (server-sent events): an impersonator's open page hears that the impersonation
//! ended without asking, and a user's profile hears that someone started.

use crate::helpers::*;
use app::api::types::{LivePush, LiveStatus};
use futures::StreamExt;
use reqwest::StatusCode;
use std::time::Duration;

/// Reads server-sent events from `/api/events` as the browser's EventSource would.
pub struct Events {
    stream: std::pin::Pin<Box<dyn futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    buffer: String,
}

impl Events {
    pub async fn open(browser: &Browser) -> Events {
        let response = browser.get("/api/events").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Events { stream: Box::pin(response.bytes_stream()), buffer: String::new() }
    }

    /// The next message, waiting at most `within`.
    pub async fn next(&mut self, within: Duration) -> Option<LivePush> {
        tokio::time::timeout(within, async {
            loop {
                if let Some(end) = self.buffer.find("\n\n") {
                    let message: String = self.buffer.drain(..end + 2).collect();
                    if let Some(data) = message.lines().find_map(|l| l.strip_prefix("data:")) {
                        return serde_json::from_str(data.trim()).ok();
                    }
                    continue;
                }
                let chunk = self.stream.next().await?.ok()?;
                self.buffer.push_str(&String::from_utf8_lossy(&chunk));
            }
        })
        .await
        .ok()
        .flatten()
    }
}

#[tokio::test]
async fn a_visitor_gets_no_live_channel() {
    let app = TestApp::spawn().await;
    assert_eq!(app.browser().get("/api/events").await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_impersonators_channel_says_at_once_that_the_user_disallowed() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    ann.allows().await;
    let ada = app.log_in(ADA).await;
    ada.starts_impersonating(app.id(ANN)).await;
    let mut events = Events::open(&ada).await;
    let first = events.next(Duration::from_secs(5)).await.expect("a first message");
    assert!(matches!(first.status, LiveStatus::Impersonating { .. }));
    ann.disallows().await;
    let next = events.next(Duration::from_secs(5)).await.expect("told within seconds");
    assert!(matches!(next.status, LiveStatus::Own), "{next:?}");
}

#[tokio::test]
async fn an_impersonators_channel_says_when_the_window_is_over() {
    let app = TestApp::spawn().await;
    app.log_in(ANN).await.allows().await;
    let ada = app.log_in(ADA).await;
    ada.starts_impersonating(app.id(ANN)).await;
    let mut events = Events::open(&ada).await;
    events.next(Duration::from_secs(5)).await.expect("a first message");
    app.advance(Duration::from_secs(24 * 3600));
    let next = events.next(Duration::from_secs(5)).await.expect("told within seconds");
    assert!(matches!(next.status, LiveStatus::Own));
}

#[tokio::test]
async fn a_users_channel_moves_its_revision_when_someone_starts_impersonating_them() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    ann.allows().await;
    let mut events = Events::open(&ann).await;
    let first = events.next(Duration::from_secs(5)).await.expect("a first message");
    app.log_in(ADA).await.starts_impersonating(app.id(ANN)).await;
    let next = events.next(Duration::from_secs(5)).await.expect("told within seconds");
    assert!(next.revision > first.revision);
    assert!(matches!(next.status, LiveStatus::Own), "the user stays in their own session");
}

#[tokio::test]
async fn the_channel_carries_the_servers_clock() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    let mut events = Events::open(&ann).await;
    assert_eq!(events.next(Duration::from_secs(5)).await.expect("message").server_now, app.now());
}

/// Opens the live channel and answers the status alone (the stream is dropped at once).
async fn open_status(browser: &Browser) -> StatusCode {
    browser.get("/api/events").await.status()
}

#[tokio::test]
async fn a_session_keeps_eight_live_channels_at_most_and_gets_them_back_when_tabs_close() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    let mut tabs = Vec::new();
    for _ in 0..8 {
        tabs.push(Events::open(&ann).await);
    }
    let ninth = ann.get("/api/events").await;
    assert_eq!(ninth.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(ninth.headers()["retry-after"], "30");
    let _bob = Events::open(&app.log_in(BOB).await).await;

    drop(tabs);
    // The server learns that the tabs closed when its next tick's write fails.
    let mut status = open_status(&ann).await;
    for _ in 0..100 {
        if status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        status = open_status(&ann).await;
    }
    assert_eq!(status, StatusCode::OK, "closed tabs give their places back");
}

#[tokio::test]
async fn one_person_logging_in_again_and_again_gets_only_their_accounts_share_of_live_channels() {
    let app = TestApp::spawn_with(|s| s.live.streams_per_account = 3).await;
    let (ann, ann_again) = (app.log_in(ANN).await, app.log_in(ANN).await);
    let _tabs = (Events::open(&ann).await, Events::open(&ann).await, Events::open(&ann_again).await);
    assert_eq!(open_status(&app.log_in(ANN).await).await, StatusCode::TOO_MANY_REQUESTS, "a fourth, from a third session");
    assert_eq!(open_status(&app.log_in(BOB).await).await, StatusCode::OK, "everyone else still gets theirs");
}

#[tokio::test]
async fn the_process_keeps_its_ceiling_of_live_channels() {
    let app = TestApp::spawn_with(|s| s.live.streams_total = 2).await;
    let ann = app.log_in(ANN).await;
    let _tabs = (Events::open(&ann).await, Events::open(&ann).await);
    assert_eq!(open_status(&app.log_in(BOB).await).await, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_change_is_pushed_to_the_channels_showing_it_without_waiting_for_a_recheck() {
    // Re-checks so rare that only a pushed change can arrive within the wait below.
    let app = TestApp::spawn_with(|s| s.live.recheck = Duration::from_secs(150)).await;
    let ann = app.log_in(ANN).await;
    ann.allows().await;
    let ada = app.log_in(ADA).await;
    ada.starts_impersonating(app.id(ANN)).await;
    let mut impersonator = Events::open(&ada).await;
    let first = impersonator.next(Duration::from_secs(10)).await.expect("a first message");
    assert!(matches!(first.status, LiveStatus::Impersonating { .. }));
    let mut bob = Events::open(&app.log_in(BOB).await).await;
    let bobs_first = bob.next(Duration::from_secs(10)).await.expect("Bob's first message");
    let pushed = std::time::Instant::now();
    ann.disallows().await;
    let next = impersonator.next(Duration::from_secs(30)).await.expect("the end is pushed, not found by a re-check");
    eprintln!("disallow to the impersonator's page: {:?}", pushed.elapsed());
    assert_eq!(next.status, LiveStatus::Own);
    // Bob's page shows nothing of Ann's: nothing woke it, so nothing came.
    assert_eq!(bob.next(Duration::from_secs(2)).await, None, "after {bobs_first:?}");
}

#[tokio::test]
async fn a_task_the_user_adds_reaches_their_impersonators_open_page_at_once() {
    let app = TestApp::spawn_with(|s| s.live.recheck = Duration::from_secs(150)).await;
    let ann = app.log_in(ANN).await;
    ann.allows().await;
    let ada = app.log_in(ADA).await;
    ada.starts_impersonating(app.id(ANN)).await;
    let mut impersonator = Events::open(&ada).await;
    let first = impersonator.next(Duration::from_secs(10)).await.expect("a first message");
    let _: app::api::types::Task = ann.ok("tasks/add", &[("title", "Written by Ann meanwhile")]).await;
    let next = impersonator.next(Duration::from_secs(30)).await.expect("the new task is pushed, not found by a re-check");
    assert!(next.revision > first.revision, "the home page re-reads: {} then {}", first.revision, next.revision);
    assert!(matches!(next.status, LiveStatus::Impersonating { .. }), "{next:?}");
}

#[tokio::test]
async fn a_colleagues_task_reaches_the_users_open_page_and_no_other_tenants() {
    let app = TestApp::spawn_with(|s| s.live.recheck = Duration::from_secs(150)).await;
    let mut ann = Events::open(&app.log_in(ANN).await).await;
    let mut gus = Events::open(&app.log_in(GUS).await).await;
    let anns_first = ann.next(Duration::from_secs(10)).await.expect("Ann's first message");
    let guss_first = gus.next(Duration::from_secs(10)).await.expect("Gus's first message");
    let bob = app.log_in(BOB).await;

    let task: app::api::types::Task = bob.ok("tasks/add", &[("title", "Written by Bob")]).await;
    let added = ann.next(Duration::from_secs(30)).await.expect("Bob's new task is pushed to Ann's page");
    assert!(added.revision > anns_first.revision, "{} then {}", anns_first.revision, added.revision);

    let _: app::api::types::Task = bob.ok("tasks/set-done", &[("task", &task.id.to_string()), ("done", "true")]).await;
    let ticked = ann.next(Duration::from_secs(30)).await.expect("Bob's tick is pushed to Ann's page");
    assert!(ticked.revision > added.revision, "{} then {}", added.revision, ticked.revision);

    assert_eq!(gus.next(Duration::from_secs(2)).await, None, "Globex's page shows nothing of Acme's, after {guss_first:?}");
}

#[tokio::test]
async fn the_home_page_says_the_revision_its_tasks_were_read_at_so_a_write_while_it_loads_is_not_missed() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    let read_at = |home: app::api::types::Home| match home {
        app::api::types::Home::Tenant { revision, .. } => revision,
        app::api::types::Home::SuperAdmin => panic!("a tenant's home page"),
    };
    let drawn = read_at(ann.ok("home", &[]).await);
    let _: app::api::types::Task = app.log_in(BOB).await.ok("tasks/add", &[("title", "Written while Ann's page loads")]).await;
    let mut events = Events::open(&ann).await;
    let first = events.next(Duration::from_secs(10)).await.expect("a first message");
    assert!(first.revision > drawn, "the page compares the two and re-reads: {drawn} then {}", first.revision);
    assert_eq!(read_at(ann.ok("home", &[]).await), first.revision, "the re-read is at the channel's revision");
}

#[tokio::test]
async fn a_home_page_without_tasks_still_says_the_revision_it_was_read_at() {
    let app = TestApp::spawn().await;
    let gus = app.log_in(GUS).await;
    gus.allows().await;
    let home: app::api::types::Home = gus.ok("home", &[]).await;
    let app::api::types::Home::Tenant { tasks, revision, .. } = home else { panic!("a tenant's home page") };
    assert!(tasks.is_empty(), "Globex has no tasks: {tasks:?}");
    let first = Events::open(&gus).await.next(Duration::from_secs(10)).await.expect("a first message");
    assert!(first.revision > 0, "Gus's allow is an audit line about him");
    assert_eq!(revision, first.revision, "nothing changed since the page was read");
}
