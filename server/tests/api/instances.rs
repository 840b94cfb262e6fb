//! Several instances over one PostgreSQL database, as behind a load balancer: what one instance
//! commits, another enforces on the very next request, and its open live channels hear it pushed
//! (PostgreSQL `NOTIFY`) rather than at their next re-check. SQLite is one process by design, so
//! these run with `make test-postgres` (`IMPERSONATE_TEST_POSTGRES`).

use crate::helpers::*;
use crate::live::Events;
use app::api::types::LiveStatus;
use std::time::{Duration, Instant};

/// Two instances on one new PostgreSQL database, whose channels re-check so rarely that only a
/// pushed change can arrive within the tests' waits; `None` (saying why) on SQLite.
async fn two_instances() -> Option<(TestApp, TestApp)> {
    if !on_postgres() {
        return None;
    }
    let a = TestApp::spawn_with(|s| s.live.recheck = Duration::from_secs(150)).await;
    let b = a.another_instance().await;
    Some((a, b))
}

fn on_postgres() -> bool {
    let set = std::env::var("IMPERSONATE_TEST_POSTGRES").is_ok();
    if !set {
        eprintln!("several instances need PostgreSQL: run with IMPERSONATE_TEST_POSTGRES (make test-postgres)");
    }
    set
}

#[tokio::test]
async fn a_disallow_on_one_instance_ends_the_impersonation_on_another_and_reaches_its_open_page() {
    let Some((a, b)) = two_instances().await else { return };
    let ann = a.log_in(ANN).await;
    ann.allows().await;
    let ada = b.log_in(ADA).await;
    ada.starts_impersonating(a.id(ANN)).await;
    let mut page_on_b = Events::open(&ada).await;
    let first = page_on_b.next(Duration::from_secs(10)).await.expect("a first message");
    assert!(matches!(first.status, LiveStatus::Impersonating { .. }));

    let disallowed = Instant::now();
    ann.disallows().await;
    let next = page_on_b.next(Duration::from_secs(30)).await.expect("B pushes the end without waiting for its re-check");
    eprintln!("disallow committed on A to the impersonator's page on B: {:?}", disallowed.elapsed());
    assert_eq!(next.status, LiveStatus::Own);
    assert_eq!(ada.sees_as().await.as_deref(), Some("Ada Admin"), "B serves Ada as herself at once");
}

#[tokio::test]
async fn a_start_on_one_instance_reaches_the_users_open_page_on_another() {
    let Some((a, b)) = two_instances().await else { return };
    let ann = a.log_in(ANN).await;
    ann.allows().await;
    let mut anns_page_on_a = Events::open(&ann).await;
    let before = anns_page_on_a.next(Duration::from_secs(10)).await.expect("a first message");
    b.log_in(SAM).await.starts_impersonating(a.id(ANN)).await;
    let after = anns_page_on_a.next(Duration::from_secs(30)).await.expect("A pushes the start made on B");
    assert!(after.revision > before.revision, "the profile re-reads: {} then {}", before.revision, after.revision);
}

#[tokio::test]
async fn every_one_of_twenty_disallows_on_one_instance_reaches_the_open_page_on_another() {
    let Some((a, b)) = two_instances().await else { return };
    let ann = a.log_in(ANN).await;
    let ada = b.log_in(ADA).await;
    let mut latencies = Vec::new();
    for round in 0..20 {
        ann.allows().await;
        ada.starts_impersonating(a.id(ANN)).await;
        let mut page_on_b = Events::open(&ada).await;
        let first = page_on_b.next(Duration::from_secs(10)).await.expect("a first message");
        assert!(matches!(first.status, LiveStatus::Impersonating { .. }), "round {round}");
        let disallowed = Instant::now();
        ann.disallows().await;
        let next = page_on_b.next(Duration::from_secs(30)).await.unwrap_or_else(|| panic!("round {round}: the end never reached B"));
        latencies.push(disallowed.elapsed());
        assert_eq!(next.status, LiveStatus::Own, "round {round}");
    }
    latencies.sort();
    // A figure for the reader, not a pass mark (timings belong in benchmarks).
    eprintln!("disallow on A to the page on B, 20 rounds: median {:?}, slowest {:?}", latencies[10], latencies[19]);
}

#[tokio::test]
async fn instances_starting_together_on_an_empty_database_all_start() {
    if !on_postgres() {
        return;
    }
    let (url, _dir) = empty_database().await;
    let starts = (0..3).map(|_| server::db::connect(&url, 2));
    for started in futures::future::join_all(starts).await {
        assert!(started.is_ok(), "each instance migrates or finds it done: {:?}", started.err());
    }
}

#[tokio::test]
async fn a_task_added_on_one_instance_reaches_the_impersonators_open_page_on_another() {
    let Some((a, b)) = two_instances().await else { return };
    let ann = a.log_in(ANN).await;
    ann.allows().await;
    let ada = b.log_in(ADA).await;
    ada.starts_impersonating(a.id(ANN)).await;
    let mut page_on_b = Events::open(&ada).await;
    let before = page_on_b.next(Duration::from_secs(10)).await.expect("a first message");
    let _: app::api::types::Task = ann.ok("tasks/add", &[("title", "Written on A")]).await;
    let after = page_on_b.next(Duration::from_secs(30)).await.expect("B pushes the task added on A");
    assert!(after.revision > before.revision, "the home page re-reads: {} then {}", before.revision, after.revision);
}
