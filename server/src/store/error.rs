//! The store's one error type. A database error keeps its cause (the `DbErr` and what the store
//! was doing) until the `Backend` boundary, where it becomes `BackendError::Internal` once: the
//! log then says which query failed, and the wire still says only "something went wrong".

use app::backend::BackendError;
use app::domain::{InvalidInput, Refusal};
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// An answer for the caller (a refusal, not found, throttled…): passed on as it is.
    #[error(transparent)]
    Answer(#[from] BackendError),
    #[error("database: {0}")]
    Database(#[from] DbErr),
    #[error("{what}: {source}")]
    Query { what: &'static str, source: DbErr },
    /// Stored data the domain cannot accept (a role that contradicts its tenant…).
    #[error("inconsistent data: {0}")]
    Inconsistent(String),
    #[error("password hashing: {0}")]
    Hashing(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl From<Refusal> for StoreError {
    fn from(refusal: Refusal) -> Self {
        StoreError::Answer(BackendError::Refused(refusal))
    }
}

impl From<InvalidInput> for StoreError {
    fn from(invalid: InvalidInput) -> Self {
        StoreError::Answer(invalid.into())
    }
}

impl From<StoreError> for BackendError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Answer(answer) => answer,
            internal => BackendError::Internal(internal.to_string()),
        }
    }
}

/// Names what a query was for, so the log says more than the driver's text.
pub trait Context<T> {
    fn context(self, what: &'static str) -> Result<T>;
}

impl<T> Context<T> for std::result::Result<T, DbErr> {
    fn context(self, what: &'static str) -> Result<T> {
        self.map_err(|source| StoreError::Query { what, source })
    }
}

/// Shorthand for the answers the store gives on purpose.
pub fn answer<T>(answer: BackendError) -> Result<T> {
    Err(StoreError::Answer(answer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_error_reaches_the_boundary_with_what_failed() {
        let failed: std::result::Result<(), DbErr> = Err(DbErr::Custom("connection reset".into()));
        let error = BackendError::from(failed.context("locking the consent").unwrap_err());
        match error {
            BackendError::Internal(detail) => assert_eq!(detail, "locking the consent: Custom Error: connection reset"),
            other => panic!("expected an internal error, got {other:?}"),
        }
    }

    #[test]
    fn answers_pass_the_boundary_unchanged() {
        assert!(matches!(BackendError::from(StoreError::from(Refusal::NoGrant)), BackendError::Refused(Refusal::NoGrant)));
        assert!(matches!(BackendError::from(StoreError::Answer(BackendError::NotFound)), BackendError::NotFound));
    }
}
