//! How the database finds the rows of the reads every open page makes, however long the audit log
//! grows. A plan, not a time: the database says which index it walks and whether it reads rows
//! only to drop them.

use crate::helpers::*;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, Set, Statement};
use server::db::entities::audit_event;

#[tokio::test]
async fn the_latest_audit_line_about_a_user_is_found_without_walking_everyone_elses() {
    let app = TestApp::spawn().await;
    let db = app.store.db();
    let ann = app.id(ANN).uuid();
    // Ann's lines are the oldest: walking back from the newest line reads everyone else's first.
    lines_about(db, ann, 500).await;
    for _ in 0..10 {
        lines_about(db, uuid::Uuid::new_v4(), 500).await;
    }
    let plan = plan_of(db, &format!("SELECT coalesce(max(id), 0) FROM audit_events WHERE subject_id = '{ann}'")).await;
    assert!(plan.contains("audit_events_by_subject_and_id"), "the subject's index: {plan}");
    assert!(!plan.contains("Rows Removed by Filter"), "no line read only to be dropped: {plan}");
}

async fn lines_about(db: &DatabaseConnection, subject: uuid::Uuid, count: usize) {
    let line = |_| audit_event::ActiveModel {
        at: Set(server::db::to_db_time(T0)),
        kind: Set("allowed".to_owned()),
        subject_id: Set(subject),
        grant_id: Set(uuid::Uuid::new_v4()),
        ..Default::default()
    };
    audit_event::Entity::insert_many((0..count).map(line)).exec(db).await.expect("lines written");
}

/// The plan the database runs `sql` with: PostgreSQL's as run, SQLite's as planned.
async fn plan_of(db: &DatabaseConnection, sql: &str) -> String {
    let backend = db.get_database_backend();
    let (explain, column) = match backend {
        DbBackend::Postgres => {
            // As autovacuum leaves a table: statistics fresh, its rows marked visible to all.
            db.execute_unprepared("VACUUM ANALYZE audit_events").await.expect("statistics");
            (format!("EXPLAIN ANALYZE {sql}"), "QUERY PLAN")
        }
        _ => (format!("EXPLAIN QUERY PLAN {sql}"), "detail"),
    };
    let rows = db.query_all(Statement::from_string(backend, explain)).await.expect("a plan");
    rows.iter().map(|row| row.try_get::<String>("", column).expect("a line of the plan")).collect::<Vec<_>>().join("\n")
}
