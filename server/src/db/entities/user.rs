//! People: ordinary users of a tenant, and the vendor's super admins.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Option<Uuid>,
    pub name: String,
    pub email: String,
    pub email_normalized: String,
    pub password_hash: StoredHash,
    pub role: String,
    /// Bumped by every consent change: the first write of its transaction, which serializes
    /// concurrent changes to one user's consent on SQLite and PostgreSQL alike.
    pub consent_version: i64,
    /// Counted up by every password change; a session opened under another is over.
    pub password_version: i64,
    pub created_at: TimeDateTimeWithTimeZone,
}

/// A stored password hash (PHC string). Never serialized, never printed: sea-orm derives `Debug`
/// for a row and for the `ActiveModel` a new person is inserted with, and this type keeps the hash
/// out of both.
#[derive(Clone, PartialEq, Eq, DeriveValueType)]
pub struct StoredHash(String);

impl StoredHash {
    pub fn from_stored(phc: String) -> Self {
        Self(phc)
    }

    pub fn into_stored(self) -> String {
        self.0
    }

    /// The PHC string, for the verifier only.
    pub fn as_phc(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for StoredHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoredHash(…)")
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::ActiveValue::Set;

    /// sea-orm derives `Debug` for a row and for the `ActiveModel` a new person is inserted with:
    /// neither may print the hash into a log.
    #[test]
    fn a_person_printed_for_a_log_shows_no_password_hash() {
        let hash = StoredHash::from_stored("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$secretpart".into());
        let row = Model {
            id: Uuid::nil(),
            tenant_id: None,
            name: "Ann Lee".into(),
            email: "ann@acme.test".into(),
            email_normalized: "ann@acme.test".into(),
            password_hash: hash.clone(),
            role: "user".into(),
            consent_version: 0,
            password_version: 0,
            created_at: time::OffsetDateTime::UNIX_EPOCH,
        };
        let new = ActiveModel { password_hash: Set(hash), ..ActiveModel::new() };
        for printed in [format!("{row:?}"), format!("{new:?}")] {
            assert!(!printed.contains("secretpart") && printed.contains("StoredHash(…)"), "{printed}");
        }
    }
}
