//! How a server function reaches what the server resolved and provided for this request.

use super::{Backend, BackendError, Clock, SessionCookie, SessionKey, SessionSecret};
use crate::api::error::ApiError;
use crate::api::types::Viewer;
use crate::domain::{Policy, Principal};
use leptos::prelude::use_context;
use std::net::IpAddr;
use std::sync::Arc;

/// The server's services, provided to every server function and page render.
#[derive(Clone)]
pub struct Services {
    pub backend: Arc<dyn Backend>,
    pub clock: Arc<dyn Clock>,
    pub policy: Policy,
    pub cookie: SessionCookie,
}

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

/// The session the server resolved for this request, before any handler ran. Present in the
/// request's extensions only when the request is authenticated.
#[derive(Clone, Debug)]
pub struct RequestSession {
    pub key: SessionKey,
    pub principal: Principal,
    pub viewer: Viewer,
}

/// The client's address as the server determined it (the socket, or a trusted proxy's header).
#[derive(Clone, Copy, Debug)]
pub struct ClientAddress(pub IpAddr);

pub fn services() -> Result<Services, ApiError> {
    use_context::<Services>().ok_or_else(|| {
        tracing::error!("server functions ran without the server's services in context");
        ApiError::Internal
    })
}

/// The request's resolved session, or `Unauthenticated`.
pub fn authenticate() -> Result<RequestSession, ApiError> {
    let parts = use_context::<http::request::Parts>().ok_or(ApiError::Internal)?;
    parts.extensions.get::<RequestSession>().cloned().ok_or(ApiError::Unauthenticated)
}

pub fn client_address() -> Option<IpAddr> {
    let parts = use_context::<http::request::Parts>()?;
    parts.extensions.get::<ClientAddress>().map(|a| a.0)
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
