//! The audit log: one row per event the rules decided, and per write made while impersonating.

use sea_orm::entity::prelude::*;

/// Append-only: the code inserts and reads these rows, never updates or deletes them.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: TimeDateTimeWithTimeZone,
    pub kind: String,
    pub subject_id: Uuid,
    pub super_admin_id: Option<Uuid>,
    pub caused_by_id: Option<Uuid>,
    pub grant_id: Uuid,
    pub impersonation_id: Option<Uuid>,
    pub end_reason: Option<String>,
    pub reason: Option<String>,
    pub detail: Option<String>,
    /// The user's terms, on `allowed` lines.
    pub access: Option<String>,
    pub duration_ms: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
