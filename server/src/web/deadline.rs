//! Every page request is answered.
//!
//! The server renders a page whole (`SsrMode::Async`): it answers once every suspense in the page
//! has resolved. Leptos keeps that bookkeeping across threads, and races in it have left renders
//! waiting forever while the server stayed healthy (Leptos issues 4851, 4578, 4647; partly fixed
//! in 0.8.23). A person would see a page that loads forever. So a page not answered within the
//! deadline is rendered once more from scratch (a page GET changes nothing, so it may be repeated),
//! and if that one stalls too the person is asked to reload: a 503, never an endless wait.

use super::paths::Target;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{Method, StatusCode};
use std::time::Duration;

/// What the app may answer with a rendered page: not a server function or the live channel (which
/// stays open by design), nor a front-end file (a file or a plain 404). The icon counts: where its
/// file is missing, the app's "not found" page answers it.
fn is_page(request: &Request) -> bool {
    request.method() == Method::GET && matches!(Target::of(request.uri().path()), Target::Page | Target::Icon)
}

pub async fn answer_within(State(deadline): State<Duration>, request: Request, next: Next) -> Response {
    if !is_page(&request) {
        return next.run(request).await;
    }
    let (parts, _) = request.into_parts();
    let path = parts.uri.path().to_owned();
    for attempt in 1..=2 {
        let again = Request::from_parts(parts.clone(), Body::empty());
        match tokio::time::timeout(deadline, next.clone().run(again)).await {
            Ok(response) => return response,
            Err(_) => tracing::warn!(%path, attempt, ?deadline, "a page render stalled; dropped it"),
        }
    }
    tracing::error!(%path, "a page render stalled twice; answering 503");
    let headers = [(http::header::RETRY_AFTER, "1")];
    (StatusCode::SERVICE_UNAVAILABLE, headers, "This page took too long to prepare. Please reload it.").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::routing::get;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tower::ServiceExt;

    /// A page whose first `stalls` renders never finish.
    fn app(stalls: usize, calls: Arc<AtomicUsize>) -> Router {
        let page = move || {
            let calls = calls.clone();
            async move {
                if calls.fetch_add(1, Ordering::SeqCst) < stalls {
                    std::future::pending::<()>().await;
                }
                "the page"
            }
        };
        Router::new()
            .route("/profile", get(page.clone()))
            .route("/favicon.ico", get(page.clone()))
            .route("/api/events", get(page))
            .layer(axum::middleware::from_fn_with_state(Duration::from_millis(50), answer_within))
    }

    /// Bounded, so a stall the layer let through fails the test by name instead of hanging it.
    async fn get_page(app: Router, path: &str) -> (StatusCode, String) {
        let answer = tokio::time::timeout(Duration::from_secs(10), app.oneshot(Request::get(path).body(Body::empty()).expect("a request")));
        let response = answer.await.expect("an answer: a stalled render was left waiting").expect("infallible");
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1024).await.expect("a body");
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn a_render_that_stalls_once_is_rendered_again() {
        let calls = Arc::new(AtomicUsize::new(0));
        assert_eq!(get_page(app(1, calls.clone()), "/profile").await, (StatusCode::OK, "the page".to_owned()));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn an_icon_answered_by_the_not_found_page_is_rendered_again_too() {
        let calls = Arc::new(AtomicUsize::new(0));
        assert_eq!(get_page(app(1, calls.clone()), "/favicon.ico").await, (StatusCode::OK, "the page".to_owned()));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_render_that_stalls_twice_asks_the_person_to_reload() {
        let (status, body) = get_page(app(2, Arc::new(AtomicUsize::new(0))), "/profile").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(body.contains("reload"), "{body}");
    }

    #[tokio::test]
    async fn the_live_channel_is_no_page_and_is_left_alone() {
        let calls = Arc::new(AtomicUsize::new(0));
        let waited = tokio::time::timeout(Duration::from_millis(300), get_page(app(1, calls.clone()), "/api/events")).await;
        assert!(waited.is_err(), "still open, as a stream stays");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
