//! SQLite storage: the pool, the schema (in `migrations/`) and one module per
//! table. Every state change is committed here before Slack hears of it.

pub mod alerts;
pub mod cover_requests;
pub mod events;
#[cfg(test)]
mod faults_tests;
pub mod feeds;
pub mod file;
pub mod incidents;
pub mod lease;
pub mod outbox;
pub mod overrides;
pub mod public;
pub mod reminders;
#[cfg(test)]
mod table_tests;
pub mod time;
pub mod topics;

use crate::database_url::DatabaseUrl;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::str::FromStr;
use std::time::Duration;

/// The database `DATABASE_URL` names could not be opened: the operator
/// must fix the URL, the file or the network before the bot can run
/// (`serve` exits 2). The URL shows with its password masked.
#[derive(Debug, thiserror::Error)]
#[error("cannot open the database at DATABASE_URL {url}: {cause}")]
pub struct Unreachable {
    pub url: DatabaseUrl,
    pub cause: String,
}

impl Unreachable {
    pub(crate) fn at(url: &str, cause: impl std::fmt::Display) -> anyhow::Error {
        Unreachable {
            url: DatabaseUrl::new(url),
            cause: format!("{cause:#}"),
        }
        .into()
    }
}

/// Opens (creating if missing, owner-only) the database at `url` and
/// applies migrations. A read-only file, or one missing where a bot has
/// served before, is refused with a message naming it (see `file::prepare`).
pub async fn open(url: &str) -> anyhow::Result<SqlitePool> {
    if let Some(path) = file::path_of(url) {
        file::prepare(&path).map_err(|e| Unreachable::at(url, e))?;
    }
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| Unreachable::at(url, format!("not a SQLite URL: {e}")))?
        .create_if_missing(true)
        // WAL lets /healthz and readers run while a write is in flight.
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: a commit survives power loss, not only a process crash.
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true);
    // One connection: writers queue here, in order, rather than in
    // SQLite's busy handler, whose sleeps back off to 100 ms and gave
    // declares at 100/s a tail of hundreds of milliseconds. Reads an ack
    // waits on go through `open_reads`.
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .after_release(|conn, _| Box::pin(discard_if_stuck(conn)))
        .connect_with(options)
        .await
        .map_err(|e| Unreachable::at(url, e))?;
    sqlx::migrate!("./migrations")
        .run(&pool)
        .await
        .map_err(|e| {
            let url = DatabaseUrl::new(url);
            anyhow::anyhow!("cannot apply migrations to the database at DATABASE_URL {url}: {e}")
        })?;
    Ok(pool)
}

/// Whether a connection handed back to the pool may be used again: not if
/// it is still inside a transaction nobody could close. After SQLITE_FULL
/// or SQLITE_IOERR, SQLite may have rolled the transaction back itself;
/// the driver's own ROLLBACK (queued when the transaction was dropped) then
/// fails, its count of open transactions stays at one, and every later
/// `BEGIN` on the connection is refused with "attempted to call begin_with
/// at non-zero transaction depth". With one write connection that stopped
/// every write until a restart. Closing it lets the pool open a fresh one,
/// so writes resume as soon as the cause (a full disk) has cleared.
async fn discard_if_stuck(conn: &mut sqlx::SqliteConnection) -> Result<bool, sqlx::Error> {
    use sqlx::Connection;
    if !conn.is_in_transaction() {
        return Ok(true);
    }
    // A dropped transaction's ROLLBACK is queued on the connection; a ping
    // goes through the same queue, so after it the count is settled.
    conn.ping().await?;
    if conn.is_in_transaction() {
        tracing::warn!("a transaction could not be closed; discarding the write connection");
        return Ok(false);
    }
    Ok(true)
}

/// A second, read-only pool on the same database for the reads an ack
/// waits on (`/oncall`, the Home tab). In WAL mode readers never wait for
/// the writer, but they do wait for a free connection: in one shared pool,
/// writers queued on the write lock (each fsync'd under `synchronous =
/// FULL`) could hold every connection and hold up an ack for a second.
pub async fn open_reads(url: &str) -> anyhow::Result<SqlitePool> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| Unreachable::at(url, format!("not a SQLite URL: {e}")))?
        .read_only(true)
        .busy_timeout(Duration::from_secs(5));
    SqlitePoolOptions::new()
        .max_connections(2)
        .connect_with(options)
        .await
        .map_err(|e| Unreachable::at(url, format!("for reading: {e}")))
}

/// Opens an existing database read-only, for the offline subcommands
/// (`report`, `oncall`): a mistyped `DATABASE_URL` is an error naming it,
/// not a new empty database.
pub async fn open_existing(url: &str) -> anyhow::Result<SqlitePool> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| Unreachable::at(url, format!("not a SQLite URL: {e}")))?
        .read_only(true)
        .create_if_missing(false);
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .map_err(|e| Unreachable::at(url, e))
}

/// Begins a transaction that will write. `BEGIN IMMEDIATE` takes the write
/// lock up front (waiting out the busy timeout): a deferred transaction that
/// reads first and writes later fails at once with SQLITE_BUSY if another
/// connection wrote in between, which the busy timeout cannot help.
pub async fn write(
    pool: &sqlx::SqlitePool,
) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
    pool.begin_with("BEGIN IMMEDIATE").await
}

/// A fresh database in a temporary directory, for storage unit tests; keep
/// the directory alive as long as the pool.
#[cfg(test)]
pub(crate) async fn scratch() -> (tempfile::TempDir, SqlitePool) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!("sqlite://{}", dir.path().join("scratch.db").display());
    let pool = open(&url).await.expect("a scratch database");
    (dir, pool)
}

/// Monday 23 November 2026, 10:00 UTC: the instant storage tests start at.
#[cfg(test)]
pub(crate) fn monday_ten() -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    chrono::Utc
        .with_ymd_and_hms(2026, 11, 23, 10, 0, 0)
        .unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn creates_the_file_and_applies_the_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.db");
        let url = format!("sqlite://{}", path.display());
        let pool = open(&url).await.unwrap();
        assert!(path.exists());
        let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        let tables: Vec<(String,)> =
            sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                .fetch_all(&pool)
                .await
                .unwrap();
        let names: Vec<_> = tables.into_iter().map(|t| t.0).collect();
        for want in ["incidents", "overrides", "reminders", "timeline", "outbox"] {
            assert!(names.iter().any(|n| n == want), "{names:?}");
        }
        // Opening again is idempotent.
        drop(pool);
        open(&url).await.unwrap();
    }
}
