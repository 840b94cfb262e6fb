//! The database: connecting (SQLite by default, PostgreSQL when the URL says so), migrating at
//! start-up, and the conversions between stored columns and domain values.

pub mod entities;
pub mod migration;

use app::domain::{EndReason, Ending, Timestamp};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;
use time::OffsetDateTime;

/// How long a statement waits for SQLite's write lock, and a write transaction for its turn
/// (`store::writer`), before it fails instead of waiting on.
pub const WRITE_WAIT: Duration = Duration::from_secs(10);

/// Opens the database and brings its schema up to date.
pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    if let Some(path) = sqlite_file(url)
        && let Some(dir) = std::path::Path::new(path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", dir.display())))?;
    }
    let mut options = ConnectOptions::new(url);
    options.sqlx_logging(false).max_connections(max_connections).acquire_timeout(Duration::from_secs(10));
    // No ping before each use of a pooled connection (sqlx's default): it was one more round trip
    // per statement, to PostgreSQL over the network and to SQLite's worker thread, about 3% of a
    // home page's CPU on SQLite (perf). A connection that broke is found by the statement itself,
    // which then fails like any other database error.
    options.test_before_acquire(false);
    // WAL lets readers work while one writer writes; the busy timeout makes a second writer wait
    // for the first instead of failing.
    options.map_sqlx_sqlite_opts(|o| {
        o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
            .busy_timeout(WRITE_WAIT)
            .foreign_keys(true)
            .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
    });
    let db = Database::connect(options).await?;
    migrate(url, &db).await?;
    Ok(db)
}

/// Brings the schema up to date. Several instances over one PostgreSQL database may start at
/// once (a rolling deploy, replicas), and the migrator takes no lock of its own: each would see
/// the same migrations pending, run them, and all but the first fail on what the first created.
/// So on PostgreSQL they take turns under an advisory lock, held on a connection of its own
/// (a pooled one could go back to the pool holding it); the next finds nothing left to run.
/// The migrator runs the pending migrations in one transaction on PostgreSQL, but statement by
/// statement on SQLite, where a start that failed or was killed between two statements of a
/// migration left them half done, and every later start failed on the half it found. SQLite's
/// schema changes are transactional too, so its pending migrations run in one transaction here:
/// all of them, or none. SQLite is one process by design, so it needs no lock.
async fn migrate(url: &str, db: &DatabaseConnection) -> Result<(), DbErr> {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        let all_or_none = db.begin().await?;
        migration::Migrator::up(&all_or_none, None).await?;
        return all_or_none.commit().await;
    }
    let mut options = ConnectOptions::new(url);
    options.sqlx_logging(false).max_connections(1).acquire_timeout(Duration::from_secs(10));
    let lock = Database::connect(options).await?;
    lock.execute_unprepared(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})")).await?;
    let migrated = migration::Migrator::up(db, None).await;
    // Closing the lock's connection releases it, whatever happened above.
    let released = lock.close().await;
    migrated.and(released)
}

/// The advisory lock's key: any number no other user of the database takes ("impersonate").
const MIGRATION_LOCK: i64 = 0x696d_7065_7273;

/// The file behind a `sqlite://` URL, if it names one.
fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// An instant as the database stores it, and as a query compares it with stored ones.
///
/// SQLite has no time type: sqlx writes a time as RFC 3339 text, with the trailing zeros of its
/// fraction cut (`…:00Z`, `…:00.7Z`, `…:00.72Z`), and SQLite compares and sorts that text
/// character by character, so `…:00.7Z` came after `…:00.72Z` and `…:00Z` after `…:00.5Z`. One
/// nanosecond more than the whole millisecond makes the fraction always nine digits long: every
/// time has the same shape, and text order is time order. PostgreSQL keeps microseconds, and
/// [`from_db_time`] whole milliseconds, so the nanosecond is never read back.
pub fn to_db_time(at: Timestamp) -> OffsetDateTime {
    at.to_utc().unwrap_or(OffsetDateTime::UNIX_EPOCH) + time::Duration::nanoseconds(1)
}

pub fn from_db_time(at: OffsetDateTime) -> Timestamp {
    Timestamp::from_utc(at)
}

/// An ending read back from its two columns; a reason this version does not know counts as a
/// session end, the most conservative reading.
pub fn ending(at: Option<OffsetDateTime>, reason: Option<&str>) -> Option<Ending> {
    at.map(|at| Ending { at: from_db_time(at), reason: reason.and_then(EndReason::parse).unwrap_or(EndReason::SessionEnded) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_survive_the_database_representation_to_the_millisecond() {
        for millis in [0, 1, 1_795_788_300_123, -1_000] {
            let t = Timestamp::from_unix_millis(millis);
            assert_eq!(from_db_time(to_db_time(t)), t);
        }
    }

    #[test]
    fn stored_times_have_one_shape_so_their_text_sorts_as_time_does() {
        use time::format_description::well_known::Rfc3339;
        let text = |millis| to_db_time(Timestamp::from_unix_millis(millis)).format(&Rfc3339).expect("formats");
        let (whole, tenths, hundredths) = (text(1_795_780_800_000), text(1_795_780_800_700), text(1_795_780_800_720));
        assert_eq!(whole, "2026-11-27T12:00:00.000000001Z");
        assert!(whole < tenths && tenths < hundredths, "{whole} < {tenths} < {hundredths}");
    }

    #[test]
    fn sqlite_urls_name_their_files() {
        assert_eq!(sqlite_file("sqlite://data/app.db?mode=rwc"), Some("data/app.db"));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://u@h/db"), None);
    }
}
