//! Grants: a user's consents to be impersonated, with their two windows.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "grants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub allowed_at: TimeDateTimeWithTimeZone,
    pub start_deadline: TimeDateTimeWithTimeZone,
    pub ends_at: Option<TimeDateTimeWithTimeZone>,
    pub ended_at: Option<TimeDateTimeWithTimeZone>,
    pub end_reason: Option<String>,
    /// The user's terms: `full` or `view_only`, and the duration from the first start.
    pub access: String,
    pub duration_ms: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
