//! Password hashing with argon2id. (What passwords and emails people may choose is the domain's:
//! `app::domain::inputs`.)
//!
//! Hashing is deliberately slow, so it runs on the blocking pool, and a login for an unknown email
//! verifies against a dummy hash so that it costs the same time as a known one. Each hash takes
//! ~19 MiB and a core for tens of milliseconds, so only a few run at once ([`HashingGate`]): a
//! flood of logins is answered "busy, retry" quickly instead of exhausting memory and CPU.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::OnceLock;

/// A stored password hash: the type of its column (`db::entities::user`), so sea-orm's derived
/// `Debug` of a row cannot print it either.
pub use crate::db::entities::user::StoredHash;

/// How many hashes may run at once, and how long a request waits for its turn before it is
/// answered "busy". Waiting requests hold no hashing memory.
pub struct HashingGate {
    turns: tokio::sync::Semaphore,
    max_wait: std::time::Duration,
}

/// Every hashing turn was taken for longer than the gate lets a request wait.
#[derive(Debug, PartialEq, Eq)]
pub struct Busy;

impl HashingGate {
    pub fn new(at_once: usize, max_wait: std::time::Duration) -> HashingGate {
        HashingGate { turns: tokio::sync::Semaphore::new(at_once.max(1)), max_wait }
    }

    async fn turn(&self) -> Result<tokio::sync::SemaphorePermit<'_>, Busy> {
        match tokio::time::timeout(self.max_wait, self.turns.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(Busy),
        }
    }
}

/// Hashes a new password with argon2id and a fresh random salt.
pub async fn hash(gate: &HashingGate, password: String) -> Result<Result<StoredHash, String>, Busy> {
    let _turn = gate.turn().await?;
    Ok(tokio::task::spawn_blocking(move || hash_now(&password)).await.map_err(|e| e.to_string()).and_then(|r| r))
}

fn hash_now(password: &str) -> Result<StoredHash, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| StoredHash::from_stored(h.to_string())).map_err(|e| e.to_string())
}

/// Checks `password` against `stored`, or against a dummy hash when there is no account, so both
/// cases take the same time. Only a real match returns true.
pub async fn verify(gate: &HashingGate, password: String, stored: Option<StoredHash>) -> Result<bool, Busy> {
    let _turn = gate.turn().await?;
    Ok(tokio::task::spawn_blocking(move || {
        let (phc, real) = match &stored {
            Some(hash) => (hash.as_phc(), true),
            None => (dummy_hash(), false),
        };
        let Ok(parsed) = PasswordHash::new(phc) else { return false };
        Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok() && real
    })
    .await
    .unwrap_or(false))
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_now("not anybody's password").map(StoredHash::into_stored).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn gate() -> HashingGate {
        HashingGate::new(2, Duration::from_secs(60))
    }

    #[tokio::test]
    async fn when_every_turn_is_taken_a_request_is_answered_busy_after_the_wait() {
        let gate = HashingGate::new(1, Duration::from_millis(20));
        let taken = gate.turn().await.expect("the only turn");
        assert_eq!(verify(&gate, "any password at all".into(), None).await, Err(Busy));
        drop(taken);
        assert_eq!(verify(&gate, "any password at all".into(), None).await, Ok(false), "free again");
    }

    #[tokio::test]
    async fn the_right_password_verifies_and_a_wrong_one_does_not() {
        let gate = gate();
        let stored = hash(&gate, "correct horse battery".into()).await.expect("a turn").expect("hashes");
        assert!(stored.as_phc().starts_with("$argon2id$"));
        assert_eq!(verify(&gate, "correct horse battery".into(), Some(stored.clone())).await, Ok(true));
        assert_eq!(verify(&gate, "correct horse batterY".into(), Some(stored)).await, Ok(false));
    }

    #[tokio::test]
    async fn no_password_verifies_without_an_account() {
        assert_eq!(verify(&gate(), "not anybody's password".into(), None).await, Ok(false));
    }

    #[tokio::test]
    async fn a_corrupt_stored_hash_verifies_nothing() {
        assert_eq!(verify(&gate(), "x".into(), Some(StoredHash::from_stored("garbage".into()))).await, Ok(false));
    }

    #[test]
    fn hashes_never_print() {
        assert_eq!(format!("{:?}", StoredHash::from_stored("$argon2id$secret".into())), "StoredHash(…)");
    }
}
