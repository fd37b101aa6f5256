//! Alert groups and their alerts (SPEC §6). A group is one Slack message;
//! an alert is one row per sender fingerprint, so a repeat updates it and
//! `resolved` closes it. Writes happen in the caller's transaction, with
//! the announcements they cause.

use super::time::{from_db, opt_from_db, to_db};
use crate::alerts::{Alert, AlertGroupId, AlertStatus, Link, Source};
use crate::ids::{ChannelId, IncidentNumber, UserId};
use crate::policy::Role;
use crate::priority::Priority;
use anyhow::Context;
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Row, Transaction};
use std::collections::BTreeMap;

type Tx<'t> = Transaction<'t, Any>;

/// A stored group, as the message shows it and the rules read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: AlertGroupId,
    pub source: Source,
    pub group_key: String,
    pub title: String,
    pub labels: BTreeMap<String, String>,
    pub links: Vec<Link>,
    pub channel: ChannelId,
    pub route: Option<i64>,
    pub page_role: Option<Role>,
    pub priority: Option<Priority>,
    pub status: AlertStatus,
    pub firing: i64,
    pub total: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub episode_at: DateTime<Utc>,
    pub page_at: Option<DateTime<Utc>>,
    pub paged: bool,
    pub paged_users: Vec<UserId>,
    pub acknowledged_by: Option<UserId>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub escalated_to: Option<UserId>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub incident: Option<IncidentNumber>,
    pub message_ts: Option<String>,
    pub version: i64,
    pub told_version: i64,
    pub news_row: Option<i64>,
    pub news_text: Option<String>,
}

/// One stored alert, as the message lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAlert {
    pub fingerprint: String,
    pub status: AlertStatus,
    pub name: String,
    pub summary: String,
    pub labels: BTreeMap<String, String>,
    pub url: Option<String>,
    pub changed_version: i64,
}

pub fn role_str(role: Role) -> &'static str {
    match role {
        Role::Engineering => "engineering",
        Role::Comms => "comms",
        Role::Escalation => "escalation",
    }
}

fn role(raw: &str) -> anyhow::Result<Role> {
    Ok(match raw {
        "engineering" => Role::Engineering,
        "comms" => Role::Comms,
        "escalation" => Role::Escalation,
        _ => anyhow::bail!("stored role `{raw}` is unknown"),
    })
}

fn user(raw: Option<String>) -> anyhow::Result<Option<UserId>> {
    raw.map(|u| UserId::parse(&u).map_err(anyhow::Error::msg))
        .transpose()
}

const COLUMNS: &str = "id, source, group_key, title, labels, links, channel, route, page_role, \
    priority, status, firing, total, created_at, updated_at, episode_at, page_at, paged, \
    paged_users, acknowledged_by, acknowledged_at, escalated_to, escalated_at, incident, \
    message_ts, version, told_version, news_row, news_text";

fn from_row(row: &AnyRow) -> anyhow::Result<Group> {
    let source: String = row.try_get("source")?;
    let status: String = row.try_get("status")?;
    let channel: String = row.try_get("channel")?;
    let page_role: Option<String> = row.try_get("page_role")?;
    let priority: Option<String> = row.try_get("priority")?;
    let paged_users: String = row.try_get("paged_users")?;
    Ok(Group {
        id: AlertGroupId(row.try_get("id")?),
        source: Source::parse(&source).context("stored alert source")?,
        group_key: row.try_get("group_key")?,
        title: row.try_get("title")?,
        labels: serde_json::from_str(&row.try_get::<String, _>("labels")?)?,
        links: serde_json::from_str(&row.try_get::<String, _>("links")?)?,
        channel: ChannelId::parse(&channel).map_err(anyhow::Error::msg)?,
        route: row.try_get("route")?,
        page_role: page_role.as_deref().map(role).transpose()?,
        priority: priority
            .map(|p| p.parse::<Priority>().map_err(anyhow::Error::msg))
            .transpose()?,
        status: AlertStatus::parse(&status).context("stored alert status")?,
        firing: row.try_get("firing")?,
        total: row.try_get("total")?,
        created_at: from_db(&row.try_get::<String, _>("created_at")?)?,
        updated_at: from_db(&row.try_get::<String, _>("updated_at")?)?,
        episode_at: from_db(&row.try_get::<String, _>("episode_at")?)?,
        page_at: opt_from_db(row.try_get("page_at")?)?,
        paged: row.try_get::<i64, _>("paged")? != 0,
        paged_users: serde_json::from_str(&paged_users)?,
        acknowledged_by: user(row.try_get("acknowledged_by")?)?,
        acknowledged_at: opt_from_db(row.try_get("acknowledged_at")?)?,
        escalated_to: user(row.try_get("escalated_to")?)?,
        escalated_at: opt_from_db(row.try_get("escalated_at")?)?,
        incident: row
            .try_get::<Option<i64>, _>("incident")?
            .map(IncidentNumber),
        message_ts: row.try_get("message_ts")?,
        version: row.try_get("version")?,
        told_version: row.try_get("told_version")?,
        news_row: row.try_get("news_row")?,
        news_text: row.try_get("news_text")?,
    })
}

/// The group `source` knows as `key`, if stored.
pub async fn find(
    db: impl sqlx::AnyExecutor<'_>,
    source: Source,
    key: &str,
) -> anyhow::Result<Option<Group>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM alert_groups WHERE source = $1 AND group_key = $2"
    ))
    .bind(source.as_str())
    .bind(key)
    .fetch_optional(db)
    .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn get(
    db: impl sqlx::AnyExecutor<'_>,
    id: AlertGroupId,
) -> anyhow::Result<Option<Group>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM alert_groups WHERE id = $1"))
        .bind(id.0)
        .fetch_optional(db)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Stores a new group (its `id` is ignored) and returns the id it was given.
pub async fn insert(tx: &mut Tx<'_>, g: &Group) -> anyhow::Result<AlertGroupId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO alert_groups (source, group_key, title, labels, links, channel, status,
             created_at, updated_at, episode_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(g.source.as_str())
    .bind(&g.group_key)
    .bind(&g.title)
    .bind(serde_json::to_string(&g.labels)?)
    .bind(serde_json::to_string(&g.links)?)
    .bind(g.channel.as_str())
    .bind(g.status.as_str())
    .bind(to_db(g.created_at))
    .bind(to_db(g.updated_at))
    .bind(to_db(g.episode_at))
    .fetch_one(&mut **tx)
    .await?;
    let id = AlertGroupId(id);
    save(tx, &Group { id, ..g.clone() }).await?;
    Ok(id)
}

/// Writes every field a change may touch (not the message ts or the
/// reply in flight, which delivery owns).
pub async fn save(tx: &mut Tx<'_>, g: &Group) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE alert_groups SET title = $1, labels = $2, links = $3, route = $4, page_role = $5,
             priority = $6, status = $7, firing = $8, total = $9, updated_at = $10, episode_at = $11,
             page_at = $12, paged = $13, paged_users = $14, acknowledged_by = $15, acknowledged_at = $16,
             escalated_to = $17, escalated_at = $18, incident = $19, version = $20
         WHERE id = $21",
    )
    .bind(&g.title)
    .bind(serde_json::to_string(&g.labels)?)
    .bind(serde_json::to_string(&g.links)?)
    .bind(g.route)
    .bind(g.page_role.map(role_str))
    .bind(g.priority.map(|p| p.as_str()))
    .bind(g.status.as_str())
    .bind(g.firing)
    .bind(g.total)
    .bind(to_db(g.updated_at))
    .bind(to_db(g.episode_at))
    .bind(g.page_at.map(to_db))
    .bind(i64::from(g.paged))
    .bind(serde_json::to_string(&g.paged_users)?)
    .bind(g.acknowledged_by.as_ref().map(UserId::as_str))
    .bind(g.acknowledged_at.map(to_db))
    .bind(g.escalated_to.as_ref().map(UserId::as_str))
    .bind(g.escalated_at.map(to_db))
    .bind(g.incident.map(|n| n.0))
    .bind(g.version)
    .bind(g.id.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Stores `alert` in `group`, new or over its earlier row; returns its
/// status before (None if it is new). A changed status marks the row
/// with `version`, so the next thread reply mentions it.
pub async fn upsert(
    tx: &mut Tx<'_>,
    group: AlertGroupId,
    source: Source,
    alert: &Alert,
    version: i64,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<AlertStatus>> {
    let before: Option<String> =
        sqlx::query_scalar("SELECT status FROM alerts WHERE source = $1 AND fingerprint = $2")
            .bind(source.as_str())
            .bind(&alert.fingerprint)
            .fetch_optional(&mut **tx)
            .await?;
    let before = before.as_deref().and_then(AlertStatus::parse);
    let changed = before != Some(alert.status);
    let resolved_at = (alert.status == AlertStatus::Resolved).then(|| to_db(now));
    sqlx::query(
        "INSERT INTO alerts (group_id, source, fingerprint, status, name, summary, labels, url,
             starts_at, received_at, updated_at, resolved_at, changed_version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12)
         ON CONFLICT (source, fingerprint) DO UPDATE SET
             group_id = $1, status = $4, name = $5, summary = $6, labels = $7, url = $8,
             updated_at = $10,
             resolved_at = CASE WHEN $13 THEN $11 ELSE alerts.resolved_at END,
             changed_version = CASE WHEN $13 THEN $12 ELSE alerts.changed_version END",
    )
    .bind(group.0)
    .bind(source.as_str())
    .bind(&alert.fingerprint)
    .bind(alert.status.as_str())
    .bind(&alert.name)
    .bind(&alert.summary)
    .bind(serde_json::to_string(&alert.labels)?)
    .bind(&alert.url)
    .bind(alert.starts_at.map(to_db))
    .bind(to_db(now))
    .bind(resolved_at)
    .bind(version)
    .bind(changed)
    .execute(&mut **tx)
    .await?;
    Ok(before)
}

/// How many of the group's alerts fire, and how many it has.
pub async fn counts(tx: &mut Tx<'_>, group: AlertGroupId) -> anyhow::Result<(i64, i64)> {
    let (firing, total): (i64, i64) = sqlx::query_as(
        "SELECT COALESCE(SUM(CASE WHEN status = 'firing' THEN 1 ELSE 0 END), 0), COUNT(*)
         FROM alerts WHERE group_id = $1",
    )
    .bind(group.0)
    .fetch_one(&mut **tx)
    .await?;
    Ok((firing, total))
}

/// Alerts firing across every group: the firing gauge.
pub async fn firing_total(db: impl sqlx::AnyExecutor<'_>) -> anyhow::Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM alerts WHERE status = 'firing'")
            .fetch_one(db)
            .await?,
    )
}

fn alert_from_row(row: &AnyRow) -> anyhow::Result<StoredAlert> {
    let status: String = row.try_get("status")?;
    Ok(StoredAlert {
        fingerprint: row.try_get("fingerprint")?,
        status: AlertStatus::parse(&status).context("stored alert status")?,
        name: row.try_get("name")?,
        summary: row.try_get("summary")?,
        labels: serde_json::from_str(&row.try_get::<String, _>("labels")?)?,
        url: row.try_get("url")?,
        changed_version: row.try_get("changed_version")?,
    })
}

/// The group's alerts, firing first, at most `limit`; with
/// `changed_after`, only those whose status changed after that version.
pub async fn alerts_of(
    db: impl sqlx::AnyExecutor<'_>,
    group: AlertGroupId,
    changed_after: Option<i64>,
    limit: i64,
) -> anyhow::Result<Vec<StoredAlert>> {
    let rows = sqlx::query(
        "SELECT fingerprint, status, name, summary, labels, url, changed_version FROM alerts
         WHERE group_id = $1 AND changed_version > $2
         ORDER BY status, id LIMIT $3",
    )
    .bind(group.0)
    .bind(changed_after.unwrap_or(-1))
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.iter().map(alert_from_row).collect()
}

/// The message's ts once delivery has posted it.
pub async fn set_message(pool: &AnyPool, id: AlertGroupId, ts: &str) -> anyhow::Result<()> {
    sqlx::query("UPDATE alert_groups SET message_ts = $1 WHERE id = $2 AND message_ts IS NULL")
        .bind(ts)
        .bind(id.0)
        .execute(pool)
        .await?;
    Ok(())
}

/// Keeps the thread reply outbox row `row` is about to send, and marks
/// what it tells as told: a retry of the same row sends the same text.
pub async fn set_news(
    pool: &AnyPool,
    id: AlertGroupId,
    row: i64,
    text: &str,
    upto: i64,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE alert_groups SET news_row = $1, news_text = $2, told_version = CASE WHEN told_version > $3 THEN told_version ELSE $3 END
         WHERE id = $4",
    )
    .bind(row)
    .bind(text)
    .bind(upto)
    .bind(id.0)
    .execute(pool)
    .await?;
    Ok(())
}

/// Links the group to the incident declared from it.
pub async fn link_incident(
    tx: &mut Tx<'_>,
    id: AlertGroupId,
    number: IncidentNumber,
) -> anyhow::Result<()> {
    sqlx::query("UPDATE alert_groups SET incident = $1 WHERE id = $2")
        .bind(number.0)
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The first message lists the group's alerts: replies start after them.
pub async fn set_told(tx: &mut Tx<'_>, id: AlertGroupId, version: i64) -> anyhow::Result<()> {
    sqlx::query("UPDATE alert_groups SET told_version = $1 WHERE id = $2")
        .bind(version)
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The group's first message went out showing everything up to `version`:
/// a reply queued meanwhile has nothing to add.
pub async fn told_up_to(pool: &AnyPool, id: AlertGroupId, version: i64) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE alert_groups
         SET told_version = CASE WHEN told_version > $1 THEN told_version ELSE $1 END
         WHERE id = $2",
    )
    .bind(version)
    .bind(id.0)
    .execute(pool)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::{parse, Source};

    const AM: &str = include_str!("../../tests/it/fixtures/alerts/alertmanager_firing.json");
    const AM_RESOLVED: &str =
        include_str!("../../tests/it/fixtures/alerts/alertmanager_resolved.json");

    fn group(now: DateTime<Utc>) -> Group {
        Group {
            id: AlertGroupId(0),
            source: Source::Alertmanager,
            group_key: "k".into(),
            title: "CellMemoryHigh".into(),
            labels: [("severity".to_owned(), "critical".to_owned())].into(),
            links: vec![],
            channel: ChannelId::parse("C0PAASINC").unwrap(),
            route: Some(0),
            page_role: Some(Role::Engineering),
            priority: Some(Priority::P1),
            status: AlertStatus::Firing,
            firing: 0,
            total: 0,
            created_at: now,
            updated_at: now,
            episode_at: now,
            page_at: Some(now),
            paged: true,
            paged_users: vec![UserId::parse("U0PAASEN1").unwrap()],
            acknowledged_by: None,
            acknowledged_at: None,
            escalated_to: None,
            escalated_at: None,
            incident: None,
            message_ts: None,
            version: 1,
            told_version: 0,
            news_row: None,
            news_text: None,
        }
    }

    #[tokio::test]
    async fn an_alert_is_one_row_per_fingerprint_and_a_repeat_changes_nothing_said() {
        let (_dir, pool) = crate::store::scratch().await;
        let now = crate::store::monday_ten();
        let firing = parse(Source::Alertmanager, AM.as_bytes()).unwrap();
        let resolved = parse(Source::Alertmanager, AM_RESOLVED.as_bytes()).unwrap();
        let mut tx = crate::store::write(&pool).await.unwrap();
        let id = insert(&mut tx, &group(now)).await.unwrap();
        let stored = get(&mut *tx, id).await.unwrap().unwrap();
        assert_eq!(stored, Group { id, ..group(now) });
        for a in &firing.alerts {
            assert_eq!(
                upsert(&mut tx, id, Source::Alertmanager, a, 1, now)
                    .await
                    .unwrap(),
                None
            );
        }
        // Alertmanager's repeat: same status, nothing changed.
        let again = upsert(&mut tx, id, Source::Alertmanager, &firing.alerts[0], 2, now).await;
        assert_eq!(again.unwrap(), Some(AlertStatus::Firing));
        let before = upsert(
            &mut tx,
            id,
            Source::Alertmanager,
            &resolved.alerts[1],
            3,
            now,
        )
        .await;
        assert_eq!(before.unwrap(), Some(AlertStatus::Firing));
        assert_eq!(counts(&mut tx, id).await.unwrap(), (1, 2));
        assert_eq!(firing_total(&mut *tx).await.unwrap(), 1);
        let news = alerts_of(&mut *tx, id, Some(1), 10).await.unwrap();
        assert_eq!(
            news.len(),
            1,
            "only the resolved one changed after version 1"
        );
        assert_eq!(news[0].status, AlertStatus::Resolved);
        tx.commit().await.unwrap();
        set_message(&pool, id, "1.000100").await.unwrap();
        set_message(&pool, id, "9.999999").await.unwrap();
        let g = get(&pool, id).await.unwrap().unwrap();
        assert_eq!(
            g.message_ts.as_deref(),
            Some("1.000100"),
            "the first post's ts stays"
        );
    }
}
