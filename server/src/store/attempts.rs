//! One login attempt at a time per throttle key (an account, a client address).
//!
//! A throttle that reads the lock, checks the password and then counts the failure lets a burst
//! of guesses sent at once all be checked before any failure is counted. Taking the key's turn
//! first makes a burst count exactly like guesses sent one after another, while concurrent right
//! passwords (six tabs, an office behind one address) all still get in. The turns are this
//! process's: behind one database, a burst split across k instances is checked up to k times the
//! limit, a known gap for the multi-instance work (issue 10).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::OwnedMutexGuard;

#[derive(Default)]
pub struct Turns {
    keys: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// Held while an attempt runs; the next attempt on the same keys waits for it.
pub struct Turn {
    _guards: Vec<OwnedMutexGuard<()>>,
}

impl Turns {
    /// Waits for every key's turn, in the order given (always account before address, so two
    /// attempts can never wait for each other).
    pub async fn take(&self, keys: &[&str]) -> Turn {
        let mut guards = Vec::with_capacity(keys.len());
        for key in keys {
            let lock = {
                let mut map = self.keys.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                // Forget the keys nobody holds or waits for, so the map stays as small as the traffic.
                map.retain(|_, lock| Arc::strong_count(lock) > 1);
                map.entry((*key).to_owned()).or_default().clone()
            };
            guards.push(lock.lock_owned().await);
        }
        Turn { _guards: guards }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_second_attempt_on_a_key_waits_for_the_first() {
        let turns = Turns::default();
        let first = turns.take(&["account:ann"]).await;
        let waiting = tokio::time::timeout(Duration::from_millis(50), turns.take(&["address:1.2.3.4", "account:ann"])).await;
        assert!(waiting.is_err(), "the shared key is still taken");
        drop(first);
        let second = tokio::time::timeout(Duration::from_secs(5), turns.take(&["account:ann"])).await;
        assert!(second.is_ok(), "free once the first ended");
    }

    #[tokio::test]
    async fn attempts_on_other_keys_do_not_wait_and_free_keys_are_forgotten() {
        let turns = Turns::default();
        let _ann = turns.take(&["account:ann"]).await;
        let bob = tokio::time::timeout(Duration::from_secs(5), turns.take(&["account:bob"])).await;
        assert!(bob.is_ok());
        drop(bob);
        let _eve = turns.take(&["account:eve"]).await;
        let keys = turns.keys.lock().expect("not poisoned").len();
        assert_eq!(keys, 2, "bob's key was dropped once free");
    }
}
