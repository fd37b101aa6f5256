//! Fires persisted reminders. Sleeps until the next due row (re-reading the
//! wall clock at least every 30 s), fires each due row in one transaction
//! with the messages it causes, then plans the next slot of that kind.
//! Rows that fell due while the bot was down fire at start-up, marked late.

use crate::bot::handlers::cover_request;
use crate::bot::outgoing;
use crate::bot::{plan, shifts, Parts};
use crate::clock::sleep_until;
use crate::ids::IncidentNumber;
use crate::incident::{Incident, Status};
use crate::policy::Role;
use crate::reminders::{self, Kind, Planned, Subject};
use crate::rota::{self, next_handover, people_covering, scheduled_member, Override};
use crate::slack::blocks::reminder::{reminder, reminder_publishing};
use crate::store::{
    events as handled, incidents, outbox as outbox_rows, overrides, reminders as rows,
};
use crate::views::reminders::{self as say, Prompt, Says};
use chrono::{DateTime, Duration, Utc};
use slack_morphism::prelude::*;
use sqlx::{Any, Transaction};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

/// Fires reminder rows as they fall due; woken when a change planned new
/// ones.
pub struct Scheduler {
    parts: Parts,
    /// When this run of the bot began: a row due before it fell due while
    /// the bot was not running.
    started: DateTime<Utc>,
}

const BATCH: i64 = 100;
const IDLE: Duration = Duration::hours(1);
/// Handled envelope ids are kept this long (Slack redelivers within
/// minutes), and forgotten at most this often.
const KEEP_HANDLED: Duration = Duration::days(7);
const TIDY_EVERY: Duration = Duration::hours(1);
/// Outbox rows Slack took (or refused for good) are kept this long, for
/// anyone looking into what was said, then forgotten.
const KEEP_SETTLED: Duration = Duration::days(30);
/// How often a bot that runs for months repeats that its bank-holiday
/// data is running out.
const HOLIDAY_WARNING_EVERY: Duration = Duration::days(1);
const PLAN_RETRY: std::time::Duration = std::time::Duration::from_secs(1);

impl Scheduler {
    pub(in crate::bot) fn new(parts: Parts) -> Scheduler {
        let started = parts.clock.now();
        Scheduler { parts, started }
    }

    pub async fn run(&self, shutdown: CancellationToken) {
        let mut planned = false;
        let mut tidied: Option<DateTime<Utc>> = None;
        let mut holidays_checked: Option<DateTime<Utc>> = None;
        let mut shifts_planned: Option<DateTime<Utc>> = None;
        loop {
            let now = self.parts.clock.now();
            if holidays_checked.is_none_or(|at| now - at >= HOLIDAY_WARNING_EVERY) {
                holidays_checked = Some(now);
                let today = self.parts.calendar.local(now).date_naive();
                if let Some(warning) = self.parts.calendar.holiday_data_warning(today) {
                    warn!("{warning}");
                }
            }
            if tidied.is_none_or(|at| now - at >= TIDY_EVERY) {
                match self.tidy(now).await {
                    Ok(()) => tidied = Some(now),
                    Err(e) => warn!(
                        error = format!("{e:#}"),
                        "could not forget old envelope ids and outbox rows"
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
            // Shift reminders look a few days ahead: keep that window
            // filled as time passes (changes re-plan as they happen).
            if planned && shifts_planned.is_none_or(|at| self.parts.clock.now() - at >= TIDY_EVERY)
            {
                match self.plan_shifts(self.parts.clock.now()).await {
                    Ok(()) => shifts_planned = Some(self.parts.clock.now()),
                    Err(e) => warn!(error = format!("{e:#}"), "could not plan shift reminders"),
                }
            }
            if let Err(e) = self.fire_due().await {
                warn!(
                    error = format!("{e:#}"),
                    "could not fire reminders; will retry"
                );
            }
            let now = self.parts.clock.now();
            let next = match rows::next_due(&self.parts.db).await {
                Ok(Some(next)) => next.min(now + IDLE),
                Ok(None) => now + IDLE,
                Err(_) => now + Duration::seconds(30),
            };
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = sleep_until(self.parts.clock.as_ref(), next, &self.parts.wake.scheduler) => {}
                // Real time: a manual clock may never reach `next`.
                _ = tokio::time::sleep(PLAN_RETRY), if !planned => {}
            }
        }
    }

    /// Forgets what is only kept for a while: handled envelope ids and
    /// settled outbox rows, each past its retention at `now`.
    async fn tidy(&self, now: DateTime<Utc>) -> anyhow::Result<()> {
        handled::forget_before(&self.parts.db, now - KEEP_HANDLED).await?;
        outbox_rows::forget_settled_before(&self.parts.db, now - KEEP_SETTLED).await?;
        Ok(())
    }

    /// Plans every open or recently closed incident and every rota's next
    /// handover: the policy may have changed while the bot was down.
    async fn replan_everything(&self) -> anyhow::Result<()> {
        let now = self.parts.clock.now();
        let mut tx = crate::store::write(&self.parts.db).await?;
        let (policy, cal) = (&self.parts.policy, &self.parts.calendar);
        for incident in incidents::open(&mut *tx).await? {
            plan::incident(&mut tx, policy, cal, &incident, now).await?;
        }
        for rota in &policy.rotas {
            plan::handover(&mut tx, cal, rota, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn plan_shifts(&self, now: DateTime<Utc>) -> anyhow::Result<()> {
        if self.parts.policy.oncall.remind_before.is_empty() {
            return Ok(());
        }
        let mut tx = crate::store::write(&self.parts.db).await?;
        let live = overrides::live(&mut *tx).await?;
        let (policy, cal) = (&self.parts.policy, &self.parts.calendar);
        shifts::plan_all(&mut tx, policy, cal, &live, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn fire_due(&self) -> anyhow::Result<()> {
        loop {
            let now = self.parts.clock.now();
            let due = rows::due(&self.parts.db, now, BATCH).await?;
            if due.is_empty() {
                return Ok(());
            }
            // One transaction per batch: a commit costs an fsync, which
            // made 1,000 reminders due at once take seconds to fire. A
            // failure rolls the batch back and it is fired again, as before.
            let mut tx = crate::store::write(&self.parts.db).await?;
            // Read through the transaction: it holds the only write
            // connection, so a read from the pool would wait for itself.
            let live = overrides::live(&mut *tx).await?;
            let mut fired = Vec::new();
            for row in due {
                if !rows::mark_fired(&mut tx, row.id, now).await? {
                    continue;
                }
                let said = self.fire(&mut tx, &row, now, &live).await?;
                fired.push((row, said));
            }
            tx.commit().await?;
            for (row, said) in fired {
                if said && row.kind == Kind::Escalate {
                    self.parts.metrics.incident_escalated();
                }
                self.parts.metrics.reminder_fired();
                info!(subject = %row.subject, kind = %row.kind, late = (now - row.due).num_seconds(), "reminder fired");
            }
            self.parts.wake.delivery.notify_one();
        }
    }

    /// Queues what one reminder says, and plans its successor; true if
    /// it said something about an incident (it still applied).
    async fn fire(
        &self,
        tx: &mut Transaction<'_, Any>,
        row: &rows::Due,
        now: DateTime<Utc>,
        live: &[Override],
    ) -> anyhow::Result<bool> {
        let (policy, cal) = (&self.parts.policy, &self.parts.calendar);
        let number = match &row.subject {
            Subject::Alert(group) => {
                let parts = &self.parts;
                return crate::bot::handlers::alert::fire(
                    parts, tx, *group, row.kind, row.due, now, live,
                )
                .await
                .map(|()| false);
            }
            Subject::Rota(name) => {
                return self.fire_handover(tx, row, name, now).await.map(|()| false)
            }
            Subject::Incident(number) => *number,
            Subject::CoverRequest(id) => {
                return cover_request::lapse(tx, policy, *id, now)
                    .await
                    .map(|()| false)
            }
            Subject::Shift { rota, user, start } => {
                let shift = (rota.as_str(), user, *start);
                let while_down = row.due < self.started;
                return shifts::fire(tx, policy, cal, shift, row, live, now, while_down)
                    .await
                    .map(|()| false);
            }
        };
        let Some(incident) = incidents::get(&mut **tx, number).await? else {
            return Ok(false);
        };
        // A row already due when the incident changed was kept: it fires
        // only if the incident, as it is now, would still have planned it.
        let still_owed = reminders::plan(
            &self.parts.policy,
            &self.parts.calendar,
            &incident,
            row.due - Duration::seconds(1),
        )
        .contains(&Planned {
            kind: row.kind,
            due: row.due,
        });
        if !still_owed {
            return plan::incident(tx, policy, cal, &incident, now)
                .await
                .map(|()| false);
        }
        let people = say::People {
            engineering: people_covering(policy, cal, Role::Engineering, now, live),
            escalation: policy
                .rota(&policy.escalation_rota)
                .and_then(|r| rota::cover_at(cal, r, now, live))
                .map(|c| c.shift.user),
        };
        let firing = say::Firing {
            kind: row.kind,
            due: row.due,
            now,
            while_down: row.due < self.started,
        };
        // Reminders that ask for a public update say when the last one was
        // and carry the Publish button (SPEC §5).
        let public_note = match &policy.statuspage {
            Some(sp)
                if sp.publishes(incident.priority)
                    && matches!(row.kind, Kind::UpdateDue | Kind::OfficeHours) =>
            {
                let public = crate::store::public::get(&mut **tx, number).await?;
                Some(crate::views::statuspage::last_public_update(
                    public.as_ref(),
                    policy.timezone,
                ))
            }
            _ => None,
        };
        for says in say::incident(policy, cal, &incident, firing, &people) {
            match says {
                Says::Thread(text, prompt) => {
                    let content =
                        with_prompt(text, prompt, number, &incident, public_note.as_deref());
                    outgoing::reply_with(tx, policy, number, content, "reminder", now).await?
                }
                Says::Direct(user, text) => outgoing::dm(tx, &user, text, "reminder", now).await?,
            }
        }
        plan::incident(tx, policy, cal, &incident, now).await?;
        Ok(true)
    }

    /// A rota's handover post (or end-of-week post), then its next one.
    async fn fire_handover(
        &self,
        tx: &mut Transaction<'_, Any>,
        row: &rows::Due,
        name: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let Some(rota) = self.parts.policy.rota(name) else {
            return Ok(());
        };
        // Who hands over to whom by the rotation itself: the handover
        // meeting is between the week's people, whatever the overrides.
        let just_before = row.due - Duration::seconds(1);
        let handing_over = scheduled_member(&self.parts.calendar, rota, just_before).clone();
        let taking_over = match row.kind {
            Kind::WeekEnd => next_handover(&self.parts.calendar, rota, row.due)
                .map(|h| scheduled_member(&self.parts.calendar, rota, h).clone()),
            _ => Some(scheduled_member(&self.parts.calendar, rota, row.due).clone()),
        };
        if taking_over.as_ref() == Some(&handing_over) {
            return plan::handover(tx, &self.parts.calendar, rota, now).await;
        }
        let open = incidents::open(&mut **tx).await?;
        let text = say::handover(
            &self.parts.policy,
            rota,
            row.kind,
            Some(handing_over),
            taking_over,
            &open,
            row.due,
            now,
        );
        outgoing::announce(tx, rota, &text, "handover", now).await?;
        plan::handover(tx, &self.parts.calendar, rota, now).await
    }
}

/// The reminder's text, with the button that clears it underneath.
/// `public_note`, when given, is added to the text and brings the
/// *Publish to status page* button.
fn with_prompt(
    text: String,
    prompt: Option<Prompt>,
    number: IncidentNumber,
    incident: &Incident,
    public_note: Option<&str>,
) -> SlackMessageContent {
    // Acknowledging is offered only while nobody has.
    let prompt =
        prompt.filter(|p| *p != Prompt::Acknowledge || incident.status == Status::Declared);
    match public_note {
        Some(note) => reminder_publishing(&format!("{text}\n{note}"), prompt, number),
        None => reminder(&text, prompt, number),
    }
}
