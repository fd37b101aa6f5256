//! Announcements owed to Slack. A change and the messages announcing it are
//! committed together; a delivery loop sends them afterwards, so a crash
//! between the two loses nothing: unsent rows go out on the next start.

use super::time::to_db;
use chrono::{DateTime, Utc};
use serde::{de::DeserializeOwned, Serialize};
use sqlx::{Sqlite, SqlitePool, Transaction};

/// One queued announcement.
#[derive(Debug, Clone)]
pub struct Pending<T> {
    pub id: i64,
    pub attempts: i64,
    pub item: T,
}

pub async fn push<T: Serialize>(
    tx: &mut Transaction<'_, Sqlite>,
    now: DateTime<Utc>,
    kind: &str,
    item: &T,
) -> anyhow::Result<i64> {
    let payload = serde_json::to_string(item)?;
    let id = sqlx::query_scalar(
        "INSERT INTO outbox (created_at, kind, payload) VALUES (?, ?, ?) RETURNING id",
    )
    .bind(to_db(now))
    .bind(kind)
    .bind(payload)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// Unsent rows in the order they were written.
pub async fn unsent<T: DeserializeOwned>(
    pool: &SqlitePool,
    limit: i64,
) -> anyhow::Result<Vec<Pending<T>>> {
    let rows: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT id, attempts, payload FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT ?",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(id, attempts, payload)| {
            Ok(Pending {
                id,
                attempts,
                item: serde_json::from_str(&payload)?,
            })
        })
        .collect()
}

/// Marks a row done; `error` records why Slack refused it for good.
pub async fn mark_sent(
    pool: &SqlitePool,
    id: i64,
    now: DateTime<Utc>,
    error: Option<&str>,
) -> anyhow::Result<()> {
    sqlx::query("UPDATE outbox SET sent_at = ?, error = ? WHERE id = ?")
        .bind(to_db(now))
        .bind(error)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn mark_attempt(pool: &SqlitePool, id: i64) -> anyhow::Result<()> {
    sqlx::query("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}
