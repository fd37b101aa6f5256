//! Fires persisted reminders. Sleeps until the next due row (re-reading the
//! wall clock at least every 30 s), fires each due row in one transaction
//! with the messages it causes, then plans the next slot of that kind.
//! Rows that fell due while the bot was down fire at start-up, marked late.

use super::deliver::{Outgoing, Thread};
use super::Bot;
use crate::clock::sleep_until;
use crate::ids::{IncidentNumber, UserId};
use crate::incident::Incident;
use crate::incident::Status;
use crate::policy::{Covers, Role, Rota, Rotation};
use crate::reminders::{self, incident_subject, Kind, Planned};
use crate::rota::{self, Override};
use crate::rota::{next_handover, scheduled_member};
use crate::slack::blocks::reminder::reminder;
use crate::store::{events as handled, incidents, outbox, overrides, reminders as rows};
use crate::views::reminders::{self as say, Prompt, Says};
use chrono::{DateTime, Duration, Utc};
use slack_morphism::prelude::*;
use sqlx::{Sqlite, Transaction};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

/// Wakes the scheduler when a change planned new reminders.
#[derive(Default)]
pub struct Scheduler {
    wake: Notify,
}

impl Scheduler {
    pub fn poke(&self) {
        self.wake.notify_one();
    }
}

const BATCH: i64 = 100;
const IDLE: Duration = Duration::hours(1);
/// Handled envelope ids are kept this long (Slack redelivers within
/// minutes), and forgotten at most this often.
const KEEP_HANDLED: Duration = Duration::days(7);
const TIDY_EVERY: Duration = Duration::hours(1);
/// How often a bot that runs for months repeats that its bank-holiday
/// data is running out.
const HOLIDAY_WARNING_EVERY: Duration = Duration::days(1);
const PLAN_RETRY: std::time::Duration = std::time::Duration::from_secs(1);

fn rota_subject(rota: &Rota) -> String {
    format!("rota:{}", rota.name)
}

impl Bot {
    pub async fn run_scheduler(&self, shutdown: CancellationToken) {
        let mut planned = false;
        let mut tidied: Option<DateTime<Utc>> = None;
        let mut holidays_checked: Option<DateTime<Utc>> = None;
        loop {
            let now = self.clock.now();
            if holidays_checked.is_none_or(|at| now - at >= HOLIDAY_WARNING_EVERY) {
                holidays_checked = Some(now);
                let today = self.calendar.local(now).date_naive();
                if let Some(warning) = self.calendar.holiday_data_warning(today) {
                    warn!("{warning}");
                }
            }
            if tidied.is_none_or(|at| now - at >= TIDY_EVERY) {
                match handled::forget_before(&self.db, now - KEEP_HANDLED).await {
                    Ok(_) => tidied = Some(now),
                    Err(e) => warn!(
                        error = format!("{e:#}"),
                        "could not forget old envelope ids"
                    ),
                }
            }
            // Retried until it works: incidents opened before this start
            // get no reminders until it does.
            if !planned {
                planned = match self.replan_everything().await {
                    Ok(()) => true,
                    Err(e) => {
                        warn!(
                            error = format!("{e:#}"),
                            "could not plan reminders at start-up; will retry"
                        );
                        false
                    }
                };
            }
            if let Err(e) = self.fire_due().await {
                warn!(
                    error = format!("{e:#}"),
                    "could not fire reminders; will retry"
                );
            }
            let now = self.clock.now();
            let next = match rows::next_due(&self.db).await {
                Ok(Some(next)) => next.min(now + IDLE),
                Ok(None) => now + IDLE,
                Err(_) => now + Duration::seconds(30),
            };
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = sleep_until(self.clock.as_ref(), next, &self.scheduler.wake) => {}
                // Real time: a manual clock may never reach `next`.
                _ = tokio::time::sleep(PLAN_RETRY), if !planned => {}
            }
        }
    }

    /// Plans every open or recently closed incident and every rota's next
    /// handover: the policy may have changed while the bot was down.
    async fn replan_everything(&self) -> anyhow::Result<()> {
        let now = self.clock.now();
        let mut tx = crate::store::write(&self.db).await?;
        for incident in incidents::open(&mut *tx).await? {
            self.plan_incident(&mut tx, &incident, now).await?;
        }
        for rota in &self.policy.rotas {
            self.plan_handover(&mut tx, rota, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Replaces an incident's pending reminders with a fresh plan.
    pub(super) async fn plan_incident(
        &self,
        tx: &mut Transaction<'_, Sqlite>,
        incident: &Incident,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let planned = reminders::plan(&self.policy, &self.calendar, incident, now);
        rows::replan(tx, &incident_subject(incident.number.0), &planned, now).await
    }

    /// The rota's next handover (by its rotation, in the policy's
    /// zone) and, for an in-hours rota, the close of the last working day
    /// before it: the start and end of the support week.
    async fn plan_handover(
        &self,
        tx: &mut Transaction<'_, Sqlite>,
        rota: &Rota,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        if rota.topic_channels.is_empty() {
            return Ok(());
        }
        let Some(handover) = next_handover(&self.calendar, rota, now) else {
            return Ok(());
        };
        let mut planned = vec![Planned {
            kind: Kind::Handover,
            due: handover,
        }];
        if rota.covers == Covers::InHours && rota.rotation == Rotation::Weekly {
            let week_end = self
                .calendar
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
        rows::replan(tx, &rota_subject(rota), &planned, now).await
    }

    async fn fire_due(&self) -> anyhow::Result<()> {
        loop {
            let now = self.clock.now();
            let due = rows::due(&self.db, now, BATCH).await?;
            if due.is_empty() {
                return Ok(());
            }
            // One transaction per batch: a commit costs an fsync, which
            // made 1,000 reminders due at once take seconds to fire. A
            // failure rolls the batch back and it is fired again, as before.
            let mut tx = crate::store::write(&self.db).await?;
            // Read through the transaction: it holds the only write
            // connection, so a read from the pool would wait for itself.
            let live = overrides::live(&mut *tx).await?;
            let mut fired = Vec::new();
            for row in due {
                if !rows::mark_fired(&mut tx, row.id, now).await? {
                    continue;
                }
                self.fire(&mut tx, &row, now, &live).await?;
                fired.push(row);
            }
            tx.commit().await?;
            for row in fired {
                self.metrics.reminder_fired();
                info!(subject = row.subject, kind = %row.kind, late = (now - row.due).num_seconds(), "reminder fired");
            }
            self.delivery.poke();
        }
    }

    /// Queues what one reminder says, and plans its successor.
    async fn fire(
        &self,
        tx: &mut Transaction<'_, Sqlite>,
        row: &rows::Due,
        now: DateTime<Utc>,
        live: &[Override],
    ) -> anyhow::Result<()> {
        if let Some(name) = row.subject.strip_prefix("rota:") {
            let Some(rota) = self.policy.rota(name) else {
                return Ok(());
            };
            // Who hands over to whom by the rotation itself: the handover
            // meeting is between the week's people, whatever the overrides.
            let just_before = row.due - Duration::seconds(1);
            let outgoing = scheduled_member(&self.calendar, rota, just_before).clone();
            let incoming = match row.kind {
                Kind::WeekEnd => next_handover(&self.calendar, rota, row.due)
                    .map(|h| scheduled_member(&self.calendar, rota, h).clone()),
                _ => Some(scheduled_member(&self.calendar, rota, row.due).clone()),
            };
            if incoming.as_ref() == Some(&outgoing) {
                return self.plan_handover(tx, rota, now).await;
            }
            let open = incidents::open(&mut **tx).await?;
            let text = say::handover(
                &self.policy,
                rota,
                row.kind,
                Some(outgoing),
                incoming,
                &open,
                row.due,
                now,
            );
            for channel in &rota.topic_channels {
                let post = Outgoing::Post {
                    channel: channel.clone(),
                    content: SlackMessageContent::new().with_text(text.clone()),
                    thread: None,
                    card_of: None,
                };
                outbox::push(tx, now, "handover", &post).await?;
            }
            self.plan_handover(tx, rota, now).await?;
            return Ok(());
        }
        let Some(number) = row
            .subject
            .strip_prefix("incident:")
            .and_then(|n| n.parse::<i64>().ok())
        else {
            return Ok(());
        };
        let Some(incident) = incidents::get(&mut **tx, number).await? else {
            return Ok(());
        };
        // A row already due when the incident changed was kept: it fires
        // only if the incident, as it is now, would still have planned it.
        let still_owed = reminders::plan(
            &self.policy,
            &self.calendar,
            &incident,
            row.due - Duration::seconds(1),
        )
        .contains(&Planned {
            kind: row.kind,
            due: row.due,
        });
        if !still_owed {
            return self.plan_incident(tx, &incident, now).await;
        }
        let people = say::People {
            engineering: self.covering(Role::Engineering, now, live),
            escalation: self
                .policy
                .rota(&self.policy.escalation_rota)
                .and_then(|r| rota::cover_at(&self.policy, &self.calendar, r, now, live))
                .map(|c| c.shift.user),
        };
        for says in say::incident(
            &self.policy,
            &self.calendar,
            &incident,
            row.kind,
            row.due,
            now,
            &people,
        ) {
            let item = match says {
                Says::Thread(text, prompt) => Outgoing::Post {
                    channel: self.policy.incident_channel.clone(),
                    content: with_prompt(text, prompt, number, &incident),
                    thread: Some(Thread::Card(number)),
                    card_of: None,
                },
                Says::Direct(user, text) => dm(user, text),
            };
            outbox::push(tx, now, "reminder", &item).await?;
        }
        self.plan_incident(tx, &incident, now).await
    }
}

/// The reminder's text, with the button that clears it underneath.
fn with_prompt(
    text: String,
    prompt: Option<Prompt>,
    number: i64,
    incident: &Incident,
) -> SlackMessageContent {
    // Acknowledging is offered only while nobody has.
    let prompt =
        prompt.filter(|p| *p != Prompt::Acknowledge || incident.status == Status::Declared);
    reminder(&text, prompt, IncidentNumber(number))
}

fn dm(user: UserId, text: String) -> Outgoing {
    Outgoing::Dm {
        user,
        content: SlackMessageContent::new().with_text(text),
    }
}
