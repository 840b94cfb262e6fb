//! Stored times compare and sort as times, to the millisecond, within a second too.
//!
//! SQLite has no time type: a time is text, and the database compares and sorts it as text. The
//! other tests' clock stands on whole seconds, where every stored time has the same shape; these
//! move it to instants such as `…:00.7` and `…:00.72`, whose texts differ in length.

use crate::helpers::*;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use server::db::entities::session;
use std::time::Duration;

const MS_700: Duration = Duration::from_millis(700);

#[tokio::test]
async fn tasks_added_within_one_second_are_listed_in_the_order_they_were_added() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    app.advance(MS_700);
    let _: app::api::types::Task = ann.ok("tasks/add", &[("title", "first")]).await;
    app.advance(20 * MS);
    let _: app::api::types::Task = ann.ok("tasks/add", &[("title", "second")]).await;

    let titles: Vec<String> = ann.tasks().await.into_iter().map(|t| t.title).filter(|t| t == "first" || t == "second").collect();
    assert_eq!(titles, ["first", "second"]);
}

#[tokio::test]
async fn the_sweeper_ends_a_session_at_the_very_instant_it_has_been_idle_for_its_timeout() {
    let app = TestApp::spawn().await;
    // Ann's session is last used at …:00.7, Bob's at …:00.72: their times differ in shape.
    app.advance(MS_700);
    let _ann = app.log_in(ANN).await;
    app.advance(20 * MS);
    let _bob = app.log_in(BOB).await;
    let (app, db) = (&app, app.store.db().clone());
    let has_session = |email: &'static str| {
        let (id, db) = (app.id(email).uuid(), db.clone());
        async move { session::Entity::find().filter(session::Column::UserId.eq(id)).count(&db).await.expect("count") == 1 }
    };
    let idle = app.settings.sessions.idle_timeout;

    app.advance(idle - 21 * MS);
    app.store.sweep().await.expect("sweep");
    assert!(has_session(ANN).await, "1 ms before Ann's idle timeout, her session is not over");
    app.advance(MS);
    app.store.sweep().await.expect("sweep");
    assert!(!has_session(ANN).await, "at the very instant, it is over");
    assert!(has_session(BOB).await, "Bob's, used 20 ms later, is not");
    app.advance(20 * MS);
    app.store.sweep().await.expect("sweep");
    assert!(!has_session(BOB).await, "at his instant, his is over too");
}

#[tokio::test]
async fn the_switcher_stops_listing_a_user_at_the_very_instant_their_time_to_start_is_over() {
    let app = TestApp::spawn().await;
    let (ann, bob, ada) = (app.log_in(ANN).await, app.log_in(BOB).await, app.log_in(ADA).await);
    // Ann allows at …:00.7, Bob at …:00.72: their deadlines differ in shape.
    app.advance(MS_700);
    ann.allows().await;
    app.advance(20 * MS);
    bob.allows().await;
    // Who is listed, and the switcher's total.
    let listed = || async {
        let switcher = ada.switcher().await;
        let shown = |email: &str| switcher.candidates.iter().any(|c| c.email == email);
        (shown(ANN), shown(BOB), switcher.total)
    };
    let window = app.settings.policy.start_window;

    app.advance(window - 21 * MS);
    assert_eq!(listed().await, (true, true, 2), "both listed until the last millisecond of Ann's time to start");
    app.advance(MS);
    assert_eq!(listed().await, (false, true, 1), "at the very instant Ann's is over, she is not listed; Bob still is");
    app.advance(20 * MS);
    assert_eq!(listed().await, (false, false, 0), "nor is Bob at his");
}
