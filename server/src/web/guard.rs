//! Resolving the session before anything else runs, and keeping visitors out of the pages.

use super::paths::Target;
use crate::store::Store;
use app::api::navigation::{login_then, safe_next};
use app::backend::{RequestSession, SessionCookie};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use http::{Method, StatusCode};
use std::sync::Arc;
use tower_cookies::Cookies;

/// What resolving a session needs: the layer's state, which axum copies on every request.
#[derive(Clone)]
pub struct Sessions {
    pub store: Arc<Store>,
    pub cookie: SessionCookie,
}

pub async fn resolve_session(State(state): State<Sessions>, cookies: Cookies, mut request: Request, next: Next) -> Response {
    let cookie = &state.cookie;
    let target = Target::of(request.uri().path());
    // Static files need no session; everything else is resolved from the cookie on every request.
    if !target.is_static_file() && cookies.get(cookie.name()).is_some() {
        let resolved = match cookie.read(&cookies) {
            Some(secret) => state.store.resolve(&secret, super::paths::is_use(request.uri().path())).await,
            // A forged, truncated or garbled cookie is simply no session.
            None => Ok(None),
        };
        match resolved {
            Ok(Some(session)) => {
                request.extensions_mut().insert(session);
            }
            Ok(None) => cookie.clear(&cookies),
            Err(error) => {
                tracing::error!(%error, "could not resolve a session");
                let text = "The service is unavailable. Please try again shortly.";
                return super::api_status::refused(target, StatusCode::SERVICE_UNAVAILABLE, &app::api::ApiError::Internal, text);
            }
        }
    }
    next.run(request).await
}

/// Where a page request goes instead of where it asked, if anywhere.
pub fn redirect_for(method: &Method, path: &str, query: Option<&str>, authenticated: bool) -> Option<String> {
    if !matches!(*method, Method::GET | Method::HEAD) || Target::of(path) != Target::Page {
        return None;
    }
    let next = query.and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(key, _)| key == "next")).map(|(_, path)| path);
    match (path, authenticated) {
        ("/login", true) => Some(safe_next(next.as_deref())),
        ("/login", false) => None,
        (_, false) => {
            let here = match query {
                Some(q) => format!("{path}?{q}"),
                None => path.to_owned(),
            };
            Some(login_then(&here))
        }
        (_, true) => None,
    }
}

pub async fn guard_pages(request: Request, next: Next) -> Response {
    let authenticated = request.extensions().get::<RequestSession>().is_some();
    let uri = request.uri();
    match redirect_for(request.method(), uri.path(), uri.query(), authenticated) {
        Some(to) => Redirect::to(&to).into_response(),
        None => next.run(request).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visitors_are_sent_to_login_and_back() {
        assert_eq!(redirect_for(&Method::GET, "/profile", None, false), Some("/login?next=/profile".into()));
        assert_eq!(redirect_for(&Method::GET, "/impersonate", Some("q=a b"), false), Some("/login?next=/impersonate%3Fq%3Da%20b".into()));
        assert_eq!(redirect_for(&Method::GET, "/login", None, false), None);
    }

    #[test]
    fn logged_in_people_skip_the_login_page_to_a_safe_next() {
        assert_eq!(redirect_for(&Method::GET, "/login", Some("next=%2Fprofile"), true), Some("/profile".into()));
        assert_eq!(redirect_for(&Method::GET, "/login", Some("next=https%3A%2F%2Fevil.example"), true), Some("/".into()));
        assert_eq!(redirect_for(&Method::GET, "/profile", None, true), None);
    }

    #[test]
    fn the_way_back_survives_the_login_page() {
        let here = "/impersonate?q=ann lee&x=ü";
        let login = redirect_for(&Method::GET, "/impersonate", Some("q=ann lee&x=ü"), false).expect("to login");
        let query = login.strip_prefix("/login?").expect("the login page");
        assert_eq!(redirect_for(&Method::GET, "/login", Some(query), true), Some(here.to_owned()));
        assert_eq!(redirect_for(&Method::GET, "/login", Some("next=%2Fimpersonate%3Fq%3Da+b"), true), Some("/impersonate?q=a b".to_owned()));
    }

    #[test]
    fn api_calls_and_assets_are_not_redirected() {
        assert_eq!(redirect_for(&Method::POST, "/api/profile", None, false), None);
        assert_eq!(redirect_for(&Method::GET, "/api/events", None, false), None);
        assert_eq!(redirect_for(&Method::GET, "/pkg/impersonate.js", None, false), None);
        assert_eq!(redirect_for(&Method::GET, "/favicon.svg", None, false), None, "the login page's icon");
    }
}
