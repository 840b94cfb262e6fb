//! The full audit log, for super admins in their own session.

use super::ApiError;
use super::types::AuditEntry;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
const AUDIT_LIMIT: u64 = 200;

#[server(endpoint = "audit")]
pub async fn audit_log() -> Result<Vec<AuditEntry>, ApiError> {
    use super::request::{authenticate, services};
    crate::domain::rules::may_see_staff_pages(&authenticate()?.principal)?;
    let log = services()?.backend.audit_log(AUDIT_LIMIT).await?;
    Ok(log.into_iter().map(super::views::audit_entry).collect())
}
