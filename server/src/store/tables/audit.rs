//! The `audit_events` table: one line per event the rules decided and per write made while
//! impersonating, appended in the same transaction as the change it records (the database refuses
//! to change a line afterwards).

use crate::db::entities::audit_event;
use crate::db::to_db_time;
use crate::store::rows::duration_ms;
use crate::store::error::{Context, Result};
use app::domain::{ActiveImpersonation, AuditKind, Event, GrantId, Page, Timestamp, UserId};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, NotSet, PaginatorTrait, QueryOrder, QuerySelect, Set};

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
        access: Set(None),
        duration_ms: Set(None),
    }
}

/// Appends the line recording an event; its kind is the domain's to say.
pub async fn append(conn: &impl ConnectionTrait, event: &Event) -> Result<()> {
    let kind = event.audit_kind();
    let row = match event {
        Event::Allowed(g) => audit_event::ActiveModel {
            caused_by_id: Set(Some(g.user.uuid())),
            access: Set(Some(g.terms.access.as_str().to_owned())),
            duration_ms: Set(Some(duration_ms(&g.terms))),
            ..line(g.allowed_at, kind, g.user, g.id)
        },
        Event::GrantEnded { grant, user, ending } => audit_event::ActiveModel {
            // A disallow is the user's own act; a grant time ended has a reason instead.
            caused_by_id: Set((kind == AuditKind::Disallowed).then(|| user.uuid())),
            end_reason: Set((kind != AuditKind::Disallowed).then(|| ending.reason.as_str().to_owned())),
            ..line(ending.at, kind, *user, *grant)
        },
        Event::Started { impersonation: imp, user, .. } | Event::Joined { impersonation: imp, user } => audit_event::ActiveModel {
            super_admin_id: Set(Some(imp.super_admin.uuid())),
            impersonation_id: Set(Some(imp.id.uuid())),
            reason: Set(imp.reason.as_ref().map(|r| r.as_str().to_owned())),
            ..line(imp.started_at, kind, *user, imp.grant)
        },
        Event::Ended { impersonation, grant, super_admin, user, ending, by } => audit_event::ActiveModel {
            super_admin_id: Set(Some(super_admin.uuid())),
            caused_by_id: Set(by.map(UserId::uuid)),
            impersonation_id: Set(Some(impersonation.uuid())),
            end_reason: Set(Some(ending.reason.as_str().to_owned())),
            ..line(ending.at, kind, *user, *grant)
        },
    };
    row.insert(conn).await.context("appending to the audit log")?;
    Ok(())
}

/// Appends the line recording a write made while impersonating.
pub async fn append_write(conn: &impl ConnectionTrait, imp: &ActiveImpersonation, at: Timestamp, detail: String) -> Result<()> {
    audit_event::ActiveModel {
        super_admin_id: Set(Some(imp.super_admin.uuid())),
        impersonation_id: Set(Some(imp.id.uuid())),
        detail: Set(Some(detail)),
        ..line(at, AuditKind::Wrote, imp.subject.id(), imp.grant)
    }
    .insert(conn)
    .await
    .context("recording a write in the audit log")?;
    Ok(())
}

/// One page of lines, newest first, and how many there are in all.
pub async fn page(conn: &impl ConnectionTrait, page: Page) -> Result<(Vec<audit_event::Model>, u64)> {
    let total = audit_event::Entity::find().count(conn).await.context("counting the audit log")?;
    let lines = audit_event::Entity::find()
        .order_by_desc(audit_event::Column::Id)
        .offset(page.offset())
        .limit(Page::SIZE)
        .all(conn)
        .await
        .context("reading the audit log")?;
    Ok((lines, total))
}

/// Every line, in the order they were written (the history check's whole-table read).
pub async fn every_line(conn: &impl ConnectionTrait) -> Result<Vec<audit_event::Model>> {
    audit_event::Entity::find().order_by_asc(audit_event::Column::Id).all(conn).await.context("reading the whole audit log")
}

/// The id of the latest audit event about anyone: a super admin's own pages show everyone's.
/// (A user's pages add their tenant's records to theirs: `reads::revision`.)
pub async fn latest_id(conn: &impl ConnectionTrait) -> Result<i64> {
    let query = audit_event::Entity::find().select_only().column_as(audit_event::Column::Id.max(), "latest");
    let latest: Option<Option<i64>> = query.into_tuple().one(conn).await.context("reading the revision")?;
    Ok(latest.flatten().unwrap_or(0))
}
