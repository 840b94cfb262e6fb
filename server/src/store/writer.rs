//! Write transactions, and on SQLite the turn each one waits for before it begins.
//!
//! SQLite lets one transaction write at a time. A second writer that finds the lock taken waits in
//! SQLite's busy handler, which sleeps and tries again, up to 100 ms a sleep, and serves nobody in
//! order: under `make bench`'s 32 writers, the slowest 1 % of allow/disallow calls took about 1 s
//! while the median took 29 ms. Here writers of this process instead queue for a turn (a fair
//! lock: first come, first served), and the next one starts the moment the last one ends. The turn
//! is held from `BEGIN` to `COMMIT` (or to the rollback, when the transaction is dropped); the
//! busy timeout stays for what this process does not see (another process on the same file, a
//! single-statement write outside a transaction). A writer waits for its turn no longer than
//! SQLite's busy timeout let it wait for the lock (`db::WRITE_WAIT`), then fails, as it did then:
//! an overload, or a transaction begun while the same task holds another, ends in an error rather
//! than a request that never answers.
//!
//! PostgreSQL takes no turn: it locks rows, so writes to different users run side by side, and
//! its instances could not share an in-process lock anyway.

use sea_orm::{DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, TransactionTrait};
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// Where a process's write transactions queue for their turns; no queue on PostgreSQL.
pub struct Writers {
    turns: Option<Arc<Mutex<()>>>,
    max_wait: Duration,
}

impl Writers {
    pub fn for_backend(backend: DbBackend, max_wait: Duration) -> Writers {
        Writers { turns: matches!(backend, DbBackend::Sqlite).then(|| Arc::new(Mutex::new(()))), max_wait }
    }

    /// Waits for this process's turn to write (SQLite), then begins the transaction.
    pub async fn begin(&self, db: &DatabaseConnection) -> Result<WriteTransaction, DbErr> {
        let turn = match &self.turns {
            Some(turns) => match tokio::time::timeout(self.max_wait, turns.clone().lock_owned()).await {
                Ok(turn) => Some(turn),
                Err(_) => return Err(DbErr::Custom(format!("no turn to write within {:?}", self.max_wait))),
            },
            None => None,
        };
        Ok(WriteTransaction { txn: db.begin().await?, _turn: turn })
    }
}

/// A transaction that writes, holding its turn until it commits or is dropped.
pub struct WriteTransaction {
    // Declared first, so it is dropped (its rollback started) before the turn is given back.
    txn: DatabaseTransaction,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl WriteTransaction {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }
}

impl Deref for WriteTransaction {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::WRITE_WAIT;
    use sea_orm::Database;

    impl Writers {
        fn turn_is_taken(&self) -> bool {
            self.turns.as_ref().is_some_and(|turns| turns.try_lock().is_err())
        }
    }

    #[tokio::test]
    async fn a_sqlite_write_transaction_holds_the_turn_until_it_commits() {
        let db = Database::connect("sqlite::memory:").await.expect("an in-memory database");
        let writers = Writers::for_backend(DbBackend::Sqlite, WRITE_WAIT);
        assert!(!writers.turn_is_taken());
        let writing = writers.begin(&db).await.expect("it begins");
        assert!(writers.turn_is_taken(), "nobody else may begin while it writes");
        writing.commit().await.expect("it commits");
        assert!(!writers.turn_is_taken(), "the next may begin");
    }

    #[tokio::test]
    async fn a_dropped_write_transaction_gives_its_turn_back() {
        let db = Database::connect("sqlite::memory:").await.expect("an in-memory database");
        let writers = Writers::for_backend(DbBackend::Sqlite, WRITE_WAIT);
        drop(writers.begin(&db).await.expect("it begins"));
        assert!(!writers.turn_is_taken());
    }

    #[tokio::test]
    async fn a_writer_that_waits_too_long_for_its_turn_fails_instead_of_waiting_on() {
        let db = Database::connect("sqlite::memory:").await.expect("an in-memory database");
        let writers = Writers::for_backend(DbBackend::Sqlite, Duration::from_millis(20));
        let _writing = writers.begin(&db).await.expect("the first begins");
        // The first holds its turn for the whole test, so the second cannot get one in time.
        // The outer limit only keeps a broken wait from hanging the test run.
        let second = tokio::time::timeout(Duration::from_secs(10), writers.begin(&db)).await.expect("the second is answered, not left waiting");
        let refused = second.err().expect("the second gets no turn");
        assert!(refused.to_string().contains("no turn to write"), "{refused}");
    }

    #[test]
    fn postgresql_writers_take_no_turns() {
        assert!(Writers::for_backend(DbBackend::Postgres, WRITE_WAIT).turns.is_none());
    }
}
