//! How a server function reaches what the server resolved and provided for this request, and
//! how the backend's errors become the wire's. Here rather than in `backend` so that the
//! dependency runs one way: the server functions know the backend, never the reverse.

use super::error::ApiError;
use crate::backend::{BackendError, ClientAddress, RequestSession, SessionSecret, Services};
use leptos::prelude::{use_context, with_context};
use std::net::IpAddr;

impl Services {
    /// Gives the browser the secret of its new session (login, start, stop).
    pub async fn hand_out(&self, secret: &SessionSecret) -> Result<(), ApiError> {
        self.cookie.set(&request_cookies().await?, secret);
        Ok(())
    }

    /// Takes the session cookie back (logout).
    pub async fn take_back(&self) -> Result<(), ApiError> {
        self.cookie.clear(&request_cookies().await?);
        Ok(())
    }
}

async fn request_cookies() -> Result<tower_cookies::Cookies, ApiError> {
    leptos_axum::extract::<tower_cookies::Cookies>().await.map_err(|_| ApiError::Internal)
}

pub fn services() -> Result<Services, ApiError> {
    use_context::<Services>().ok_or_else(|| {
        tracing::error!("server functions ran without the server's services in context");
        ApiError::Internal
    })
}

/// The request's resolved session, or `Unauthenticated`.
/// (Read in place: `use_context` would copy the whole request head, headers and all.)
pub fn authenticate() -> Result<RequestSession, ApiError> {
    let session = with_context::<http::request::Parts, _>(|parts| parts.extensions.get::<RequestSession>().cloned());
    session.ok_or(ApiError::Internal)?.ok_or(ApiError::Unauthenticated)
}

pub fn client_address() -> Option<IpAddr> {
    with_context::<http::request::Parts, _>(|parts| parts.extensions.get::<ClientAddress>().map(|a| a.0)).flatten()
}

impl From<BackendError> for ApiError {
    fn from(error: BackendError) -> Self {
        match error {
            BackendError::Refused(refusal) => ApiError::Refused(refusal),
            BackendError::NotFound => ApiError::NotFound,
            BackendError::InvalidCredentials => ApiError::InvalidCredentials,
            BackendError::Throttled { retry_after_secs } => ApiError::Throttled { retry_after_secs },
            BackendError::EmailTaken => ApiError::EmailTaken,
            BackendError::Busy { retry_after_secs } => ApiError::Busy { retry_after_secs },
            BackendError::Invalid(message) => ApiError::Invalid(message),
            BackendError::Internal(detail) => {
                tracing::error!(%detail, "backend failure");
                ApiError::Internal
            }
        }
    }
}
