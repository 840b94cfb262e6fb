//! The impersonation rules, through the real router, the real database and an injected clock,
//! standing at every boundary.

use crate::helpers::*;
use app::api::ApiError;
use app::api::types::{CandidateState, ConsentState, Home, LiveStatus};
use app::domain::{EndReason, LogoutScope, Refusal};
use reqwest::StatusCode;

const DAY: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

async fn banner_ends_at(browser: &Browser) -> app::domain::Timestamp {
    match browser.status().await {
        LiveStatus::Impersonating { banner } => banner.ends_at,
        other => panic!("not impersonating: {other:?}"),
    }
}

/// Why the switcher says this super admin's last impersonation ended, if it says anything.
async fn ended_because(browser: &Browser) -> Option<EndReason> {
    assert_eq!(browser.status().await, LiveStatus::Own, "back in her own session");
    browser.switcher().await.notice.map(|n| n.reason)
}

// Rule 1

#[tokio::test]
async fn allowing_gives_staff_a_start_window_and_allowing_again_changes_nothing() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    assert_eq!(ann.consent_state().await, ConsentState::NotAllowed);
    ann.allows().await;
    let deadline = T0.plus(DAY);
    assert_eq!(ann.consent_state().await, ConsentState::Waiting { start_deadline: deadline });
    app.advance(HOUR);
    ann.allows().await;
    assert_eq!(ann.consent_state().await, ConsentState::Waiting { start_deadline: deadline }, "the deadline did not move");
}

#[tokio::test]
async fn the_start_window_is_configurable() {
    let app = TestApp::spawn_with(|s| s.policy.start_window = std::time::Duration::from_secs(5)).await;
    let ann = app.log_in(ANN).await;
    ann.allows().await;
    assert_eq!(ann.consent_state().await, ConsentState::Waiting { start_deadline: T0.plus(std::time::Duration::from_secs(5)) });
}

// Rules 2 and 3

#[tokio::test]
async fn a_start_one_millisecond_before_the_start_deadline_succeeds_and_fixes_ends_at() {
    let app = TestApp::spawn().await;
    app.log_in(ANN).await.allows().await;
    app.advance(DAY - MS);
    let ada = app.log_in(ADA).await;
    ada.starts_impersonating(app.id(ANN)).await;
    assert_eq!(banner_ends_at(&ada).await, app.now().plus(DAY));
    assert_eq!(ada.sees_as().await.as_deref(), Some("Ann Lee"));
}

#[tokio::test]
async fn at_the_start_deadline_the_unstarted_grant_is_over() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    ann.allows().await;
    let ada = app.log_in(ADA).await;
    app.advance(DAY);
    let (status, error) = ada.fails("impersonation/start", &[("user", &app.id(ANN).to_string()), ("reason", "")]).await;
    assert_eq!((status, error), (StatusCode::FORBIDDEN, ApiError::Refused(Refusal::GrantExpired)));
    assert!(ada.switcher().await.candidates.is_empty(), "the user left the switcher");
    assert_eq!(ann.consent_state().await, ConsentState::NotAllowed, "the profile flips back to Allow");
}

#[tokio::test]
async fn a_second_super_admin_joins_without_moving_ends_at() {
    let app = TestApp::spawn().await;
    app.log_in(ANN).await.allows().await;
    let ada = app.log_in(ADA).await;
    ada.starts_impersonating(app.id(ANN)).await;
    let ends_at = banner_ends_at(&ada).await;
    app.advance(HOUR);
    let sam = app.log_in(SAM).await;
    sam.starts_impersonating(app.id(ANN)).await;
    assert_eq!(banner_ends_at(&sam).await, ends_at);
    assert_eq!(banner_ends_at(&ada).await, ends_at);
    match &app.log_in(ADA).await.switcher().await.candidates[0].state {
        CandidateState::Running { ends_at: shown, by } => {
            assert_eq!(*shown, ends_at);
            assert_eq!(by, &vec!["Ada Admin".to_owned(), "Sam Support".to_owned()]);
        }
        other => panic!("{other:?}"),
    }
}

// Rule 4

#[tokio::test]
async fn an_impersonation_is_the_users_until_ends_at_and_over_at_ends_at() {
    let app = TestApp::spawn().await;
    app.log_in(ANN).await.allows().await;
    let ada = app.log_in(ADA).await;
    ada.starts_impersonating(app.id(ANN)).await;
    app.advance(DAY - MS);
    assert_eq!(ada.sees_as().await.as_deref(), Some("Ann Lee"));
    let home: Home = ada.ok("home", &[]).await;
    assert!(matches!(home, Home::Tenant { ref tenant_name, .. } if tenant_name == "Acme"), "{home:?}");

    app.advance(MS);
    assert_eq!(ada.sees_as().await.as_deref(), Some("Ada Admin"), "back in her own session, no re-login");
    let home: Home = ada.ok("home", &[]).await;
    assert_eq!(home, Home::SuperAdmin, "her own home page again");
    let (status, _) = ada.fails("tasks/add", &[("title", "too late")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "none of the user's rights are left");
    assert_eq!(ended_because(&ada).await, Some(EndReason::DurationOver));
    let sam = app.log_in(SAM).await;
    let (_, error) = sam.fails("impersonation/start", &[("user", &app.id(ANN).to_string()), ("reason", "")]).await;
    assert_eq!(error, ApiError::Refused(Refusal::GrantExpired));
}

#[tokio::test]
async fn the_duration_is_configurable() {
    let app = TestApp::spawn_with(|s| s.policy.duration = std::time::Duration::from_secs(5)).await;
    app.log_in(ANN).await.allows().await;
    let ada = app.log_in(ADA).await;
    ada.starts_impersonating(app.id(ANN)).await;
    assert_eq!(banner_ends_at(&ada).await, T0.plus(std::time::Duration::from_secs(5)));
}

// Rule 5

#[tokio::test]
async fn disallowing_ends_every_impersonation_on_the_very_next_request() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    ann.allows().await;
    let (ada, sam) = (app.log_in(ADA).await, app.log_in(SAM).await);
    ada.starts_impersonating(app.id(ANN)).await;
    sam.starts_impersonating(app.id(ANN)).await;
    ann.disallows().await;
    for admin in [&ada, &sam] {
        assert_eq!(ended_because(admin).await, Some(EndReason::Disallowed));
        assert!(!admin.is_impersonating().await);
    }
    assert_eq!(ann.consent_state().await, ConsentState::NotAllowed);
    let (_, error) = ada.fails("impersonation/start", &[("user", &app.id(ANN).to_string()), ("reason", "")]).await;
    assert_eq!(error, ApiError::Refused(Refusal::NoGrant));
}

#[tokio::test]
async fn a_write_after_a_disallow_is_refused_even_from_an_open_page() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    ann.allows().await;
    let ada = app.log_in(ADA).await;
    ada.starts_impersonating(app.id(ANN)).await;
    ann.disallows().await;
    let (status, _) = ada.fails("tasks/add", &[("title", "sneaky")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(ann.tasks().await.iter().all(|t| t.title != "sneaky"));
}

// Rule 6

#[tokio::test]
async fn the_user_keeps_working_undisturbed_while_impersonated() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    let cookie = ann.session_cookie();
    ann.allows().await;
    let ada = app.log_in(ADA).await;
    ada.starts_impersonating(app.id(ANN)).await;
    let _: app::api::types::Task = ann.ok("tasks/add", &[("title", "written by Ann")]).await;
    let _: app::api::types::Task = ada.ok("tasks/add", &[("title", "written as Ann")]).await;
    ada.stops().await;
    ann.disallows().await;
    assert_eq!(ann.session_cookie(), cookie, "the user's session never moved");
    assert_eq!(ann.sees_as().await.as_deref(), Some("Ann Lee"));
    let tasks = ann.tasks().await;
    let titles: Vec<_> = tasks.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(titles, ["written by Ann", "written as Ann"]);
}

// Rule 7

#[tokio::test]
async fn stopping_ends_every_impersonation_of_the_user_but_the_window_stays_open() {
    let app = TestApp::spawn().await;
    app.log_in(ANN).await.allows().await;
    let (ada, sam) = (app.log_in(ADA).await, app.log_in(SAM).await);
    ada.starts_impersonating(app.id(ANN)).await;
    let ends_at = banner_ends_at(&ada).await;
    sam.starts_impersonating(app.id(ANN)).await;
    app.advance(HOUR);
    ada.stops().await;
    assert_eq!(ended_because(&sam).await, Some(EndReason::CoImpersonatorLoggedOut));
    assert_eq!(ended_because(&ada).await, None, "she stopped herself: no notice");

    app.advance(HOUR);
    sam.starts_impersonating(app.id(ANN)).await;
    assert_eq!(banner_ends_at(&sam).await, ends_at, "the countdown continues from the same ends_at");
}

/// Ann allows; Ada, then Sam, impersonate her.
async fn ann_impersonated_by_ada_and_sam(app: &TestApp) -> (Browser, Browser) {
    app.log_in(ANN).await.allows().await;
    let (ada, sam) = (app.log_in(ADA).await, app.log_in(SAM).await);
    ada.starts_impersonating(app.id(ANN)).await;
    sam.starts_impersonating(app.id(ANN)).await;
    (ada, sam)
}

#[tokio::test]
async fn logging_out_while_impersonating_logs_out_every_impersonator_of_that_user() {
    let app = TestApp::spawn().await;
    app.log_in(ANN).await.allows().await;
    app.log_in(BOB).await.allows().await;
    let (ada, sam) = (app.log_in(ADA).await, app.log_in(SAM).await);
    let sam_on_bob = app.log_in(SAM).await;
    ada.starts_impersonating(app.id(ANN)).await;
    sam.starts_impersonating(app.id(ANN)).await;
    sam_on_bob.starts_impersonating(app.id(BOB)).await;
    let _: () = ada.ok("auth/logout", &[]).await;
    assert_eq!(ada.viewer().await, None, "logged out");
    assert_eq!(ended_because(&sam).await, Some(EndReason::CoImpersonatorLoggedOut));
    assert!(sam_on_bob.is_impersonating().await, "another user's impersonation is untouched");
    let ada = app.log_in(ADA).await;
    ada.starts_impersonating(app.id(ANN)).await;
}

/// Makes every deletion of a session fail, as a database that refuses a write would, until the
/// answer is dropped.
async fn sessions_cannot_be_deleted(app: &TestApp) -> impl AsyncFnOnce() {
    use sea_orm::{ConnectionTrait, DbBackend};
    let db = app.store.db();
    let (refuse, allow): (&[&str], &[&str]) = match db.get_database_backend() {
        DbBackend::Postgres => (
            &[
                "CREATE FUNCTION refuse_deleting() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql",
                "CREATE TRIGGER refuse_deleting BEFORE DELETE ON sessions FOR EACH ROW EXECUTE FUNCTION refuse_deleting()",
            ],
            &["DROP TRIGGER refuse_deleting ON sessions", "DROP FUNCTION refuse_deleting()"],
        ),
        _ => (
            &["CREATE TRIGGER refuse_deleting BEFORE DELETE ON sessions BEGIN SELECT RAISE(ABORT, 'refused'); END"],
            &["DROP TRIGGER refuse_deleting"],
        ),
    };
    for sql in refuse {
        db.execute_unprepared(sql).await.expect("the trigger");
    }
    async move || {
        for sql in allow {
            db.execute_unprepared(sql).await.expect("the trigger goes");
        }
    }
}

#[tokio::test]
async fn a_logout_that_fails_keeps_the_cookie_so_that_logging_out_again_ends_every_impersonation() {
    let app = TestApp::spawn().await;
    let (ada, sam) = ann_impersonated_by_ada_and_sam(&app).await;
    let cookie = ada.session_cookie();

    let fixed = sessions_cannot_be_deleted(&app).await;
    let (status, error) = ada.fails("auth/logout", &[]).await;
    assert_eq!((status, error), (StatusCode::INTERNAL_SERVER_ERROR, ApiError::Internal));
    assert_eq!(ada.session_cookie(), cookie, "the browser still holds its session");
    assert!(ada.is_impersonating().await && sam.is_impersonating().await, "nothing ended");

    fixed().await;
    let _: () = ada.ok("auth/logout", &[]).await;
    assert_eq!(ada.viewer().await, None, "logged out");
    assert_eq!(ended_because(&sam).await, Some(EndReason::CoImpersonatorLoggedOut));
}

#[tokio::test]
async fn with_scope_own_stopping_ends_only_ones_own_impersonation() {
    let app = TestApp::spawn_with(|s| s.policy.logout_scope = LogoutScope::Own).await;
    let (ada, sam) = ann_impersonated_by_ada_and_sam(&app).await;
    ada.stops().await;
    assert!(sam.is_impersonating().await);
}

// Rule 8

#[tokio::test]
async fn a_super_admin_who_changes_their_password_ends_the_impersonations_of_their_other_sessions() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    ann.allows().await;
    let (laptop, desk) = (app.log_in(ADA).await, app.log_in(ADA).await);
    laptop.starts_impersonating(app.id(ANN)).await;
    let _: () = desk.ok("account/password", &[("current", PASSWORD), ("new", "a brand new passphrase")]).await;

    assert_eq!(laptop.viewer().await, None, "the other session is logged out");
    assert!(matches!(ann.consent_state().await, ConsentState::Running { ref by, .. } if by.is_empty()), "nobody impersonates Ann any more");
    let log = desk.ok::<app::api::types::AuditLogPage>("audit", &[]).await.entries;
    let last = log.first().expect("an audit line");
    assert_eq!((last.kind, last.end_reason), (app::api::types::AuditKind::Ended, Some(EndReason::SessionEnded)));
}

#[tokio::test]
async fn starting_and_stopping_issue_fresh_session_ids_and_the_old_ones_stop_working() {
    let app = TestApp::spawn().await;
    app.log_in(ANN).await.allows().await;
    let ada = app.log_in(ADA).await;
    let own = ada.session_cookie().expect("cookie");
    ada.starts_impersonating(app.id(ANN)).await;
    let inside = ada.session_cookie().expect("cookie");
    assert_ne!(own, inside);
    ada.stops().await;
    let back = ada.session_cookie().expect("cookie");
    assert_ne!(back, inside);
    assert_eq!(ada.sees_as().await.as_deref(), Some("Ada Admin"), "returned without logging in again");
    for old in [own, inside] {
        let replay = app.browser_holding(&old);
        assert_eq!(replay.viewer().await, None);
    }
}

#[tokio::test]
async fn an_impersonation_ends_with_the_super_admins_session() {
    let app = TestApp::spawn_with(|s| s.sessions.idle_timeout = HOUR).await;
    app.log_in(ANN).await.allows().await;
    let ada = app.log_in(ADA).await;
    ada.starts_impersonating(app.id(ANN)).await;
    app.advance(app.settings.sessions.idle_timeout);
    assert_eq!(ada.viewer().await, None, "the session is over");
    let history = app.log_in(ANN).await.profile().await.history;
    assert_eq!(history[0].end_reason, Some(EndReason::SessionEnded));
    assert_eq!(history[0].ended_at, Some(app.now()));
}

#[tokio::test]
async fn a_super_admin_who_loses_the_role_loses_the_impersonation() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    use server::db::entities::user;
    let app = TestApp::spawn().await;
    app.log_in(ANN).await.allows().await;
    let ada = app.log_in(ADA).await;
    ada.starts_impersonating(app.id(ANN)).await;
    user::Entity::update_many()
        .col_expr(user::Column::Role, Expr::value("user"))
        .col_expr(user::Column::TenantId, Expr::value(app.acme.uuid()))
        .filter(user::Column::Id.eq(app.id(ADA).uuid()))
        .exec(app.store.db())
        .await
        .expect("demoted");
    assert_eq!(ada.sees_as().await.as_deref(), Some("Ada Admin"));
    assert!(!ada.is_impersonating().await);
    let history = app.log_in(ANN).await.profile().await.history;
    assert_eq!(history[0].end_reason, Some(EndReason::SessionEnded));
}

// Rule 9

#[tokio::test]
async fn super_admins_and_oneself_cannot_be_impersonated() {
    let app = TestApp::spawn().await;
    let ada = app.log_in(ADA).await;
    for target in [SAM, ADA] {
        let (status, error) = ada.fails("impersonation/start", &[("user", &app.id(target).to_string()), ("reason", "")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(matches!(error, ApiError::Refused(Refusal::SubjectIsSuperAdmin | Refusal::SubjectIsSelf)), "{error:?}");
    }
    let (_, error) = ada.fails("impersonation/start", &[("user", &app.id(ADA).to_string()), ("reason", "")]).await;
    assert_eq!(error, ApiError::Refused(Refusal::SubjectIsSelf));
}

#[tokio::test]
async fn a_super_admin_cannot_allow_being_impersonated() {
    let app = TestApp::spawn().await;
    let (status, error) = app.log_in(ADA).await.fails("impersonation/allow", &[]).await;
    assert_eq!((status, error), (StatusCode::FORBIDDEN, ApiError::Refused(Refusal::SubjectIsSuperAdmin)));
}

#[tokio::test]
async fn an_impersonator_can_neither_chain_nor_touch_consent_password_or_email() {
    let app = TestApp::spawn().await;
    app.log_in(ANN).await.allows().await;
    app.log_in(BOB).await.allows().await;
    let ada = app.log_in(ADA).await;
    ada.starts_impersonating(app.id(ANN)).await;
    let while_impersonating = (StatusCode::FORBIDDEN, ApiError::Refused(Refusal::WhileImpersonating));
    assert_eq!(ada.fails("impersonation/start", &[("user", &app.id(BOB).to_string()), ("reason", "")]).await, while_impersonating);
    assert_eq!(ada.fails("impersonation/allow", &[]).await, while_impersonating);
    assert_eq!(ada.fails("impersonation/disallow", &[]).await, while_impersonating);
    assert_eq!(ada.fails("account/password", &[("current", PASSWORD), ("new", "a brand new password")]).await, while_impersonating);
    assert_eq!(ada.fails("account/email", &[("email", "ada2@vendor.test"), ("current", PASSWORD)]).await, while_impersonating);
    let profile = ada.profile().await;
    assert_eq!(profile.name, "Ann Lee", "an impersonator sees the user's profile");
    assert!(profile.consent.locked_because.is_some(), "and is told why the menu cannot change it");
    assert!(matches!(profile.consent.state, ConsentState::Running { .. }), "the consent is untouched");
}

#[tokio::test]
async fn an_unknown_user_cannot_be_impersonated() {
    let app = TestApp::spawn().await;
    let (status, error) = app.log_in(ADA).await.fails("impersonation/start", &[("user", &uuid::Uuid::nil().to_string()), ("reason", "")]).await;
    assert_eq!((status, error), (StatusCode::NOT_FOUND, ApiError::NotFound));
}

// Rule 10 (see also audit.rs)

#[tokio::test]
async fn a_required_reason_must_be_given() {
    let app = TestApp::spawn_with(|s| s.policy.require_reason = true).await;
    app.log_in(ANN).await.allows().await;
    let ada = app.log_in(ADA).await;
    let (status, error) = ada.fails("impersonation/start", &[("user", &app.id(ANN).to_string()), ("reason", "   ")]).await;
    assert_eq!((status, error), (StatusCode::UNPROCESSABLE_ENTITY, ApiError::Refused(Refusal::ReasonRequired)));
    assert!(ada.switcher().await.require_reason);
    assert_eq!(ada.start(app.id(ANN), "ticket #42").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_clock_a_little_behind_the_start_keeps_the_impersonation_and_dates_nothing_before_it() {
    let app = TestApp::spawn().await;
    app.log_in(ANN).await.allows().await;
    let ada = app.log_in(ADA).await;
    ada.starts_impersonating(app.id(ANN)).await;
    let started = app.now();
    // Ada's next requests land on an instance whose clock reads 3 ms earlier (or this clock
    // stepped back): the impersonation another clock started is not a broken record.
    app.clock.set(started.minus(3 * MS));
    assert!(ada.is_impersonating().await, "still impersonating");
    let _: app::api::types::Task = ada.ok("tasks/add", &[("title", "Written on a slow clock")]).await;
    ada.stops().await;
    let (imp, _) = app.all_impersonations_of(app.id(ANN)).await.remove(0);
    let ended = imp.ended.expect("ended by the stop");
    assert_eq!((ended.reason, ended.at), (EndReason::Stopped, started), "dated at its start, not before");
    let records = app.store.stored_records().await.expect("the stored records");
    assert_eq!(records.violations(&app.settings.policy, started).len(), 0, "the history and the audit log keep the rules");
}
