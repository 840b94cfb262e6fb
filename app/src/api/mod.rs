//! The server functions: the only way the browser asks the server for anything.
//!
//! Each one authenticates from the session the server resolved before it ran, asks the domain,
//! persists through the backend and maps the outcome to an [`ApiError`]. Endpoints are explicit
//! and stable (`/api/<endpoint>`), so a deploy never breaks an open tab's calls.

pub mod account;
pub mod audit;
pub mod codec;
pub mod error;
pub mod home;
pub mod impersonation;
pub mod live;
pub mod navigation;
pub mod profile;
pub mod types;
#[cfg(feature = "ssr")]
mod request;
#[cfg(feature = "ssr")]
pub mod views;

pub use error::ApiError;
