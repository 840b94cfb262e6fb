//! How many live channels may be open: per session and in all. Each open stream costs a
//! connection and a session lookup per tick, so a session cannot open them without limit, and
//! the process as a whole keeps a ceiling. A stream holds its [`Slot`] for as long as it lives;
//! the slot is given back when the stream is dropped, which is when its client has gone.

use crate::config::LiveLimits;
use std::collections::HashMap;
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
}

/// One open stream's place; dropping it frees the place.
pub struct Slot {
    open: Arc<Mutex<Open>>,
    session: String,
}

impl LiveStreams {
    pub fn new(limits: LiveLimits) -> LiveStreams {
        LiveStreams { limits, open: Arc::default() }
    }

    /// A place for one more stream of `session`, if the limits leave one.
    pub fn open(&self, session: &str) -> Option<Slot> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let of_session = open.per_session.get(session).copied().unwrap_or(0);
        if open.total >= self.limits.streams_total || of_session >= self.limits.streams_per_session {
            return None;
        }
        open.total += 1;
        open.per_session.insert(session.to_owned(), of_session + 1);
        Some(Slot { open: self.open.clone(), session: session.to_owned() })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        open.total = open.total.saturating_sub(1);
        if let Some(count) = open.per_session.get_mut(&self.session) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.per_session.remove(&self.session);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_gets_its_share_and_the_process_its_ceiling_and_closing_gives_places_back() {
        let streams = LiveStreams::new(LiveLimits { interval: std::time::Duration::from_secs(1), recheck: std::time::Duration::from_secs(1), streams_per_session: 2, streams_total: 3 });
        let a1 = streams.open("a");
        let a2 = streams.open("a");
        assert!(a1.is_some() && a2.is_some());
        assert!(streams.open("a").is_none(), "a third for one session");
        let b1 = streams.open("b");
        assert!(b1.is_some());
        assert!(streams.open("c").is_none(), "the ceiling");
        drop(a1);
        assert!(streams.open("c").is_some(), "a closed stream's place is free again");
        drop((a2, b1));
        assert!(streams.open.lock().expect("lock").per_session.len() <= 1, "closed sessions are forgotten");
    }
}
