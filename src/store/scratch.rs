//! Fresh databases for the storage unit tests: SQLite in a temporary
//! directory, or, with `TEST_BACKEND=postgres`, a new database on the
//! server `TEST_POSTGRES_URL` names, so every table module's tests run on
//! both backends (the integration suite does the same in
//! `tests/it/support/database.rs`).

use sqlx::{AnyPool, Connection, Executor, PgConnection};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh database; keep the directory alive as long as the pool.
pub(crate) async fn scratch() -> (tempfile::TempDir, AnyPool) {
    match std::env::var("TEST_BACKEND").as_deref() {
        Ok("postgres") => {
            let dir = tempfile::tempdir().expect("a temporary directory");
            let pool = super::open(&fresh_postgres().await).await;
            (dir, pool.expect("a scratch database"))
        }
        _ => scratch_sqlite().await,
    }
}

/// A fresh SQLite database whatever the run, for tests of the file itself.
pub(crate) async fn scratch_sqlite() -> (tempfile::TempDir, AnyPool) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!("sqlite://{}", dir.path().join("scratch.db").display());
    let pool = super::open(&url).await.expect("a scratch database");
    (dir, pool)
}

/// A new database `unit_PID_N`, dropped again when this process's next
/// run starts (names carry the process id, so runs side by side never
/// drop each other's).
async fn fresh_postgres() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let admin = std::env::var("TEST_POSTGRES_URL")
        .expect("TEST_BACKEND=postgres needs TEST_POSTGRES_URL, an admin URL");
    let mut conn = PgConnection::connect(&admin)
        .await
        .expect("the test server");
    let name = format!(
        "unit_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("CREATE DATABASE");
    conn.close().await.ok();
    let (base, query) = admin.split_once('?').unwrap_or((&admin, ""));
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    match query {
        "" => format!("{server}/{name}"),
        query => format!("{server}/{name}?{query}"),
    }
}
