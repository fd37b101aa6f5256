//! Slack delivers events at least once; remember which were handled.

use super::time::to_db;
use chrono::{DateTime, Utc};
use sqlx::AnyPool;

/// True the first time an event id is seen, false for every redelivery.
pub async fn first_delivery(
    db: impl sqlx::AnyExecutor<'_>,
    event_id: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let inserted = sqlx::query(
        "INSERT INTO processed_events (event_id, at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(event_id)
    .bind(to_db(now))
    .execute(db)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Begins a write transaction (see `store::write`) for a change asked for
/// by `envelope`, recording the envelope as handled inside it.
pub async fn write_answering(
    pool: &AnyPool,
    envelope: Option<&str>,
    now: DateTime<Utc>,
) -> anyhow::Result<sqlx::Transaction<'static, sqlx::Any>> {
    let mut tx = super::write(pool).await?;
    if let Some(id) = envelope {
        first_delivery(&mut *tx, id, now).await?;
    }
    Ok(tx)
}

/// Whether an event id was already handled (read only: the id is recorded
/// with `first_delivery` once the work is done, so failed work is retried).
pub async fn seen(pool: &AnyPool, event_id: &str) -> anyhow::Result<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM processed_events WHERE event_id = $1")
            .bind(event_id)
            .fetch_optional(pool)
            .await?;
    Ok(found.is_some())
}

/// Forgets ids handled before `before`: Slack stops redelivering an
/// envelope within minutes, so old ids only take space.
pub async fn forget_before(pool: &AnyPool, before: DateTime<Utc>) -> anyhow::Result<u64> {
    let gone = sqlx::query("DELETE FROM processed_events WHERE at < $1")
        .bind(to_db(before))
        .execute(pool)
        .await?;
    Ok(gone.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[tokio::test]
    async fn ids_are_remembered_then_forgotten_once_old() {
        let (_dir, pool) = super::super::scratch().await;
        let t0 = super::super::monday_ten();
        assert!(first_delivery(&pool, "Ev1", t0).await.unwrap());
        assert!(!first_delivery(&pool, "Ev1", t0).await.unwrap());
        assert!(first_delivery(&pool, "Ev2", t0 + Duration::days(2))
            .await
            .unwrap());
        let gone = forget_before(&pool, t0 + Duration::days(1)).await.unwrap();
        assert_eq!(gone, 1);
        assert!(!seen(&pool, "Ev1").await.unwrap());
        assert!(seen(&pool, "Ev2").await.unwrap());
    }

    #[tokio::test]
    async fn an_envelope_is_handled_exactly_when_its_change_commits() {
        let (_dir, pool) = super::super::scratch().await;
        let t0 = super::super::monday_ten();
        let rolled_back = write_answering(&pool, Some("Env1"), t0).await.unwrap();
        drop(rolled_back);
        assert!(!seen(&pool, "Env1").await.unwrap());
        let tx = write_answering(&pool, Some("Env1"), t0).await.unwrap();
        tx.commit().await.unwrap();
        assert!(seen(&pool, "Env1").await.unwrap());
        // A second change for the same envelope (or none) still writes.
        let tx = write_answering(&pool, Some("Env1"), t0).await.unwrap();
        tx.commit().await.unwrap();
        write_answering(&pool, None, t0)
            .await
            .unwrap()
            .commit()
            .await
            .unwrap();
    }
}
