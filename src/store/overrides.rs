//! Rota overrides: stored, listed, cancelled. Cancelled rows stay for the
//! record; only live ones are handed to the resolver.

use super::time::{from_db, to_db};
use crate::ids::{OverrideId, UserId};
use crate::rota::Override;
use chrono::{DateTime, Utc};
use sqlx::{Any, AnyPool, Transaction};

type Row = (
    i64,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    String,
);

fn user(raw: &str) -> anyhow::Result<UserId> {
    UserId::parse(raw).map_err(anyhow::Error::msg)
}

fn from_row(
    (id, rota, user_id, covered, from, to, created_by, created_at): Row,
) -> anyhow::Result<Override> {
    Ok(Override {
        id: OverrideId(id),
        rota,
        user: user(&user_id)?,
        covered: covered.as_deref().map(user).transpose()?,
        from: from_db(&from)?,
        to: from_db(&to)?,
        created_by: user(&created_by)?,
        created_at: from_db(&created_at)?,
    })
}

const COLUMNS: &str = "id, rota, user_id, covered, starts_at, ends_at, created_by, created_at";

/// What a new override says; the id and creation time come from storage.
pub struct NewOverride<'a> {
    pub rota: &'a str,
    pub user: &'a UserId,
    pub covered: Option<&'a UserId>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub created_by: &'a UserId,
}

/// Stores a new override inside the caller's transaction, so its
/// announcements commit with it.
pub async fn create(
    tx: &mut Transaction<'_, Any>,
    new: NewOverride<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<Override> {
    let row: Row = sqlx::query_as(&format!(
        "INSERT INTO overrides (rota, user_id, covered, starts_at, ends_at, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
    ))
    .bind(new.rota)
    .bind(new.user.as_str())
    .bind(new.covered.map(UserId::as_str))
    .bind(to_db(new.from))
    .bind(to_db(new.to))
    .bind(new.created_by.as_str())
    .bind(to_db(now))
    .fetch_one(&mut **tx)
    .await?;
    from_row(row)
}

/// Live (not cancelled) overrides that have not ended by `now`.
pub async fn current(pool: &AnyPool, now: DateTime<Utc>) -> anyhow::Result<Vec<Override>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM overrides
         WHERE cancelled_at IS NULL AND ends_at > $1 ORDER BY starts_at, id"
    ))
    .bind(to_db(now))
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(from_row).collect()
}

/// Every live override, past ones included (the resolver ignores those
/// outside the instant asked about).
pub async fn live(db: impl sqlx::AnyExecutor<'_>) -> anyhow::Result<Vec<Override>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM overrides WHERE cancelled_at IS NULL ORDER BY starts_at, id"
    ))
    .fetch_all(db)
    .await?;
    rows.into_iter().map(from_row).collect()
}

/// One override, cancelled or not (the flag says which).
pub async fn get(pool: &AnyPool, id: OverrideId) -> anyhow::Result<Option<(Override, bool)>> {
    let row: Option<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM overrides WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(pool)
            .await?;
    let Some(row) = row else { return Ok(None) };
    let cancelled: Option<String> =
        sqlx::query_scalar("SELECT cancelled_at FROM overrides WHERE id = $1")
            .bind(id.0)
            .fetch_one(pool)
            .await?;
    Ok(Some((from_row(row)?, cancelled.is_some())))
}

/// Cancels a live override; false if it was already cancelled.
pub async fn cancel(
    tx: &mut Transaction<'_, Any>,
    id: OverrideId,
    by: &UserId,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "UPDATE overrides SET cancelled_at = $1, cancelled_by = $2 WHERE id = $3 AND cancelled_at IS NULL",
    )
    .bind(to_db(now))
    .bind(by.as_str())
    .bind(id.0)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
