//! Pages render completely, every time: many renders at once, on fresh servers, while other
//! requests write, must each end with the whole document. A render that never finishes is a page
//! that loads forever for a person, so a response that takes too long fails the test by name.

use crate::helpers::*;
use reqwest::StatusCode;
use std::time::Duration;

/// Fresh servers to try; a rare hang needs many chances to show.
const ROUNDS: usize = 24;
/// Each page is asked for this many times at once.
const COPIES: usize = 3;
/// Far above a render's real time even on a 2-core machine loaded by other tests, below the test's limit.
const RENDER_LIMIT: Duration = Duration::from_secs(45);

// Several worker threads, as in production: how the render's tasks are spread matters.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_renders_completely_while_data_changes_under_it() {
    for round in 0..ROUNDS {
        let app = TestApp::spawn().await;
        let ann = app.log_in(ANN).await;
        ann.allows().await;
        let sam = app.log_in(SAM).await;
        sam.starts_impersonating(app.id(ANN)).await;
        let ada = app.log_in(ADA).await;
        let visits: Vec<(&str, &Browser, &str)> = vec![
            ("Ada", &ada, "/"),
            ("Ada", &ada, "/profile"),
            ("Ada", &ada, "/impersonate"),
            ("Ada", &ada, "/audit"),
            ("Ann", &ann, "/"),
            ("Ann", &ann, "/profile"),
            ("Sam as Ann", &sam, "/"),
            ("Sam as Ann", &sam, "/profile"),
        ];
        let renders = visits.iter().cycle().take(visits.len() * COPIES).map(|(who, browser, path)| async move {
            let answer = tokio::time::timeout(RENDER_LIMIT, async {
                let response = browser.get(path).await;
                let status = response.status();
                (status, response.text().await.unwrap_or_default())
            })
            .await;
            match answer {
                Err(_) => Err(format!("round {round}: {path} for {who} did not finish within {RENDER_LIMIT:?}")),
                Ok((status, _)) if status != StatusCode::OK => Err(format!("round {round}: {path} for {who} answered {status}")),
                Ok((_, body)) if !is_whole(&body) => {
                    Err(format!("round {round}: {path} for {who} ended early: …{}", tail(&body)))
                }
                Ok(_) => Ok(()),
            }
        });
        // Writers: new tasks (audited while impersonating) and consent changes land mid-render.
        let writes = async {
            for n in 0..COPIES {
                let title = format!("written during round {round}, {n}");
                let _: app::api::types::Task = sam.ok("tasks/add", &[("title", &title)]).await;
                let _: app::api::types::Task = ann.ok("tasks/add", &[("title", &title)]).await;
            }
            app.log_in(BOB).await.allows().await;
        };
        let (results, ()) = tokio::join!(futures::future::join_all(renders), writes);
        let failures: Vec<String> = results.into_iter().filter_map(Result::err).collect();
        assert!(failures.is_empty(), "{} renders failed:\n{}", failures.len(), failures.join("\n"));
    }
}

/// A whole page: the document, then Leptos's closing script saying no chunk is still to come.
fn is_whole(body: &str) -> bool {
    body.contains("</html>") && body.trim_end().ends_with("__INCOMPLETE_CHUNKS=[];</script>")
}

fn tail(body: &str) -> &str {
    let start = body.char_indices().rev().nth(200).map_or(0, |(i, _)| i);
    &body[start..]
}

/// The values a page carries for the browser to hydrate from, in the order the page made them.
fn values_carried(body: &str) -> Vec<&str> {
    body.split("__RESOLVED_RESOURCES[").skip(1).filter_map(|slot| slot.split_once("] = \"")?.1.split_once("\";")).map(|(value, _)| value).collect()
}

#[tokio::test]
async fn each_page_with_data_is_drawn_from_a_read_made_before_drawing_it() {
    // Without that read, the page's slot for it would travel empty ("null"), and its data as a
    // third value, read by a resource under a suspense while the page was drawn.
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    ann.allows().await;
    let ada = app.log_in(ADA).await;
    for (browser, path, data) in [(&ann, "/", "tasks"), (&ann, "/profile", "consent"), (&ada, "/impersonate", "candidates"), (&ada, "/audit", "entries")] {
        let body = browser.get(path).await.text().await.unwrap_or_default();
        let values = values_carried(&body);
        assert_eq!(values.len(), 2, "{path}: the viewer and the page's data, nothing else: {values:?}");
        assert!(values[0].contains("\\\"email\\\""), "{path}: first the viewer: {}", values[0]);
        assert!(values[1].contains(&format!("\\\"{data}\\\"")), "{path}: then the page's data: {}", values[1]);
    }
}
