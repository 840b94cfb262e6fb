//! The user's terms (rules 1, 2 and 14): view only or full access, a length the user chooses, and
//! the user told the moment someone starts. Run on SQLite and on PostgreSQL like the rest.

use crate::helpers::*;
use crate::live::Events;
use app::api::ApiError;
use app::api::types::{AuditKind, AuditLogPage, Home, LiveStatus};
use app::domain::{Access, Refusal, Terms};
use reqwest::StatusCode;
use std::time::Duration;

const VIEW_ONLY: &[(&str, &str)] = &[("access", "view_only")];

/// The home page as this browser sees it.
async fn home(browser: &Browser) -> Home {
    browser.ok("home", &[]).await
}

#[tokio::test]
async fn a_view_only_impersonator_sees_the_users_records_and_every_write_is_refused() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    let task: app::api::types::Task = ann.ok("tasks/add", &[("title", "Ann's own record")]).await;
    ann.allows_on(VIEW_ONLY).await;
    let sam = app.log_in(SAM).await;
    sam.starts_impersonating(app.id(ANN)).await;

    assert_eq!(sam.tasks().await.len(), 1, "the impersonator sees what Ann sees");
    let view_only = (StatusCode::FORBIDDEN, ApiError::Refused(Refusal::ViewOnly));
    assert_eq!(sam.fails("tasks/add", &[("title", "a change")]).await, view_only);
    assert_eq!(sam.fails("tasks/set-done", &[("task", &task.id.to_string()), ("done", "true")]).await, view_only);
    assert_eq!(Refusal::ViewOnly.to_string(), "View-only access: the user allowed viewing, not changes.");

    assert_eq!(ann.tasks().await, vec![task], "nothing changed");
    let log = app.log_in(ADA).await.ok::<AuditLogPage>("audit", &[]).await.entries;
    assert!(!log.iter().any(|line| line.kind == AuditKind::Wrote), "no write recorded");
    let Home::Tenant { read_only, .. } = home(&sam).await else { panic!("the tenant's home") };
    assert_eq!(read_only.as_deref(), Some(Refusal::ViewOnly.to_string().as_str()), "the page says why its controls are off");
    let LiveStatus::Impersonating { banner } = sam.status().await else { panic!("impersonating") };
    assert_eq!(banner.access, Access::ViewOnly, "the banner says view only");
    // Ann's own writes are hers, whatever she allowed staff.
    let _: app::api::types::Task = ann.ok("tasks/add", &[("title", "still mine to add")]).await;
}

#[tokio::test]
async fn under_full_access_the_same_writes_go_through_as_before() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    ann.allows().await;
    let sam = app.log_in(SAM).await;
    sam.starts_impersonating(app.id(ANN)).await;
    let _: app::api::types::Task = sam.ok("tasks/add", &[("title", "made by support")]).await;
    let Home::Tenant { read_only, .. } = home(&sam).await else { panic!("the tenant's home") };
    assert_eq!(read_only, None);
    let LiveStatus::Impersonating { banner } = sam.status().await else { panic!("impersonating") };
    assert_eq!(banner.access, Access::Full);
}

#[tokio::test]
async fn a_chosen_hour_ends_the_impersonation_an_hour_after_the_first_start_to_the_millisecond() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    ann.allows_on(&[("duration_ms", "3600000")]).await;
    app.advance(Duration::from_secs(10));
    let sam = app.log_in(SAM).await;
    sam.starts_impersonating(app.id(ANN)).await;
    let ada = app.log_in(ADA).await;
    app.advance(HOUR - Duration::from_secs(1));
    ada.starts_impersonating(app.id(ANN)).await;
    app.advance(Duration::from_secs(1) - MS);
    assert!(sam.is_impersonating().await, "a millisecond before the hour is up");
    assert!(ada.is_impersonating().await, "a later join ends with the first start's hour");
    app.advance(MS);
    assert!(!sam.is_impersonating().await, "at the hour");
    assert!(!ada.is_impersonating().await);
}

#[tokio::test]
async fn a_length_over_the_maximum_is_refused_and_nothing_is_allowed() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    let three_days = (3 * 24 * HOUR).as_millis().to_string();
    let refused = ann.fails("impersonation/allow", &[("duration_ms", &three_days)]).await;
    assert_eq!(refused, (StatusCode::UNPROCESSABLE_ENTITY, ApiError::Refused(Refusal::LengthNotOffered)));
    assert_eq!(app.grant_count(app.id(ANN)).await, 0);
    assert_eq!(ann.profile().await.consent.lengths_ms, vec![3_600_000, 8 * 3_600_000, 24 * 3_600_000], "three days is not offered");
}

#[tokio::test]
async fn with_a_longer_maximum_three_days_is_offered_and_honoured() {
    let app = TestApp::spawn_with(|s| {
        s.policy.max_duration = 3 * 24 * HOUR;
        // Sam sits idle through the three days: only the window may end his impersonation.
        s.sessions.idle_timeout = 4 * 24 * HOUR;
    })
    .await;
    let ann = app.log_in(ANN).await;
    assert_eq!(ann.profile().await.consent.lengths_ms.last(), Some(&(3 * 24 * 3_600_000)));
    ann.allows_on(&[("duration_ms", &(3 * 24 * HOUR).as_millis().to_string())]).await;
    let sam = app.log_in(SAM).await;
    sam.starts_impersonating(app.id(ANN)).await;
    app.advance(3 * 24 * HOUR - MS);
    assert!(sam.is_impersonating().await);
    app.advance(MS);
    assert!(!sam.is_impersonating().await);
}

#[tokio::test]
async fn the_switcher_the_audit_log_and_the_history_show_the_terms() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    ann.allows_on(&[("access", "view_only"), ("duration_ms", "28800000")]).await;
    let chosen = Terms { access: Access::ViewOnly, duration: 8 * HOUR };
    let ada = app.log_in(ADA).await;
    let switcher = ada.switcher().await;
    assert_eq!(switcher.candidates.iter().map(|c| c.terms).collect::<Vec<_>>(), vec![chosen], "staff know before they start");
    assert_eq!(ann.profile().await.consent.terms, Some(chosen));
    ada.starts_impersonating(app.id(ANN)).await;
    ada.stops().await;
    let log = app.log_in(SAM).await.ok::<AuditLogPage>("audit", &[]).await.entries;
    let allowed = log.iter().find(|line| line.kind == AuditKind::Allowed).expect("an allowed line");
    assert_eq!(allowed.terms, Some(chosen));
    assert!(log.iter().filter(|line| line.kind != AuditKind::Allowed).all(|line| line.terms.is_none()));
    assert_eq!(ann.profile().await.history.iter().map(|h| h.terms).collect::<Vec<_>>(), vec![Some(chosen)]);
}

#[tokio::test]
async fn the_users_open_page_hears_at_once_who_started_and_who_joined() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    ann.allows().await;
    let mut events = Events::open(&ann).await;
    let first = events.next(Duration::from_secs(5)).await.expect("a first message");
    assert!(first.watchers.is_empty());
    app.log_in(SAM).await.starts_impersonating(app.id(ANN)).await;
    let next = events.next(Duration::from_secs(5)).await.expect("told within seconds");
    assert_eq!(next.watchers.iter().map(|w| w.super_admin_name.as_str()).collect::<Vec<_>>(), ["Sam Support"]);
    app.log_in(ADA).await.starts_impersonating(app.id(ANN)).await;
    let next = events.next(Duration::from_secs(5)).await.expect("told within seconds");
    assert_eq!(next.watchers.iter().map(|w| w.super_admin_name.as_str()).collect::<Vec<_>>(), ["Sam Support", "Ada Admin"]);
    ann.disallows().await;
    let next = events.next(Duration::from_secs(5)).await.expect("told within seconds");
    assert!(next.watchers.is_empty(), "nobody once the user disallowed");
}

#[tokio::test]
async fn nobody_but_the_user_hears_who_impersonates_them() {
    let app = TestApp::spawn().await;
    app.log_in(ANN).await.allows().await;
    let bob = app.log_in(BOB).await;
    let sam = app.log_in(SAM).await;
    sam.starts_impersonating(app.id(ANN)).await;
    for browser in [&bob, &sam, &app.log_in(ADA).await] {
        let mut events = Events::open(browser).await;
        let first = events.next(Duration::from_secs(5)).await.expect("a first message");
        assert!(first.watchers.is_empty(), "{first:?}");
    }
}

#[tokio::test]
async fn allowing_again_on_the_same_terms_is_fine_and_on_other_terms_is_refused_not_ignored() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    ann.allows().await;
    // A second tab's dialog, still asking, confirms: on the same terms nothing changes ...
    ann.allows().await;
    // ... and on others Ann is told, rather than left believing staff may only look.
    let refused = ann.fails("impersonation/allow", VIEW_ONLY).await;
    assert_eq!(refused, (StatusCode::CONFLICT, ApiError::Refused(Refusal::AlreadyAllowed)));
    assert_eq!(app.grant_count(app.id(ANN)).await, 1);
    let profile = ann.profile().await;
    assert_eq!(profile.consent.terms.map(|t| t.access), Some(Access::Full));
}
