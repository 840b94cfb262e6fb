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

use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, TransactionTrait};
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
        let txn = db.begin().await?;
        if turn.is_some() {
            take_the_write_lock(&txn).await?;
        }
        Ok(WriteTransaction { txn, _turn: turn })
    }
}

/// SQLite begins a transaction deferred: it takes the write lock at its first write. One that
/// reads first (a user marking their own task reads it, then updates it) holds a snapshot, and in
/// WAL mode a write committed by anyone else meanwhile (a session touched, a login; those write
/// outside the turn) makes its first write fail at once with "database is locked", busy timeout or
/// not. sea-orm cannot `BEGIN IMMEDIATE`, so the transaction's first statement is a write that
/// changes nothing (a `WHERE` that matches no row still takes the lock), on the one table every
/// migrated database has.
async fn take_the_write_lock(txn: &DatabaseTransaction) -> Result<(), DbErr> {
    txn.execute_unprepared("UPDATE seaql_migrations SET version = version WHERE 0").await.map(|_| ())
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

    /// An in-memory database with the one table a write transaction's first statement needs.
    async fn memory() -> DatabaseConnection {
        let db = Database::connect("sqlite::memory:").await.expect("an in-memory database");
        db.execute_unprepared("CREATE TABLE seaql_migrations (version TEXT PRIMARY KEY, applied_at BIGINT)").await.expect("the migrator's table");
        db
    }

    impl Writers {
        fn turn_is_taken(&self) -> bool {
            self.turns.as_ref().is_some_and(|turns| turns.try_lock().is_err())
        }
    }

    #[tokio::test]
    async fn a_sqlite_write_transaction_holds_the_turn_until_it_commits() {
        let db = memory().await;
        let writers = Writers::for_backend(DbBackend::Sqlite, WRITE_WAIT);
        assert!(!writers.turn_is_taken());
        let writing = writers.begin(&db).await.expect("it begins");
        assert!(writers.turn_is_taken(), "nobody else may begin while it writes");
        writing.commit().await.expect("it commits");
        assert!(!writers.turn_is_taken(), "the next may begin");
    }

    #[tokio::test]
    async fn a_dropped_write_transaction_gives_its_turn_back() {
        let db = memory().await;
        let writers = Writers::for_backend(DbBackend::Sqlite, WRITE_WAIT);
        drop(writers.begin(&db).await.expect("it begins"));
        assert!(!writers.turn_is_taken());
    }

    #[tokio::test]
    async fn a_writer_that_waits_too_long_for_its_turn_fails_instead_of_waiting_on() {
        let db = memory().await;
        let writers = Writers::for_backend(DbBackend::Sqlite, Duration::from_millis(20));
        let _writing = writers.begin(&db).await.expect("the first begins");
        // The first holds its turn for the whole test, so the second cannot get one in time.
        // The outer limit only keeps a broken wait from hanging the test run.
        let second = tokio::time::timeout(Duration::from_secs(10), writers.begin(&db)).await.expect("the second is answered, not left waiting");
        let refused = second.err().expect("the second gets no turn");
        assert!(refused.to_string().contains("no turn to write"), "{refused}");
    }

    #[tokio::test]
    async fn a_sqlite_write_that_reads_first_still_writes_after_someone_else_committed() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("w.db").display());
        let db = crate::db::connect(&url, 2).await.expect("a migrated database");
        let writers = Writers::for_backend(DbBackend::Sqlite, WRITE_WAIT);
        let writing = writers.begin(&db).await.expect("it begins");
        // It reads first, as marking one's own task does ...
        writing.execute_unprepared("SELECT count(*) FROM tasks").await.expect("it reads");
        // ... while a write outside the turn (a session touched) tries to commit on another
        // connection; it has to wait for this transaction now, so let it give up quickly.
        let mut options = sea_orm::ConnectOptions::new(url.clone());
        options.map_sqlx_sqlite_opts(|o| o.busy_timeout(Duration::from_millis(50)));
        let elsewhere = Database::connect(options).await.expect("a second connection");
        let _ = elsewhere.execute_unprepared("UPDATE seaql_migrations SET applied_at = applied_at + 1").await;
        writing.execute_unprepared("DELETE FROM tasks").await.expect("its write is not refused for a snapshot gone stale");
        writing.commit().await.expect("it commits");
    }

    #[test]
    fn postgresql_writers_take_no_turns() {
        assert!(Writers::for_backend(DbBackend::Postgres, WRITE_WAIT).turns.is_none());
    }
}
