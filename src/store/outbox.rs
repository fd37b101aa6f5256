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
    /// When it was queued, as stored: with `id`, what marks the message in
    /// Slack so it can be found again.
    pub queued_at: String,
    /// An earlier pass may have sent it before the bot stopped.
    pub in_doubt: bool,
    pub item: T,
}

/// How a pass left a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled {
    Sent,
    /// Slack refused it for good; the reason is kept and it is not retried.
    Refused(String),
    /// Not sent, and certainly not posted: retried plainly.
    NotSent,
    /// The attempt failed in a way that may have posted it: retried after
    /// looking for it.
    Unknown,
    /// Not tried this pass (an earlier row in its sequence failed).
    Untried,
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
    let rows: Vec<(i64, String, bool, String)> = sqlx::query_as(
        "SELECT id, created_at, in_doubt, payload FROM outbox
         WHERE sent_at IS NULL ORDER BY id LIMIT ?",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(id, queued_at, in_doubt, payload)| {
            Ok(Pending {
                id,
                queued_at,
                in_doubt,
                item: serde_json::from_str(&payload)?,
            })
        })
        .collect()
}

/// Marks rows as about to be sent, in one commit for the whole pass.
pub async fn mark_in_doubt(pool: &SqlitePool, ids: &[i64]) -> anyhow::Result<()> {
    let mut tx = super::write(pool).await?;
    for id in ids {
        sqlx::query("UPDATE outbox SET in_doubt = 1 WHERE id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Records how a pass left its rows, in one commit: one fsync per pass
/// rather than one per message.
pub async fn settle(
    pool: &SqlitePool,
    now: DateTime<Utc>,
    outcomes: &[(i64, Settled)],
) -> anyhow::Result<()> {
    let mut tx = super::write(pool).await?;
    for (id, outcome) in outcomes {
        let query = match outcome {
            Settled::Sent => {
                sqlx::query("UPDATE outbox SET sent_at = ?, in_doubt = 0 WHERE id = ?")
                    .bind(to_db(now))
            }
            Settled::Refused(error) => {
                sqlx::query("UPDATE outbox SET sent_at = ?, error = ?, in_doubt = 0 WHERE id = ?")
                    .bind(to_db(now))
                    .bind(error)
            }
            Settled::NotSent => {
                sqlx::query("UPDATE outbox SET attempts = attempts + 1, in_doubt = 0 WHERE id = ?")
            }
            Settled::Unknown => {
                sqlx::query("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?")
            }
            Settled::Untried => sqlx::query("UPDATE outbox SET in_doubt = 0 WHERE id = ?"),
        };
        query.bind(id).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}
