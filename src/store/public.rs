//! Publications to Statuspage: the intents (`public_updates`), written
//! before anything is sent, and what each incident looks like in public
//! (`public_incidents`). See `migrations/0005_statuspage.sql`.

use super::time::{from_db, to_db};
use crate::ids::{IncidentNumber, UserId};
use crate::policy::statuspage::ComponentStatus;
use crate::statuspage::rules::PublicState;
use crate::statuspage::{Marker, PublicStatus, Publication};
use chrono::{DateTime, Utc};
use sqlx::{Any, AnyConnection, AnyPool, Transaction};
use std::collections::BTreeMap;

/// One intent, as read back for sending.
#[derive(Debug, Clone)]
pub struct Intent {
    pub id: i64,
    pub marker: Marker,
    pub requested_by: UserId,
    pub publication: Publication,
    /// Requests begun for it; above zero, it may have landed already.
    pub attempts: i64,
}

/// Records a submitted publication, inside the submission's transaction.
pub async fn intend(
    tx: &mut Transaction<'_, Any>,
    marker: &Marker,
    by: &UserId,
    publication: &Publication,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO public_updates (incident, marker, requested_by, requested_at, publication, state)
         VALUES ($1, $2, $3, $4, $5, 'pending')",
    )
    .bind(marker.incident.0)
    .bind(&marker.key)
    .bind(by.as_str())
    .bind(to_db(now))
    .bind(serde_json::to_string(publication)?)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Pending intents, oldest first: each incident's publications go in the
/// order people submitted them.
pub async fn pending(pool: &AnyPool) -> anyhow::Result<Vec<Intent>> {
    let rows: Vec<(i64, i64, String, String, String, i64)> = sqlx::query_as(
        "SELECT id, incident, marker, requested_by, publication, attempts
           FROM public_updates WHERE state = 'pending' ORDER BY id",
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(id, incident, key, by, publication, attempts)| {
            Ok(Intent {
                id,
                marker: Marker {
                    incident: IncidentNumber(incident),
                    key,
                },
                requested_by: UserId::parse(&by).map_err(anyhow::Error::msg)?,
                publication: serde_json::from_str(&publication)?,
                attempts,
            })
        })
        .collect()
}

/// Counts a request begun for `id`; committed before it is sent.
pub async fn attempting(pool: &AnyPool, id: i64) -> anyhow::Result<()> {
    sqlx::query("UPDATE public_updates SET attempts = attempts + 1 WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Closes an intent: `sent`, or `refused` with why.
pub async fn finish(
    conn: &mut AnyConnection,
    id: i64,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query("UPDATE public_updates SET state = $1, error = $2, done_at = $3 WHERE id = $4")
        .bind(if error.is_some() { "refused" } else { "sent" })
        .bind(error)
        .bind(to_db(now))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The incident's public state, if it has been published.
pub async fn get(
    conn: impl sqlx::Executor<'_, Database = Any>,
    number: IncidentNumber,
) -> anyhow::Result<Option<PublicState>> {
    let row: Option<(String, Option<String>, String, String, String, String)> = sqlx::query_as(
        "SELECT statuspage_id, shortlink, status, name, components, last_public_at
           FROM public_incidents WHERE incident = $1",
    )
    .bind(number.0)
    .fetch_optional(conn)
    .await?;
    row.map(|(id, shortlink, status, name, components, at)| {
        Ok(PublicState {
            statuspage_id: id,
            shortlink,
            status: PublicStatus::parse(&status)
                .ok_or_else(|| anyhow::anyhow!("stored public status `{status}`"))?,
            name,
            components: serde_json::from_str::<BTreeMap<String, ComponentStatus>>(&components)?,
            last_public_at: from_db(&at)?,
        })
    })
    .transpose()
}

/// Stores the incident's public state after a publication landed.
pub async fn save(
    conn: &mut AnyConnection,
    number: IncidentNumber,
    state: &PublicState,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO public_incidents
             (incident, statuspage_id, shortlink, status, name, components, last_public_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (incident) DO UPDATE SET statuspage_id = excluded.statuspage_id,
             shortlink = excluded.shortlink, status = excluded.status, name = excluded.name,
             components = excluded.components, last_public_at = excluded.last_public_at",
    )
    .bind(number.0)
    .bind(&state.statuspage_id)
    .bind(&state.shortlink)
    .bind(state.status.as_str())
    .bind(&state.name)
    .bind(serde_json::to_string(&state.components)?)
    .bind(to_db(state.last_public_at))
    .execute(conn)
    .await?;
    Ok(())
}
