//! Consents and impersonations in the database: loading a user's consent, deciding on it in one
//! transaction, storing the rules' events, and reading a user's history back.

use super::rows::{account_of, grant_of, impersonation_of};
use super::{Store, internal, sessions};
use crate::db::entities::{grant, impersonation, tenant, user};
use crate::db::to_db_time;
use app::api::types::HistoryEntry;
use app::backend::{BackendError, ConsentRecord, Decide, SessionMove, SessionSecret};
use app::domain::{Consent, Event, Grant, GrantPhase, Impersonation, Role, Timestamp, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::Order;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// The names of these people, by id.
pub async fn names(conn: &impl ConnectionTrait, ids: impl IntoIterator<Item = Uuid>) -> Result<HashMap<Uuid, String>, DbErr> {
    let ids: HashSet<Uuid> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = user::Entity::find().filter(user::Column::Id.is_in(ids)).all(conn).await?;
    Ok(rows.into_iter().map(|u| (u.id, u.name)).collect())
}

async fn tenant_name(conn: &impl ConnectionTrait, id: Option<Uuid>) -> Result<Option<String>, DbErr> {
    let Some(id) = id else { return Ok(None) };
    Ok(tenant::Entity::find_by_id(id).one(conn).await?.map(|t| t.name))
}

/// Puts one user's consent record together from rows already loaded.
fn assemble(
    user: user::Model,
    grant: Option<&grant::Model>,
    impersonations: &[impersonation::Model],
    names: &HashMap<Uuid, String>,
    tenant_name: Option<String>,
) -> Result<ConsentRecord, BackendError> {
    let mine: Vec<_> = impersonations.iter().filter(|i| grant.is_some_and(|g| g.id == i.grant_id)).collect();
    Ok(ConsentRecord {
        consent: Consent {
            subject: account_of(&user)?,
            grant: grant.map(grant_of),
            impersonations: mine.iter().map(|i| impersonation_of(i)).collect(),
        },
        super_admin_names: mine
            .iter()
            .filter_map(|i| names.get(&i.super_admin_id).map(|n| (UserId::from_uuid(i.super_admin_id), n.clone())))
            .collect(),
        tenant_name,
        name: user.name,
        email: user.email,
    })
}

/// The impersonations under these grants, oldest first, and the names of their super admins.
async fn impersonations_of(
    conn: &impl ConnectionTrait,
    grants: impl IntoIterator<Item = Uuid>,
) -> Result<(Vec<impersonation::Model>, HashMap<Uuid, String>), DbErr> {
    let rows = impersonation::Entity::find()
        .filter(impersonation::Column::GrantId.is_in(grants))
        .order_by_asc(impersonation::Column::StartedAt)
        .all(conn)
        .await?;
    let names = names(conn, rows.iter().map(|i| i.super_admin_id)).await?;
    Ok((rows, names))
}

pub async fn load(conn: &impl ConnectionTrait, subject: UserId) -> Result<ConsentRecord, BackendError> {
    let user = user::Entity::find_by_id(subject.uuid()).one(conn).await.map_err(internal)?.ok_or(BackendError::NotFound)?;
    // The latest grant, ended or not: the rules tell "over" from "disallowed" by it. Any earlier
    // grant is over (a unique index allows one not recorded as ended, and allowing settles the last).
    let grant = grant::Entity::find()
        .filter(grant::Column::UserId.eq(subject.uuid()))
        .order_by(Expr::col(grant::Column::EndedAt).is_null(), Order::Desc)
        .order_by_desc(grant::Column::AllowedAt)
        .one(conn)
        .await
        .map_err(internal)?;
    let (impersonations, names) = impersonations_of(conn, grant.as_ref().map(|g| g.id)).await.map_err(internal)?;
    let tenant_name = tenant_name(conn, user.tenant_id).await.map_err(internal)?;
    assemble(user, grant.as_ref(), &impersonations, &names, tenant_name)
}

/// Takes the lock on one user's consent for the rest of the transaction. This must be the
/// transaction's first statement: it writes, so the lock is held before anything is read (see the
/// module doc of `store`). `NotFound` when there is no such user.
pub async fn lock(txn: &DatabaseTransaction, subject: UserId) -> Result<(), BackendError> {
    let locked = user::Entity::update_many()
        .col_expr(user::Column::ConsentVersion, Expr::col(user::Column::ConsentVersion).add(1))
        .filter(user::Column::Id.eq(subject.uuid()))
        .exec(txn)
        .await
        .map_err(internal)?;
    if locked.rows_affected == 0 {
        return Err(BackendError::NotFound);
    }
    Ok(())
}

/// Locks the subject, decides, stores, moves the caller's session: one transaction.
pub async fn decide(store: &Store, subject: UserId, moved: SessionMove, decide: Decide) -> Result<Option<SessionSecret>, BackendError> {
    let txn = store.db().begin().await.map_err(internal)?;
    lock(&txn, subject).await?;
    // Read after the lock: a decision that waited for it is taken at the time it applies.
    let now = store.now();
    let record = load(&txn, subject).await?;
    let events = decide(&record.consent, now)?;
    store_events(&txn, &events).await.map_err(internal)?;
    let new_session = sessions::apply_move(&txn, &moved, &events, now).await?;
    txn.commit().await.map_err(internal)?;
    Ok(new_session)
}

/// Records what the rules say has already happened to one user's consent (a window's end, a
/// session's end); nothing to record when the user is gone.
pub async fn record(store: &Store, subject: UserId, happened: impl FnOnce(&Consent) -> Vec<Event> + Send + 'static) -> Result<(), BackendError> {
    match decide(store, subject, SessionMove::Stay, Box::new(move |c: &Consent, _now| Ok(happened(c)))).await {
        Ok(_) | Err(BackendError::NotFound) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Settles every grant that is over by time but not recorded as ended (the sweeper).
pub async fn settle_all(store: &Store, now: Timestamp) -> Result<(), BackendError> {
    let open = grant::Entity::find().filter(grant::Column::EndedAt.is_null()).all(store.db()).await.map_err(internal)?;
    for row in open.iter().filter(|g| matches!(grant_of(g).phase(now), GrantPhase::Over(_))) {
        record(store, UserId::from_uuid(row.user_id), move |c| c.settle(now)).await?;
    }
    Ok(())
}

/// Stores events: the state tables, and one audit row each.
async fn store_events(conn: &impl ConnectionTrait, events: &[Event]) -> Result<(), DbErr> {
    for event in events {
        match event {
            Event::Allowed(g) => {
                grant::ActiveModel {
                    id: Set(g.id.uuid()),
                    user_id: Set(g.user.uuid()),
                    allowed_at: Set(to_db_time(g.allowed_at)),
                    start_deadline: Set(to_db_time(g.start_deadline)),
                    ends_at: Set(None),
                    ended_at: Set(None),
                    end_reason: Set(None),
                }
                .insert(conn)
                .await?;
            }
            Event::GrantEnded { grant: id, ending, .. } => {
                grant::Entity::update_many()
                    .col_expr(grant::Column::EndedAt, Expr::value(to_db_time(ending.at)))
                    .col_expr(grant::Column::EndReason, Expr::value(ending.reason.as_str()))
                    .filter(grant::Column::Id.eq(id.uuid()))
                    .filter(grant::Column::EndedAt.is_null())
                    .exec(conn)
                    .await?;
            }
            Event::Started { impersonation: imp, ends_at, .. } => {
                grant::Entity::update_many()
                    .col_expr(grant::Column::EndsAt, Expr::value(to_db_time(*ends_at)))
                    .filter(grant::Column::Id.eq(imp.grant.uuid()))
                    .filter(grant::Column::EndsAt.is_null())
                    .exec(conn)
                    .await?;
                insert_impersonation(conn, imp).await?;
            }
            Event::Joined { impersonation: imp, .. } => insert_impersonation(conn, imp).await?,
            Event::Ended { impersonation: id, ending, .. } => {
                impersonation::Entity::update_many()
                    .col_expr(impersonation::Column::EndedAt, Expr::value(to_db_time(ending.at)))
                    .col_expr(impersonation::Column::EndReason, Expr::value(ending.reason.as_str()))
                    .filter(impersonation::Column::Id.eq(id.uuid()))
                    .filter(impersonation::Column::EndedAt.is_null())
                    .exec(conn)
                    .await?;
            }
        }
        super::audit::line_for(event).insert(conn).await?;
    }
    Ok(())
}

async fn insert_impersonation(conn: &impl ConnectionTrait, imp: &Impersonation) -> Result<(), DbErr> {
    impersonation::ActiveModel {
        id: Set(imp.id.uuid()),
        grant_id: Set(imp.grant.uuid()),
        super_admin_id: Set(imp.super_admin.uuid()),
        started_at: Set(to_db_time(imp.started_at)),
        reason: Set(imp.reason.as_ref().map(|r| r.as_str().to_owned())),
        ended_at: Set(None),
        end_reason: Set(None),
    }
    .insert(conn)
    .await
    .map(|_| ())
}

/// Every ordinary user with a grant not recorded as ended, in five queries however many there are.
pub async fn with_grants(conn: &impl ConnectionTrait) -> Result<Vec<ConsentRecord>, BackendError> {
    let grants = grant::Entity::find().filter(grant::Column::EndedAt.is_null()).all(conn).await.map_err(internal)?;
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(grants.iter().map(|g| g.user_id)))
        .filter(user::Column::Role.eq(Role::User.as_str()))
        .all(conn)
        .await
        .map_err(internal)?;
    let tenants: HashMap<Uuid, String> = tenant::Entity::find()
        .filter(tenant::Column::Id.is_in(users.iter().filter_map(|u| u.tenant_id)))
        .all(conn)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    let (impersonations, names) = impersonations_of(conn, grants.iter().map(|g| g.id)).await.map_err(internal)?;
    users
        .into_iter()
        .filter_map(|user| {
            let grant = grants.iter().find(|g| g.user_id == user.id)?;
            let tenant = user.tenant_id.and_then(|t| tenants.get(&t).cloned());
            Some(assemble(user, Some(grant), &impersonations, &names, tenant))
        })
        .collect()
}

/// A user's impersonations, newest first; an end that time brought counts even before it is recorded.
pub async fn history(conn: &impl ConnectionTrait, subject: UserId, limit: u64, now: Timestamp) -> Result<Vec<HistoryEntry>, BackendError> {
    let grants = grant::Entity::find().filter(grant::Column::UserId.eq(subject.uuid())).all(conn).await.map_err(internal)?;
    let grants: HashMap<Uuid, Grant> = grants.iter().map(|g| (g.id, grant_of(g))).collect();
    let rows = impersonation::Entity::find()
        .filter(impersonation::Column::GrantId.is_in(grants.keys().copied()))
        .order_by_desc(impersonation::Column::StartedAt)
        .limit(limit)
        .all(conn)
        .await
        .map_err(internal)?;
    let names = names(conn, rows.iter().map(|r| r.super_admin_id)).await.map_err(internal)?;
    Ok(rows
        .iter()
        .map(|row| {
            let imp = impersonation_of(row);
            let ending = grants.get(&row.grant_id).and_then(|g| app::domain::rules::holds(&imp, g, now).err());
            HistoryEntry {
                impersonation: imp.id,
                super_admin_name: names.get(&row.super_admin_id).cloned().unwrap_or_default(),
                started_at: imp.started_at,
                ended_at: ending.map(|e| e.at),
                end_reason: ending.map(|e| e.reason),
                reason: row.reason.clone(),
            }
        })
        .collect())
}
