//! Concurrency: starts racing a disallow on one user can never leave an impersonation alive.

use crate::helpers::*;
use app::api::types::{AuditEntry, AuditKind, LiveStatus};
use app::domain::{GrantPhase, rules};
use reqwest::{Response, StatusCode};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_parallel_starts_racing_a_disallow_leave_nothing_usable() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    ann.allows().await;
    let mut admins = Vec::new();
    for i in 0..12 {
        admins.push(app.log_in(if i % 2 == 0 { ADA } else { SAM }).await);
    }
    let starts = admins.iter().map(|admin| admin.start(app.id(ANN), "race"));
    let (outcomes, _) = tokio::join!(futures::future::join_all(starts), ann.disallows());
    let started = outcomes.iter().filter(|r| r.status() == StatusCode::OK).count();
    for outcome in &outcomes {
        assert!(matches!(outcome.status(), StatusCode::OK | StatusCode::FORBIDDEN), "{}", outcome.status());
    }
    for admin in &admins {
        assert!(!matches!(admin.status().await, LiveStatus::Impersonating { .. }), "an impersonation outlived the disallow");
    }
    let consent = app.consent_of(app.id(ANN)).await;
    let now = app.now();
    assert!(consent.grant.as_ref().is_none_or(|g| matches!(g.phase(now), GrantPhase::Over(_))));
    assert_eq!(consent.live_impersonations(now).count(), 0);
    let all = app.all_impersonations_of(app.id(ANN)).await;
    assert_eq!(all.len(), started, "every successful start was recorded");
    assert!(all.iter().all(|(imp, grant)| rules::holds(imp, grant, now).is_err()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_allows_create_one_grant() {
    let app = TestApp::spawn().await;
    let tabs: Vec<_> = futures::future::join_all((0..6).map(|_| app.log_in(ANN))).await;
    let answers = futures::future::join_all(tabs.iter().map(|t| t.call("impersonation/allow", &[]))).await;
    let statuses: Vec<_> = answers.iter().map(Response::status).collect();
    assert_eq!(statuses, [StatusCode::OK; 6], "allowing while allowed is no error");
    assert_eq!(app.grant_count(app.id(ANN)).await, 1);
    let consent = app.consent_of(app.id(ANN)).await;
    assert!(consent.grant.as_ref().is_some_and(|g| matches!(g.phase(app.now()), GrantPhase::Waiting { .. })));
    let log: Vec<AuditEntry> = app.log_in(ADA).await.ok("audit", &[]).await;
    let kinds: Vec<_> = log.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [AuditKind::Allowed], "one allow recorded, not six");
}
