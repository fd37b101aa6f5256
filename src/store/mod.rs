//! Storage on SQLite or PostgreSQL (SPEC §4), through sqlx's `Any` driver:
//! the pools, the schema (`migrations/sqlite`, `migrations/postgres`) and
//! one module per table. Every state change is committed here before Slack
//! hears of it.
//!
//! The SQL is written once for both: `$N` placeholders (SQLite reads them
//! too), instants as fixed-width text (`time`), integers as 64-bit,
//! flags as 0/1 integers, and nothing either database lacks.

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
mod scratch;
#[cfg(test)]
mod table_tests;
pub mod time;
pub mod topics;

use crate::database_url::{Backend, DatabaseUrl};
use sqlx::any::AnyPoolOptions;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AnyPool, ConnectOptions, Executor};
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

/// How long opening a PostgreSQL pool waits for its first connection: an
/// unreachable server is reported (and `serve` exits 2) rather than hung on.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// PostgreSQL pool sizes for one replica: up to 9 replicas (SPEC §4) times
/// both pools stay well inside the server's default 100 connections.
const POSTGRES_WRITERS: u32 = 6;
const POSTGRES_READERS: u32 = 2;

/// The key of the PostgreSQL advisory lock every write transaction takes
/// first (see `write`): "PAASBOT1" as a number.
const WRITE_LOCK: i64 = 0x5041_4153_424f_5431;

/// Which backend `url` names; an error naming `DATABASE_URL` (password
/// masked) for any other scheme.
fn backend(url: &str) -> anyhow::Result<Backend> {
    sqlx::any::install_default_drivers();
    DatabaseUrl::new(url)
        .backend()
        .ok_or_else(|| Unreachable::at(url, "neither a sqlite:// nor a postgres:// URL"))
}

/// Which backend an open pool runs on.
pub fn backend_of(pool: &AnyPool) -> Backend {
    match pool.connect_options().database_url.scheme() {
        "sqlite" => Backend::Sqlite,
        _ => Backend::Postgres,
    }
}

/// Opens the database at `url` (`sqlite://FILE` or `postgres://…`, SPEC §4)
/// and applies that backend's migrations (`migrations/sqlite`,
/// `migrations/postgres`: the same versions, table for table). A SQLite
/// file is created if missing, owner-only; a read-only file, or one missing
/// where a bot has served before, is refused with a message naming it
/// (see `file::prepare`). Errors name `DATABASE_URL` with the password
/// masked.
pub async fn open(url: &str) -> anyhow::Result<AnyPool> {
    let pool = match backend(url)? {
        Backend::Sqlite => open_sqlite(url).await?,
        Backend::Postgres => open_postgres(url, POSTGRES_WRITERS).await?,
    };
    let migrated = match backend_of(&pool) {
        Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await,
        Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await,
    };
    migrated.map_err(|e| {
        let url = DatabaseUrl::new(url);
        anyhow::anyhow!("cannot apply migrations to the database at DATABASE_URL {url}: {e}")
    })?;
    Ok(pool)
}

async fn open_sqlite(url: &str) -> anyhow::Result<AnyPool> {
    if let Some(path) = file::path_of(url) {
        file::prepare(&path).map_err(|e| Unreachable::at(url, e))?;
    }
    let options = sqlite_url(url, true)?;
    // One connection: writers queue here, in order, rather than in
    // SQLite's busy handler, whose sleeps back off to 100 ms and gave
    // declares at 100/s a tail of hundreds of milliseconds. Reads an ack
    // waits on go through `open_reads`.
    AnyPoolOptions::new()
        .max_connections(1)
        .after_connect(|conn, _| {
            Box::pin(async move {
                // WAL lets /healthz and readers run while a write is in
                // flight; FULL: a commit survives power loss, not only a
                // process crash.
                conn.execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                     PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;",
                )
                .await
                .map(drop)
            })
        })
        .after_release(|conn, _| Box::pin(discard_if_stuck(conn)))
        .connect(&options)
        .await
        .map_err(|e| Unreachable::at(url, e))
}

async fn open_postgres(url: &str, connections: u32) -> anyhow::Result<AnyPool> {
    AnyPoolOptions::new()
        .max_connections(connections)
        .acquire_timeout(CONNECT_TIMEOUT)
        .after_connect(|conn, _| {
            Box::pin(async move {
                // READ COMMITTED whatever the server's default, so a read
                // after the write lock sees every commit before it. A
                // replica cut off mid-transaction holds the write lock
                // until the server gives up on it: after 30 s idle in the
                // transaction, not the hours TCP may take to notice; and a
                // write waits at most 20 s for the lock, then fails and
                // is answered with an apology rather than hang.
                conn.execute(
                    "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED; \
                     SET idle_in_transaction_session_timeout = '30s'; \
                     SET lock_timeout = '20s';",
                )
                .await
                .map(drop)
            })
        })
        .after_release(|conn, _| Box::pin(discard_if_stuck(conn)))
        .connect(url)
        .await
        .map_err(|e| Unreachable::at(url, e))
}

/// `url` as the `Any` driver needs it (it reads a SQLite connection's
/// options from the URL alone): created if missing when `write`, else
/// read-only. Pragmas are set after connecting.
fn sqlite_url(url: &str, write: bool) -> anyhow::Result<String> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| Unreachable::at(url, format!("not a SQLite URL: {e}")))?;
    let options = if write {
        options.create_if_missing(true)
    } else {
        options.read_only(true)
    };
    Ok(options.to_url_lossy().to_string())
}

/// Whether a connection handed back to the pool may be used again: not if
/// it is still inside a transaction nobody could close. After SQLITE_FULL
/// or SQLITE_IOERR, SQLite may have rolled the transaction back itself;
/// the driver's own ROLLBACK (queued when the transaction was dropped) then
/// fails, its count of open transactions stays at one, and every later
/// `BEGIN` on the connection is refused with "attempted to call begin_with
/// at non-zero transaction depth". With one write connection that stopped
/// every write until a restart. Closing it lets the pool open a fresh one,
/// so writes resume as soon as the cause (a full disk) has cleared. The
/// same holds for a PostgreSQL connection whose ROLLBACK was lost.
async fn discard_if_stuck(conn: &mut sqlx::AnyConnection) -> Result<bool, sqlx::Error> {
    use sqlx::Connection;
    if !conn.is_in_transaction() {
        return Ok(true);
    }
    // A dropped transaction's ROLLBACK is queued on the connection; a ping
    // goes through the same queue, so after it the count is settled.
    conn.ping().await?;
    if conn.is_in_transaction() {
        tracing::warn!("a transaction could not be closed; discarding the connection");
        return Ok(false);
    }
    Ok(true)
}

/// A second pool on the same database for the reads an ack waits on
/// (`/oncall`, the Home tab, calendar feeds). With SQLite it is read-only:
/// in WAL mode readers never wait for the writer, but they do wait for a
/// free connection: in one shared pool, writers queued on the write lock
/// (each fsync'd under `synchronous = FULL`) could hold every connection
/// and hold up an ack for a second. With PostgreSQL the same holds for
/// writers queued on the write lock (see `write`).
pub async fn open_reads(url: &str) -> anyhow::Result<AnyPool> {
    match backend(url)? {
        Backend::Sqlite => {
            let options = sqlite_url(url, false)?;
            AnyPoolOptions::new()
                .max_connections(2)
                .after_connect(|conn, _| {
                    Box::pin(
                        async move { conn.execute("PRAGMA busy_timeout = 5000;").await.map(drop) },
                    )
                })
                .connect(&options)
                .await
                .map_err(|e| Unreachable::at(url, format!("for reading: {e}")))
        }
        Backend::Postgres => open_postgres(url, POSTGRES_READERS).await,
    }
}

/// Opens an existing database, for the offline subcommands (`report`,
/// `oncall`): a mistyped `DATABASE_URL` is an error naming it, not a new
/// empty database. SQLite files are opened read-only.
pub async fn open_existing(url: &str) -> anyhow::Result<AnyPool> {
    match backend(url)? {
        Backend::Sqlite => {
            let options = sqlite_url(url, false)?;
            AnyPoolOptions::new()
                .max_connections(1)
                .connect(&options)
                .await
                .map_err(|e| Unreachable::at(url, e))
        }
        Backend::Postgres => open_postgres(url, 1).await,
    }
}

/// Begins a transaction that will write, holding the database's one write
/// lock until it ends, so that writes happen one at a time, in order, from
/// every replica: what the storage modules rely on (a number read and the
/// next one taken, a version compared and bumped) holds without retries.
///
/// SQLite: `BEGIN IMMEDIATE` takes the write lock up front (waiting out the
/// busy timeout): a deferred transaction that reads first and writes later
/// fails at once with SQLITE_BUSY if another connection wrote in between.
/// PostgreSQL: a transaction-scoped advisory lock (`pg_advisory_xact_lock`),
/// released by the server at commit, rollback, or when a dead replica's
/// connection drops.
pub async fn write(pool: &AnyPool) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
    match backend_of(pool) {
        Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await,
        Backend::Postgres => {
            let mut tx = pool.begin().await?;
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(WRITE_LOCK)
                .execute(&mut *tx)
                .await?;
            Ok(tx)
        }
    }
}

/// `$first, $first+1, …`: the placeholders of an `IN (…)` list of `count`
/// values bound in order after the `first - 1` before them. Both backends
/// read `$N`; the list is built, not the values, so nothing is spliced in.
pub(crate) fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
pub(crate) use scratch::scratch;

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
