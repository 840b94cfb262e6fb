//! Gives server-function errors their real HTTP status. Leptos answers every server-function
//! error with 500; the error itself (an `ApiError`) knows better, so a forbidden call is a 403 and
//! malformed input a 400.

use app::api::ApiError;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::StatusCode;

/// Error bodies are small; anything larger is not one of ours.
const MAX_ERROR_BODY: usize = 64 * 1024;

pub async fn status_from_error(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if !response.headers().contains_key(server_fn::error::SERVER_FN_ERROR_HEADER) {
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
