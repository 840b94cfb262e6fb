//! Sessions: who is logged in, under the hash of their cookie's secret, and the impersonation they are in.

use app::backend::SessionKey;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    /// SHA-256 of the cookie's secret, in hex; the secret itself is never stored.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id_hash: StoredSessionKey,
    /// The real principal: the super admin while impersonating.
    pub user_id: Uuid,
    pub impersonation_id: Option<Uuid>,
    /// The impersonation this session was in when it ended without the session leaving it, for
    /// the "why am I back here" notice.
    pub ended_impersonation_id: Option<Uuid>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub expires_at: TimeDateTimeWithTimeZone,
    pub last_seen_at: TimeDateTimeWithTimeZone,
    /// The owner's `password_version` when the login checked their password: the session is over
    /// once the owner's is another.
    pub password_version: i64,
}

/// A session's key as its column holds it. Its `Debug` shows the first 8 of its 64 hex digits, as
/// [`SessionKey`]'s does: enough to tell sessions apart in a log, and a log that leaks is no
/// list of keys. sea-orm derives `Debug` for a row and for the `ActiveModel` a session is
/// inserted with, so the column's type is where that is decided.
#[derive(Clone, PartialEq, Eq, DeriveValueType)]
pub struct StoredSessionKey(String);

impl From<&SessionKey> for StoredSessionKey {
    fn from(key: &SessionKey) -> StoredSessionKey {
        StoredSessionKey(key.as_str().to_owned())
    }
}

impl StoredSessionKey {
    pub fn into_key(self) -> SessionKey {
        SessionKey::from_stored(self.0)
    }
}

/// A primary key must say whether an auto-incremented number could be it: never, for a hash.
impl sea_orm::TryFromU64 for StoredSessionKey {
    fn try_from_u64(_: u64) -> Result<Self, DbErr> {
        Err(DbErr::ConvertFromU64("StoredSessionKey"))
    }
}

impl std::fmt::Debug for StoredSessionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StoredSessionKey({}…)", self.0.get(..8).unwrap_or(""))
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row printed into a log names its session by a prefix only, as a `SessionKey` does.
    #[test]
    fn a_session_printed_for_a_log_shows_only_the_start_of_its_key() {
        let key = SessionKey::from_stored("0123456789abcdef".repeat(4));
        let row = Model {
            id_hash: StoredSessionKey::from(&key),
            user_id: Uuid::nil(),
            impersonation_id: None,
            ended_impersonation_id: None,
            created_at: time::OffsetDateTime::UNIX_EPOCH,
            expires_at: time::OffsetDateTime::UNIX_EPOCH,
            last_seen_at: time::OffsetDateTime::UNIX_EPOCH,
            password_version: 0,
        };
        let new = ActiveModel { id_hash: sea_orm::ActiveValue::Set(StoredSessionKey::from(&key)), ..ActiveModel::new() };
        for printed in [format!("{row:?}"), format!("{new:?}")] {
            assert!(printed.contains("StoredSessionKey(01234567…)") && !printed.contains("89abcdef"), "{printed}");
        }
        assert_eq!(row.id_hash.into_key(), key);
    }
}
