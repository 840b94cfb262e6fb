//! The tables, as sea-orm sees them. Rows only: what they mean is the domain's business.

pub mod audit_event;
pub mod grant;
pub mod impersonation;
pub mod login_throttle;
pub mod session;
pub mod task;
pub mod tenant;
pub mod user;
