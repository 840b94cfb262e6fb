//! Stored rows as the domain's values, in one place for every query that reads them.

use crate::db::entities::{grant, impersonation, user};
use crate::db::{ending, from_db_time};
use super::error::StoreError;
use app::domain::{Access, Account, Grant, Terms, GrantId, Impersonation, ImpersonationId, Role, StartReason, TenantId, UserId};

/// An account from its stored columns; `None` for a role and tenant that contradict each other.
pub fn account(id: uuid::Uuid, role: &str, tenant: Option<uuid::Uuid>) -> Option<Account> {
    Account::from_parts(UserId::from_uuid(id), Role::parse(role)?, tenant.map(TenantId::from_uuid))
}

/// A user row as the account the rules know; an inconsistent one is our failure, not the caller's.
pub fn account_of(row: &user::Model) -> Result<Account, StoreError> {
    account(row.id, &row.role, row.tenant_id).ok_or_else(|| StoreError::Inconsistent(format!("user {} has a role that contradicts its tenant", row.id)))
}

pub fn grant_of(row: &grant::Model) -> Grant {
    Grant {
        terms: terms(&row.access, row.duration_ms),
        id: GrantId::from_uuid(row.id),
        user: UserId::from_uuid(row.user_id),
        allowed_at: from_db_time(row.allowed_at),
        start_deadline: from_db_time(row.start_deadline),
        ends_at: row.ends_at.map(from_db_time),
        ended: ending(row.ended_at, row.end_reason.as_deref()),
    }
}

pub fn impersonation_of(row: &impersonation::Model) -> Impersonation {
    Impersonation {
        id: ImpersonationId::from_uuid(row.id),
        grant: GrantId::from_uuid(row.grant_id),
        super_admin: UserId::from_uuid(row.super_admin_id),
        started_at: from_db_time(row.started_at),
        reason: row.reason.clone().map(StartReason::from_stored),
        ended: ending(row.ended_at, row.end_reason.as_deref()),
    }
}

/// The terms from their stored columns. An access level this version does not know reads as view
/// only, the most conservative reading; a negative duration (never written) as none.
pub fn terms(access: &str, duration_ms: i64) -> Terms {
    Terms {
        access: Access::parse(access).unwrap_or(Access::ViewOnly),
        duration: std::time::Duration::from_millis(u64::try_from(duration_ms).unwrap_or(0)),
    }
}

/// The duration as stored, in milliseconds (lengths are hours or days: far from the limit).
pub fn duration_ms(terms: &Terms) -> i64 {
    i64::try_from(terms.duration.as_millis()).unwrap_or(i64::MAX)
}
