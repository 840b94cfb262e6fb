//! Rule 10: every allow, disallow, start, join, end and every write made while impersonating is
//! recorded, append-only, with who, whom, which grant and why.

use crate::helpers::*;
use app::api::ApiError;
use app::api::types::{AuditEntry, AuditKind, AuditLogPage};
use app::domain::{EndReason, Refusal};
use reqwest::StatusCode;

fn kinds(log: &[AuditEntry]) -> Vec<AuditKind> {
    log.iter().rev().map(|e| e.kind).collect()
}

#[tokio::test]
async fn the_audit_log_records_a_whole_impersonation_in_order() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    ann.allows().await;
    let (ada, sam) = (app.log_in(ADA).await, app.log_in(SAM).await);
    assert_eq!(ada.start(app.id(ANN), "ticket #42: invoice export").await.status(), StatusCode::OK);
    app.advance(HOUR);
    sam.starts_impersonating(app.id(ANN)).await;
    let _: app::api::types::Task = ada.ok("tasks/add", &[("title", "Reproduce the bug")]).await;
    ada.stops().await;
    ann.disallows().await;

    let log = app.log_in(SAM).await.ok::<AuditLogPage>("audit", &[]).await.entries;
    use AuditKind::*;
    assert_eq!(kinds(&log), [Allowed, Started, Joined, Wrote, Ended, Ended, Disallowed]);
    let oldest_first: Vec<_> = log.iter().rev().collect();
    assert_eq!(oldest_first[1].super_admin_name.as_deref(), Some("Ada Admin"));
    assert_eq!(oldest_first[1].reason.as_deref(), Some("ticket #42: invoice export"));
    assert_eq!(oldest_first[1].at, T0);
    assert_eq!(oldest_first[2].super_admin_name.as_deref(), Some("Sam Support"));
    assert_eq!(oldest_first[3].detail.as_deref(), Some("Added task “Reproduce the bug”"));
    assert_eq!(oldest_first[3].super_admin_name.as_deref(), Some("Ada Admin"), "the write is the super admin's");
    let ends: Vec<_> = oldest_first[4..6].iter().map(|e| (e.super_admin_name.clone(), e.end_reason, e.caused_by_name.clone())).collect();
    assert!(ends.contains(&(Some("Ada Admin".into()), Some(EndReason::Stopped), None)));
    assert!(ends.contains(&(Some("Sam Support".into()), Some(EndReason::CoImpersonatorLoggedOut), Some("Ada Admin".into()))));
    assert!(log.iter().all(|e| e.subject_name == "Ann Lee"));
    let grants: std::collections::HashSet<_> = log.iter().map(|e| e.grant).collect();
    assert_eq!(grants.len(), 1, "one grant throughout");
}

#[tokio::test]
async fn time_based_ends_are_recorded_at_the_instant_they_happened() {
    let app = TestApp::spawn().await;
    app.log_in(ANN).await.allows().await;
    app.log_in(BOB).await.allows().await;
    let ada = app.log_in(ADA).await;
    ada.starts_impersonating(app.id(ANN)).await;
    let ends_at = T0.plus(std::time::Duration::from_secs(24 * 3600));
    app.advance(std::time::Duration::from_secs(30 * 3600));
    app.store.sweep().await.expect("sweep");
    let log = app.log_in(ADA).await.ok::<AuditLogPage>("audit", &[]).await.entries;
    let ended: Vec<_> = log.iter().filter(|e| matches!(e.kind, AuditKind::Ended | AuditKind::GrantEnded)).collect();
    assert!(ended.iter().any(|e| e.kind == AuditKind::Ended && e.end_reason == Some(EndReason::DurationOver) && e.at == ends_at));
    assert!(ended.iter().any(|e| e.kind == AuditKind::GrantEnded && e.end_reason == Some(EndReason::DurationOver) && e.subject_name == "Ann Lee"));
    assert!(ended.iter().any(|e| e.kind == AuditKind::GrantEnded
        && e.end_reason == Some(EndReason::StartWindowOver)
        && e.subject_name == "Bob Stone"
        && e.at == T0.plus(std::time::Duration::from_secs(24 * 3600))));
}

#[tokio::test]
async fn a_user_reads_their_own_impersonation_history_and_only_theirs() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    ann.allows().await;
    app.log_in(BOB).await.allows().await;
    let ada = app.log_in(ADA).await;
    assert_eq!(ada.start(app.id(ANN), "checking the export").await.status(), StatusCode::OK);
    app.advance(HOUR);
    ada.stops().await;
    ada.starts_impersonating(app.id(BOB)).await;

    let history = ann.profile().await.history;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].super_admin_name, "Ada Admin");
    assert_eq!(history[0].started_at, T0);
    assert_eq!(history[0].ended_at, Some(T0.plus(HOUR)));
    assert_eq!(history[0].end_reason, Some(EndReason::Stopped));
    assert_eq!(history[0].reason.as_deref(), Some("checking the export"));
    let bobs = app.log_in(BOB).await.profile().await.history;
    assert_eq!(bobs.len(), 1);
    assert_eq!(bobs[0].ended_at, None, "in progress");
}

/// The profile reads a user's consent together with their history; the live channel and the
/// switcher read it on its own. Both must see the same consent, whichever grant is the latest
/// (they share `consent::load`; this keeps them from drifting apart).
async fn the_profile_and_the_consent_read_agree(app: &TestApp, user: app::domain::UserId, when: &str) {
    use app::backend::Backend;
    let (profile, _) = app.store.profile(user, 50).await.expect("a profile");
    let consent = app.store.consent(user).await.expect("a consent");
    assert_eq!(profile, consent, "{when}");
}

#[tokio::test]
async fn the_profile_reads_the_same_consent_as_everything_else_through_every_state() {
    let app = TestApp::spawn().await;
    let (ann, id) = (app.log_in(ANN).await, app.id(ANN));
    the_profile_and_the_consent_read_agree(&app, id, "never allowed").await;
    ann.allows().await;
    the_profile_and_the_consent_read_agree(&app, id, "allowed").await;
    let (ada, sam) = (app.log_in(ADA).await, app.log_in(SAM).await);
    ada.starts_impersonating(id).await;
    sam.starts_impersonating(id).await;
    the_profile_and_the_consent_read_agree(&app, id, "two impersonators").await;
    app.advance(HOUR);
    ann.disallows().await;
    the_profile_and_the_consent_read_agree(&app, id, "disallowed").await;
    app.advance(HOUR);
    ann.allows().await;
    let consent = app.consent_of(id).await;
    assert!(consent.grant.is_some_and(|g| g.ended.is_none()) && consent.impersonations.is_empty(), "the new grant, not the ended one");
    the_profile_and_the_consent_read_agree(&app, id, "allowed again").await;
    let history = ann.profile().await.history;
    assert_eq!(history.len(), 2, "the history keeps the impersonations of the grant before");
    app.advance(HOUR);
    ann.disallows().await;
    the_profile_and_the_consent_read_agree(&app, id, "two ended grants").await;
}

#[tokio::test]
async fn only_super_admins_in_their_own_session_read_the_whole_log() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    ann.allows().await;
    assert_eq!(ann.fails("audit", &[]).await, (StatusCode::FORBIDDEN, ApiError::Refused(Refusal::SuperAdminOnly)));
    let ada = app.log_in(ADA).await;
    ada.starts_impersonating(app.id(ANN)).await;
    assert_eq!(ada.fails("audit", &[]).await, (StatusCode::FORBIDDEN, ApiError::Refused(Refusal::SuperAdminOnly)));
}

#[tokio::test]
async fn the_audit_table_is_never_updated_or_deleted_by_the_app() {
    use sea_orm::{EntityTrait, QueryOrder};
    use server::db::entities::audit_event;
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    ann.allows().await;
    let before = audit_event::Entity::find().order_by_asc(audit_event::Column::Id).all(app.store.db()).await.expect("rows");
    let ada = app.log_in(ADA).await;
    ada.starts_impersonating(app.id(ANN)).await;
    ann.disallows().await;
    app.store.sweep().await.expect("sweep");
    let after = audit_event::Entity::find().order_by_asc(audit_event::Column::Id).all(app.store.db()).await.expect("rows");
    assert_eq!(&after[..before.len()], &before[..], "earlier rows are unchanged");
    assert!(after.len() > before.len());
}

#[tokio::test]
async fn the_database_itself_refuses_to_update_or_delete_audit_rows() {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};
    use server::db::entities::audit_event;
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    ann.allows().await;
    let db = app.store.db();
    let rows = audit_event::Entity::find().count(db).await.expect("count");
    assert!(rows > 0);

    let rewrite = audit_event::Entity::update_many().col_expr(audit_event::Column::Reason, Expr::value("rewritten")).exec(db).await;
    let erase = audit_event::Entity::delete_many().exec(db).await;
    assert!(rewrite.is_err_and(|e| e.to_string().contains("append-only")), "an UPDATE is refused");
    assert!(erase.is_err_and(|e| e.to_string().contains("append-only")), "a DELETE is refused");
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        assert!(db.execute_unprepared("TRUNCATE audit_events").await.is_err(), "a TRUNCATE is refused");
    }

    assert_eq!(audit_event::Entity::find().count(db).await.expect("count"), rows);
    assert!(audit_event::Entity::find().all(db).await.expect("rows").iter().all(|r| r.reason.as_deref() != Some("rewritten")));
}

#[tokio::test]
async fn the_audit_log_comes_twenty_five_lines_a_page_newest_first_with_the_total() {
    let app = TestApp::spawn().await;
    let people: Vec<String> = (0..30).map(|n| format!("Person {n:02}")).collect();
    app.allowing_people("Initech", &people).await;
    let ada = app.log_in(ADA).await;
    let first: AuditLogPage = ada.ok("audit", &[("page", "0")]).await;
    let second: AuditLogPage = ada.ok("audit", &[("page", "1")]).await;
    assert_eq!((first.total, first.entries.len(), second.total, second.entries.len()), (30, 25, 30, 5));
    let subjects: Vec<String> = first.entries.iter().chain(&second.entries).map(|e| e.subject_name.clone()).collect();
    let newest_first: Vec<String> = people.into_iter().rev().collect();
    assert_eq!(subjects, newest_first);
    let past_the_end: AuditLogPage = ada.ok("audit", &[("page", "2")]).await;
    assert!(past_the_end.entries.is_empty());
}
