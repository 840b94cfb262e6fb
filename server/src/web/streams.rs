//! How many live channels may be open: per session, per account and in all. Each open stream
//! costs a connection and a session lookup per tick, so a session cannot open them without limit;
//! nor can one person by logging in again and again (else one account could take every place and
//! leave everyone else's pages without their notices); and the process as a whole keeps a
//! ceiling. A stream holds its [`Slot`] for as long as it lives; the slot is given back when the
//! stream is dropped, which is when its client has gone.

use crate::config::LiveLimits;
use app::domain::UserId;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

#[derive(Clone)]
pub struct LiveStreams {
    limits: LiveLimits,
    open: Arc<Mutex<Open>>,
}

#[derive(Default)]
struct Open {
    total: usize,
    per_session: HashMap<String, usize>,
    per_account: HashMap<UserId, usize>,
}

/// One open stream's place; dropping it frees the place.
pub struct Slot {
    open: Arc<Mutex<Open>>,
    session: String,
    account: UserId,
}

impl LiveStreams {
    pub fn new(limits: LiveLimits) -> LiveStreams {
        LiveStreams { limits, open: Arc::default() }
    }

    /// A place for one more stream of `session`, logged in as `account`, if the limits leave one.
    pub fn open(&self, session: &str, account: UserId) -> Option<Slot> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let of_session = open.per_session.get(session).copied().unwrap_or(0);
        let of_account = open.per_account.get(&account).copied().unwrap_or(0);
        let limits = &self.limits;
        if open.total >= limits.streams_total || of_session >= limits.streams_per_session || of_account >= limits.streams_per_account {
            return None;
        }
        open.total += 1;
        open.per_session.insert(session.to_owned(), of_session + 1);
        open.per_account.insert(account, of_account + 1);
        Some(Slot { open: self.open.clone(), session: session.to_owned(), account })
    }
}

/// One fewer under `key`, forgetting a key with none left.
fn give_back<K: Eq + Hash>(counts: &mut HashMap<K, usize>, key: &K) {
    if let Some(count) = counts.get_mut(key) {
        *count = count.saturating_sub(1);
        if *count == 0 {
            counts.remove(key);
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        open.total = open.total.saturating_sub(1);
        give_back(&mut open.per_session, &self.session);
        give_back(&mut open.per_account, &self.account);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn streams(per_session: usize, per_account: usize, total: usize) -> LiveStreams {
        let second = Duration::from_secs(1);
        LiveStreams::new(LiveLimits {
            interval: second,
            recheck: second,
            streams_per_session: per_session,
            streams_per_account: per_account,
            streams_total: total,
        })
    }

    fn person(n: u128) -> UserId {
        UserId::from_uuid(uuid::Uuid::from_u128(n))
    }

    #[test]
    fn a_session_gets_its_share_and_the_process_its_ceiling_and_closing_gives_places_back() {
        let streams = streams(2, 10, 3);
        let a1 = streams.open("a", person(1));
        let a2 = streams.open("a", person(1));
        assert!(a1.is_some() && a2.is_some());
        assert!(streams.open("a", person(1)).is_none(), "a third for one session");
        let b1 = streams.open("b", person(2));
        assert!(b1.is_some());
        assert!(streams.open("c", person(3)).is_none(), "the ceiling");
        drop(a1);
        assert!(streams.open("c", person(3)).is_some(), "a closed stream's place is free again");
        drop((a2, b1));
        let open = streams.open.lock().expect("lock");
        assert!(open.per_session.len() <= 1 && open.per_account.len() <= 1, "closed sessions and accounts are forgotten");
    }

    #[test]
    fn one_person_logged_in_many_times_gets_the_accounts_share_only() {
        let streams = streams(2, 3, 100);
        let held: Vec<_> = ["a", "a", "b"].iter().map(|session| streams.open(session, person(1))).collect();
        assert!(held.iter().all(Option::is_some));
        assert!(streams.open("c", person(1)).is_none(), "a fourth, from yet another session of the same person");
        assert!(streams.open("d", person(2)).is_some(), "someone else still gets in");
        drop(held);
        assert!(streams.open("c", person(1)).is_some(), "closed streams give the account its places back");
    }
}
