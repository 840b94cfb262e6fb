//! Stored times compare and sort as times, to the millisecond, within a second too.
//!
//! SQLite has no time type: a time is text, and the database compares and sorts it as text. The
//! other tests' clock stands on whole seconds, where every stored time has the same shape; these
//! move it to instants such as `…:00.7` and `…:00.72`, whose texts differ in length.

use crate::helpers::*;
use sea_orm::{EntityTrait, PaginatorTrait};
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
async fn the_sweeper_ends_a_session_idle_for_its_timeout_to_the_millisecond() {
    let app = TestApp::spawn().await;
    app.advance(MS_700);
    let _ann = app.log_in(ANN).await;
    let sessions = || async { session::Entity::find().count(app.store.db()).await.expect("count") };

    app.advance(app.settings.sessions.idle_timeout - MS);
    app.store.sweep().await.expect("sweep");
    assert_eq!(sessions().await, 1, "1 ms before the idle timeout, the session is not over");
    app.advance(21 * MS);
    app.store.sweep().await.expect("sweep");
    assert_eq!(sessions().await, 0, "20 ms past it, the session is over");
}

#[tokio::test]
async fn the_switcher_stops_listing_a_user_the_moment_their_time_to_start_is_over() {
    let app = TestApp::spawn().await;
    let (ann, ada) = (app.log_in(ANN).await, app.log_in(ADA).await);
    app.advance(MS_700);
    ann.allows().await;
    // Listed, and counted in the switcher's total.
    let listed = || async {
        let switcher = ada.switcher().await;
        (switcher.candidates.iter().any(|c| c.email == ANN), switcher.total)
    };

    app.advance(app.settings.policy.start_window - MS);
    assert_eq!(listed().await, (true, 1), "listed until the last millisecond of the time to start");
    app.advance(21 * MS);
    assert_eq!(listed().await, (false, 0), "not listed 20 ms after it");
}
