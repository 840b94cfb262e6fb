//! The audit log: one line per event the rules decided and per write made while impersonating,
//! appended in the same transaction as the change it records (the database refuses to change a
//! line afterwards), and read back for super admins and for the live channel's revision.

use super::consent::names;
use super::internal;
use crate::db::entities::audit_event;
use crate::db::{from_db_time, to_db_time};
use app::api::types::{AuditEntry, AuditKind};
use app::backend::BackendError;
use app::domain::{EndReason, Event, GrantId, ImpersonationId, Principal, Timestamp, UserId};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, NotSet, QueryFilter, QueryOrder, QuerySelect, Set};
use uuid::Uuid;

/// An audit line with what every line has; the rest is filled in by the caller.
fn line(at: Timestamp, kind: AuditKind, subject: UserId, grant: GrantId) -> audit_event::ActiveModel {
    audit_event::ActiveModel {
        id: NotSet,
        at: Set(to_db_time(at)),
        kind: Set(kind.as_str().to_owned()),
        subject_id: Set(subject.uuid()),
        super_admin_id: Set(None),
        caused_by_id: Set(None),
        grant_id: Set(grant.uuid()),
        impersonation_id: Set(None),
        end_reason: Set(None),
        reason: Set(None),
        detail: Set(None),
    }
}

/// The audit log's line for an event.
pub fn line_for(event: &Event) -> audit_event::ActiveModel {
    match event {
        Event::Allowed(g) => audit_event::ActiveModel { caused_by_id: Set(Some(g.user.uuid())), ..line(g.allowed_at, AuditKind::Allowed, g.user, g.id) },
        Event::GrantEnded { grant, user, ending } if ending.reason == EndReason::Disallowed => {
            audit_event::ActiveModel { caused_by_id: Set(Some(user.uuid())), ..line(ending.at, AuditKind::Disallowed, *user, *grant) }
        }
        Event::GrantEnded { grant, user, ending } => audit_event::ActiveModel {
            end_reason: Set(Some(ending.reason.as_str().to_owned())),
            ..line(ending.at, AuditKind::GrantEnded, *user, *grant)
        },
        Event::Started { impersonation: imp, user, .. } | Event::Joined { impersonation: imp, user } => {
            let kind = if matches!(event, Event::Started { .. }) { AuditKind::Started } else { AuditKind::Joined };
            audit_event::ActiveModel {
                super_admin_id: Set(Some(imp.super_admin.uuid())),
                impersonation_id: Set(Some(imp.id.uuid())),
                reason: Set(imp.reason.as_ref().map(|r| r.as_str().to_owned())),
                ..line(imp.started_at, kind, *user, imp.grant)
            }
        }
        Event::Ended { impersonation, grant, super_admin, user, ending, by } => audit_event::ActiveModel {
            super_admin_id: Set(Some(super_admin.uuid())),
            caused_by_id: Set(by.map(UserId::uuid)),
            impersonation_id: Set(Some(impersonation.uuid())),
            end_reason: Set(Some(ending.reason.as_str().to_owned())),
            ..line(ending.at, AuditKind::Ended, *user, *grant)
        },
    }
}

/// Records a write made while impersonating.
pub async fn record_write(conn: &impl ConnectionTrait, principal: &Principal, at: Timestamp, detail: String) -> Result<(), DbErr> {
    let Principal::Impersonating(imp) = principal else { return Ok(()) };
    audit_event::ActiveModel {
        super_admin_id: Set(Some(imp.super_admin.uuid())),
        impersonation_id: Set(Some(imp.id.uuid())),
        detail: Set(Some(detail)),
        ..line(at, AuditKind::Wrote, imp.subject.id(), imp.grant)
    }
    .insert(conn)
    .await
    .map(|_| ())
}

/// The audit log, newest first.
pub async fn log(conn: &impl ConnectionTrait, limit: u64) -> Result<Vec<AuditEntry>, BackendError> {
    let rows = audit_event::Entity::find().order_by_desc(audit_event::Column::Id).limit(limit).all(conn).await.map_err(internal)?;
    let mut people = Vec::with_capacity(rows.len() * 3);
    for r in &rows {
        people.extend([Some(r.subject_id), r.super_admin_id, r.caused_by_id].into_iter().flatten());
    }
    let names = names(conn, people).await.map_err(internal)?;
    let name = |id: Option<Uuid>| id.and_then(|id| names.get(&id).cloned());
    Ok(rows
        .iter()
        .filter_map(|r| {
            Some(AuditEntry {
                at: from_db_time(r.at),
                kind: AuditKind::parse(&r.kind)?,
                subject_name: name(Some(r.subject_id)).unwrap_or_else(|| "(deleted user)".to_owned()),
                super_admin_name: name(r.super_admin_id),
                caused_by_name: name(r.caused_by_id).filter(|_| r.caused_by_id != Some(r.subject_id)),
                grant: GrantId::from_uuid(r.grant_id),
                impersonation: r.impersonation_id.map(ImpersonationId::from_uuid),
                end_reason: r.end_reason.as_deref().and_then(EndReason::parse),
                reason: r.reason.clone(),
                detail: r.detail.clone(),
            })
        })
        .collect())
}

/// The id of the latest audit event a page showing `principal`'s data depends on.
pub async fn revision(conn: &impl ConnectionTrait, principal: &Principal) -> Result<i64, DbErr> {
    let mut query = audit_event::Entity::find().select_only().column_as(audit_event::Column::Id.max(), "latest");
    if principal.as_super_admin().is_none() {
        query = query.filter(audit_event::Column::SubjectId.eq(principal.effective().id().uuid()));
    }
    let latest: Option<Option<i64>> = query.into_tuple().one(conn).await?;
    Ok(latest.flatten().unwrap_or(0))
}
