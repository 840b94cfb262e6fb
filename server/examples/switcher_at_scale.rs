//! Measures the switcher's and the audit log's database reads on whatever database `DATABASE_URL`
//! names (fill one with `server seed-scale` first): latency percentiles over many searches and
//! pages, as the store answers them. A measurement, not a test: it asserts nothing and prints.
//!
//!     DATABASE_URL=postgres://… cargo run --release -p server --example switcher_at_scale

use app::backend::Backend;
use app::domain::{Page, Search};
use server::clock::SystemClock;
use server::config::Settings;
use server::store::Store;
use std::sync::Arc;
use std::time::{Duration, Instant};

const SAMPLES: usize = 300;
const SEARCHES: [&str; 8] = ["", "ann", "finn lee", "tenant 0042", "stone.1234", "costa tenant0007", "zzz", "a"];

fn percentiles(mut times: Vec<Duration>) -> String {
    times.sort();
    let at = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1000.0;
    format!("p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} samples)", at(0.5), at(0.95), at(0.99), at(1.0), times.len())
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let settings = Settings::from_sources(&Default::default(), |key| std::env::var(key).ok()).map_err(|e| e.to_string())?;
    let db = server::db::connect(&settings.database_url, settings.database_max_connections).await.map_err(|e| e.to_string())?;
    let store = Store::new(db, Arc::new(SystemClock), &settings);
    let now = app::backend::Clock::now(&SystemClock);
    let (mut switcher, mut audit) = (Vec::new(), Vec::new());
    let mut totals = Vec::new();
    for n in 0..SAMPLES {
        let search = Search::parse(SEARCHES[n % SEARCHES.len()]).map_err(|e| e.to_string())?;
        let started = Instant::now();
        let (_, total) = store.open_grants(now, &search, Page(0)).await.map_err(|e| e.to_string())?;
        switcher.push(started.elapsed());
        // And a later page of the same search, as the pager would ask.
        let last = Page(Page::count(total) - 1);
        let started = Instant::now();
        store.open_grants(now, &search, Page((n as u32) % (last.0 + 1))).await.map_err(|e| e.to_string())?;
        switcher.push(started.elapsed());
        totals.push((SEARCHES[n % SEARCHES.len()], total));
        let started = Instant::now();
        store.audit_log(Page((n as u32 * 97) % 1000)).await.map_err(|e| e.to_string())?;
        audit.push(started.elapsed());
    }
    totals.sort();
    totals.dedup();
    println!("database: {}", settings.database_url.split('@').next_back().unwrap_or_default());
    println!("matches per search: {totals:?}");
    println!("switcher page (search + count + one page): {}", percentiles(switcher));
    println!("audit log page (count + one page):         {}", percentiles(audit));
    Ok(())
}
