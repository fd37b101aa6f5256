//! PostgreSQL for the tests that need it (SPEC §4): each gets a fresh,
//! empty database of its own on the server `TEST_POSTGRES_URL` names.
//!
//! The contract CI keeps:
//! - `TEST_POSTGRES_URL`: an admin URL (a role that may `CREATE DATABASE`),
//!   such as `postgres://bot:bot@127.0.0.1:5432/postgres`.
//! - `TEST_POSTGRES=required`: a test that needs PostgreSQL panics when
//!   `TEST_POSTGRES_URL` is unset, so CI never skips one silently. Without
//!   it, such a test prints one line to stderr saying it did not run and
//!   why, and returns.
//!
//! A server that is named but cannot be reached is a failure either way.
//! Messages name the URLs with the password masked.

use paas_incident_bot::database_url::DatabaseUrl;
use sqlx::postgres::PgConnection;
use sqlx::Connection;
use std::io::Write;
use std::sync::atomic::{AtomicU32, Ordering};

/// The admin URL of the server the tests use.
pub const URL_VAR: &str = "TEST_POSTGRES_URL";
/// `required`: a missing `TEST_POSTGRES_URL` fails the test.
pub const REQUIRED_VAR: &str = "TEST_POSTGRES";

/// A database made for one test; [`TestDatabase::drop_database`] removes it.
pub struct TestDatabase {
    /// `postgres://…/<name>`: what the bot is given as `DATABASE_URL`.
    pub url: String,
    pub name: String,
    admin: String,
}

/// A fresh database for `test` (a short name, used in the database's
/// name and the skip line), or `None` after one stderr line when no server
/// is named and PostgreSQL is not required.
///
/// Panics when `TEST_POSTGRES=required` and `TEST_POSTGRES_URL` is unset,
/// and when the server named cannot create the database.
pub async fn fresh(test: &str) -> Option<TestDatabase> {
    let admin = admin_url(
        test,
        std::env::var(URL_VAR).ok(),
        std::env::var(REQUIRED_VAR).ok(),
    )?;
    let name = unique_name(test);
    let mut conn = PgConnection::connect(&admin).await.unwrap_or_else(|e| {
        panic!(
            "{URL_VAR} {} cannot be reached: {e}",
            DatabaseUrl::new(admin.as_str())
        )
    });
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("CREATE DATABASE {name} on {URL_VAR}: {e}"));
    let _ = conn.close().await;
    Some(TestDatabase {
        url: with_database(&admin, &name),
        name,
        admin,
    })
}

/// The admin URL to use, or `None` (after saying why on stderr) when the
/// test should not run; panics when it must.
fn admin_url(test: &str, url: Option<String>, required: Option<String>) -> Option<String> {
    match url.filter(|u| !u.trim().is_empty()) {
        Some(url) => Some(url.trim().to_owned()),
        None if required.as_deref().map(str::trim) == Some("required") => panic!(
            "{test} needs PostgreSQL: {REQUIRED_VAR}=required but {URL_VAR} is not set \
             (an admin URL such as postgres://USER:PASS@127.0.0.1:5432/postgres)"
        ),
        None => {
            // Straight to stderr, not `eprintln!`, which the test harness
            // captures and shows only for a failing test.
            let _ = writeln!(
                std::io::stderr(),
                "{test} did not run: it needs PostgreSQL and {URL_VAR} is not set \
                 (set it to an admin URL; {REQUIRED_VAR}=required makes this a failure)"
            );
            None
        }
    }
}

/// `t_<test>_<pid>_<time>_<n>`: lower case, at most 63 bytes (PostgreSQL's
/// identifier limit), different for every call in and across processes.
fn unique_name(test: &str) -> String {
    static COUNT: AtomicU32 = AtomicU32::new(0);
    let stem: String = test
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(24)
        .collect();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos()
        % 1_000_000_000_000;
    format!(
        "t_{stem}_{}_{nanos}_{}",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::Relaxed)
    )
}

/// `admin` with its database (the path) replaced by `name`; the query,
/// if any, kept.
fn with_database(admin: &str, name: &str) -> String {
    let (base, query) = match admin.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (admin, None),
    };
    let authority = base.find("://").map_or(0, |i| i + 3);
    let path = base[authority..]
        .find('/')
        .map_or(base.len(), |i| authority + i);
    match query {
        Some(query) => format!("{}/{name}?{query}", &base[..path]),
        None => format!("{}/{name}", &base[..path]),
    }
}

impl TestDatabase {
    /// Drops the database, closing whatever is still connected to it
    /// (PostgreSQL 13+). A failed test leaves its database behind to look at.
    pub async fn drop_database(self) {
        let mut conn = PgConnection::connect(&self.admin)
            .await
            .expect("the admin URL still connects");
        sqlx::query(&format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            self.name
        ))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("DROP DATABASE {}: {e}", self.name));
        let _ = conn.close().await;
    }
}

#[test]
fn a_database_url_names_the_new_database_and_keeps_the_query() {
    assert_eq!(
        with_database("postgres://bot:bot@127.0.0.1:5432/postgres", "t_x"),
        "postgres://bot:bot@127.0.0.1:5432/t_x"
    );
    assert_eq!(
        with_database("postgresql://bot@db:5432?sslmode=disable", "t_x"),
        "postgresql://bot@db:5432/t_x?sslmode=disable"
    );
    assert_eq!(
        with_database("postgres://bot:b%2Fot@db/admin?sslmode=require&x=1", "t_y"),
        "postgres://bot:b%2Fot@db/t_y?sslmode=require&x=1"
    );
}

#[test]
fn names_are_unique_valid_identifiers() {
    let a = unique_name("Failover: two replicas, SIGKILLed many times over");
    let b = unique_name("Failover: two replicas, SIGKILLed many times over");
    assert_ne!(a, b);
    for name in [&a, &b] {
        assert!(name.len() <= 63, "{name}");
        assert!(
            name.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "{name}"
        );
    }
}

#[test]
fn without_a_server_a_test_skips_unless_postgres_is_required() {
    assert_eq!(admin_url("t", None, None), None);
    assert_eq!(
        admin_url("t", Some("  ".into()), Some("optional".into())),
        None
    );
    assert_eq!(
        admin_url(
            "t",
            Some("postgres://a@h/p".into()),
            Some("required".into())
        ),
        Some("postgres://a@h/p".to_owned())
    );
    let required = std::panic::catch_unwind(|| admin_url("t", None, Some("required".into())));
    let message = *required.unwrap_err().downcast::<String>().unwrap();
    assert!(
        message.contains("TEST_POSTGRES_URL is not set"),
        "{message}"
    );
}
