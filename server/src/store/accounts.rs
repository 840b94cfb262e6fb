//! Accounts: logging in (throttled), changing password and email, and creating people.

use super::passwords::{self, HashingGate, StoredHash};
use super::throttle::{self, State};
use super::{Store, attempts, internal, sessions};
use crate::db::entities::{login_throttle, tenant, user};
use crate::db::{from_db_time, to_db_time};
use app::backend::{BackendError, SessionKey, SessionSecret};
use app::domain::{Role, TenantId, Timestamp, UserId};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect, Set, SqlErr, TransactionTrait};
use std::net::IpAddr;

/// Someone to create (demo data, the `create-super-admin` command, tests).
pub struct NewUser {
    pub name: String,
    pub email: String,
    pub password: String,
    pub role: Role,
    pub tenant: Option<TenantId>,
}

/// Every hashing turn is taken: tell the client to come back in a moment.
fn busy(_: passwords::Busy) -> BackendError {
    BackendError::Busy { retry_after_secs: 1 }
}

/// The throttle keys of an attempt: the account, and the client's address. An IPv6 client is
/// counted by its /64, the block one subscriber gets, or a single machine could rotate addresses.
fn throttle_keys(email: &str, client: Option<IpAddr>) -> Vec<(String, bool)> {
    let mut keys = vec![(format!("account:{email}"), true)];
    keys.extend(client.map(|ip| (format!("address:{}", address_block(ip)), false)));
    keys
}

fn address_block(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{}/64", std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

async fn throttle_state(conn: &impl ConnectionTrait, key: &str, lock: bool) -> Result<Option<State>, BackendError> {
    let find = login_throttle::Entity::find_by_id(key.to_owned());
    let find = if lock { find.lock_exclusive() } else { find };
    let row = find.one(conn).await.map_err(internal)?;
    Ok(row.map(|r| State {
        failures: u32::try_from(r.failures).unwrap_or(0),
        window_started_at: from_db_time(r.window_started_at),
        locked_until: r.locked_until.map(from_db_time),
    }))
}

pub async fn log_in(store: &Store, email: &str, password: &str, client: Option<IpAddr>, now: Timestamp) -> Result<SessionSecret, BackendError> {
    let email = passwords::normalize_email(email);
    // No stored account could match (and a NUL would not even reach PostgreSQL): the same answer
    // as a wrong password, before anything is looked up or counted.
    let plain = app::domain::text::is_plain(&email) && app::domain::text::is_plain(password);
    if !plain || email.is_empty() || email.chars().count() > passwords::EMAIL_MAX_CHARS || password.chars().count() > passwords::PASSWORD_MAX_CHARS {
        return Err(BackendError::InvalidCredentials);
    }
    let keys = throttle_keys(&email, client);
    // The keys' turn first: a burst of guesses is then checked and counted one after another.
    let _turn = turn_unless_locked(store, &keys, now).await?;
    let found = user::Entity::find().filter(user::Column::EmailNormalized.eq(&email)).one(store.db()).await.map_err(internal)?;
    let stored = found.as_ref().map(|u| StoredHash::from_stored(u.password_hash.clone()));
    let verified = passwords::verify(&store.hashing, password.to_owned(), stored).await.map_err(busy)?;
    let Some(user) = found.filter(|_| verified) else {
        record_failure(store, &keys, now).await?;
        return Err(BackendError::InvalidCredentials);
    };
    login_throttle::Entity::delete_by_id(keys[0].0.clone()).exec(store.db()).await.map_err(internal)?;
    sessions::create(store.db(), UserId::from_uuid(user.id), now, store.sessions).await.map_err(internal)
}

/// Waits for the keys' turn (so attempts on them are checked and counted one after another), then
/// refuses while any of them is locked. The turn lasts as long as the answer is kept.
async fn turn_unless_locked(store: &Store, keys: &[(String, bool)], now: Timestamp) -> Result<attempts::Turn, BackendError> {
    let turn = store.login_turns.take(&keys.iter().map(|(key, _)| key.as_str()).collect::<Vec<_>>()).await;
    for (key, _) in keys {
        if let Some(wait) = throttle::retry_after(throttle_state(store.db(), key, false).await?.as_ref(), now) {
            return Err(BackendError::Throttled { retry_after_secs: throttle::seconds_to_show(wait) });
        }
    }
    Ok(turn)
}

/// Counts a failure against every key, in one transaction that holds each key's row (creating it
/// if missing) locked from reading to writing, so failures counted by other instances add up too.
async fn record_failure(store: &Store, keys: &[(String, bool)], now: Timestamp) -> Result<(), BackendError> {
    let txn = store.db().begin().await.map_err(internal)?;
    for (key, is_account) in keys {
        let limits = if *is_account { store.account_throttle } else { store.address_throttle };
        let state = locked_state(&txn, key, now).await?;
        write_state(&txn, key, throttle::after_failure(Some(state), now, limits)).await?;
    }
    txn.commit().await.map_err(internal)
}

/// The key's state, its row created if missing and locked until the transaction ends. Writing
/// first takes SQLite's write lock; PostgreSQL's row lock comes with `FOR UPDATE`.
async fn locked_state(txn: &DatabaseTransaction, key: &str, now: Timestamp) -> Result<State, BackendError> {
    let blank = login_throttle::ActiveModel {
        key: Set(key.to_owned()),
        failures: Set(0),
        window_started_at: Set(to_db_time(now)),
        locked_until: Set(None),
    };
    login_throttle::Entity::insert(blank)
        .on_conflict(OnConflict::column(login_throttle::Column::Key).do_nothing().to_owned())
        .exec_without_returning(txn)
        .await
        .map_err(internal)?;
    let state = throttle_state(txn, key, true).await?;
    Ok(state.unwrap_or(State { failures: 0, window_started_at: now, locked_until: None }))
}

async fn write_state(txn: &DatabaseTransaction, key: &str, state: State) -> Result<(), BackendError> {
    login_throttle::Entity::update_many()
        .col_expr(login_throttle::Column::Failures, Expr::value(i32::try_from(state.failures).unwrap_or(i32::MAX)))
        .col_expr(login_throttle::Column::WindowStartedAt, Expr::value(to_db_time(state.window_started_at)))
        .col_expr(login_throttle::Column::LockedUntil, Expr::value(state.locked_until.map(to_db_time)))
        .filter(login_throttle::Column::Key.eq(key))
        .exec(txn)
        .await
        .map_err(internal)?;
    Ok(())
}

pub async fn change_password(store: &Store, user_id: UserId, current: &str, new: &str, keep: &SessionKey) -> Result<(), BackendError> {
    passwords::check_new_password(new).map_err(BackendError::Invalid)?;
    // Guessing the current password from a session someone left open is throttled like logging in.
    let now = store.now();
    let keys = [(format!("password:{user_id}"), true)];
    let _turn = turn_unless_locked(store, &keys, now).await?;
    let user = user::Entity::find_by_id(user_id.uuid()).one(store.db()).await.map_err(internal)?.ok_or(BackendError::NotFound)?;
    if !passwords::verify(&store.hashing, current.to_owned(), Some(StoredHash::from_stored(user.password_hash.clone()))).await.map_err(busy)? {
        record_failure(store, &keys, now).await?;
        return Err(BackendError::Invalid("The current password is not right.".to_owned()));
    }
    login_throttle::Entity::delete_by_id(keys[0].0.clone()).exec(store.db()).await.map_err(internal)?;
    let hash = passwords::hash(&store.hashing, new.to_owned()).await.map_err(busy)?.map_err(BackendError::Internal)?;
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash.into_stored()))
        .filter(user::Column::Id.eq(user_id.uuid()))
        .exec(store.db())
        .await
        .map_err(internal)?;
    sessions::delete_others(store, user_id, keep, store.now()).await
}

/// Changes the sign-in email. Emails are unique across every tenant and the staff, so "already
/// in use" tells the asker that an address exists somewhere: such answers are throttled per account
/// like failed logins, which keeps anyone from sweeping through a list of addresses.
pub async fn change_email(store: &Store, user_id: UserId, email: &str) -> Result<(), BackendError> {
    passwords::check_email(email).map_err(BackendError::Invalid)?;
    let now = store.now();
    let keys = [(format!("email:{user_id}"), true)];
    let _turn = turn_unless_locked(store, &keys, now).await?;
    let result = user::Entity::update_many()
        .col_expr(user::Column::Email, Expr::value(email.trim()))
        .col_expr(user::Column::EmailNormalized, Expr::value(passwords::normalize_email(email)))
        .filter(user::Column::Id.eq(user_id.uuid()))
        .exec(store.db())
        .await;
    match result {
        Ok(r) if r.rows_affected == 0 => Err(BackendError::NotFound),
        Ok(_) => Ok(()),
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            record_failure(store, &keys, now).await?;
            Err(BackendError::EmailTaken)
        }
        Err(e) => Err(internal(e)),
    }
}

/// A person's or a tenant's name, trimmed; 1 to 200 characters.
fn check_name<'a>(name: &'a str, whose: &str) -> Result<&'a str, BackendError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(BackendError::Invalid(format!("{whose} needs a name of 1 to 200 characters.")));
    }
    if !app::domain::text::is_plain(name) {
        return Err(BackendError::Invalid(format!("{whose}'s name cannot contain control characters.")));
    }
    Ok(name)
}

/// Creates a person; refuses an email in use and a role that does not fit the tenant.
pub async fn create_user(conn: &impl ConnectionTrait, gate: &HashingGate, new: NewUser, now: Timestamp) -> Result<UserId, BackendError> {
    passwords::check_email(&new.email).map_err(BackendError::Invalid)?;
    passwords::check_new_password(&new.password).map_err(BackendError::Invalid)?;
    let name = check_name(&new.name, "A person")?;
    match (new.role, new.tenant) {
        (Role::User, None) => return Err(BackendError::Invalid("A user belongs to a tenant.".to_owned())),
        (Role::SuperAdmin, Some(_)) => return Err(BackendError::Invalid("A super admin belongs to no tenant.".to_owned())),
        _ => {}
    }
    let hash = passwords::hash(gate, new.password).await.map_err(busy)?.map_err(BackendError::Internal)?;
    let id = UserId::from_uuid(uuid::Uuid::new_v4());
    let inserted = user::ActiveModel {
        id: Set(id.uuid()),
        tenant_id: Set(new.tenant.map(TenantId::uuid)),
        name: Set(name.to_owned()),
        email: Set(new.email.trim().to_owned()),
        email_normalized: Set(passwords::normalize_email(&new.email)),
        password_hash: Set(hash.into_stored()),
        role: Set(new.role.as_str().to_owned()),
        consent_version: Set(0),
        created_at: Set(to_db_time(now)),
    }
    .insert(conn)
    .await;
    match inserted {
        Ok(_) => Ok(id),
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Err(BackendError::EmailTaken),
        Err(e) => Err(internal(e)),
    }
}

/// Forgets the throttle rows whose window and lock are both over: they would count nothing, and
/// a row is made for every email anyone types.
pub async fn sweep_throttles(store: &Store, now: Timestamp) -> Result<(), BackendError> {
    let lockout = store.account_throttle.lockout.max(store.address_throttle.lockout);
    let window_over = to_db_time(now.minus(lockout));
    login_throttle::Entity::delete_many()
        .filter(login_throttle::Column::WindowStartedAt.lte(window_over))
        .filter(login_throttle::Column::LockedUntil.is_null().or(login_throttle::Column::LockedUntil.lte(to_db_time(now))))
        .exec(store.db())
        .await
        .map_err(internal)?;
    Ok(())
}

/// The tenant with exactly this name, if there is one.
pub async fn tenant_named(conn: &impl ConnectionTrait, name: &str) -> Result<Option<TenantId>, BackendError> {
    let row = tenant::Entity::find().filter(tenant::Column::Name.eq(name.trim())).one(conn).await.map_err(internal)?;
    Ok(row.map(|t| TenantId::from_uuid(t.id)))
}

pub async fn create_tenant(conn: &impl ConnectionTrait, name: &str, now: Timestamp) -> Result<TenantId, BackendError> {
    let name = check_name(name, "A tenant")?;
    let id = TenantId::from_uuid(uuid::Uuid::new_v4());
    tenant::ActiveModel { id: Set(id.uuid()), name: Set(name.to_owned()), created_at: Set(to_db_time(now)) }
        .insert(conn)
        .await
        .map_err(internal)?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_are_counted_by_their_64_block_and_ipv4_by_their_address() {
        let key = |ip: &str| throttle_keys("ann@acme.test", Some(ip.parse().expect("an address")))[1].0.clone();
        assert_eq!(key("2001:db8:1:2:aaaa::1"), "address:2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:2:ffff:ffff:ffff:ffff"), key("2001:db8:1:2::9"));
        assert_ne!(key("2001:db8:1:3::1"), key("2001:db8:1:2::1"));
        assert_eq!(key("192.0.2.7"), "address:192.0.2.7");
        assert_eq!(key("::ffff:192.0.2.7"), "address:192.0.2.7", "an IPv4 client seen over IPv6 is still itself");
    }
}
