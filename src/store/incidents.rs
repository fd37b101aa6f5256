//! Incidents and their timelines. Writes happen inside the caller's
//! transaction, with the announcements they cause; a save names the version
//! it read, so of two concurrent changes only the first lands.

use super::time::{from_db, opt_from_db, to_db};
use crate::ids::{ChannelId, IncidentNumber, UserId};
use crate::incident::{Event, EventKind, Incident, Status, Title};
use crate::priority::Priority;
use anyhow::Context;
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Row, Transaction};

const COLUMNS: &str = "number, title, description, priority, status, cyber, engineering_lead, \
    comms_lead, declared_by, declared_at, acknowledged_at, acknowledged_by, resolved_at, \
    last_update_at, paused_at, review, summary, version";

fn user(raw: Option<String>) -> anyhow::Result<Option<UserId>> {
    raw.map(|u| UserId::parse(&u).map_err(anyhow::Error::msg))
        .transpose()
}

fn from_row(row: &AnyRow) -> anyhow::Result<Incident> {
    let number: i64 = row.try_get("number")?;
    let status: String = row.try_get("status")?;
    let priority: String = row.try_get("priority")?;
    let title: String = row.try_get("title")?;
    Ok(Incident {
        number: IncidentNumber(number),
        title: Title::parse(&title).map_err(|e| anyhow::anyhow!("INC-{number} title: {e}"))?,
        description: row.try_get("description")?,
        priority: priority.parse::<Priority>().map_err(anyhow::Error::msg)?,
        status: status.parse::<Status>().map_err(anyhow::Error::msg)?,
        cyber: row.try_get::<i64, _>("cyber")? != 0,
        engineering_lead: user(row.try_get("engineering_lead")?)?,
        comms_lead: user(row.try_get("comms_lead")?)?,
        declared_by: user(Some(row.try_get("declared_by")?))?.context("declared_by")?,
        declared_at: from_db(&row.try_get::<String, _>("declared_at")?)?,
        acknowledged_at: opt_from_db(row.try_get("acknowledged_at")?)?,
        acknowledged_by: user(row.try_get("acknowledged_by")?)?,
        resolved_at: opt_from_db(row.try_get("resolved_at")?)?,
        last_update_at: from_db(&row.try_get::<String, _>("last_update_at")?)?,
        paused_at: opt_from_db(row.try_get("paused_at")?)?,
        review: row.try_get("review")?,
        summary: row.try_get("summary")?,
        version: row.try_get("version")?,
    })
}

/// Stores a new incident and returns the number it was given. Numbers come
/// from AUTOINCREMENT, so one is never handed out twice, restarts included.
pub async fn insert(
    tx: &mut Transaction<'_, Any>,
    incident: &Incident,
) -> anyhow::Result<IncidentNumber> {
    let number: i64 = sqlx::query_scalar(
        "INSERT INTO incidents (title, description, priority, status, cyber, engineering_lead,
             comms_lead, declared_by, declared_at, acknowledged_at, acknowledged_by, resolved_at,
             last_update_at, paused_at, review, summary, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING number",
    )
    .bind(incident.title.as_str())
    .bind(&incident.description)
    .bind(incident.priority.as_str())
    .bind(incident.status.as_str())
    .bind(i64::from(incident.cyber))
    .bind(incident.engineering_lead.as_ref().map(UserId::as_str))
    .bind(incident.comms_lead.as_ref().map(UserId::as_str))
    .bind(incident.declared_by.as_str())
    .bind(to_db(incident.declared_at))
    .bind(incident.acknowledged_at.map(to_db))
    .bind(incident.acknowledged_by.as_ref().map(UserId::as_str))
    .bind(incident.resolved_at.map(to_db))
    .bind(to_db(incident.last_update_at))
    .bind(incident.paused_at.map(to_db))
    .bind(&incident.review)
    .bind(&incident.summary)
    .bind(incident.version)
    .fetch_one(&mut **tx)
    .await?;
    Ok(IncidentNumber(number))
}

/// Writes `incident` if the stored row is still at `read_version`; false
/// means someone else changed it first.
pub async fn save(
    tx: &mut Transaction<'_, Any>,
    incident: &Incident,
    read_version: i64,
) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "UPDATE incidents SET title = $1, description = $2, priority = $3, status = $4, cyber = $5,
             engineering_lead = $6, comms_lead = $7, acknowledged_at = $8, acknowledged_by = $9,
             resolved_at = $10,
             last_update_at = $11, paused_at = $12, review = $13, summary = $14, version = $15
         WHERE number = $16 AND version = $17",
    )
    .bind(incident.title.as_str())
    .bind(&incident.description)
    .bind(incident.priority.as_str())
    .bind(incident.status.as_str())
    .bind(i64::from(incident.cyber))
    .bind(incident.engineering_lead.as_ref().map(UserId::as_str))
    .bind(incident.comms_lead.as_ref().map(UserId::as_str))
    .bind(incident.acknowledged_at.map(to_db))
    .bind(incident.acknowledged_by.as_ref().map(UserId::as_str))
    .bind(incident.resolved_at.map(to_db))
    .bind(to_db(incident.last_update_at))
    .bind(incident.paused_at.map(to_db))
    .bind(&incident.review)
    .bind(&incident.summary)
    .bind(incident.version)
    .bind(incident.number.0)
    .bind(read_version)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One incident; `db` may be the pool or an open transaction, so a writer
/// can read what it is about to change under its own lock.
pub async fn get(
    db: impl sqlx::AnyExecutor<'_>,
    number: IncidentNumber,
) -> anyhow::Result<Option<Incident>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM incidents WHERE number = $1"
    ))
    .bind(number.0)
    .fetch_optional(db)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Open incidents, most urgent first, then oldest first.
///
/// A row that cannot be read (hand-edited into a value the bot never
/// writes) is logged and left out: one bad row must not hide every other
/// incident from `/incident list`, the Home tab and start-up planning.
pub async fn open(db: impl sqlx::AnyExecutor<'_>) -> anyhow::Result<Vec<Incident>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM incidents WHERE status IN ('declared', 'acknowledged')
         ORDER BY priority, number"
    ))
    .fetch_all(db)
    .await?;
    Ok(rows.iter().filter_map(readable).collect())
}

/// Incidents declared at or after `since`, oldest first (`/incident
/// stats`); unreadable rows are logged and left out, as in [`open`].
pub async fn declared_since(
    db: impl sqlx::AnyExecutor<'_>,
    since: DateTime<Utc>,
) -> anyhow::Result<Vec<Incident>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM incidents WHERE declared_at >= $1 ORDER BY number"
    ))
    .bind(to_db(since))
    .fetch_all(db)
    .await?;
    Ok(rows.iter().filter_map(readable).collect())
}

/// The incident in `row`, or None (logged, with its number) if it cannot
/// be read.
fn readable(row: &AnyRow) -> Option<Incident> {
    match from_row(row) {
        Ok(incident) => Some(incident),
        Err(e) => {
            let number = row.try_get::<i64, _>("number").unwrap_or_default();
            tracing::error!(
                number,
                error = format!("{e:#}"),
                "incident row cannot be read; skipped"
            );
            None
        }
    }
}

/// Where an incident's card was posted, once it has been.
pub async fn card(
    pool: &AnyPool,
    number: IncidentNumber,
) -> anyhow::Result<Option<(ChannelId, String)>> {
    let row: Option<(Option<String>, Option<String>)> =
        sqlx::query_as("SELECT channel, card_ts FROM incidents WHERE number = $1")
            .bind(number.0)
            .fetch_optional(pool)
            .await?;
    Ok(match row {
        Some((Some(channel), Some(ts))) => {
            Some((ChannelId::parse(&channel).map_err(anyhow::Error::msg)?, ts))
        }
        _ => None,
    })
}

pub async fn set_card(
    pool: &AnyPool,
    number: IncidentNumber,
    channel: &ChannelId,
    ts: &str,
) -> anyhow::Result<()> {
    sqlx::query("UPDATE incidents SET channel = $1, card_ts = $2 WHERE number = $3")
        .bind(channel.as_str())
        .bind(ts)
        .bind(number.0)
        .execute(pool)
        .await?;
    Ok(())
}

/// The incident whose card is the message `ts`, for thread replies.
pub async fn by_card(pool: &AnyPool, ts: &str) -> anyhow::Result<Option<IncidentNumber>> {
    let number: Option<i64> = sqlx::query_scalar("SELECT number FROM incidents WHERE card_ts = $1")
        .bind(ts)
        .fetch_optional(pool)
        .await?;
    Ok(number.map(IncidentNumber))
}

/// When an event about an incident declared at `declared_at` is put on its
/// timeline: its own time, or the declaration's if it is earlier. The bot
/// dates events by its clock, and a clock stepped back (NTP, a VM resumed)
/// would otherwise date an ack before the incident it acknowledges.
pub fn timeline_at(at: DateTime<Utc>, declared_at: DateTime<Utc>) -> DateTime<Utc> {
    at.max(declared_at)
}

/// Appends timeline rows for `events`, each dated no earlier than the
/// incident's declaration (`timeline_at`). Messages people wrote before it
/// are captured with `capture`, at their own time.
pub async fn record(
    tx: &mut Transaction<'_, Any>,
    number: IncidentNumber,
    events: &[Event],
) -> anyhow::Result<()> {
    let declared: Option<String> =
        sqlx::query_scalar("SELECT declared_at FROM incidents WHERE number = $1")
            .bind(number.0)
            .fetch_optional(&mut **tx)
            .await?;
    let declared = declared.as_deref().map(from_db).transpose()?;
    for event in events {
        let at = declared.map_or(event.at, |d| timeline_at(event.at, d));
        sqlx::query(
            "INSERT INTO timeline (incident, at, actor, kind, before, after, text)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(number.0)
        .bind(to_db(at))
        .bind(event.actor.as_str())
        .bind(event.kind.as_str())
        .bind(&event.before)
        .bind(&event.after)
        .bind(&event.text)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// An incident's timeline, oldest first.
pub async fn timeline(pool: &AnyPool, number: IncidentNumber) -> anyhow::Result<Vec<Event>> {
    type Row = (
        String,
        Option<String>,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT at, actor, kind, before, after, text FROM timeline
         WHERE incident = $1 ORDER BY at, id",
    )
    .bind(number.0)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(at, actor, kind, before, after, text)| {
            Ok(Event {
                actor: user(actor)?.context("timeline row without an actor")?,
                kind: kind.parse::<EventKind>().map_err(anyhow::Error::msg)?,
                before,
                after,
                text,
                at: from_db(&at)?,
            })
        })
        .collect()
}

/// Records a Slack message (thread reply or 📌) once, however often Slack
/// delivers it.
pub async fn capture(
    pool: &AnyPool,
    number: IncidentNumber,
    source_ts: &str,
    event: &Event,
) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO timeline (incident, at, actor, kind, text, source_ts)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(number.0)
    .bind(to_db(event.at))
    .bind(event.actor.as_str())
    .bind(event.kind.as_str())
    .bind(&event.text)
    .bind(source_ts)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The most recently declared open incident: where a 📌 on a message that
/// is not under any card goes.
pub async fn latest_open(pool: &AnyPool) -> anyhow::Result<Option<IncidentNumber>> {
    let number: Option<i64> = sqlx::query_scalar(
        "SELECT number FROM incidents WHERE status IN ('declared', 'acknowledged')
         ORDER BY declared_at DESC, number DESC LIMIT 1",
    )
    .fetch_optional(pool)
    .await?;
    Ok(number.map(IncidentNumber))
}

/// A captured message was edited in Slack: its timeline row follows.
/// Returns how many rows changed (0 when the message was never captured).
pub async fn edit_captured(pool: &AnyPool, source_ts: &str, text: &str) -> anyhow::Result<u64> {
    let done = sqlx::query("UPDATE timeline SET text = $1 WHERE source_ts = $2")
        .bind(text)
        .bind(source_ts)
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}

/// A captured message was deleted in Slack: so is its timeline row.
pub async fn remove_captured(pool: &AnyPool, source_ts: &str) -> anyhow::Result<u64> {
    let done = sqlx::query("DELETE FROM timeline WHERE source_ts = $1")
        .bind(source_ts)
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}
