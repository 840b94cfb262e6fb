//! Logging in and out, sessions and their lifetimes, throttling.

use crate::helpers::*;
use app::api::ApiError;
use reqwest::StatusCode;
use sea_orm::{EntityTrait, PaginatorTrait};
use server::db::entities::session;
use std::time::Duration;

#[tokio::test]
async fn a_user_logs_in_and_gets_an_http_only_lax_cookie_whose_secret_is_not_stored() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let response = browser.log_in(ANN, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let set_cookie = response.headers().get("set-cookie").and_then(|v| v.to_str().ok()).expect("a cookie").to_owned();
    assert!(set_cookie.starts_with("impersonate_session="), "{set_cookie}");
    assert!(set_cookie.contains("HttpOnly"));
    assert!(set_cookie.contains("SameSite=Lax"));
    assert!(set_cookie.contains("Path=/"));

    let secret = browser.session_cookie().expect("the browser holds it");
    let rows = session::Entity::find().all(app.store.db()).await.expect("sessions");
    assert_eq!(rows.len(), 1);
    let stored = rows[0].id_hash.clone().into_key();
    assert_ne!(stored.as_str(), secret, "only a hash of the secret is stored");
    assert_eq!(stored.as_str().len(), 64);
    assert_eq!(browser.sees_as().await.as_deref(), Some("Ann Lee"));
}

#[tokio::test]
async fn login_answers_where_to_go_next_and_never_off_site() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let next: String = browser.ok("auth/login", &[("email", ANN), ("password", PASSWORD), ("next", "/profile")]).await;
    assert_eq!(next, "/profile");
    let browser = app.browser();
    let next: String = browser.ok("auth/login", &[("email", ANN), ("password", PASSWORD), ("next", "//evil.example")]).await;
    assert_eq!(next, "/");
}

#[tokio::test]
async fn emails_are_matched_case_insensitively() {
    let app = TestApp::spawn().await;
    let response = app.browser().log_in("  ANN@Acme.TEST ", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let wrong = app.browser().fails("auth/login", &[("email", ANN), ("password", "not it at all"), ("next", "")]).await;
    let unknown = app.browser().fails("auth/login", &[("email", "nobody@acme.test"), ("password", PASSWORD), ("next", "")]).await;
    assert_eq!(wrong, (StatusCode::UNAUTHORIZED, ApiError::InvalidCredentials));
    assert_eq!(unknown, wrong);
}

#[tokio::test]
async fn logging_out_deletes_the_session_and_the_cookie() {
    let app = TestApp::spawn().await;
    let browser = app.log_in(ANN).await;
    let secret = browser.session_cookie().expect("cookie");
    let _: () = browser.ok("auth/logout", &[]).await;
    assert_eq!(browser.session_cookie(), None, "the cookie is removed");
    assert_eq!(session::Entity::find().count(app.store.db()).await.expect("count"), 0);

    let replay = app.browser_holding(&secret);
    assert_eq!(replay.viewer().await, None, "the old secret opens nothing");
}

#[tokio::test]
async fn a_session_ends_at_its_absolute_lifetime_however_active() {
    let app = TestApp::spawn().await;
    let browser = app.log_in(ANN).await;
    let lifetime = app.settings.sessions.lifetime;
    let step = app.settings.sessions.idle_timeout / 2;
    let mut elapsed = Duration::ZERO;
    while elapsed + step < lifetime {
        app.advance(step);
        elapsed += step;
        assert!(browser.viewer().await.is_some(), "still in after {elapsed:?}");
    }
    app.advance(lifetime - elapsed - MS);
    assert!(browser.viewer().await.is_some(), "in one millisecond before the end");
    app.advance(MS);
    assert_eq!(browser.viewer().await, None, "out at the end");
}

#[tokio::test]
async fn an_idle_session_ends_after_the_idle_timeout() {
    let app = TestApp::spawn().await;
    let browser = app.log_in(ANN).await;
    app.advance(app.settings.sessions.idle_timeout - MS);
    assert!(browser.viewer().await.is_some());
    // That request was use: the idle clock restarts from it.
    app.advance(app.settings.sessions.idle_timeout);
    assert_eq!(browser.viewer().await, None);
}

/// An open page (re)opens its live channel on its own, and asks for the session's status when the
/// channel closes; neither means anyone is there.
#[tokio::test]
async fn what_an_open_page_asks_on_its_own_does_not_keep_its_session_from_idling_out() {
    const MINUTE: Duration = Duration::from_secs(60);
    let app = TestApp::spawn().await;
    let browser = app.log_in(ANN).await;
    app.advance(app.settings.sessions.idle_timeout - 2 * MINUTE);
    assert_eq!(browser.get("/api/events").await.status(), StatusCode::OK, "the live channel opens");
    app.advance(MINUTE);
    assert!(browser.status().await == app::api::types::LiveStatus::Own, "the status call answers");
    app.advance(MINUTE);
    assert_eq!(browser.viewer().await, None, "out at the idle timeout after the login, the last use");
}

#[tokio::test]
async fn a_session_in_use_outlives_the_shortest_idle_timeout() {
    let app = TestApp::spawn_with(|s| s.sessions.idle_timeout = Duration::from_secs(60)).await;
    let browser = app.log_in(ANN).await;
    for second in (10..=180).step_by(10) {
        app.advance(Duration::from_secs(10));
        assert!(browser.viewer().await.is_some(), "in use every 10 s, still in at {second} s");
    }
    app.advance(Duration::from_secs(60));
    assert_eq!(browser.viewer().await, None, "out after a minute unused");
}

#[tokio::test]
async fn an_expired_session_is_sent_to_the_login_page_and_its_cookie_dropped() {
    let app = TestApp::spawn().await;
    let browser = app.log_in(ANN).await;
    app.advance(app.settings.sessions.lifetime);
    let response = browser.get("/profile").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/login?next=/profile");
    assert_eq!(browser.session_cookie(), None);
}

#[tokio::test]
async fn forged_truncated_and_bit_flipped_cookies_are_simply_no_session() {
    let app = TestApp::spawn().await;
    let real = app.log_in(ANN).await.session_cookie().expect("cookie");
    let mut flipped = real.clone().into_bytes();
    flipped[10] = if flipped[10] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).expect("ascii");
    for forged in [real[..real.len() - 1].to_owned(), flipped, "x".repeat(43), "not a cookie at all".into(), "%00%ff".into()] {
        let browser = app.browser_holding(&forged);
        assert_eq!(browser.viewer().await, None, "{forged:?}");
        assert_eq!(browser.get("/").await.status(), StatusCode::SEE_OTHER);
    }
}

#[tokio::test]
async fn a_session_id_planted_before_login_is_never_adopted() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let planted = "A".repeat(43);
    browser.set_session_cookie(&planted);
    assert_eq!(browser.log_in(ANN, PASSWORD).await.status(), StatusCode::OK);
    let after = browser.session_cookie().expect("a session");
    assert_ne!(after, planted);
    let other = app.browser_holding(&planted);
    assert_eq!(other.viewer().await, None);
}

#[tokio::test]
async fn a_refused_login_leaves_the_browser_as_it_was_impersonation_and_all() {
    let app = TestApp::spawn().await;
    app.log_in(ANN).await.allows().await;
    let ada = app.log_in(ADA).await;
    ada.starts_impersonating(app.id(ANN)).await;
    let (status, _) = ada.fails("auth/login", &[("email", BOB), ("password", "not the password"), ("next", "")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(ada.is_impersonating().await, "still impersonating Ann");
    assert!(app.all_impersonations_of(app.id(ANN)).await.iter().all(|(i, _)| i.ended.is_none()), "nothing ended");
}

#[tokio::test]
async fn logging_in_again_ends_the_previous_session_of_that_browser() {
    let app = TestApp::spawn().await;
    let browser = app.log_in(ANN).await;
    let first = browser.session_cookie().expect("cookie");
    assert_eq!(browser.log_in(BOB, PASSWORD).await.status(), StatusCode::OK);
    let replay = app.browser_holding(&first);
    assert_eq!(replay.viewer().await, None);
    assert_eq!(browser.sees_as().await.as_deref(), Some("Bob Stone"));
}

#[tokio::test]
async fn visitors_are_redirected_to_login_and_back() {
    let app = TestApp::spawn().await;
    let visitor = app.browser();
    let response = visitor.get("/impersonate?q=ann").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/login?next=/impersonate%3Fq%3Dann");

    let next: String = visitor.ok("auth/login", &[("email", ADA), ("password", PASSWORD), ("next", "/impersonate?q=ann")]).await;
    assert_eq!(next, "/impersonate?q=ann");
    // A logged-in visit to the login page goes on to `next`.
    let response = visitor.get("/login?next=%2Fimpersonate").await;
    assert_eq!(response.headers()["location"], "/impersonate");
}

#[tokio::test]
async fn repeated_failures_lock_the_account_with_a_clear_wait() {
    let app = TestApp::spawn().await;
    for _ in 0..app.settings.login.account.max_failures {
        let (status, _) = app.browser().fails("auth/login", &[("email", ANN), ("password", "wrong password!"), ("next", "")]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let lockout = app.settings.login.account.lockout.as_secs();
    let (status, error) = app.browser().fails("auth/login", &[("email", ANN), ("password", PASSWORD), ("next", "")]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(error, ApiError::Throttled { retry_after_secs: lockout });
    assert_eq!(error.to_string(), format!("Too many failed attempts. Try again in {lockout} s."));

    app.advance(app.settings.login.account.lockout - Duration::from_secs(1));
    let (_, error) = app.browser().fails("auth/login", &[("email", ANN), ("password", PASSWORD), ("next", "")]).await;
    assert_eq!(error, ApiError::Throttled { retry_after_secs: 1 });
    app.advance(Duration::from_secs(1));
    assert_eq!(app.browser().log_in(ANN, PASSWORD).await.status(), StatusCode::OK);
    // Another account was never affected.
    assert_eq!(app.browser().log_in(BOB, PASSWORD).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn repeated_failures_from_one_address_lock_that_address_for_every_account() {
    let app = TestApp::spawn_with(|s| s.login.address.max_failures = 3).await;
    for email in ["x1@acme.test", "x2@acme.test", "x3@acme.test"] {
        app.browser().fails("auth/login", &[("email", email), ("password", "wrong password!"), ("next", "")]).await;
    }
    let (status, error) = app.browser().fails("auth/login", &[("email", BOB), ("password", PASSWORD), ("next", "")]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(matches!(error, ApiError::Throttled { .. }));
}

#[tokio::test]
async fn a_user_changes_their_password_and_their_other_sessions_end() {
    let app = TestApp::spawn().await;
    let here = app.log_in(ANN).await;
    let elsewhere = app.log_in(ANN).await;
    let new = "an even longer password";
    let (status, error) = here.fails("account/password", &[("current", "wrong"), ("new", new)]).await;
    assert_eq!((status, error), (StatusCode::UNPROCESSABLE_ENTITY, ApiError::Invalid("Your current password is not right.".into())));
    let (status, _) = here.fails("account/password", &[("current", PASSWORD), ("new", "short")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let _: () = here.ok("account/password", &[("current", PASSWORD), ("new", new)]).await;
    assert!(here.viewer().await.is_some(), "this session stays");
    assert_eq!(elsewhere.viewer().await, None, "the other one ends");
    assert_eq!(app.browser().log_in(ANN, new).await.status(), StatusCode::OK);
}

/// The session the password is changed from goes on under a new secret: a copy of its cookie
/// taken before the change (by whoever could read it) stops working.
#[tokio::test]
async fn changing_the_password_gives_this_session_a_new_secret() {
    let app = TestApp::spawn().await;
    let here = app.log_in(ANN).await;
    let copied = here.session_cookie().expect("a session cookie");
    let _: () = here.ok("account/password", &[("current", PASSWORD), ("new", "an even longer password")]).await;
    assert!(here.viewer().await.is_some(), "this session stays");
    assert_ne!(here.session_cookie().as_deref(), Some(copied.as_str()), "under a new secret");
    let thief = app.browser_holding(&copied);
    assert_eq!(thief.viewer().await, None, "the copy taken before the change is no session");
}

/// A session written after the change by something that read the account before it (a login
/// still checking the old password when it changed, a start moving a session the change was
/// about to end) is no session: what counts is the password it was opened under, not when.
#[tokio::test]
async fn a_session_opened_under_the_old_password_does_not_outlive_the_change_however_late_it_is_written() {
    use sea_orm::{ActiveModelTrait, IntoActiveModel};
    let app = TestApp::spawn().await;
    let here = app.log_in(ANN).await;
    let late = app.log_in(ANN).await;
    let cookie = late.session_cookie().expect("a cookie");
    let secret = app::backend::SessionSecret::parse(&cookie).expect("a secret");
    let opened_before = session::Entity::find_by_id(&secret.key()).one(app.store.db()).await.expect("a read").expect("the late session");

    let _: () = here.ok("account/password", &[("current", PASSWORD), ("new", "an even longer password")]).await;
    assert_eq!(late.viewer().await, None, "ended by the change");
    opened_before.into_active_model().reset_all().insert(app.store.db()).await.expect("written after the change");
    late.set_session_cookie(&cookie);
    assert_eq!(late.viewer().await, None, "a session opened under the old password");
    assert!(here.viewer().await.is_some(), "the session the change was made from stays");
}

/// Ada's password changes while she impersonates Ann, and the change's tidying never reached
/// her impersonating session (it can fail under load; the change is done regardless): the
/// session is still over, and its impersonation ends on the record with it (rule 8).
async fn ada_impersonating_ann_under_a_password_since_changed() -> (TestApp, Browser) {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, QueryFilter};
    use server::db::entities::user;
    let app = TestApp::spawn().await;
    app.log_in(ANN).await.allows().await;
    let ada = app.log_in(ADA).await;
    ada.starts_impersonating(app.id(ANN)).await;
    user::Entity::update_many()
        .col_expr(user::Column::PasswordVersion, Expr::col(user::Column::PasswordVersion).add(1))
        .filter(user::Column::Id.eq(app.id(ADA).uuid()))
        .exec(app.store.db())
        .await
        .expect("Ada's password changed");
    (app, ada)
}

async fn how_anns_impersonation_ended(app: &TestApp) -> Option<app::domain::EndReason> {
    let consent = app.consent_of(app.id(ANN)).await;
    let [impersonation] = consent.impersonations.as_slice() else { panic!("one impersonation: {consent:?}") };
    impersonation.ended.map(|ending| ending.reason)
}

#[tokio::test]
async fn a_session_under_a_changed_password_is_over_at_its_next_request_impersonation_and_all() {
    let (app, ada) = ada_impersonating_ann_under_a_password_since_changed().await;
    assert_eq!(ada.viewer().await, None, "logged out");
    assert_eq!(how_anns_impersonation_ended(&app).await, Some(app::domain::EndReason::SessionEnded));
}

#[tokio::test]
async fn the_sweeper_ends_a_session_under_a_changed_password_that_nobody_uses_again() {
    let (app, _ada) = ada_impersonating_ann_under_a_password_since_changed().await;
    app.store.sweep().await.expect("sweep");
    assert_eq!(how_anns_impersonation_ended(&app).await, Some(app::domain::EndReason::SessionEnded));
    let left = session::Entity::find().all(app.store.db()).await.expect("sessions");
    assert!(left.iter().all(|s| s.user_id != app.id(ADA).uuid()), "Ada has no session left: {left:?}");
}

#[tokio::test]
async fn an_email_already_taken_is_refused_whatever_its_case() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    assert_eq!(ann.fails("account/email", &[("email", "BOB@acme.test"), ("current", PASSWORD)]).await, (StatusCode::CONFLICT, ApiError::EmailTaken));
    let (status, _) = ann.fails("account/email", &[("email", "not an email"), ("current", PASSWORD)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let _: () = ann.ok("account/email", &[("email", "ann.lee@acme.test"), ("current", PASSWORD)]).await;
    assert_eq!(app.browser().log_in("ann.lee@acme.test", PASSWORD).await.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_failures_all_count() {
    let app = TestApp::spawn_with(|s| s.login.account.max_failures = 12).await;
    let attempts = (0..12).map(|_| async {
        app.browser().call("auth/login", &[("email", ANN), ("password", "wrong password!"), ("next", "")]).await.status()
    });
    let statuses = futures::future::join_all(attempts).await;
    assert!(statuses.iter().all(|s| *s == StatusCode::UNAUTHORIZED || *s == StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    let (status, _) = app.browser().fails("auth/login", &[("email", ANN), ("password", PASSWORD), ("next", "")]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "twelve failures lock the account however they arrive");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_guesses_gets_no_more_tries_than_guesses_one_after_another() {
    let app = TestApp::spawn().await;
    let limit = app.settings.login.account.max_failures as usize;
    let app = &app;
    let guesses = (0..40).map(|n| async move {
        let guess = format!("wrong guess number {n}");
        app.browser().call("auth/login", &[("email", ANN), ("password", &guess), ("next", "")]).await.status()
    });
    let statuses = futures::future::join_all(guesses).await;
    let evaluated = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((evaluated, refused), (limit, 40 - limit), "{statuses:?}");
    let (status, _) = app.browser().fails("auth/login", &[("email", ANN), ("password", PASSWORD), ("next", "")]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the right password after the burst is refused too");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_right_passwords_at_once_all_get_in() {
    let app = TestApp::spawn().await;
    let tabs = (0..3 * app.settings.login.account.max_failures).map(|_| async { app.browser().log_in(ANN, PASSWORD).await.status() });
    let statuses = futures::future::join_all(tabs).await;
    assert!(statuses.iter().all(|s| *s == StatusCode::OK), "{statuses:?}");
}

#[tokio::test]
async fn the_sweeper_forgets_throttle_rows_once_their_window_and_lock_are_over() {
    use server::db::entities::login_throttle;
    let app = TestApp::spawn().await;
    let minute = Duration::from_secs(60);
    let app = &app;
    let fail = |email: &'static str| async move {
        app.browser().fails("auth/login", &[("email", email), ("password", "wrong password!"), ("next", "")]).await;
    };
    fail("typo@acme.test").await;
    app.advance(minute);
    for _ in 0..app.settings.login.account.max_failures {
        fail(ANN).await;
    }
    let rows = || async { login_throttle::Entity::find().count(app.store.db()).await.expect("count") };
    assert_eq!(rows().await, 3, "the typo's account, Ann's and the address");

    app.advance(app.settings.login.account.lockout - minute - Duration::from_millis(1));
    app.store.sweep().await.expect("sweep");
    assert_eq!(rows().await, 3, "1 ms before the first window ends, nothing is over");
    app.advance(Duration::from_millis(1));
    app.store.sweep().await.expect("sweep");
    assert_eq!(rows().await, 1, "the typo's and the address's windows are over; Ann's lock is not");
    app.advance(minute);
    app.store.sweep().await.expect("sweep");
    assert_eq!(rows().await, 0, "Ann's lock is over too");
}

#[tokio::test]
async fn guessing_the_current_password_on_an_open_session_is_throttled_like_logging_in() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    let new = "a brand new passphrase";
    for n in 0..app.settings.login.account.max_failures {
        let guess = format!("guess number {n}");
        let (status, _) = ann.fails("account/password", &[("current", &guess), ("new", new)]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (status, error) = ann.fails("account/password", &[("current", PASSWORD), ("new", new)]).await;
    assert_eq!((status, error), (StatusCode::TOO_MANY_REQUESTS, ApiError::Throttled { retry_after_secs: app.settings.login.account.lockout.as_secs() }));
    app.advance(app.settings.login.account.lockout);
    let _: () = ann.ok("account/password", &[("current", PASSWORD), ("new", new)]).await;
    assert_eq!(app.browser().log_in(ANN, new).await.status(), StatusCode::OK, "logging in was never locked");
}

/// Whoever finds a session left open cannot give the account an email its owner cannot log in
/// with: the email changes only with the password, and guesses count with the password form's.
#[tokio::test]
async fn the_email_changes_only_with_the_current_password_and_guesses_count_with_the_password_forms() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    let (status, error) = ann.fails("account/email", &[("email", "mine.now@evil.test"), ("current", "not her password")]).await;
    assert_eq!((status, error), (StatusCode::UNPROCESSABLE_ENTITY, ApiError::Invalid("Your current password is not right.".into())));
    assert_eq!(app.browser().log_in(ANN, PASSWORD).await.status(), StatusCode::OK, "the email is still hers");

    for n in 1..app.settings.login.account.max_failures {
        let guess = format!("guess number {n}");
        let (status, _) = ann.fails("account/email", &[("email", "mine.now@evil.test"), ("current", &guess)]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (status, _) = ann.fails("account/password", &[("current", PASSWORD), ("new", "a brand new passphrase")]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the password form is locked by the email form's guesses");
    app.advance(app.settings.login.account.lockout);
    let _: () = ann.ok("account/email", &[("email", "ann.lee@acme.test"), ("current", PASSWORD)]).await;
    assert_eq!(app.browser().log_in("ann.lee@acme.test", PASSWORD).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn probing_which_addresses_exist_through_change_email_is_throttled() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    for taken in [BOB, GUS, ADA, SAM, BOB].iter().take(app.settings.login.account.max_failures as usize) {
        assert_eq!(ann.fails("account/email", &[("email", taken), ("current", PASSWORD)]).await, (StatusCode::CONFLICT, ApiError::EmailTaken));
    }
    let (status, _) = ann.fails("account/email", &[("email", "free@acme.test"), ("current", PASSWORD)]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "after five probes even a free address waits");
    app.advance(app.settings.login.account.lockout);
    let _: () = ann.ok("account/email", &[("email", "free@acme.test"), ("current", PASSWORD)]).await;
}

#[tokio::test]
async fn a_login_form_posted_without_javascript_comes_back_to_its_page_saying_why() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let response = browser
        .client
        .post(format!("{}/api/auth/login", browser.address))
        .header("accept", "text/html")
        .header("referer", format!("{}/login", browser.address))
        .form(&[("email", ANN), ("password", "not her password"), ("next", "")])
        .send()
        .await
        .expect("the server answers");
    assert!(response.status().is_redirection(), "sent back to the form, not shown JSON: {}", response.status());
    let back = response.headers()["location"].to_str().expect("a location").to_owned();
    assert!(back.starts_with(&format!("{}/login?", browser.address)), "{back}");
    let page = browser.client.get(&back).send().await.expect("the page").text().await.expect("its text");
    assert!(page.contains("Wrong email or password."), "the login page says why");
    assert_eq!(browser.session_cookie(), None, "and nobody is logged in");
}
