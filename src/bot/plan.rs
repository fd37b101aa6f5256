//! Reminder plans written as rows, inside the transaction of the change
//! that causes them: an incident's (after every change, and at start-up)
//! and a rota's handover posts.

use crate::calendar::Calendar;
use crate::incident::Incident;
use crate::policy::{Covers, Policy, Rota, Rotation};
use crate::reminders::{self, Kind, Planned, Subject};
use crate::rota::next_handover;
use crate::store::reminders as rows;
use chrono::{DateTime, Duration, Utc};
use sqlx::{Any, Transaction};

/// Replaces an incident's pending reminders with a fresh plan.
pub async fn incident(
    tx: &mut Transaction<'_, Any>,
    policy: &Policy,
    cal: &Calendar,
    incident: &Incident,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let planned = reminders::plan(policy, cal, incident, now);
    rows::replan(tx, &Subject::Incident(incident.number), &planned, now).await
}

/// The rota's next handover and, for an in-hours weekly rota, the close of
/// the last working day before it: the start and end of the support week.
/// Rotas with no topic channel have nowhere to post, so plan nothing.
pub async fn handover(
    tx: &mut Transaction<'_, Any>,
    cal: &Calendar,
    rota: &Rota,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    if rota.topic_channels.is_empty() {
        return Ok(());
    }
    let Some(handover) = next_handover(cal, rota, now) else {
        return Ok(());
    };
    let mut planned = vec![Planned {
        kind: Kind::Handover,
        due: handover,
    }];
    if rota.covers == Covers::InHours && rota.rotation == Rotation::Weekly {
        let week_end = cal
            .in_hours_spans(handover - Duration::days(7), handover)
            .last()
            .map(|(_, end)| *end)
            .filter(|end| *end > now);
        if let Some(due) = week_end {
            planned.push(Planned {
                kind: Kind::WeekEnd,
                due,
            });
        }
    }
    rows::replan(tx, &Subject::Rota(rota.name.clone()), &planned, now).await
}
