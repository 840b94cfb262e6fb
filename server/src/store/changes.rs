//! Who changed: when a change to a user's consent commits (allow, start, join, stop, disallow, an
//! end the sweeper or a request recorded) or an impersonator writes in the user's tenant, the live
//! channels showing that user are woken at once, on every instance, instead of polling; when
//! anyone writes to a tenant's records, the channels showing that tenant's records are.
//!
//! On PostgreSQL the change is a `NOTIFY` queued inside the change's own transaction: the database
//! delivers it to every instance's one listening connection when (and only if) the transaction
//! commits. On SQLite there is one process, and the change goes out in it after the commit. Each
//! instance fans what it hears out to its open streams through a broadcast channel; a stream that
//! falls behind, or an instance whose listening connection dropped, hears `Everything` and
//! re-checks, so a lost notification costs at most one safety re-check (`LIVE_RECHECK`).

use super::error::{Context, Result};
use app::domain::{TenantId, UserId};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};
use std::time::Duration;
use tokio::sync::broadcast;

/// The PostgreSQL channel the instances listen on.
pub const CHANNEL: &str = "impersonate_changes";

/// How many changes a slow stream may fall behind before it is told to re-check everything.
const BACKLOG: usize = 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Something about this user changed.
    User(UserId),
    /// The tenant's records changed.
    Tenant(TenantId),
    /// Changes may have been missed: everyone re-checks.
    Everything,
}

/// This instance's fan-out of changes to its open streams.
#[derive(Clone)]
pub struct Changes {
    sender: broadcast::Sender<Change>,
}

impl Default for Changes {
    fn default() -> Self {
        Changes { sender: broadcast::channel(BACKLOG).0 }
    }
}

impl Changes {
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.sender.subscribe()
    }

    /// Tells this instance's streams. (No stream listening is not an error.)
    pub fn tell(&self, change: Change) {
        let _ = self.sender.send(change);
    }
}

/// Queues the change in `txn` (PostgreSQL: delivered to every instance at commit). Answers whether
/// the caller must still tell this instance itself after committing (SQLite).
pub async fn queue(txn: &impl ConnectionTrait, change: Change) -> Result<bool> {
    match txn.get_database_backend() {
        DatabaseBackend::Postgres => {
            let notify = Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [CHANNEL.into(), payload(change).into()],
            );
            txn.execute(notify).await.context("queueing a change notification")?;
            Ok(false)
        }
        _ => Ok(true),
    }
}

const TENANT: &str = "tenant:";

/// A user's change is their id alone, as before tenants had theirs, so an instance still on the
/// earlier version reads it; it reads a tenant's as a payload it does not know: `Everything`.
fn payload(change: Change) -> String {
    match change {
        Change::User(user) => user.to_string(),
        Change::Tenant(tenant) => format!("{TENANT}{tenant}"),
        Change::Everything => String::new(),
    }
}

fn heard(payload: &str) -> Change {
    let (tenant, id) = match payload.strip_prefix(TENANT) {
        Some(id) => (true, id),
        None => (false, payload),
    };
    match (tenant, id.parse::<uuid::Uuid>()) {
        (true, Ok(id)) => Change::Tenant(TenantId::from_uuid(id)),
        (false, Ok(id)) => Change::User(UserId::from_uuid(id)),
        (_, Err(_)) => Change::Everything,
    }
}

/// On PostgreSQL, listens for every instance's changes for as long as the returned task lives,
/// reconnecting after a failure; on SQLite there is nothing to listen to.
pub fn listen(db: &DatabaseConnection, changes: Changes) -> Option<tokio::task::JoinHandle<()>> {
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return None;
    }
    let pool = db.get_postgres_connection_pool().clone();
    Some(tokio::spawn(async move {
        loop {
            match listen_once(&pool, &changes).await {
                Ok(()) => {}
                Err(error) => tracing::warn!(%error, "listening for changes failed; reconnecting"),
            }
            // Whatever happened while not listening is unknown: everyone re-checks.
            changes.tell(Change::Everything);
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }))
}

async fn listen_once(pool: &sea_orm::sqlx::PgPool, changes: &Changes) -> std::result::Result<(), sea_orm::sqlx::Error> {
    let mut listener = sea_orm::sqlx::postgres::PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    // Anything committed before the listener was ready was not heard.
    changes.tell(Change::Everything);
    loop {
        let notification = listener.recv().await?;
        changes.tell(heard(notification.payload()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_change_is_heard_as_it_was_queued() {
        let (user, tenant) = (UserId::from_uuid(uuid::Uuid::new_v4()), TenantId::from_uuid(uuid::Uuid::new_v4()));
        for change in [Change::User(user), Change::Tenant(tenant), Change::Everything] {
            assert_eq!(heard(&payload(change)), change);
        }
    }

    #[test]
    fn a_users_change_is_their_bare_id_and_anything_unknown_wakes_everyone() {
        let user = UserId::from_uuid(uuid::Uuid::new_v4());
        assert_eq!(payload(Change::User(user)), user.uuid().to_string(), "what instances of the earlier version read");
        assert_eq!(heard("tenant:not-an-id"), Change::Everything);
        assert_eq!(heard("group:0195f1c2-0000-7000-8000-000000000000"), Change::Everything);
    }
}
