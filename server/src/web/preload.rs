//! A page's data is read before the page is drawn, so the page is drawn in one pass (why, and
//! which pages: `app::pages::preload`).

use app::backend::{RequestSession, Services};
use app::pages::FirstRead;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::Method;

/// Its state is the services alone: a layer's state is copied on every request, pages or not.
pub async fn read_page_data(State(services): State<Services>, mut request: Request, next: Next) -> Response {
    // Visitors never get this far on these pages (the guard sends them to log in).
    if request.method() == Method::GET
        && let Some(page) = FirstRead::of_path(request.uri().path())
        && let Some(session) = request.extensions().get::<RequestSession>().cloned()
    {
        let read = page.run(session, services).await;
        request.extensions_mut().insert(read);
    }
    next.run(request).await
}
