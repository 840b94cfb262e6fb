//! Server-function errors on the wire. Leptos answers every server-function error with 500; the
//! error itself (an `ApiError`) knows better, so a forbidden call is a 403 and malformed input a
//! 400. And a call refused before any server function runs (cross-site, a body over the limit, a
//! session that could not be read) is answered with an `ApiError` too: the browser's
//! server-function client reads the body of every 4xx and 5xx as one, and read plain text as a
//! "malformed request", which told people the wrong thing.

use super::paths::Target;
use app::api::ApiError;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::StatusCode;

/// A call refused before it reached its server function, answered as a server function would.
fn refused_before_call(status: StatusCode, error: &ApiError) -> Response {
    let body = serde_json::to_vec(error).unwrap_or_default();
    (status, [(http::header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// A request to `target` refused before anything answered it: `error` for a server function's
/// caller, `text` for anyone else (a page).
pub fn refused(target: Target, status: StatusCode, error: &ApiError, text: &'static str) -> Response {
    match target {
        Target::Api => refused_before_call(status, error),
        _ => (status, text).into_response(),
    }
}

/// Error bodies are small; anything larger is not one of ours.
const MAX_ERROR_BODY: usize = 64 * 1024;

pub async fn status_from_error(request: Request, next: Next) -> Response {
    let api = Target::of(request.uri().path()) == Target::Api;
    let response = next.run(request).await;
    if !response.headers().contains_key(server_fn::error::SERVER_FN_ERROR_HEADER) {
        // The body limit (the innermost layer) refuses before the server function reads a byte.
        if api && response.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return refused_before_call(StatusCode::PAYLOAD_TOO_LARGE, &ApiError::BadRequest("the request is too large".into()));
        }
        return response;
    }
    // A form posted without JavaScript (it accepts HTML) is sent back to its page with the error
    // in the URL, which the page's server action reads (server_fn's form redirects): keep that
    // redirect, or the browser shows the error's JSON instead of the page saying it.
    if response.status().is_redirection() {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<ApiError>(&bytes)
        && let Ok(status) = StatusCode::from_u16(error.status())
    {
        parts.status = status;
        if let Some(secs) = error.retry_after_secs() {
            parts.headers.insert(http::header::RETRY_AFTER, http::HeaderValue::from(secs));
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}
