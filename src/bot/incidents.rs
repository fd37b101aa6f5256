//! `/incident` subcommands, and `change`: the one path every change to an
//! incident takes. It applies the state machine to the stored incident,
//! saves with a version check (of two concurrent changes, the second is
//! re-applied to what the first wrote, and usually refused), and records the
//! timeline and the announcements in the same transaction.

use super::deliver::{Outgoing, Thread};
use super::{reply::ephemeral, Bot};
use crate::command::{parse_incident, IncidentCommand, INCIDENT_USAGE};
use crate::deadline::next_deadline;
use crate::ids::UserId;
use crate::incident::{apply, Action, Event, Incident};
use crate::slack::blocks::card;
use crate::slack::WebError;
use crate::store::{incidents, outbox, overrides};
use crate::views::incident as text;
use chrono::{DateTime, Utc};
use serde_json::Value;
use slack_morphism::prelude::*;
use sqlx::{Sqlite, Transaction};
use tracing::warn;

/// How often a change is re-applied after losing a race before giving up.
const RACE_RETRIES: usize = 3;

/// A report posted in Slack is cut well inside the 40,000-character limit.
const REPORT_MAX: usize = 35_000;

impl Bot {
    pub(super) async fn on_incident(
        &self,
        event: &SlackCommandEvent,
        user: &UserId,
        raw: &str,
    ) -> anyhow::Result<Value> {
        let command = match parse_incident(raw) {
            Ok(command) => command,
            Err(e) => return Ok(ephemeral(e.reply_text())),
        };
        let (number, action) = match command {
            IncidentCommand::Help => return Ok(ephemeral(INCIDENT_USAGE)),
            IncidentCommand::Declare { title } => {
                self.open_declare(event, title.unwrap_or_default());
                return Ok(Value::Null);
            }
            IncidentCommand::List => return Ok(ephemeral(self.list().await?)),
            IncidentCommand::Show(number) => return self.show(number.0).await,
            IncidentCommand::Report(number) => return self.post_report(number.0, user).await,
            IncidentCommand::Update { number, text } => (number, Action::Update(text)),
            IncidentCommand::Priority {
                number,
                priority,
                reason,
            } => (number, Action::Prioritise { priority, reason }),
            IncidentCommand::Lead { number, user } => (number, Action::SetLead(user)),
            IncidentCommand::Comms { number, user } => (number, Action::SetComms(user)),
            IncidentCommand::Ack(number) => (number, Action::Acknowledge),
            IncidentCommand::Note { number, text } => (number, Action::Note(text)),
            IncidentCommand::Cyber(number) => (number, Action::FlagCyber),
            IncidentCommand::Pause(number) => (number, Action::Pause),
            IncidentCommand::Resolve { number, summary } => (number, Action::Resolve(summary)),
            IncidentCommand::NotIncident { number, why } => (number, Action::NotIncident(why)),
            IncidentCommand::Review { number, when } => (number, Action::ScheduleReview(when)),
        };
        let reply = match self.change(number.0, user, action).await? {
            Ok(incident) => text::done(&incident),
            Err(refusal) => refusal,
        };
        Ok(ephemeral(reply))
    }

    /// Applies `action` by `actor`; `Ok(Err(reason))` is a refusal to show
    /// the person (unknown incident, closed, already taken, …).
    pub(super) async fn change(
        &self,
        number: i64,
        actor: &UserId,
        action: Action,
    ) -> anyhow::Result<Result<Incident, String>> {
        for _ in 0..RACE_RETRIES {
            let Some(current) = incidents::get(&self.db, number).await? else {
                return Ok(Err(text::no_such_incident(number)));
            };
            let now = self.clock.now();
            let (next, events) = match apply(&current, actor, action.clone(), now) {
                Ok(applied) => applied,
                Err(refused) => return Ok(Err(refused.to_string())),
            };
            let mut tx = self.write().await?;
            let live = overrides::live(&mut *tx).await?;
            if !incidents::save(&mut tx, &next, current.version).await? {
                continue; // someone changed it since we read it: re-apply
            }
            incidents::record(&mut tx, number, &events).await?;
            self.queue_change(&mut tx, &current, &next, &events, &live, now)
                .await?;
            self.plan_incident(&mut tx, &next, now).await?;
            tx.commit().await?;
            self.delivery.poke();
            self.scheduler.poke();
            self.refresh_open_gauge().await;
            return Ok(Ok(next));
        }
        Ok(Err(format!(
            "INC-{number} is changing quickly right now; please try again."
        )))
    }

    /// The thread replies a change owes, then the card refresh.
    async fn queue_change(
        &self,
        tx: &mut Transaction<'_, Sqlite>,
        before: &Incident,
        after: &Incident,
        events: &[Event],
        live: &[crate::rota::Override],
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        for event in events {
            let line = text::event_line(&self.policy, after, event);
            self.queue_reply(tx, after.number.0, line, now).await?;
        }
        for extra in text::follow_ups(&self.policy, before, after) {
            self.queue_reply(tx, after.number.0, extra, now).await?;
        }
        if text::newly_affects_tenants(&self.policy, before, after) {
            if let Some(page) = self.page_comms(after, live) {
                self.queue_reply(tx, after.number.0, page, now).await?;
            }
        }
        let refresh = Outgoing::RefreshCard {
            incident: after.number.0,
        };
        outbox::push(tx, now, "card", &refresh).await?;
        Ok(())
    }

    pub(super) async fn queue_reply(
        &self,
        tx: &mut Transaction<'_, Sqlite>,
        number: i64,
        line: String,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let reply = Outgoing::Post {
            channel: self.policy.incident_channel.clone(),
            content: SlackMessageContent::new().with_text(line),
            thread: Some(Thread::Card(number)),
            card_of: None,
        };
        outbox::push(tx, now, "reply", &reply).await?;
        Ok(())
    }

    /// Posts the Markdown report in the incident's thread.
    async fn post_report(&self, number: i64, by: &UserId) -> anyhow::Result<Value> {
        let Some(incident) = incidents::get(&self.db, number).await? else {
            return Ok(ephemeral(text::no_such_incident(number)));
        };
        let timeline = incidents::timeline(&self.db, number).await?;
        let report = crate::views::report::markdown(&self.policy, &incident, &timeline);
        // The report quotes people's words: escaped, so it cannot ping anyone.
        let body = crate::mrkdwn::escape_within(&report, REPORT_MAX);
        let now = self.clock.now();
        let mut tx = self.write().await?;
        let line = format!("Incident report, as asked for by <@{by}>:\n```\n{body}\n```");
        self.queue_reply(&mut tx, number, line, now).await?;
        tx.commit().await?;
        self.delivery.poke();
        Ok(ephemeral(format!(
            "The report for {} is in its thread; `paas-incident-bot report {}` prints it too.",
            incident.number, incident.number
        )))
    }

    async fn list(&self) -> anyhow::Result<String> {
        let now = self.clock.now();
        let open = incidents::open(&self.db).await?;
        if open.is_empty() {
            return Ok("No open incidents.".to_owned());
        }
        // Most pressing first: by next deadline, then priority.
        let mut rows: Vec<_> = open
            .iter()
            .map(|incident| {
                let next = next_deadline(&self.policy, &self.calendar, incident, now);
                (
                    next.as_ref().map(|(_, at)| *at),
                    incident.priority,
                    incident,
                    next,
                )
            })
            .collect();
        rows.sort_by_key(|(due, priority, incident, _)| (*due, *priority, incident.number.0));
        let lines: Vec<String> = rows
            .iter()
            .map(|(_, _, incident, next)| text::list_line(&self.policy, incident, next))
            .collect();
        Ok(lines.join("\n"))
    }

    async fn show(&self, number: i64) -> anyhow::Result<Value> {
        let Some(incident) = incidents::get(&self.db, number).await? else {
            return Ok(ephemeral(text::no_such_incident(number)));
        };
        let next = next_deadline(&self.policy, &self.calendar, &incident, self.clock.now());
        let content = card::card(&self.policy, &incident, &next);
        let response = SlackCommandEventResponse::new(content)
            .with_response_type(SlackMessageResponseType::Ephemeral);
        Ok(serde_json::to_value(response)?)
    }

    /// Keeps the open-incidents gauge true after every change.
    pub(super) async fn refresh_open_gauge(&self) {
        match incidents::open(&self.db).await {
            Ok(open) => self.metrics.set_open_incidents(open.len() as i64),
            Err(e) => warn!(error = %e, "could not count open incidents"),
        }
    }

    pub(super) async fn remember_card(&self, number: i64, channel: &SlackChannelId, ts: &SlackTs) {
        let Ok(channel) = crate::ids::ChannelId::parse(&channel.0) else {
            return;
        };
        if let Err(e) = incidents::set_card(&self.db, number, &channel, &ts.0).await {
            warn!(number, error = %e, "card posted but its ts was not stored");
        }
    }

    /// Re-renders the card from what is stored now, so an older refresh can
    /// never overwrite a newer state.
    pub(super) async fn refresh_card(&self, number: i64) -> Result<(), WebError> {
        let found = incidents::get(&self.db, number).await;
        let card_at = incidents::card(&self.db, number).await;
        let (Ok(Some(incident)), Ok(Some((channel, ts)))) = (found, card_at) else {
            return Ok(()); // no card yet (or a storage error, logged elsewhere)
        };
        let next = next_deadline(&self.policy, &self.calendar, &incident, self.clock.now());
        let content = card::card(&self.policy, &incident, &next);
        self.web
            .update(&SlackChannelId(channel.to_string()), &SlackTs(ts), content)
            .await
    }
}
