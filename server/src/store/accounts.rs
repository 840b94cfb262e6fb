//! Accounts: logging in (throttled), changing password and email, and creating people.

use super::base::Store;
use super::error::{Result, StoreError, answer};
use super::passwords::{self, HashingGate};
use super::tables::{consent, logins, people, sessions};
use super::{attempts, throttle, unit};
use crate::db::entities::user;
use crate::db::to_db_time;
use app::backend::{BackendError, SessionKey, SessionSecret};
use app::domain::{Email, Name, NewPassword, PersonName, Role, TenantId, Timestamp, UserId};
use sea_orm::{ConnectionTrait, DbErr, Set, SqlErr};
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
fn busy(_: passwords::Busy) -> StoreError {
    StoreError::Answer(BackendError::Busy { retry_after_secs: 1 })
}

/// Whether a failed write failed because the email is someone else's.
fn is_taken(error: &DbErr) -> bool {
    matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
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

pub async fn log_in(store: &Store, email: &str, password: &str, client: Option<IpAddr>, now: Timestamp) -> Result<SessionSecret> {
    // No stored account could match (and a NUL would not even reach PostgreSQL): the same answer
    // as a wrong password, before anything is looked up or counted.
    let Ok(email) = Email::parse(email).map(|e| e.normalized()) else { return answer(BackendError::InvalidCredentials) };
    if !app::domain::text::is_plain(password) || password.chars().count() > NewPassword::MAX_CHARS {
        return answer(BackendError::InvalidCredentials);
    }
    let keys = throttle_keys(&email, client);
    // The keys' turn first: a burst of guesses is then checked and counted one after another.
    let _turn = turn_unless_locked(store, &keys, now).await?;
    let found = people::by_email(store.db(), &email).await?;
    let stored = found.as_ref().map(|u| u.password_hash.clone());
    let verified = passwords::verify(&store.hashing, password.to_owned(), stored).await.map_err(busy)?;
    let Some(user) = found.filter(|_| verified) else {
        record_failure(store, &keys, now).await?;
        return answer(BackendError::InvalidCredentials);
    };
    logins::clear(store.db(), &keys[0].0).await?;
    sessions::create(store.db(), UserId::from_uuid(user.id), user.password_version, now, store.sessions).await
}

/// Waits for the keys' turn (so attempts on them are checked and counted one after another), then
/// refuses while any of them is locked. The turn lasts as long as the answer is kept.
async fn turn_unless_locked(store: &Store, keys: &[(String, bool)], now: Timestamp) -> Result<attempts::Turn> {
    let turn = store.login_turns.take(&keys.iter().map(|(key, _)| key.as_str()).collect::<Vec<_>>()).await;
    for (key, _) in keys {
        if let Some(wait) = throttle::retry_after(logins::state(store.db(), key, false).await?.as_ref(), now) {
            return answer(BackendError::Throttled { retry_after_secs: throttle::seconds_to_show(wait) });
        }
    }
    Ok(turn)
}

/// Counts a failure against every key, in one transaction that holds each key's row (creating it
/// if missing) locked from reading to writing, so failures counted by other instances add up too.
async fn record_failure(store: &Store, keys: &[(String, bool)], now: Timestamp) -> Result<()> {
    let txn = store.begin_writing().await?;
    for (key, is_account) in keys {
        let limits = if *is_account { store.account_throttle } else { store.address_throttle };
        let state = logins::locked_state(&*txn, key, now).await?;
        logins::write_state(&*txn, key, throttle::after_failure(Some(state), now, limits)).await?;
    }
    Ok(txn.commit().await?)
}

#[tracing::instrument(skip(store, current, new, keep), fields(user = %user_id), err)]
pub async fn change_password(store: &Store, user_id: UserId, current: &str, new: NewPassword, keep: &SessionKey) -> Result<SessionSecret> {
    let now = store.now();
    let _turn = turn_unless_locked(store, &[password_key(user_id)], now).await?;
    check_current_password(store, user_id, current, now).await?;
    let hash = passwords::hash(&store.hashing, new.into_inner()).await.map_err(busy)?.map_err(StoreError::Hashing)?;
    // The new password and this session under it, at once: every session opened under the old
    // one is over from the commit on (a login still checking the old password included), and this
    // one goes on under a new secret.
    let txn = store.begin_writing().await?;
    let version = people::set_password_hash(&*txn, user_id, hash).await?;
    let here = sessions::find(&*txn, keep).await?.ok_or(StoreError::Answer(BackendError::NotFound))?;
    let secret = sessions::replace(&*txn, &here, None, version, store.now()).await?;
    txn.commit().await?;
    logins::clear(store.db(), &password_key(user_id).0).await?;
    // The others, ended through the rules, so each impersonation they carried ends on the record
    // (rule 8). Tidying only: their old version already refuses them, so a failure here (no turn
    // to write under load) must not fail a change that is done, leaving this browser's cookie
    // naming the session just replaced. What is left, a request or the sweeper ends.
    if let Err(error) = end_sessions_opened_before(store, user_id, version, &secret).await {
        tracing::warn!(%error, "the password changed, but its other sessions were not all ended yet");
    }
    Ok(secret)
}

async fn end_sessions_opened_before(store: &Store, user_id: UserId, version: i64, kept: &SessionSecret) -> Result<()> {
    let others = sessions::others_of(store.db(), user_id, &kept.key()).await?;
    // Not one opened with the new password in the meantime.
    let earlier = others.into_iter().filter(|s| s.password_version < version).collect();
    unit::end_sessions(store, earlier).await
}

/// The throttle key of guesses at an account's current password, on either form that asks for it.
fn password_key(user_id: UserId) -> (String, bool) {
    (format!("password:{user_id}"), true)
}

/// Checks the password of someone changing their login details: whoever finds a session left
/// open must not be able to take the account over (a new password, or a new email the owner
/// cannot log in with). Wrong guesses are counted and locked like failed logins; the caller holds
/// the key's turn, and clears its count once the change is made (a refused change forgets none).
async fn check_current_password(store: &Store, user_id: UserId, current: &str, now: Timestamp) -> Result<()> {
    let user = people::by_id(store.db(), user_id).await?.ok_or(StoreError::Answer(BackendError::NotFound))?;
    if !passwords::verify(&store.hashing, current.to_owned(), Some(user.password_hash.clone())).await.map_err(busy)? {
        record_failure(store, &[password_key(user_id)], now).await?;
        return answer(BackendError::Invalid("Your current password is not right.".to_owned()));
    }
    Ok(())
}

/// Changes the login email, once the current password is right. Emails are unique across every
/// tenant and the staff, so a refusal tells the asker that an address exists somewhere: the answer
/// is neutral (it names neither "in use" nor whose), and refusals are throttled per account like
/// failed logins, which keeps anyone from sweeping through a list of addresses. Hiding existence
/// entirely would take a confirmation mail to the new address, which the product does not send.
pub async fn change_email(store: &Store, user_id: UserId, email: Email, current: &str) -> Result<()> {
    let now = store.now();
    let taken_key = (format!("email:{user_id}"), true);
    let _turn = turn_unless_locked(store, &[password_key(user_id), taken_key.clone()], now).await?;
    check_current_password(store, user_id, current, now).await?;
    let txn = store.begin_writing().await?;
    match people::set_email(&*txn, user_id, email.as_str(), &email.normalized()).await {
        Ok(true) => {
            // The switcher finds an open grant's user by the email they have now.
            let (user, tenant) = people::with_tenant_name(&*txn, user_id).await?.ok_or(StoreError::Answer(BackendError::NotFound))?;
            consent::rekey_open_grant(&*txn, user_id, &consent::SwitcherKeys::of(&user.name, &user.email, tenant.as_deref())).await?;
            txn.commit().await?;
            logins::clear(store.db(), &password_key(user_id).0).await
        }
        Ok(false) => answer(BackendError::NotFound),
        Err(e) if is_taken(&e) => {
            // Given back first: on SQLite it holds the write lock, and the turn to write (which
            // is not re-entrant), that the failure count needs.
            drop(txn);
            record_failure(store, &[taken_key], now).await?;
            answer(BackendError::EmailTaken)
        }
        Err(e) => Err(e.into()),
    }
}

/// Creates a person; refuses an email in use and a role that does not fit the tenant.
pub async fn create_user(conn: &impl ConnectionTrait, gate: &HashingGate, new: NewUser, now: Timestamp) -> Result<UserId> {
    let email = Email::parse(&new.email)?;
    let password = NewPassword::parse(&new.password)?;
    let name = PersonName::parse(&new.name, "A person")?;
    match (new.role, new.tenant) {
        (Role::User, None) => return answer(BackendError::Invalid("A user belongs to a tenant.".to_owned())),
        (Role::SuperAdmin, Some(_)) => return answer(BackendError::Invalid("A super admin belongs to no tenant.".to_owned())),
        _ => {}
    }
    let hash = passwords::hash(gate, password.into_inner()).await.map_err(busy)?.map_err(StoreError::Hashing)?;
    let id = UserId::from_uuid(uuid::Uuid::new_v4());
    let row = user::ActiveModel {
        id: Set(id.uuid()),
        tenant_id: Set(new.tenant.map(TenantId::uuid)),
        name: Set(name.as_str().to_owned()),
        email: Set(email.as_str().to_owned()),
        email_normalized: Set(email.normalized()),
        password_hash: Set(hash),
        role: Set(new.role.as_str().to_owned()),
        consent_version: Set(0),
        password_version: Set(0),
        created_at: Set(to_db_time(now)),
    };
    match people::insert(conn, row).await {
        Ok(()) => Ok(id),
        Err(e) if is_taken(&e) => answer(BackendError::EmailTaken),
        Err(e) => Err(e.into()),
    }
}

/// The tenant with exactly this name, if there is one.
pub async fn tenant_named(conn: &impl ConnectionTrait, name: &str) -> Result<Option<TenantId>> {
    people::tenant_named(conn, name.trim()).await
}

pub async fn create_tenant(conn: &impl ConnectionTrait, name: &str, now: Timestamp) -> Result<TenantId> {
    let name = Name::parse(name, "A tenant")?;
    people::insert_tenant(conn, name.as_str(), now).await
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
