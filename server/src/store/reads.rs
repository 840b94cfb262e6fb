//! What the pages read, put together from the tables: a user's history and the audit log, with
//! the names of the people on them.

use super::error::Result;
use super::rows::{grant_of, impersonation_of};
use super::tables::{audit, consent, people};
use app::backend::{AuditRecord, HistoryRecord};
use app::domain::{AuditKind, EndReason, GrantId, Page, UserId};
use sea_orm::ConnectionTrait;
use std::collections::HashMap;

/// A user's impersonations, newest first, each with its grant (the rules tell from it whether
/// time ended the impersonation before anyone recorded it).
pub async fn history(conn: &impl ConnectionTrait, subject: UserId, limit: u64) -> Result<Vec<HistoryRecord>> {
    let grants: HashMap<_, _> = consent::grants_of(conn, subject).await?.iter().map(|g| (g.id, grant_of(g))).collect();
    let rows = consent::latest_impersonations(conn, grants.keys().copied(), limit).await?;
    let names = people::names(conn, rows.iter().map(|r| r.super_admin_id)).await?;
    Ok(rows
        .iter()
        .map(|row| HistoryRecord {
            impersonation: impersonation_of(row),
            grant: grants.get(&row.grant_id).cloned(),
            super_admin_name: names.get(&row.super_admin_id).cloned().unwrap_or_default(),
        })
        .collect())
}

/// One page of the audit log, newest first, and how many lines there are in all. A line of a kind
/// this build does not know is left out.
pub async fn audit_log(conn: &impl ConnectionTrait, page: Page) -> Result<(Vec<AuditRecord>, u64)> {
    let (rows, total) = audit::page(conn, page).await?;
    let mut ids = Vec::with_capacity(rows.len() * 3);
    for r in &rows {
        ids.extend([Some(r.subject_id), r.super_admin_id, r.caused_by_id].into_iter().flatten());
    }
    let names = people::names(conn, ids).await?;
    let name = |id: Option<uuid::Uuid>| id.and_then(|id| names.get(&id).cloned());
    let records = rows
        .iter()
        .filter_map(|r| {
            Some(AuditRecord {
                at: crate::db::from_db_time(r.at),
                kind: AuditKind::parse(&r.kind)?,
                grant: GrantId::from_uuid(r.grant_id),
                subject: UserId::from_uuid(r.subject_id),
                subject_name: name(Some(r.subject_id)),
                super_admin_name: name(r.super_admin_id),
                caused_by: r.caused_by_id.map(UserId::from_uuid),
                caused_by_name: name(r.caused_by_id),
                end_reason: r.end_reason.as_deref().and_then(EndReason::parse),
                reason: r.reason.clone(),
                detail: r.detail.clone(),
            })
        })
        .collect();
    Ok((records, total))
}
