//! Concurrency: starts racing a disallow on one user can never leave an impersonation alive.

use crate::helpers::*;
use app::api::types::{AuditKind, AuditLogPage, LiveStatus};
use app::domain::{GrantPhase, rules};
use reqwest::{Response, StatusCode};
use std::time::Duration;

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
    let log = app.log_in(ADA).await.ok::<AuditLogPage>("audit", &[]).await.entries;
    let kinds: Vec<_> = log.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [AuditKind::Allowed], "one allow recorded, not six");
}

/// A write made while impersonating that waits for the user's lock (held here by another
/// transaction) until after the window's end takes its time once it holds the lock: refused.
/// On PostgreSQL the request waits at that lock (a time read before it makes this fail: tried);
/// on SQLite it already waits earlier, at the session's touch, so there it proves less.
/// The test releases the lock once the request waits at it (PostgreSQL shows that), or, on
/// SQLite, a moment after the request reached the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_that_waited_for_the_lock_past_the_windows_end_is_refused() {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
    use server::db::entities::user;

    let app = TestApp::spawn().await;
    app.log_in(ANN).await.allows().await;
    let ada = app.log_in(ADA).await;
    ada.starts_impersonating(app.id(ANN)).await;
    app.advance(app.settings.policy.duration - MS);

    // The same lock every consent change and impersonated write takes first.
    let holder = app.store.db().begin().await.expect("a transaction");
    user::Entity::update_many()
        .col_expr(user::Column::ConsentVersion, Expr::col(user::Column::ConsentVersion).add(1))
        .filter(user::Column::Id.eq(app.id(ANN).uuid()))
        .exec(&holder)
        .await
        .expect("Ann locked");
    let reads = app.clock.reads();
    let write = tokio::spawn(async move { ada.call("tasks/add", &[("title", "a write that waited")]).await.status() });
    let observer = sea_orm::Database::connect(&app.settings.database_url).await.expect("the test's connection");
    if !until_statements_wait_at_locks(&observer, 1).await {
        // SQLite: once the request reached the server, give it a moment to reach the lock; if it
        // has not, the test passes without proving as much, never the other way round.
        while app.clock.reads() == reads {
            tokio::time::sleep(MS).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    app.advance(MS);
    holder.commit().await.expect("Ann released");

    assert_eq!(write.await.expect("the write's task"), StatusCode::FORBIDDEN);
    assert!(app.log_in(ANN).await.tasks().await.is_empty(), "nothing was written");
}

/// Two starts from one tab at once, of two users: each locks its own user, so on PostgreSQL they
/// run side by side, and both read the tab's session before either moves it. Only one may move
/// it: the other is refused whole, leaving one session and one impersonation. Here the test holds
/// the session's row until both starts wait at it (PostgreSQL): the second finds the session gone
/// (404). On SQLite writes take turns, so the second start finds the session already moved, or,
/// when its request came in after the move, is no longer logged in at all (401).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_starts_from_one_tab_at_once_leave_one_session_in_one_impersonation() {
    use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect, TransactionTrait};
    use server::db::entities::session;

    let app = TestApp::spawn().await;
    app.log_in(ANN).await.allows().await;
    app.log_in(BOB).await.allows().await;
    let ada = app.log_in(ADA).await;
    let ada_sessions = || session::Entity::find().filter(session::Column::UserId.eq(app.id(ADA).uuid()));

    // The test's own connections, so the server's pool of 4 stays the server's.
    let db = &sea_orm::Database::connect(&app.settings.database_url).await.expect("the test's connection");
    let postgres = db.get_database_backend() == DbBackend::Postgres;
    let holder = db.begin().await.expect("a transaction");
    if postgres {
        ada_sessions().lock_exclusive().one(&holder).await.expect("Ada's session locked").expect("Ada's session");
    }
    let starts = async { tokio::join!(ada.start(app.id(ANN), "one"), ada.start(app.id(BOB), "two")) };
    let release = async {
        until_statements_wait_at_locks(db, 2).await;
        holder.rollback().await.expect("Ada's session released");
    };
    let ((one, two), ()) = tokio::join!(starts, release);

    let mut statuses = [one.status(), two.status()];
    statuses.sort();
    let refused = if postgres { vec![StatusCode::NOT_FOUND] } else { vec![StatusCode::NOT_FOUND, StatusCode::UNAUTHORIZED] };
    assert!(statuses[0] == StatusCode::OK && refused.contains(&statuses[1]), "one start moved the session, the other was refused: {statuses:?}");
    assert_eq!(ada_sessions().all(db).await.expect("Ada's sessions").len(), 1, "one tab, one session");
    let now = app.now();
    let live = app.consent_of(app.id(ANN)).await.live_impersonations(now).count() + app.consent_of(app.id(BOB)).await.live_impersonations(now).count();
    assert_eq!(live, 1, "the refused start left no impersonation behind");
}

/// On PostgreSQL, waits until `n` statements on the test's database wait at a lock, and answers
/// true; on SQLite, which shows no such thing, answers false at once. `observer` is a connection
/// of the test's own, so the server's small pool stays the server's.
async fn until_statements_wait_at_locks(observer: &sea_orm::DatabaseConnection, n: i32) -> bool {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    if observer.get_database_backend() != DbBackend::Postgres {
        return false;
    }
    let waiting = Statement::from_string(
        DbBackend::Postgres,
        "SELECT count(*)::int4 AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
    );
    loop {
        let row = observer.query_one(waiting.clone()).await.expect("pg_stat_activity").expect("a count");
        if row.try_get::<i32>("", "n").expect("n") >= n {
            return true;
        }
        tokio::time::sleep(MS).await;
    }
}
