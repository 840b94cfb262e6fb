//! The `sessions` table: creating a session at login, the one query that resolves a request's
//! session with everything it needs, and the writes that move, touch and end sessions.

use crate::db::entities::session::StoredSessionKey;
use crate::db::entities::{grant, impersonation, session, tenant, user};
use crate::db::to_db_time;
use crate::store::base::SessionLimits;
use crate::store::sql_once::SqlOnce;
use crate::store::error::{Context, Result, answer};
use crate::store::rows;
use app::backend::{BackendError, SessionKey, SessionSecret};
use app::domain::{Grant, Impersonation, ImpersonationId, Timestamp, UserId};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use sea_orm::sea_query::{Alias, Expr, JoinType, Query, SelectStatement, SimpleExpr};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryResult, Set};
use std::time::Duration;
use time::OffsetDateTime;

/// Whether a session is over at `now`. Half-open like every window: over at the instant itself.
pub fn is_over(expires_at: Timestamp, last_seen_at: Timestamp, idle_timeout: Duration, now: Timestamp) -> bool {
    now >= expires_at || now >= last_seen_at.plus(idle_timeout)
}

fn new_secret() -> SessionSecret {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    SessionSecret::from_random_bytes(bytes)
}

/// Opens a fresh session for `user` (at login), under the password version the login checked.
/// Its secret is new randomness, never one the browser offered, so a session id planted before
/// login is never adopted.
pub async fn create(conn: &impl ConnectionTrait, user: UserId, password_version: i64, now: Timestamp, limits: SessionLimits) -> Result<SessionSecret> {
    let secret = new_secret();
    session::ActiveModel {
        id_hash: Set(StoredSessionKey::from(&secret.key())),
        user_id: Set(user.uuid()),
        impersonation_id: Set(None),
        ended_impersonation_id: Set(None),
        created_at: Set(to_db_time(now)),
        expires_at: Set(to_db_time(now.plus(limits.lifetime))),
        last_seen_at: Set(to_db_time(now)),
        password_version: Set(password_version),
    }
    .insert(conn)
    .await
    .context("opening a session")?;
    Ok(secret)
}


/// Ends the session under `key`: a request's [`SessionKey`] or a row's own key. Answers whether
/// it was still there.
pub async fn delete(conn: &impl ConnectionTrait, key: impl Into<StoredSessionKey>) -> Result<bool> {
    let removed = session::Entity::delete_by_id(key.into()).exec(conn).await.context("ending a session")?;
    Ok(removed.rows_affected > 0)
}

pub async fn find(conn: &impl ConnectionTrait, key: &SessionKey) -> Result<Option<session::Model>> {
    session::Entity::find_by_id(StoredSessionKey::from(key)).one(conn).await.context("reading a session")
}

/// Puts a session under a fresh secret, in or out of an impersonation (`into`), keeping its
/// owner and lifetime, under `password_version` (the old one's, unless the password just
/// changed), and removes the old one: the old id stops working.
///
/// The old row goes first, and must still be there: two moves of one session at once (two starts
/// from one tab, each locking a different user) both read it, and only one may move it. On
/// PostgreSQL the second waits at the row and then finds it gone; its whole change is refused.
pub async fn replace(
    conn: &impl ConnectionTrait,
    old: &session::Model,
    into: Option<ImpersonationId>,
    password_version: i64,
    now: Timestamp,
) -> Result<SessionSecret> {
    if !delete(conn, old.id_hash.clone()).await? {
        return answer(BackendError::NotFound);
    }
    let secret = new_secret();
    session::ActiveModel {
        id_hash: Set(StoredSessionKey::from(&secret.key())),
        user_id: Set(old.user_id),
        impersonation_id: Set(into.map(ImpersonationId::uuid)),
        ended_impersonation_id: Set(None),
        // The absolute lifetime counts from login, not from this move.
        created_at: Set(old.created_at),
        expires_at: Set(old.expires_at),
        last_seen_at: Set(to_db_time(now)),
        password_version: Set(password_version),
    }
    .insert(conn)
    .await
    .context("moving a session")?;
    Ok(secret)
}

/// Counts the request as use of the session.
pub async fn touch(conn: &impl ConnectionTrait, key: &SessionKey, now: Timestamp) -> Result<()> {
    session::Entity::update_many()
        .col_expr(session::Column::LastSeenAt, Expr::value(to_db_time(now)))
        .filter(session::Column::IdHash.eq(key.as_str()))
        .exec(conn)
        .await
        .context("touching a session")?;
    Ok(())
}

/// Returns the session from an impersonation that ended under it to the super admin's own,
/// remembering the impersonation for the notice. Only while it is still in that one, so
/// concurrent requests of one tab agree.
pub async fn leave_ended(conn: &impl ConnectionTrait, key: &SessionKey, impersonation: ImpersonationId) -> Result<()> {
    session::Entity::update_many()
        .col_expr(session::Column::ImpersonationId, Expr::value(Option::<uuid::Uuid>::None))
        .col_expr(session::Column::EndedImpersonationId, Expr::value(impersonation.uuid()))
        .filter(session::Column::IdHash.eq(key.as_str()))
        .filter(session::Column::ImpersonationId.eq(impersonation.uuid()))
        .exec(conn)
        .await
        .context("leaving an ended impersonation")?;
    Ok(())
}

/// The sessions over at `now`: past their lifetime, unused for the idle timeout, or opened under
/// a password their owner has since changed.
pub async fn over(conn: &impl ConnectionTrait, now: Timestamp, limits: SessionLimits) -> Result<Vec<session::Model>> {
    let idle_since = to_db_time(now.minus(limits.idle_timeout));
    let owners_version = Query::select()
        .column((user::Entity, user::Column::PasswordVersion))
        .from(user::Entity)
        .and_where(Expr::col((user::Entity, user::Column::Id)).equals((session::Entity, session::Column::UserId)))
        .to_owned();
    let changed_password =
        Expr::col((session::Entity, session::Column::PasswordVersion)).ne(SimpleExpr::SubQuery(None, Box::new(owners_version.into_sub_query_statement())));
    session::Entity::find()
        .filter(session::Column::ExpiresAt.lte(to_db_time(now)).or(session::Column::LastSeenAt.lte(idle_since)).or(changed_password))
        .all(conn)
        .await
        .context("reading sessions that are over")
}

/// Every session of `user` but `keep`.
pub async fn others_of(conn: &impl ConnectionTrait, user: UserId, keep: &SessionKey) -> Result<Vec<session::Model>> {
    session::Entity::find()
        .filter(session::Column::UserId.eq(user.uuid()))
        .filter(session::Column::IdHash.ne(keep.as_str()))
        .all(conn)
        .await
        .context("reading a person's sessions")
}

/// The session's row: one list gives the struct's fields, the query's columns and the reader, so
/// the three cannot drift apart. Each entry: (table alias, column) => field: type. The tables: the
/// session (`s`), its owner (`p`) and their tenant (`pt`), the impersonation it is in (`i`) and its
/// grant (`g`), the impersonated user (`su`) and their tenant (`st`). The fields after `when` come
/// from the impersonation's joins, so they are all NULL unless the gate field is set.
macro_rules! session_row {
    (
        $(($table:literal, $column:literal) => $field:ident: $type:ty),* ;
        when $gate:ident: $(($g_table:literal, $g_column:literal) => $g_field:ident: $g_type:ty),* $(,)?
    ) => {
        /// Everything one request needs about its session, from one query.
        #[derive(Debug)]
        pub struct Row {
            $(pub $field: $type,)*
            $(pub $g_field: $g_type),*
        }

        /// The resolving query's columns, in order: (table alias, column, name in the result).
        const COLUMNS: &[(&str, &str, &str)] =
            &[$(($table, $column, stringify!($field)),)* $(($g_table, $g_column, stringify!($g_field))),*];

        /// Read by position, not by name: sea-orm's derived reader formats every column's name and
        /// looks it up on every request, about 5 % of a logged-in page's work on the server
        /// (callgrind). And the gated columns are not read at all outside an impersonation: for
        /// each NULL it reads, sea-orm formats an error message and drops it, another 1.6 %.
        impl FromQueryResult for Row {
            fn from_query_result(result: &QueryResult, _prefix: &str) -> std::result::Result<Row, DbErr> {
                let mut column = 0_usize;
                let mut next = || {
                    column += 1;
                    column - 1
                };
                $(let $field: $type = result.try_get_by_index(next())?;)*
                let gated = $gate.is_some();
                $(let at = next();
                let $g_field: $g_type = if gated { result.try_get_by_index(at)? } else { None };)*
                Ok(Row { $($field,)* $($g_field),* })
            }
        }
    };
}

session_row! {
    ("s", "user_id") => user_id: uuid::Uuid,
    ("s", "impersonation_id") => impersonation_id: Option<uuid::Uuid>,
    ("s", "expires_at") => expires_at: OffsetDateTime,
    ("s", "last_seen_at") => last_seen_at: OffsetDateTime,
    ("s", "password_version") => password_version: i64,
    ("p", "name") => p_name: String,
    ("p", "email") => p_email: String,
    ("p", "role") => p_role: String,
    ("p", "tenant_id") => p_tenant_id: Option<uuid::Uuid>,
    ("p", "password_version") => p_password_version: i64,
    ("pt", "name") => p_tenant_name: Option<String>;
    when impersonation_id:
    ("i", "grant_id") => i_grant_id: Option<uuid::Uuid>,
    ("i", "super_admin_id") => i_super_admin_id: Option<uuid::Uuid>,
    ("i", "started_at") => i_started_at: Option<OffsetDateTime>,
    ("i", "reason") => i_reason: Option<String>,
    ("i", "ended_at") => i_ended_at: Option<OffsetDateTime>,
    ("i", "end_reason") => i_end_reason: Option<String>,
    ("g", "user_id") => g_user_id: Option<uuid::Uuid>,
    ("g", "allowed_at") => g_allowed_at: Option<OffsetDateTime>,
    ("g", "start_deadline") => g_start_deadline: Option<OffsetDateTime>,
    ("g", "ends_at") => g_ends_at: Option<OffsetDateTime>,
    ("g", "ended_at") => g_ended_at: Option<OffsetDateTime>,
    ("g", "end_reason") => g_end_reason: Option<String>,
    ("g", "access") => g_access: Option<String>,
    ("g", "duration_ms") => g_duration_ms: Option<i64>,
    ("su", "name") => s_name: Option<String>,
    ("su", "email") => s_email: Option<String>,
    ("su", "role") => s_role: Option<String>,
    ("su", "tenant_id") => s_tenant_id: Option<uuid::Uuid>,
    ("st", "name") => s_tenant_name: Option<String>,
}

pub async fn load(conn: &impl ConnectionTrait, key: &SessionKey) -> Result<Option<Row>> {
    static SQL: SqlOnce = SqlOnce::new();
    let statement = SQL.statement(conn.get_database_backend(), resolve_query, [key.as_str().into()]);
    Row::find_by_statement(statement).one(conn).await.context("resolving a session")
}

/// The session's row and everything joined to it; the one value is the session's key.
fn resolve_query() -> SelectStatement {
    let (s, p, pt, i, g, su, st) =
        (Alias::new("s"), Alias::new("p"), Alias::new("pt"), Alias::new("i"), Alias::new("g"), Alias::new("su"), Alias::new("st"));
    let col = |table: &Alias, column: &str| Expr::col((table.clone(), Alias::new(column)));
    let mut query = Query::select();
    for &(table, column, alias) in COLUMNS {
        query.expr_as(col(&Alias::new(table), column), Alias::new(alias));
    }
    query
        .from_as(session::Entity, s.clone())
        .join_as(JoinType::InnerJoin, user::Entity, p.clone(), col(&p, "id").equals((s.clone(), Alias::new("user_id"))))
        .join_as(JoinType::LeftJoin, tenant::Entity, pt.clone(), col(&pt, "id").equals((p.clone(), Alias::new("tenant_id"))))
        .join_as(
            JoinType::LeftJoin,
            impersonation::Entity,
            i.clone(),
            col(&i, "id").equals((s.clone(), Alias::new("impersonation_id"))),
        )
        .join_as(JoinType::LeftJoin, crate::db::entities::grant::Entity, g.clone(), col(&g, "id").equals((i.clone(), Alias::new("grant_id"))))
        .join_as(JoinType::LeftJoin, user::Entity, su.clone(), col(&su, "id").equals((g.clone(), Alias::new("user_id"))))
        .join_as(JoinType::LeftJoin, tenant::Entity, st.clone(), col(&st, "id").equals((su.clone(), Alias::new("tenant_id"))))
        .and_where(col(&s, "id_hash").eq(""));
    query
}

/// The impersonation and grant of a row, when the session is in one.
pub fn impersonation_of(row: &Row) -> Option<(Impersonation, Grant)> {
    let impersonation = impersonation::Model {
        id: row.impersonation_id?,
        grant_id: row.i_grant_id?,
        super_admin_id: row.i_super_admin_id?,
        started_at: row.i_started_at?,
        reason: row.i_reason.clone(),
        ended_at: row.i_ended_at,
        end_reason: row.i_end_reason.clone(),
    };
    let grant = grant::Model {
        id: impersonation.grant_id,
        user_id: row.g_user_id?,
        allowed_at: row.g_allowed_at?,
        start_deadline: row.g_start_deadline?,
        ends_at: row.g_ends_at,
        ended_at: row.g_ended_at,
        end_reason: row.g_end_reason.clone(),
        access: row.g_access.clone()?,
        duration_ms: row.g_duration_ms?,
    };
    Some((rows::impersonation_of(&impersonation), rows::grant_of(&grant)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Timestamp = Timestamp::from_unix_millis(1_000_000_000);
    const IDLE: Duration = Duration::from_secs(600);

    #[test]
    fn a_session_is_over_at_its_expiry_not_a_millisecond_before() {
        let expires = T0.plus(Duration::from_secs(3600));
        let seen = expires.minus(Duration::from_secs(1));
        assert!(!is_over(expires, seen, IDLE, expires.minus(Duration::from_millis(1))));
        assert!(is_over(expires, seen, IDLE, expires));
    }

    #[test]
    fn an_idle_session_is_over_exactly_one_idle_timeout_after_last_use() {
        let expires = T0.plus(Duration::from_secs(86_400));
        let idle_end = T0.plus(IDLE);
        assert!(!is_over(expires, T0, IDLE, idle_end.minus(Duration::from_millis(1))));
        assert!(is_over(expires, T0, IDLE, idle_end));
    }
}
