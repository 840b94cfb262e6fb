//! The audit log, for super admins in their own session, a page at a time.

use super::ApiError;
use super::types::AuditLogPage;
use leptos::prelude::*;

/// One page of the audit log, newest first; no page is the first.
#[server(endpoint = "audit")]
pub async fn audit_log(page: Option<u32>) -> Result<AuditLogPage, ApiError> {
    use super::request::{authenticate, services};
    crate::domain::rules::may_see_super_admin_pages(&authenticate()?.principal)?;
    let page = crate::domain::Page(page.unwrap_or_default());
    let (records, total) = services()?.backend.audit_log(page).await?;
    Ok(AuditLogPage { entries: records.into_iter().map(super::views::audit_entry).collect(), total, page })
}
