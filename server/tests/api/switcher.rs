//! The switcher at scale: the search runs in the database and answers one page at a time, so
//! what a super admin receives never grows with the number of users who allow.

use crate::helpers::*;
use app::api::ApiError;
use app::api::types::Switcher;
use app::domain::{InvalidInput, Page};
use reqwest::StatusCode;
use std::sync::Arc;

fn names(switcher: &Switcher) -> Vec<String> {
    switcher.candidates.iter().map(|c| c.name.clone()).collect()
}

/// Ann (Acme) and 30 people of Initech, who all allow now.
async fn thirty_one_allowing(app: &TestApp) -> Vec<String> {
    app.log_in(ANN).await.allows().await;
    let people: Vec<String> = (0..30).map(|n| format!("Person {n:02}")).collect();
    app.allowing_people("Initech", &people).await;
    people
}

#[tokio::test]
async fn the_switcher_answers_twenty_five_users_a_page_in_a_stable_order_with_the_total() {
    let app = TestApp::spawn().await;
    let people = thirty_one_allowing(&app).await;
    let ada = app.log_in(ADA).await;
    let first = ada.switcher_page("", 0).await;
    assert_eq!((first.total, first.page, first.candidates.len()), (31, Page(0), 25));
    let mut expected = vec!["Ann Lee".to_owned()];
    expected.extend(people.iter().cloned());
    assert_eq!(names(&first), expected[..25], "by tenant (Acme before Initech), then by name");
    let second = ada.switcher_page("", 1).await;
    assert_eq!((second.total, second.page), (31, Page(1)));
    assert_eq!(names(&second), expected[25..]);
    assert_eq!(ada.switcher_page("", 2).await.candidates.len(), 0, "past the end: an empty page, not an error");
    assert_eq!(ada.switcher().await, first, "no arguments: everyone, the first page");
}

#[tokio::test]
async fn every_word_of_a_search_must_appear_in_the_name_email_or_tenant_in_any_case() {
    let app = TestApp::spawn().await;
    let people = thirty_one_allowing(&app).await;
    let ada = app.log_in(ADA).await;
    let found = ada.switcher_page("INITECH person 2", 0).await;
    let expected: Vec<String> = people.iter().filter(|n| n.contains('2')).cloned().collect();
    assert_eq!((found.total, names(&found)), (expected.len() as u64, expected));
    assert_eq!(names(&ada.switcher_page("acme.test", 0).await), ["Ann Lee"], "the email counts");
    assert_eq!(ada.switcher_page("nobody", 0).await.total, 0);
}

#[tokio::test]
async fn a_search_of_many_words_finds_the_same_as_its_few_distinct_ones() {
    // The server keeps the query's text for searches of up to three words; longer ones build it
    // each time. Both must find the same, from the fourth word on.
    let app = TestApp::spawn().await;
    thirty_one_allowing(&app).await;
    let ada = app.log_in(ADA).await;
    let few = ada.switcher_page("initech person 2", 0).await;
    assert!(few.total > 1, "the short search finds several: {few:?}");
    assert_eq!(ada.switcher_page("person 2 initech 2", 0).await, few, "four words");
    assert_eq!(ada.switcher_page("person 2 INITECH 2 person initech", 0).await, few);
    assert_eq!(ada.switcher_page("person 2 initech 2 person nobody", 0).await.total, 0, "the sixth word counts too");
}

#[tokio::test]
async fn percent_and_underscore_in_a_search_mean_themselves() {
    let app = TestApp::spawn().await;
    thirty_one_allowing(&app).await;
    let ada = app.log_in(ADA).await;
    for pattern in ["%", "_", "person_0", "\\"] {
        assert_eq!(ada.switcher_page(pattern, 0).await.total, 0, "{pattern:?} is not a wildcard");
    }
}

#[tokio::test]
async fn a_grant_over_by_time_leaves_the_count_as_well_as_the_page() {
    let app = TestApp::spawn().await;
    thirty_one_allowing(&app).await;
    let ada = ann_started_an_hour_in(&app).await;
    // One millisecond before the start window ends, everyone is still there; at its end only Ann.
    app.advance(app.settings.policy.start_window - HOUR - MS);
    assert_eq!(ada.switcher_page("", 0).await.total, 31);
    app.advance(MS);
    let left = ada.switcher_page("", 0).await;
    assert_eq!((left.total, names(&left)), (1, vec!["Ann Lee".to_owned()]));
}

#[tokio::test]
async fn a_search_with_control_characters_or_too_long_is_refused_clearly() {
    let app = TestApp::spawn().await;
    let ada = app.log_in(ADA).await;
    let too_long = "x".repeat(app::domain::Search::MAX_CHARS + 1);
    for search in ["two\nlines", too_long.as_str()] {
        let refused = ada.fails("impersonation/switcher", &[("search", search)]).await;
        assert_eq!(refused, (StatusCode::UNPROCESSABLE_ENTITY, ApiError::Invalid(InvalidInput::Search.to_string())));
    }
}

#[tokio::test]
async fn a_seeded_data_set_reads_as_one_the_rules_made() {
    use app::backend::Backend;
    let _time_limit = TimeLimit::start();
    let (url, _dir) = empty_database().await;
    let db = server::db::connect(&url, 4).await.expect("a database");
    let settings = test_settings();
    let scale = server::scale::Scale { users: 60, tenants: 3, super_admins: 2, open_grants: 30, running: 5, audit_lines: 100 };
    server::scale::seed(&db, scale, settings.policy, T0).await.expect("seeded");
    let store = server::store::Store::new(db.clone(), Arc::new(server::clock::ManualClock::starting_at(T0)), &settings);
    let (page, total) = store.open_grants(T0, &app::domain::Search::default(), Page(0)).await.expect("a page");
    assert_eq!((total, page.len()), (30, 25), "every open grant is a candidate");
    let running = page.iter().filter(|r| r.consent.live_impersonations(T0).count() == 1).count()
        + store.open_grants(T0, &app::domain::Search::default(), Page(1)).await.expect("a page").0.iter().filter(|r| r.consent.live_impersonations(T0).count() == 1).count();
    assert_eq!(running, 5, "the running ones hold under the rules");
    assert_eq!(store.audit_log(Page(0)).await.expect("the log").1, 100);
    assert!(matches!(server::scale::seed(&db, scale, settings.policy, T0).await, Err(server::scale::ScaleError::NotEmpty(62))), "never over data");
}

#[tokio::test]
async fn a_user_is_found_by_the_email_they_have_now() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    ann.allows().await;
    let _: () = ann.ok("account/email", &[("email", "Zoe.Lee@acme.test"), ("current", PASSWORD)]).await;
    let ada = app.log_in(ADA).await;
    assert_eq!(names(&ada.switcher_page("zoe.lee", 0).await), ["Ann Lee"]);
    assert_eq!(ada.switcher_page("ann@acme", 0).await.total, 0, "not by the old one");
}

#[tokio::test]
async fn a_running_grant_leaves_the_count_at_its_end_not_a_millisecond_before() {
    let app = TestApp::spawn().await;
    thirty_one_allowing(&app).await;
    let ada = ann_started_an_hour_in(&app).await;
    app.advance(app.settings.policy.duration - MS);
    assert_eq!(names(&ada.switcher_page("", 0).await), ["Ann Lee"]);
    app.advance(MS);
    assert_eq!(ada.switcher_page("", 0).await.total, 0, "rule 4: over at ends_at");
}

/// Ada starts on Ann an hour in and stops, so Ann's grant runs an hour past everyone's start
/// window; answers Ada's browser.
async fn ann_started_an_hour_in(app: &TestApp) -> Browser {
    let ada = app.log_in(ADA).await;
    app.advance(HOUR);
    ada.starts_impersonating(app.id(ANN)).await;
    ada.stops().await;
    ada
}
