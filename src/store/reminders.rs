//! Reminder rows. One row per (subject, kind, due): a slot that has fired
//! (`done`) can never be inserted again, which is what keeps a reminder from
//! firing twice across restarts and re-plans.

use super::time::{from_db, to_db};
use crate::reminders::{Kind, Planned, Subject};
use chrono::{DateTime, Utc};
use sqlx::{Any, AnyPool, Transaction};

/// A reminder that is due.
#[derive(Debug, Clone)]
pub struct Due {
    pub id: i64,
    pub subject: Subject,
    pub kind: Kind,
    pub due: DateTime<Utc>,
}

/// Makes `subject`'s future pending reminders exactly `planned`: rows no
/// longer planned are cancelled, new ones inserted, and a slot cancelled
/// earlier but planned again comes back. Fired slots are left alone, and so
/// are rows already due: the scheduler owes them, and checks when firing
/// whether they still apply.
pub async fn replan(
    tx: &mut Transaction<'_, Any>,
    subject: &Subject,
    planned: &[Planned],
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let pending: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT id, kind, due_at FROM reminders
         WHERE subject = $1 AND state = 'pending' AND due_at > $2",
    )
    .bind(subject.to_string())
    .bind(to_db(now))
    .fetch_all(&mut **tx)
    .await?;
    let mut kept = Vec::new();
    for (id, kind, due) in pending {
        let still = planned
            .iter()
            .any(|p| p.kind.as_str() == kind && to_db(p.due) == due);
        if still {
            kept.push((kind, due));
        } else {
            sqlx::query("UPDATE reminders SET state = 'cancelled' WHERE id = $1")
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
    }
    // Slots already pending stay as they are; only new ones are written.
    for p in planned
        .iter()
        .filter(|p| !kept.contains(&(p.kind.as_str().to_owned(), to_db(p.due))))
    {
        sqlx::query(
            "INSERT INTO reminders (subject, kind, due_at) VALUES ($1, $2, $3)
             ON CONFLICT (subject, kind, due_at)
             DO UPDATE SET state = 'pending' WHERE reminders.state = 'cancelled'",
        )
        .bind(subject.to_string())
        .bind(p.kind.as_str())
        .bind(to_db(p.due))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Pending reminders due at or before `now`, oldest first.
pub async fn due(pool: &AnyPool, now: DateTime<Utc>, limit: i64) -> anyhow::Result<Vec<Due>> {
    let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT id, subject, kind, due_at FROM reminders
         WHERE state = 'pending' AND due_at <= $1 ORDER BY due_at, id LIMIT $2",
    )
    .bind(to_db(now))
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(id, subject, kind, due)| {
            Ok(Due {
                id,
                subject: subject.parse()?,
                kind: kind.parse().map_err(anyhow::Error::msg)?,
                due: from_db(&due)?,
            })
        })
        .collect()
}

/// Marks a reminder fired, inside the transaction that queues its
/// messages; false if it had already fired or been cancelled.
pub async fn mark_fired(
    tx: &mut Transaction<'_, Any>,
    id: i64,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "UPDATE reminders SET state = 'done', done_at = $1 WHERE id = $2 AND state = 'pending'",
    )
    .bind(to_db(now))
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// When the next pending reminder is due.
pub async fn next_due(pool: &AnyPool) -> anyhow::Result<Option<DateTime<Utc>>> {
    let next: Option<String> =
        sqlx::query_scalar("SELECT MIN(due_at) FROM reminders WHERE state = 'pending'")
            .fetch_one(pool)
            .await?;
    next.as_deref().map(from_db).transpose()
}

/// When each reminder of `kind` about an incident fired, for the incidents
/// numbered from `first` on: (incident, fired at), oldest first.
pub async fn fired_for_incidents(
    db: impl sqlx::AnyExecutor<'_>,
    kind: Kind,
    first: crate::ids::IncidentNumber,
) -> anyhow::Result<Vec<(crate::ids::IncidentNumber, DateTime<Utc>)>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT subject, done_at FROM reminders
         WHERE kind = $1 AND state = 'done' AND subject LIKE 'incident:%' AND done_at IS NOT NULL
         ORDER BY done_at, id",
    )
    .bind(kind.as_str())
    .fetch_all(db)
    .await?;
    let mut out = Vec::new();
    for (subject, done_at) in rows {
        if let Subject::Incident(number) = subject.parse()? {
            if number.0 >= first.0 {
                out.push((number, from_db(&done_at)?));
            }
        }
    }
    Ok(out)
}
