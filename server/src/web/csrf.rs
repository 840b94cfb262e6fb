//! Cross-site request refusal. Leptos server functions check nothing of the kind themselves, so
//! every state-changing request (anything but GET, HEAD and OPTIONS) must come from our own pages:
//! by `Sec-Fetch-Site` where the browser sends it, else by `Origin` against the configured public
//! origin (or, unset, the request's own `Host`). A request with neither is refused.

use super::api_status;
use super::paths::Target;
use crate::config::Settings;
use app::api::ApiError;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{HeaderMap, Method, StatusCode};
use std::sync::Arc;

/// Why a request is refused, if it is.
pub fn cross_site(method: &Method, headers: &HeaderMap, public_origin: Option<&str>) -> Option<&'static str> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return None;
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    match header("sec-fetch-site") {
        Some("same-origin" | "none") => return None,
        Some(_) => return Some("cross-site request refused"),
        None => {}
    }
    let Some(origin) = header("origin") else { return Some("request without Origin refused") };
    let expected = match public_origin {
        Some(public) => origin == public,
        None => header("host").is_some_and(|host| origin.split_once("://").is_some_and(|(_, authority)| authority == host)),
    };
    (!expected).then_some("cross-origin request refused")
}

pub async fn refuse_cross_site(State(settings): State<Arc<Settings>>, request: Request, next: Next) -> Response {
    match cross_site(request.method(), request.headers(), settings.public_origin.as_deref()) {
        None => next.run(request).await,
        Some(why) => {
            let path = request.uri().path();
            tracing::warn!(%path, why, "refused a cross-site request");
            api_status::refused(Target::of(path), StatusCode::FORBIDDEN, &ApiError::BadRequest(why.into()), why)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, v.parse().expect("valid header"));
        }
        map
    }

    #[test]
    fn reads_are_never_refused() {
        assert_eq!(cross_site(&Method::GET, &headers(&[("sec-fetch-site", "cross-site")]), None), None);
    }

    #[test]
    fn same_origin_fetches_pass_and_cross_site_ones_do_not() {
        assert_eq!(cross_site(&Method::POST, &headers(&[("sec-fetch-site", "same-origin")]), None), None);
        assert!(cross_site(&Method::POST, &headers(&[("sec-fetch-site", "cross-site")]), None).is_some());
        assert!(cross_site(&Method::POST, &headers(&[("sec-fetch-site", "same-site")]), None).is_some());
    }

    #[test]
    fn without_fetch_metadata_the_origin_must_be_ours() {
        let ours = headers(&[("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")]);
        assert_eq!(cross_site(&Method::POST, &ours, None), None);
        let theirs = headers(&[("origin", "https://evil.example"), ("host", "127.0.0.1:3000")]);
        assert!(cross_site(&Method::POST, &theirs, None).is_some());
        assert!(cross_site(&Method::POST, &headers(&[("host", "127.0.0.1:3000")]), None).is_some());
    }

    #[test]
    fn a_configured_public_origin_is_the_only_one_accepted() {
        let public = Some("https://app.example.com");
        assert_eq!(cross_site(&Method::POST, &headers(&[("origin", "https://app.example.com")]), public), None);
        let spoofed_host = headers(&[("origin", "http://evil.example"), ("host", "evil.example")]);
        assert!(cross_site(&Method::POST, &spoofed_host, public).is_some());
    }
}
