//! Sessions: who is logged in, under the hash of their cookie's secret, and the impersonation they are in.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    /// SHA-256 of the cookie's secret, in hex; the secret itself is never stored.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id_hash: String,
    /// The real principal: the super admin while impersonating.
    pub user_id: Uuid,
    pub impersonation_id: Option<Uuid>,
    /// The impersonation this session was in when it ended without the session leaving it, for
    /// the "why am I back here" notice.
    pub ended_impersonation_id: Option<Uuid>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub expires_at: TimeDateTimeWithTimeZone,
    pub last_seen_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
