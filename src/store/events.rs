//! Slack delivers events at least once; remember which were handled.

use super::time::to_db;
use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

/// True the first time an event id is seen, false for every redelivery.
pub async fn first_delivery(
    pool: &SqlitePool,
    event_id: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let inserted =
        sqlx::query("INSERT OR IGNORE INTO processed_events (event_id, at) VALUES (?, ?)")
            .bind(event_id)
            .bind(to_db(now))
            .execute(pool)
            .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Whether `event_id` was recorded by `first_delivery`, without recording it.
pub async fn seen(pool: &SqlitePool, event_id: &str) -> anyhow::Result<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM processed_events WHERE event_id = ?")
            .bind(event_id)
            .fetch_optional(pool)
            .await?;
    Ok(found.is_some())
}
