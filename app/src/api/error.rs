//! The one error every server function returns: what went wrong, in words a user can act on.
//!
//! Internals (database text, file paths, panics) never cross the wire: the server logs them and
//! sends `Internal`. Each variant also knows its HTTP status, which the server applies, so
//! malformed input is a 4xx and only our own failures are a 5xx.

use crate::domain::Refusal;
use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ApiError {
    #[error("Please log in to continue.")]
    Unauthenticated,
    #[error("{0}")]
    Refused(#[from] Refusal),
    #[error("Not found.")]
    NotFound,
    #[error("Wrong email or password.")]
    InvalidCredentials,
    #[error("Too many failed attempts. Try again in {retry_after_secs} s.")]
    Throttled { retry_after_secs: u64 },
    #[error("{0}")]
    Invalid(String),
    /// Neutral on purpose: it does not say whether, or whose, the address is (see `change_email`).
    #[error("That email address cannot be used for this account. Choose another.")]
    EmailTaken,
    #[error("The request was not understood: {0}")]
    BadRequest(String),
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    #[error("Could not reach the server. Check your connection and try again.")]
    Unreachable,
    #[error("The server is busy. Please try again in {retry_after_secs} s.")]
    Busy { retry_after_secs: u64 },
}

impl From<crate::domain::InvalidInput> for ApiError {
    fn from(invalid: crate::domain::InvalidInput) -> Self {
        ApiError::Invalid(invalid.to_string())
    }
}

impl ApiError {
    /// The HTTP status the server answers with.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::Unauthenticated | ApiError::InvalidCredentials => 401,
            ApiError::Refused(Refusal::ReasonRequired | Refusal::ReasonTooLong | Refusal::ReasonNotPlain | Refusal::LengthNotOffered) => 422,
            ApiError::EmailTaken | ApiError::Refused(Refusal::AlreadyAllowed) => 409,
            ApiError::Refused(_) => 403,
            ApiError::NotFound => 404,
            ApiError::Invalid(_) => 422,
            ApiError::BadRequest(_) => 400,
            ApiError::Throttled { .. } => 429,
            ApiError::Internal => 500,
            ApiError::Unreachable | ApiError::Busy { .. } => 503,
        }
    }

    /// For a refusal that passes with time: when to try again, for the `Retry-After` header.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            ApiError::Throttled { retry_after_secs } | ApiError::Busy { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(error: ServerFnErrorErr) -> Self {
        match error {
            ServerFnErrorErr::Args(detail) | ServerFnErrorErr::MissingArg(detail) => ApiError::BadRequest(detail),
            ServerFnErrorErr::Deserialization(_) | ServerFnErrorErr::UnsupportedRequestMethod(_) => {
                ApiError::BadRequest("malformed request".into())
            }
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => ApiError::Unreachable,
            _ => ApiError::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_mistakes_are_4xx_and_only_our_failures_are_5xx() {
        assert_eq!(ApiError::from_server_fn_error(ServerFnErrorErr::Args("x".into())).status(), 400);
        assert_eq!(ApiError::from_server_fn_error(ServerFnErrorErr::Deserialization("x".into())).status(), 400);
        assert_eq!(ApiError::from(Refusal::GrantExpired).status(), 403);
        assert_eq!(ApiError::Internal.status(), 500);
    }

    #[test]
    fn every_refusal_keeps_its_message() {
        let refusals = [
            Refusal::NotYourConsent, Refusal::WhileImpersonating, Refusal::NotASuperAdmin, Refusal::SubjectIsSuperAdmin,
            Refusal::SubjectIsSelf, Refusal::NoGrant, Refusal::GrantExpired, Refusal::ReasonRequired,
            Refusal::ReasonTooLong, Refusal::ReasonNotPlain, Refusal::NotImpersonating, Refusal::ImpersonationOver,
            Refusal::SuperAdminOnly, Refusal::NoTenant, Refusal::ViewOnly, Refusal::LengthNotOffered, Refusal::AlreadyAllowed,
        ];
        for refusal in refusals {
            assert_eq!(ApiError::from(refusal).to_string(), refusal.to_string());
        }
    }

    #[test]
    fn internal_errors_say_nothing_about_internals() {
        let wire = serde_json::to_string(&ApiError::Internal).expect("serializes");
        assert_eq!(wire, "\"Internal\"");
    }
}
