//! Upgrading keeps what was stored: grants given before users chose their terms read back as what
//! they were (full access; a started grant's length from its own `ends_at` and first start), so
//! their windows and the history check still add up after the `user_terms` migration; and
//! sessions opened before `password_version` stay open; times stored on SQLite before they had one
//! shape compare and sort as times after `sortable_times`; an upgrade that fails half-way leaves
//! the database as it was, so the next start runs it whole.

use crate::helpers::*;
use sea_orm::sea_query::{Alias, Query};
use sea_orm::{ConnectionTrait, Database, EntityTrait, Set};
use sea_orm_migration::MigratorTrait;
use server::db::entities::{grant, tenant, user};
use server::db::migration::Migrator;
use server::db::to_db_time;
use uuid::Uuid;

/// The migrations before `user_terms`.
const BEFORE_TERMS: u32 = 4;

async fn person(db: &impl ConnectionTrait, tenant: Option<Uuid>, email: &str, role: &str) -> Uuid {
    let id = Uuid::new_v4();
    let row = user::ActiveModel {
        id: Set(id),
        tenant_id: Set(tenant),
        name: Set(email.to_owned()),
        email: Set(email.to_owned()),
        email_normalized: Set(email.to_owned()),
        password_hash: Set(server::db::entities::user::StoredHash::from_stored("not a hash: nobody logs in here".to_owned())),
        role: Set(role.to_owned()),
        consent_version: Set(0),
        // A later migration's column: a row written before it has none.
        password_version: sea_orm::ActiveValue::NotSet,
        created_at: Set(to_db_time(T0)),
    };
    // Without reading the row back: that would ask for every column the entity has now.
    user::Entity::insert(row).exec_without_returning(db).await.expect("a user");
    id
}

/// A grant as the previous schema stored it, without terms; started by `admin` at `started` when given.
async fn old_grant(db: &impl ConnectionTrait, user: Uuid, duration: std::time::Duration, started: Option<(Uuid, app::domain::Timestamp)>) -> Uuid {
    let id = Uuid::new_v4();
    let ends_at = started.map(|(_, at)| to_db_time(at.plus(duration)));
    let mut insert = Query::insert();
    insert
        .into_table(Alias::new("grants"))
        .columns(["id", "user_id", "allowed_at", "start_deadline", "ends_at"].map(Alias::new))
        .values_panic([id.into(), user.into(), to_db_time(T0).into(), to_db_time(T0.plus(HOUR)).into(), ends_at.into()]);
    db.execute(db.get_database_backend().build(&insert)).await.expect("an old grant");
    if let Some((admin, at)) = started {
        let mut insert = Query::insert();
        insert
            .into_table(Alias::new("impersonations"))
            .columns(["id", "grant_id", "super_admin_id", "started_at"].map(Alias::new))
            .values_panic([Uuid::new_v4().into(), id.into(), admin.into(), to_db_time(at).into()]);
        db.execute(db.get_database_backend().build(&insert)).await.expect("an old impersonation");
    }
    id
}

/// A tenant as the schema of the time stores it (no column added since: an insert through the
/// entity would name them).
async fn old_tenant(db: &impl ConnectionTrait, id: Uuid, name: &str) {
    let insert = Query::insert()
        .into_table(tenant::Entity)
        .columns([tenant::Column::Id, tenant::Column::Name, tenant::Column::CreatedAt])
        .values_panic([id.into(), name.into(), to_db_time(T0).into()])
        .to_owned();
    db.execute(db.get_database_backend().build(&insert)).await.expect("an old tenant");
}

#[tokio::test]
async fn grants_from_before_users_chose_their_terms_keep_their_windows_after_the_upgrade() {
    let _limit = TimeLimit::start();
    let (url, _dir) = empty_database().await;
    let db = Database::connect(&url).await.expect("connects");
    Migrator::up(&db, Some(BEFORE_TERMS)).await.expect("the earlier schema");
    let tenant = Uuid::new_v4();
    old_tenant(&db, tenant, "Acme").await;
    let (ann, bob) = (person(&db, Some(tenant), "ann@acme.test", "user").await, person(&db, Some(tenant), "bob@acme.test", "user").await);
    let ada = person(&db, None, "ada@vendor.test", "super_admin").await;
    // Given under a configured two hours and started 1 234 ms after the allow; and one never started.
    let started = old_grant(&db, ann, 2 * HOUR, Some((ada, T0.plus(std::time::Duration::from_millis(1234))))).await;
    let waiting = old_grant(&db, bob, 2 * HOUR, None).await;

    Migrator::up(&db, None).await.expect("the upgrade");

    let read = |id| grant::Entity::find_by_id(id).one(&db);
    let started = read(started).await.expect("reads").expect("kept");
    assert_eq!((started.access.as_str(), started.duration_ms), ("full", 2 * 3_600_000), "its own length, to the millisecond");
    let waiting = read(waiting).await.expect("reads").expect("kept");
    assert_eq!((waiting.access.as_str(), waiting.duration_ms), ("full", 24 * 3_600_000), "the product's default day");
}

/// A session as the schema before `password_version` stored it (no version), for `secret`'s
/// holder: its `created_at`, `expires_at` and `last_seen_at` as given.
async fn old_session(db: &impl ConnectionTrait, secret: &app::backend::SessionSecret, user: Uuid, times: [sea_orm::sea_query::SimpleExpr; 3]) {
    let mut insert = Query::insert();
    let [created, expires, last_seen] = times;
    insert
        .into_table(Alias::new("sessions"))
        .columns(["id_hash", "user_id", "created_at", "expires_at", "last_seen_at"].map(Alias::new))
        .values_panic([secret.key().as_str().into(), user.into(), created, expires, last_seen]);
    db.execute(db.get_database_backend().build(&insert)).await.expect("a session of the earlier schema");
}

/// The migrations before `password_version`.
const BEFORE_PASSWORD_VERSION: u32 = 5;

/// Nobody is logged out by the upgrade that ties sessions to passwords: a session and its owner
/// stored before it both get the same first version.
#[tokio::test]
async fn a_session_opened_before_sessions_belonged_to_a_password_still_works_after_the_upgrade() {
    let (url, _dir) = empty_database().await;
    let db = Database::connect(&url).await.expect("connects");
    Migrator::up(&db, Some(BEFORE_PASSWORD_VERSION)).await.expect("the earlier schema");
    let tenant = Uuid::new_v4();
    old_tenant(&db, tenant, "Early Co").await;
    let early = person(&db, Some(tenant), "early@early.test", "user").await;
    let secret = app::backend::SessionSecret::from_random_bytes([7; 32]);
    old_session(&db, &secret, early, [to_db_time(T0).into(), to_db_time(T0.plus(HOUR)).into(), to_db_time(T0).into()]).await;
    db.close().await.expect("closed");

    // The server upgrades the database as it starts.
    let app = TestApp::spawn_with(|s| s.database_url = url.clone()).await;
    let browser = app.browser_holding(&secret.encode());
    assert_eq!(browser.viewer().await.map(|v| v.email), Some("early@early.test".to_owned()), "still logged in");
}

/// The migrations before `sortable_times`.
const BEFORE_SORTABLE_TIMES: u32 = 7;

/// A time as the earlier code stored it on SQLite: RFC 3339, the fraction's trailing zeros cut.
fn old_shape(db: &impl ConnectionTrait, text: &str) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::Expr;
    match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => Expr::val(text).cast_as(Alias::new("timestamptz")),
        _ => Expr::val(text).into(),
    }
}

/// Two tasks added 20 ms apart in one second, and the session that reads them, as the earlier
/// code stored them: the later task's text sorted first.
#[tokio::test]
async fn times_stored_before_they_had_one_shape_sort_as_times_after_the_upgrade() {
    let (url, _dir) = empty_database().await;
    let db = Database::connect(&url).await.expect("connects");
    Migrator::up(&db, Some(BEFORE_SORTABLE_TIMES)).await.expect("the earlier schema");
    let tenant = Uuid::new_v4();
    old_tenant(&db, tenant, "Early Co").await;
    let early = person(&db, Some(tenant), "early@early.test", "user").await;
    for (title, at) in [("first", "2026-11-27T12:00:00.7Z"), ("second", "2026-11-27T12:00:00.72Z")] {
        let mut insert = Query::insert();
        insert
            .into_table(Alias::new("tasks"))
            .columns(["id", "tenant_id", "title", "created_by", "created_at"].map(Alias::new))
            .values_panic([Uuid::new_v4().into(), tenant.into(), title.into(), early.into(), old_shape(&db, at)]);
        db.execute(db.get_database_backend().build(&insert)).await.expect("an old task");
    }
    let secret = app::backend::SessionSecret::from_random_bytes([9; 32]);
    let (opened, ends) = (old_shape(&db, "2026-11-27T12:00:00Z"), old_shape(&db, "2026-11-27T13:00:00Z"));
    old_session(&db, &secret, early, [opened.clone(), ends, opened]).await;
    db.close().await.expect("closed");

    let app = TestApp::spawn_with(|s| s.database_url = url.clone()).await;
    let browser = app.browser_holding(&secret.encode());
    let tasks: Vec<(String, i64)> = browser.tasks().await.into_iter().map(|t| (t.title, t.created_at.unix_millis() - T0.unix_millis())).collect();
    assert_eq!(tasks, [("first".to_owned(), 700), ("second".to_owned(), 720)], "in the order added, each to its millisecond");
    // Half a second past the session's stored end (a whole second), the sweeper finds it over.
    app.advance(HOUR + 500 * MS);
    app.store.sweep().await.expect("sweep");
    use sea_orm::PaginatorTrait;
    let sessions = server::db::entities::session::Entity::find().count(app.store.db()).await.expect("count");
    assert_eq!(sessions, 0, "the session is over");
}

/// `password_version` adds a column to `users`, then one to `sessions`. Here the second fails (the
/// column is already there), after the first has run: the start fails, and must leave `users` as
/// it was, or the next start fails on the column the first step left ("duplicate column").
#[tokio::test]
async fn an_upgrade_that_fails_half_way_leaves_the_database_as_it_was_for_the_next_start() {
    let (url, _dir) = empty_database().await;
    let db = Database::connect(&url).await.expect("connects");
    Migrator::up(&db, Some(BEFORE_PASSWORD_VERSION)).await.expect("the earlier schema");
    let in_the_way = |sql: &'static str| {
        let db = &db;
        async move { db.execute_unprepared(sql).await.expect("changes the schema") }
    };
    in_the_way("ALTER TABLE sessions ADD COLUMN password_version BIGINT").await;

    assert!(server::db::connect(&url, 1).await.is_err(), "the upgrade fails at its second step");
    in_the_way("ALTER TABLE sessions DROP COLUMN password_version").await;
    db.close().await.expect("closed");

    let app = TestApp::spawn_with(|s| s.database_url = url.clone()).await;
    assert!(app.log_in(ANN).await.viewer().await.is_some(), "the next start upgrades, and people log in");
}
