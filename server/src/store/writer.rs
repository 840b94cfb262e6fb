//! Write transactions, and on SQLite the turn each one waits for before it begins.
//!
//! SQLite lets one transaction write at a time. A second writer that finds the lock taken waits in
//! SQLite's busy handler, which sleeps and tries again, up to 100 ms a sleep, and serves nobody in
//! order: under `make bench`'s 32 writers, the slowest 1 % of allow/disallow calls took about 1 s
//! while the median took 27 ms. Here writers of this process instead queue for a turn (a fair
//! lock: first come, first served), and the next one starts the moment the last one ends. The turn
//! is held from `BEGIN` to `COMMIT` (or to the rollback, when the transaction is dropped); the
//! busy timeout stays for what this process does not see (another process on the same file, a
//! single-statement write outside a transaction).
//!
//! PostgreSQL takes no turn: it locks rows, so writes to different users run side by side, and
//! its instances could not share an in-process lock anyway.

use sea_orm::{DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, TransactionTrait};
use std::ops::Deref;
use std::sync::Arc;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// Where a process's write transactions queue for their turns; no queue on PostgreSQL.
pub struct Writers(Option<Arc<Mutex<()>>>);

impl Writers {
    pub fn for_backend(backend: DbBackend) -> Writers {
        Writers(matches!(backend, DbBackend::Sqlite).then(|| Arc::new(Mutex::new(()))))
    }

    /// Waits for this process's turn to write (SQLite), then begins the transaction.
    pub async fn begin(&self, db: &DatabaseConnection) -> Result<WriteTransaction, DbErr> {
        let turn = match &self.0 {
            Some(turns) => Some(turns.clone().lock_owned().await),
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
    use sea_orm::Database;

    impl Writers {
        fn turn_is_taken(&self) -> bool {
            self.0.as_ref().is_some_and(|turns| turns.try_lock().is_err())
        }
    }

    #[tokio::test]
    async fn a_sqlite_write_transaction_holds_the_turn_until_it_commits() {
        let db = Database::connect("sqlite::memory:").await.expect("an in-memory database");
        let writers = Writers::for_backend(DbBackend::Sqlite);
        assert!(!writers.turn_is_taken());
        let writing = writers.begin(&db).await.expect("it begins");
        assert!(writers.turn_is_taken(), "nobody else may begin while it writes");
        writing.commit().await.expect("it commits");
        assert!(!writers.turn_is_taken(), "the next may begin");
    }

    #[tokio::test]
    async fn a_dropped_write_transaction_gives_its_turn_back() {
        let db = Database::connect("sqlite::memory:").await.expect("an in-memory database");
        let writers = Writers::for_backend(DbBackend::Sqlite);
        drop(writers.begin(&db).await.expect("it begins"));
        assert!(!writers.turn_is_taken());
    }

    #[test]
    fn postgresql_writers_take_no_turns() {
        assert!(Writers::for_backend(DbBackend::Postgres).0.is_none());
    }
}
