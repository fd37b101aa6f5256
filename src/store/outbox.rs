//! Announcements owed to Slack. A change and the messages announcing it are
//! committed together; a delivery loop sends them afterwards, so a crash
//! between the two loses nothing: unsent rows go out on the next start.

use super::time::to_db;
use chrono::{DateTime, Utc};
use serde::{de::DeserializeOwned, Serialize};
use sqlx::{Any, AnyPool, Transaction};

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
    /// Certainly not posted: retried plainly.
    NotSent,
    /// Perhaps posted (the response was lost, or an earlier doubt could not
    /// be cleared): looked for before it is retried.
    InDoubt,
    /// Not tried this pass (an earlier row in its sequence failed): left
    /// in doubt only if it was before the pass.
    Untried {
        in_doubt: bool,
    },
}

pub async fn push<T: Serialize>(
    tx: &mut Transaction<'_, Any>,
    now: DateTime<Utc>,
    kind: &str,
    item: &T,
) -> anyhow::Result<i64> {
    let payload = serde_json::to_string(item)?;
    let id = sqlx::query_scalar(
        "INSERT INTO outbox (created_at, kind, payload) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(to_db(now))
    .bind(kind)
    .bind(payload)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// True when a row with exactly `item` is queued and no delivery pass has
/// taken it yet (taken rows are marked in doubt first). Queuing the same
/// re-render again would say nothing more: it renders what is stored when
/// it is sent. One already taken may have rendered, so it does not count.
pub async fn queued_untaken<T: Serialize>(
    tx: &mut Transaction<'_, Any>,
    item: &T,
) -> anyhow::Result<bool> {
    let queued: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM outbox WHERE sent_at IS NULL AND in_doubt = 0 AND payload = $1 LIMIT 1",
    )
    .bind(serde_json::to_string(item)?)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(queued.is_some())
}

/// Unsent rows in the order they were written, but for those in `skip`
/// (rows for a destination that is parked).
pub async fn unsent<T: DeserializeOwned>(
    pool: &AnyPool,
    limit: i64,
    skip: &[i64],
) -> anyhow::Result<Vec<Pending<T>>> {
    let skipped = if skip.is_empty() {
        String::new()
    } else {
        format!("AND id NOT IN ({})", super::placeholders(2, skip.len()))
    };
    let sql = format!(
        "SELECT id, created_at, in_doubt, payload FROM outbox
         WHERE sent_at IS NULL {skipped} ORDER BY id LIMIT $1"
    );
    let mut query = sqlx::query_as::<_, (i64, String, i64, String)>(&sql).bind(limit);
    for id in skip {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(pool).await?;
    rows.into_iter()
        .map(|(id, queued_at, in_doubt, payload)| {
            Ok(Pending {
                id,
                queued_at,
                in_doubt: in_doubt != 0,
                item: serde_json::from_str(&payload)?,
            })
        })
        .collect()
}

/// Marks rows as about to be sent, in one statement for the whole pass.
pub async fn mark_in_doubt(pool: &AnyPool, ids: &[i64]) -> anyhow::Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "UPDATE outbox SET in_doubt = 1 WHERE id IN ({})",
        super::placeholders(1, ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    query.execute(pool).await?;
    Ok(())
}

/// Records how a pass left its rows, in one commit of a few statements:
/// one fsync per pass rather than one per message, and the write lock
/// held only briefly, so commands waiting to write are not kept back.
pub async fn settle(
    pool: &AnyPool,
    now: DateTime<Utc>,
    outcomes: &[(i64, Settled)],
) -> anyhow::Result<()> {
    let sent_at = to_db(now);
    let mut tx = super::write(pool).await?;
    // One set-based statement per kind of outcome the pass produced; rows
    // still in doubt and untried keep their flag as it is.
    for (kind, sql) in [
        (
            Settled::Sent,
            "UPDATE outbox SET sent_at = $1, in_doubt = 0
             WHERE id IN",
        ),
        (
            Settled::NotSent,
            "UPDATE outbox SET attempts = attempts + 1, in_doubt = 0
             WHERE id IN",
        ),
        (
            Settled::InDoubt,
            "UPDATE outbox SET attempts = attempts + 1
             WHERE id IN",
        ),
        (
            Settled::Untried { in_doubt: false },
            "UPDATE outbox SET in_doubt = 0 WHERE id IN",
        ),
    ] {
        let ids: Vec<i64> = outcomes
            .iter()
            .filter(|(_, o)| *o == kind)
            .map(|(id, _)| *id)
            .collect();
        if ids.is_empty() {
            continue;
        }
        // Only the first statement sets a time; the ids follow it.
        let sets_time = kind == Settled::Sent;
        let first = if sets_time { 2 } else { 1 };
        let sql = format!("{sql} ({})", super::placeholders(first, ids.len()));
        let mut query = sqlx::query(&sql);
        if sets_time {
            query = query.bind(&sent_at);
        }
        for id in ids {
            query = query.bind(id);
        }
        query.execute(&mut *tx).await?;
    }
    for (id, outcome) in outcomes {
        if let Settled::Refused(error) = outcome {
            sqlx::query("UPDATE outbox SET sent_at = $1, error = $2, in_doubt = 0 WHERE id = $3")
                .bind(&sent_at)
                .bind(error)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Forgets rows settled (sent, or refused for good) before `before`;
/// returns how many. Nothing reads a settled row again: a card's ts is kept
/// on its incident and the timeline is its own table, so an old row only
/// takes space. Unsent rows, in doubt or not, are kept whatever their age.
pub async fn forget_settled_before(pool: &AnyPool, before: DateTime<Utc>) -> anyhow::Result<u64> {
    let gone = sqlx::query("DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < $1")
        .bind(to_db(before))
        .execute(pool)
        .await?;
    Ok(gone.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_pass_is_marked_in_doubt_then_settled_row_by_row() {
        let (_dir, pool) = super::super::scratch().await;
        let now = super::super::monday_ten();
        let mut tx = super::super::write(&pool).await.unwrap();
        let mut ids = Vec::new();
        for n in 0..6 {
            ids.push(push(&mut tx, now, "post", &n).await.unwrap());
        }
        tx.commit().await.unwrap();
        mark_in_doubt(&pool, &ids).await.unwrap();
        let pending = unsent::<i64>(&pool, 10, &[]).await.unwrap();
        assert!(pending.iter().all(|p| p.in_doubt));
        assert_eq!(
            pending.iter().map(|p| p.item).collect::<Vec<_>>(),
            [0, 1, 2, 3, 4, 5]
        );

        let outcomes = [
            (ids[0], Settled::Sent),
            (ids[1], Settled::Refused("is_archived".into())),
            (ids[2], Settled::NotSent),
            (ids[3], Settled::InDoubt),
            (ids[4], Settled::Untried { in_doubt: false }),
            // In doubt from an earlier pass, and not resolved by this one.
            (ids[5], Settled::Untried { in_doubt: true }),
        ];
        settle(&pool, now, &outcomes).await.unwrap();
        let shape: Vec<(Option<String>, Option<String>, i64, i64)> =
            sqlx::query_as("SELECT sent_at, error, attempts, in_doubt FROM outbox ORDER BY id")
                .fetch_all(&pool)
                .await
                .unwrap();
        let shape: Vec<_> = shape
            .into_iter()
            .map(|(sent, error, attempts, in_doubt)| {
                (sent.is_some(), error, attempts, in_doubt != 0)
            })
            .collect();
        assert_eq!(
            shape,
            [
                (true, None, 0, false),
                (true, Some("is_archived".to_owned()), 0, false),
                (false, None, 1, false),
                // May have reached Slack: still looked for next time.
                (false, None, 1, true),
                (false, None, 0, false),
                (false, None, 0, true),
            ]
        );
        let left: Vec<i64> = unsent::<i64>(&pool, 10, &[])
            .await
            .unwrap()
            .iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(left, [ids[2], ids[3], ids[4], ids[5]]);
    }
}
