//! Which database the suite runs on. SQLite by default (a file in the
//! test's temporary directory); with `TEST_BACKEND=postgres` every test
//! bot runs on a fresh PostgreSQL database of its own, created on the
//! server `TEST_POSTGRES_URL` names (an account that may `CREATE
//! DATABASE`). CI runs the suite once each way (`.ci/run`).
//!
//! A test that is about the SQLite file itself (its lock, its permissions,
//! its deletion) says so with [`sqlite_only`] and is skipped, with a line
//! on stderr, on the PostgreSQL run: it ran on the SQLite one.

use sqlx::{Connection, Executor, PgConnection};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The variable naming the server, and the one choosing the backend.
pub const SERVER_VAR: &str = "TEST_POSTGRES_URL";
pub const BACKEND_VAR: &str = "TEST_BACKEND";

/// Whether this run is the PostgreSQL one. Panics on a `TEST_BACKEND` it
/// does not know, or `postgres` without a server: a run asked for must
/// never quietly fall back to SQLite.
pub fn on_postgres() -> bool {
    match std::env::var(BACKEND_VAR).as_deref() {
        Err(_) | Ok("") | Ok("sqlite") => false,
        Ok("postgres") => {
            assert!(
                std::env::var(SERVER_VAR).is_ok_and(|u| !u.is_empty()),
                "{BACKEND_VAR}=postgres needs {SERVER_VAR} (an admin URL, e.g. \
                 postgres://bot:bot@127.0.0.1/postgres)"
            );
            true
        }
        Ok(other) => panic!("{BACKEND_VAR}={other}: expected sqlite or postgres"),
    }
}

/// True, after a line on stderr saying `why`, when this is the PostgreSQL
/// run and the test belongs to the SQLite one.
pub fn sqlite_only(test: &str, why: &str) -> bool {
    let skip = on_postgres();
    if skip {
        say(&format!("{test}: runs on the SQLite run only: {why}"));
    }
    skip
}

/// A fresh PostgreSQL database for a test that needs one whatever the
/// backend (replicas on one server), or `None` after a line on stderr when
/// no server is named. With `TEST_POSTGRES=required` (CI) it panics
/// instead: such a test never silently skips there.
pub async fn postgres_or_skip(test: &str) -> Option<String> {
    if std::env::var(SERVER_VAR).is_ok_and(|u| !u.is_empty()) {
        return Some(fresh_postgres().await);
    }
    assert!(
        std::env::var("TEST_POSTGRES").as_deref() != Ok("required"),
        "{test} needs PostgreSQL: TEST_POSTGRES=required but {SERVER_VAR} is unset"
    );
    say(&format!(
        "{test}: did not run: set {SERVER_VAR} to a PostgreSQL admin URL to run it"
    ));
    None
}

/// Writes a line straight to the process's stderr: `eprintln!` in a test
/// is captured, and shown only if the test fails, and a skip must be seen.
fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// A URL for a fresh, empty database for one test: `dir/bot.db` on SQLite,
/// or a new database on the PostgreSQL server.
pub async fn fresh_url(dir: &Path) -> String {
    if on_postgres() {
        fresh_postgres().await
    } else {
        format!("sqlite://{}", dir.join("bot.db").display())
    }
}

/// Creates a database named after this process and a counter, first
/// dropping those left by test processes that have since exited; returns
/// its URL on the same server and account.
pub async fn fresh_postgres() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let admin = std::env::var(SERVER_VAR).expect(SERVER_VAR);
    let mut conn = PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("{SERVER_VAR}: cannot connect: {e}"));
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    if n == 0 {
        drop_leftovers(&mut conn).await;
    }
    let name = format!("it_{}_{n}", std::process::id());
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap_or_else(|e| panic!("cannot create database {name}: {e}"));
    conn.close().await.ok();
    with_database(&admin, &name)
}

/// A fresh database owned by a new role that logs in with `password`, on
/// the server `TEST_POSTGRES_URL` names; `None` (or a panic) as
/// [`postgres_or_skip`]. For tests that the password never shows.
pub async fn postgres_with_password_or_skip(test: &str, password: &str) -> Option<String> {
    let url = postgres_or_skip(test).await?;
    let admin = std::env::var(SERVER_VAR).expect(SERVER_VAR);
    let name = url.rsplit('/').next().unwrap().to_owned();
    let mut conn = PgConnection::connect(&admin)
        .await
        .expect("the test server");
    conn.execute(format!("CREATE ROLE {name} LOGIN PASSWORD '{password}'").as_str())
        .await
        .expect("CREATE ROLE");
    conn.execute(format!("ALTER DATABASE {name} OWNER TO {name}").as_str())
        .await
        .expect("ALTER DATABASE");
    conn.close().await.ok();
    let rest = url
        .split_once('@')
        .map(|(_, rest)| rest)
        .expect("user@host");
    Some(format!("postgres://{name}:{password}@{rest}"))
}

/// `admin` with its path replaced by `/name`, its query kept.
fn with_database(admin: &str, name: &str) -> String {
    let (base, query) = admin.split_once('?').unwrap_or((admin, ""));
    let rest = base.split_once("://").map_or(base, |(_, r)| r);
    let authority_end = rest
        .find('/')
        .map_or(base.len(), |i| base.len() - rest.len() + i);
    let mut url = format!("{}/{name}", &base[..authority_end]);
    if !query.is_empty() {
        url = format!("{url}?{query}");
    }
    url
}

/// Drops `it_PID_N` databases whose process is gone.
async fn drop_leftovers(conn: &mut PgConnection) {
    let names: Vec<(String,)> =
        sqlx::query_as("SELECT datname FROM pg_database WHERE datname LIKE 'it\\_%'")
            .fetch_all(&mut *conn)
            .await
            .unwrap_or_default();
    for (name,) in names {
        let pid = name.split('_').nth(1).and_then(|p| p.parse::<u32>().ok());
        let gone = pid.is_some_and(|p| !Path::new(&format!("/proc/{p}")).exists());
        if gone {
            let _ = conn
                .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                .await;
        }
    }
}

#[test]
fn a_database_name_replaces_the_path_and_keeps_the_query() {
    assert_eq!(
        with_database("postgres://bot:pw@127.0.0.1:5432/postgres", "it_1_0"),
        "postgres://bot:pw@127.0.0.1:5432/it_1_0"
    );
    assert_eq!(
        with_database("postgres://bot:pw@db?sslmode=require", "it_1_0"),
        "postgres://bot:pw@db/it_1_0?sslmode=require"
    );
}
