//! People: ordinary users of a tenant, and the vendor's super admins.

use sea_orm::entity::prelude::*;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Option<Uuid>,
    pub name: String,
    pub email: String,
    pub email_normalized: String,
    pub password_hash: String,
    pub role: String,
    /// Bumped by every consent change: the first write of its transaction, which serializes
    /// concurrent changes to one user's consent on SQLite and PostgreSQL alike.
    pub consent_version: i64,
    pub created_at: TimeDateTimeWithTimeZone,
}

// Hand-written so a stray `{:?}` never prints a password hash into a log.
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User").field("id", &self.id).field("email", &self.email).field("role", &self.role).finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
