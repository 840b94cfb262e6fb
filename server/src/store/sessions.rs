//! Sessions: creating them at login, resolving them on every request, moving them in and out of
//! impersonations, and ending them.
//!
//! Resolution is one query (session, its person, their tenant, the impersonation, its grant, the
//! impersonated user and their tenant), then the rules decide, on every request, from stored
//! times only. Nothing is cached between requests, so every server instance agrees at once.

use super::{Store, internal, rows};
use crate::db::entities::{grant, impersonation, session, tenant, user};
use crate::db::{from_db_time, to_db_time};
use app::api::types::{Banner, EndNotice, Viewer};
use app::backend::{BackendError, RequestSession, SessionKey, SessionMove, SessionSecret};
use app::domain::{Event, Grant, Impersonation, ImpersonationId, Principal, Role, Timestamp, UserId, rules};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use sea_orm::sea_query::{Alias, Expr, JoinType, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, Set,
};
use std::time::Duration;
use time::OffsetDateTime;

/// How long sessions last.
#[derive(Clone, Copy, Debug)]
pub struct SessionLimits {
    /// A session unused this long is over.
    pub idle_timeout: Duration,
    /// A session is over this long after login, however active.
    pub lifetime: Duration,
}

/// `last_seen_at` is written at most this often, not on every request.
const TOUCH_EVERY: Duration = Duration::from_secs(60);

/// Whether a session is over at `now`. Half-open like every window: over at the instant itself.
pub fn is_over(expires_at: Timestamp, last_seen_at: Timestamp, idle_timeout: Duration, now: Timestamp) -> bool {
    now >= expires_at || now >= last_seen_at.plus(idle_timeout)
}

fn new_secret() -> SessionSecret {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    SessionSecret::from_random_bytes(bytes)
}

/// Opens a fresh session for `user` (at login). Its secret is new randomness, never one the
/// browser offered, so a session id planted before login is never adopted.
pub async fn create(conn: &impl ConnectionTrait, user: UserId, now: Timestamp, limits: SessionLimits) -> Result<SessionSecret, DbErr> {
    let secret = new_secret();
    session::ActiveModel {
        id_hash: Set(secret.key().as_str().to_owned()),
        user_id: Set(user.uuid()),
        impersonation_id: Set(None),
        ended_impersonation_id: Set(None),
        created_at: Set(to_db_time(now)),
        expires_at: Set(to_db_time(now.plus(limits.lifetime))),
        last_seen_at: Set(to_db_time(now)),
    }
    .insert(conn)
    .await?;
    Ok(secret)
}

pub async fn delete(conn: &impl ConnectionTrait, key: &SessionKey) -> Result<(), BackendError> {
    session::Entity::delete_by_id(key.as_str().to_owned()).exec(conn).await.map_err(internal)?;
    Ok(())
}

/// Moves the caller's session as part of a consent change, under a fresh secret when it stays
/// alive (starting and stopping change what the session may do, so the old id stops working).
pub async fn apply_move(
    conn: &impl ConnectionTrait,
    moved: &SessionMove,
    events: &[Event],
    now: Timestamp,
) -> Result<Option<SessionSecret>, BackendError> {
    let (key, into) = match moved {
        SessionMove::Stay => return Ok(None),
        SessionMove::End { session } => {
            delete(conn, session).await?;
            return Ok(None);
        }
        SessionMove::Leave { session } => (session, None),
        SessionMove::Enter { session, impersonation } => {
            let entered = events.iter().any(|e| {
                matches!(e, Event::Started { impersonation: i, .. } | Event::Joined { impersonation: i, .. } if i.id == *impersonation)
            });
            if !entered {
                return Err(BackendError::Internal("start decided without entering the impersonation".into()));
            }
            (session, Some(impersonation.uuid()))
        }
    };
    let old = session::Entity::find_by_id(key.as_str().to_owned()).one(conn).await.map_err(internal)?.ok_or(BackendError::NotFound)?;
    let secret = new_secret();
    session::ActiveModel {
        id_hash: Set(secret.key().as_str().to_owned()),
        user_id: Set(old.user_id),
        impersonation_id: Set(into),
        ended_impersonation_id: Set(None),
        // The absolute lifetime counts from login, not from this move.
        created_at: Set(old.created_at),
        expires_at: Set(old.expires_at),
        last_seen_at: Set(to_db_time(now)),
    }
    .insert(conn)
    .await
    .map_err(internal)?;
    delete(conn, key).await?;
    Ok(Some(secret))
}

/// Everything one request needs about its session, from one query.
#[derive(Debug, FromQueryResult)]
struct Row {
    user_id: uuid::Uuid,
    impersonation_id: Option<uuid::Uuid>,
    expires_at: OffsetDateTime,
    last_seen_at: OffsetDateTime,
    p_name: String,
    p_email: String,
    p_role: String,
    p_tenant_id: Option<uuid::Uuid>,
    p_tenant_name: Option<String>,
    i_grant_id: Option<uuid::Uuid>,
    i_super_admin_id: Option<uuid::Uuid>,
    i_started_at: Option<OffsetDateTime>,
    i_reason: Option<String>,
    i_ended_at: Option<OffsetDateTime>,
    i_end_reason: Option<String>,
    g_user_id: Option<uuid::Uuid>,
    g_allowed_at: Option<OffsetDateTime>,
    g_start_deadline: Option<OffsetDateTime>,
    g_ends_at: Option<OffsetDateTime>,
    g_ended_at: Option<OffsetDateTime>,
    g_end_reason: Option<String>,
    s_name: Option<String>,
    s_email: Option<String>,
    s_role: Option<String>,
    s_tenant_id: Option<uuid::Uuid>,
    s_tenant_name: Option<String>,
}

async fn load_row(conn: &impl ConnectionTrait, key: &SessionKey) -> Result<Option<Row>, DbErr> {
    let (s, p, pt, i, g, su, st) =
        (Alias::new("s"), Alias::new("p"), Alias::new("pt"), Alias::new("i"), Alias::new("g"), Alias::new("su"), Alias::new("st"));
    let col = |table: &Alias, column: &str| Expr::col((table.clone(), Alias::new(column)));
    let mut query = Query::select();
    for (table, column, alias) in [
        (&s, "user_id", "user_id"),
        (&s, "impersonation_id", "impersonation_id"),
        (&s, "expires_at", "expires_at"),
        (&s, "last_seen_at", "last_seen_at"),
        (&p, "name", "p_name"),
        (&p, "email", "p_email"),
        (&p, "role", "p_role"),
        (&p, "tenant_id", "p_tenant_id"),
        (&pt, "name", "p_tenant_name"),
        (&i, "grant_id", "i_grant_id"),
        (&i, "super_admin_id", "i_super_admin_id"),
        (&i, "started_at", "i_started_at"),
        (&i, "reason", "i_reason"),
        (&i, "ended_at", "i_ended_at"),
        (&i, "end_reason", "i_end_reason"),
        (&g, "user_id", "g_user_id"),
        (&g, "allowed_at", "g_allowed_at"),
        (&g, "start_deadline", "g_start_deadline"),
        (&g, "ends_at", "g_ends_at"),
        (&g, "ended_at", "g_ended_at"),
        (&g, "end_reason", "g_end_reason"),
        (&su, "name", "s_name"),
        (&su, "email", "s_email"),
        (&su, "role", "s_role"),
        (&su, "tenant_id", "s_tenant_id"),
        (&st, "name", "s_tenant_name"),
    ] {
        query.expr_as(col(table, column), Alias::new(alias));
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
        .and_where(col(&s, "id_hash").eq(key.as_str()));
    let statement = conn.get_database_backend().build(&query);
    Row::find_by_statement(statement).one(conn).await
}

/// The impersonation and grant of a row, when the session is in one.
fn impersonation_of(row: &Row) -> Option<(Impersonation, Grant)> {
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
    };
    Some((rows::impersonation_of(&impersonation), rows::grant_of(&grant)))
}

pub async fn resolve(store: &Store, key: &SessionKey, now: Timestamp, touch: bool) -> Result<Option<RequestSession>, BackendError> {
    let Some(row) = load_row(store.db(), key).await.map_err(internal)? else { return Ok(None) };
    let limits = store.sessions;
    if is_over(from_db_time(row.expires_at), from_db_time(row.last_seen_at), limits.idle_timeout, now) {
        // Rule 8: an impersonation lives inside the super admin's session and ends with it.
        if let Some((impersonation, grant)) = impersonation_of(&row) {
            end_with_session(store, grant.user, impersonation.id, now).await?;
        }
        delete(store.db(), key).await?;
        return Ok(None);
    }
    let Some(own) = rows::account(row.user_id, &row.p_role, row.p_tenant_id) else {
        tracing::warn!(user = %row.user_id, "session of an account with an inconsistent role; refusing it");
        return Ok(None);
    };
    let mut principal = Principal::Own(own);
    let mut banner = None;
    if let Some((impersonation, grant)) = impersonation_of(&row) {
        let subject = row.s_role.as_deref().and_then(|role| rows::account(grant.user.uuid(), role, row.s_tenant_id));
        let acting = match subject {
            Some(subject) => rules::acting_as(own, subject, &impersonation, &grant, now),
            None => Err(app::domain::Ending { at: now, reason: app::domain::EndReason::SessionEnded }),
        };
        match acting {
            Ok(active) => {
                principal = Principal::Impersonating(active);
                banner = Some(Banner {
                    super_admin_name: row.p_name.clone(),
                    subject_name: row.s_name.clone().unwrap_or_default(),
                    tenant_name: row.s_tenant_name.clone().unwrap_or_default(),
                    ends_at: active.ends_at,
                    server_now: now,
                });
            }
            Err(_) => fall_out_of(store, key, &impersonation, &grant, now).await?,
        }
    }
    if touch && now >= from_db_time(row.last_seen_at).plus(TOUCH_EVERY) {
        session::Entity::update_many()
            .col_expr(session::Column::LastSeenAt, Expr::value(to_db_time(now)))
            .filter(session::Column::IdHash.eq(key.as_str()))
            .exec(store.db())
            .await
            .map_err(internal)?;
    }
    let viewer = match banner {
        Some(banner) => Viewer {
            name: row.s_name.clone().unwrap_or_default(),
            email: row.s_email.clone().unwrap_or_default(),
            role: Role::User,
            tenant_name: row.s_tenant_name.clone(),
            impersonation: Some(banner),
        },
        None => Viewer { name: row.p_name, email: row.p_email, role: own.role(), tenant_name: row.p_tenant_name, impersonation: None },
    };
    Ok(Some(RequestSession { key: key.clone(), principal, viewer }))
}

/// The session's impersonation is over: record its end if nobody did yet (the window's end, or
/// the session's when its owner lost the role), and return the session to the super admin's own,
/// remembering the impersonation for the notice. Idempotent, so concurrent requests of one tab (a
/// page and its live channel) agree.
async fn fall_out_of(store: &Store, key: &SessionKey, impersonation: &Impersonation, grant: &Grant, now: Timestamp) -> Result<(), BackendError> {
    if impersonation.ended.is_none() {
        end_with_session(store, grant.user, impersonation.id, now).await?;
    }
    session::Entity::update_many()
        .col_expr(session::Column::ImpersonationId, Expr::value(Option::<uuid::Uuid>::None))
        .col_expr(session::Column::EndedImpersonationId, Expr::value(impersonation.id.uuid()))
        .filter(session::Column::IdHash.eq(key.as_str()))
        .filter(session::Column::ImpersonationId.eq(impersonation.id.uuid()))
        .exec(store.db())
        .await
        .map_err(internal)?;
    Ok(())
}

async fn end_with_session(store: &Store, subject: UserId, impersonation: ImpersonationId, now: Timestamp) -> Result<(), BackendError> {
    super::consent::record(store, subject, move |c| rules::session_ended(c, impersonation, now)).await
}

/// Removes sessions that are over, ending their impersonations first (rule 8).
pub async fn delete_over(store: &Store, now: Timestamp) -> Result<(), BackendError> {
    let idle_since = to_db_time(now.minus(store.sessions.idle_timeout));
    let over = session::Entity::find()
        .filter(session::Column::ExpiresAt.lte(to_db_time(now)).or(session::Column::LastSeenAt.lte(idle_since)))
        .all(store.db())
        .await
        .map_err(internal)?;
    end_and_delete(store, over, now).await
}

/// Ends every session of `user` but one (after a password change), ending the impersonations
/// they carried first (rule 8): a password change never leaves an impersonation running.
pub async fn delete_others(store: &Store, user: UserId, keep: &SessionKey, now: Timestamp) -> Result<(), BackendError> {
    let others = session::Entity::find()
        .filter(session::Column::UserId.eq(user.uuid()))
        .filter(session::Column::IdHash.ne(keep.as_str()))
        .all(store.db())
        .await
        .map_err(internal)?;
    end_and_delete(store, others, now).await
}

/// Removes sessions, each after recording through the rules that its impersonation ended with it.
async fn end_and_delete(store: &Store, sessions: Vec<session::Model>, now: Timestamp) -> Result<(), BackendError> {
    for row in sessions {
        if let Some(id) = row.impersonation_id
            && let Some(imp) = impersonation::Entity::find_by_id(id).one(store.db()).await.map_err(internal)?
            && let Some(grant) = grant::Entity::find_by_id(imp.grant_id).one(store.db()).await.map_err(internal)?
        {
            end_with_session(store, UserId::from_uuid(grant.user_id), ImpersonationId::from_uuid(id), now).await?;
        }
        delete(store.db(), &SessionKey::from_stored(row.id_hash)).await?;
    }
    Ok(())
}

/// Why the impersonation this session was last in has ended, if it ended under it.
pub async fn end_notice(conn: &impl ConnectionTrait, key: &SessionKey) -> Result<Option<EndNotice>, BackendError> {
    let Some(session) = session::Entity::find_by_id(key.as_str().to_owned()).one(conn).await.map_err(internal)? else { return Ok(None) };
    let Some(id) = session.ended_impersonation_id else { return Ok(None) };
    let Some(imp) = impersonation::Entity::find_by_id(id).one(conn).await.map_err(internal)? else { return Ok(None) };
    let Some(ending) = rows::impersonation_of(&imp).ended else { return Ok(None) };
    let grant = grant::Entity::find_by_id(imp.grant_id).one(conn).await.map_err(internal)?;
    let subject = match grant {
        Some(g) => user::Entity::find_by_id(g.user_id).one(conn).await.map_err(internal)?,
        None => None,
    };
    Ok(Some(EndNotice { subject_name: subject.map(|u| u.name).unwrap_or_default(), reason: ending.reason, at: ending.at }))
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
