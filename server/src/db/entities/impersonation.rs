//! Impersonations: one super admin acting as one user under a grant.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "impersonations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub grant_id: Uuid,
    pub super_admin_id: Uuid,
    pub started_at: TimeDateTimeWithTimeZone,
    pub reason: Option<String>,
    pub ended_at: Option<TimeDateTimeWithTimeZone>,
    pub end_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
