//! Cover requests and their posted copies (`cover_requests`,
//! `cover_request_posts`). Taking and lapsing are conditional updates on
//! an open row, so exactly one of two racing writers changes it.

use super::time::{from_db, opt_from_db, to_db};
use crate::cover_request::{CoverRequest, CoverRequestId, State};
use crate::ids::{ChannelId, OverrideId, UserId};
use chrono::{DateTime, Utc};
use sqlx::{Any, AnyExecutor, Transaction};

type Row = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
);

const COLUMNS: &str = "id, rota, asked_by, starts_at, ends_at, note, asked_at, \
                       taken_by, taken_at, override_id, lapsed_at";

fn user(raw: &str) -> anyhow::Result<UserId> {
    UserId::parse(raw).map_err(anyhow::Error::msg)
}

fn from_row(
    (id, rota, asked_by, from, to, note, asked_at, taken_by, taken_at, override_id, lapsed_at): Row,
) -> anyhow::Result<CoverRequest> {
    let state = match (taken_by, opt_from_db(taken_at)?, opt_from_db(lapsed_at)?) {
        (Some(by), Some(at), _) => State::Covered {
            by: user(&by)?,
            at,
            override_id: override_id.map(OverrideId),
        },
        (_, _, Some(at)) => State::Lapsed { at },
        _ => State::Open,
    };
    Ok(CoverRequest {
        id: CoverRequestId(id),
        rota,
        asked_by: user(&asked_by)?,
        from: from_db(&from)?,
        to: from_db(&to)?,
        note,
        asked_at: from_db(&asked_at)?,
        state,
    })
}

/// What a new request says; the id comes from storage.
pub struct NewRequest<'a> {
    pub rota: &'a str,
    pub asked_by: &'a UserId,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub note: &'a str,
}

/// Stores a new open request inside the caller's transaction.
pub async fn create(
    tx: &mut Transaction<'_, Any>,
    new: NewRequest<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<CoverRequest> {
    let row: Row = sqlx::query_as(&format!(
        "INSERT INTO cover_requests (rota, asked_by, starts_at, ends_at, note, asked_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLUMNS}"
    ))
    .bind(new.rota)
    .bind(new.asked_by.as_str())
    .bind(to_db(new.from))
    .bind(to_db(new.to))
    .bind(new.note)
    .bind(to_db(now))
    .fetch_one(&mut **tx)
    .await?;
    from_row(row)
}

pub async fn get(
    db: impl AnyExecutor<'_>,
    id: CoverRequestId,
) -> anyhow::Result<Option<CoverRequest>> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM cover_requests WHERE id = $1"
    ))
    .bind(id.0)
    .fetch_optional(db)
    .await?;
    row.map(from_row).transpose()
}

/// Requests nobody has taken whose start is after `now`, soonest first.
pub async fn open(
    db: impl AnyExecutor<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<CoverRequest>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM cover_requests
         WHERE taken_by IS NULL AND lapsed_at IS NULL AND starts_at > $1
         ORDER BY starts_at, id"
    ))
    .bind(to_db(now))
    .fetch_all(db)
    .await?;
    rows.into_iter().map(from_row).collect()
}

/// Marks an open request taken by `by`; false if it was not open (taken,
/// lapsed, or its start has come). The one place two presses are decided.
pub async fn take(
    tx: &mut Transaction<'_, Any>,
    id: CoverRequestId,
    by: &UserId,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "UPDATE cover_requests SET taken_by = $1, taken_at = $2
         WHERE id = $3 AND taken_by IS NULL AND lapsed_at IS NULL AND starts_at > $4",
    )
    .bind(by.as_str())
    .bind(to_db(now))
    .bind(id.0)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records the override a take set.
pub async fn set_override(
    tx: &mut Transaction<'_, Any>,
    id: CoverRequestId,
    override_id: OverrideId,
) -> anyhow::Result<()> {
    sqlx::query("UPDATE cover_requests SET override_id = $1 WHERE id = $2")
        .bind(override_id.0)
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Marks a request nobody took as lapsed; false if it was taken (or had
/// lapsed already).
pub async fn lapse(
    tx: &mut Transaction<'_, Any>,
    id: CoverRequestId,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "UPDATE cover_requests SET lapsed_at = $1
         WHERE id = $2 AND taken_by IS NULL AND lapsed_at IS NULL",
    )
    .bind(to_db(now))
    .bind(id.0)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Where the request was posted in `channel`, if it was.
pub async fn post(
    db: impl AnyExecutor<'_>,
    id: CoverRequestId,
    channel: &ChannelId,
) -> anyhow::Result<Option<String>> {
    Ok(
        sqlx::query_scalar(
            "SELECT ts FROM cover_request_posts WHERE request = $1 AND channel = $2",
        )
        .bind(id.0)
        .bind(channel.as_str())
        .fetch_optional(db)
        .await?,
    )
}

/// Every posted copy: (channel, ts).
pub async fn posts(
    db: impl AnyExecutor<'_>,
    id: CoverRequestId,
) -> anyhow::Result<Vec<(ChannelId, String)>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT channel, ts FROM cover_request_posts WHERE request = $1 ORDER BY channel",
    )
    .bind(id.0)
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|(c, ts)| Ok((ChannelId::parse(&c).map_err(anyhow::Error::msg)?, ts)))
        .collect()
}

/// Remembers a posted copy; posting it again (after a crash) keeps the first.
pub async fn remember_post(
    db: impl AnyExecutor<'_>,
    id: CoverRequestId,
    channel: &ChannelId,
    ts: &str,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO cover_request_posts (request, channel, ts) VALUES ($1, $2, $3)
         ON CONFLICT (request, channel) DO NOTHING",
    )
    .bind(id.0)
    .bind(channel.as_str())
    .bind(ts)
    .execute(db)
    .await?;
    Ok(())
}
