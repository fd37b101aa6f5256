//! Rota overrides: stored, listed, cancelled. Cancelled rows stay for the
//! record; only live ones are handed to the resolver.

use super::time::{from_db, to_db};
use crate::ids::UserId;
use crate::rota::Override;
use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

type Row = (i64, String, String, String, String, String, String);

fn from_row((id, rota, user, from, to, created_by, created_at): Row) -> anyhow::Result<Override> {
    Ok(Override {
        id,
        rota,
        user: UserId::parse(&user).map_err(anyhow::Error::msg)?,
        from: from_db(&from)?,
        to: from_db(&to)?,
        created_by: UserId::parse(&created_by).map_err(anyhow::Error::msg)?,
        created_at: from_db(&created_at)?,
    })
}

const COLUMNS: &str = "id, rota, user_id, starts_at, ends_at, created_by, created_at";

/// Stores a new override and returns it with its id.
pub async fn create(
    pool: &SqlitePool,
    rota: &str,
    user: &UserId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    created_by: &UserId,
    now: DateTime<Utc>,
) -> anyhow::Result<Override> {
    let row: Row = sqlx::query_as(&format!(
        "INSERT INTO overrides (rota, user_id, starts_at, ends_at, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING {COLUMNS}"
    ))
    .bind(rota)
    .bind(user.as_str())
    .bind(to_db(from))
    .bind(to_db(to))
    .bind(created_by.as_str())
    .bind(to_db(now))
    .fetch_one(pool)
    .await?;
    from_row(row)
}

/// Live (not cancelled) overrides that have not ended by `now`.
pub async fn current(pool: &SqlitePool, now: DateTime<Utc>) -> anyhow::Result<Vec<Override>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM overrides
         WHERE cancelled_at IS NULL AND ends_at > ? ORDER BY starts_at, id"
    ))
    .bind(to_db(now))
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(from_row).collect()
}

/// Every live override, past ones included (the resolver ignores those
/// outside the instant asked about).
pub async fn live(pool: &SqlitePool) -> anyhow::Result<Vec<Override>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM overrides WHERE cancelled_at IS NULL ORDER BY starts_at, id"
    ))
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(from_row).collect()
}

pub async fn get(pool: &SqlitePool, id: i64) -> anyhow::Result<Option<(Override, bool)>> {
    let row: Option<(i64, String, String, String, String, String, String, Option<String>)> =
        sqlx::query_as(&format!("SELECT {COLUMNS}, cancelled_at FROM overrides WHERE id = ?"))
            .bind(id)
            .fetch_optional(pool)
            .await?;
    row.map(|(a, b, c, d, e, f, g, cancelled)| Ok((from_row((a, b, c, d, e, f, g))?, cancelled.is_some())))
        .transpose()
}

/// Cancels a live override; false if it was already cancelled.
pub async fn cancel(pool: &SqlitePool, id: i64, by: &UserId, now: DateTime<Utc>) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "UPDATE overrides SET cancelled_at = ?, cancelled_by = ? WHERE id = ? AND cancelled_at IS NULL",
    )
    .bind(to_db(now))
    .bind(by.as_str())
    .bind(id)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}
