//! The declare modal, the card's buttons and the update modal.
//!
//! Modals are opened before anything else is done: Slack's trigger id is
//! only good for 3 seconds. Button presses are acked at once and worked on
//! `work`; a refusal (already taken, incident closed) is told to the person
//! who pressed, ephemerally.

use super::deliver::Outgoing;
use super::Bot;
use crate::ids::{IncidentNumber, UserId};
use crate::incident::{declare, Action, Declaration, Title};
use crate::priority::Priority;
use crate::rota;
use crate::slack::blocks::modal::{self, fields, Submitted};
use crate::slack::blocks::{actions, views};
use crate::store::{incidents, outbox};
use crate::views::incident as text;
use serde_json::{json, Value};
use slack_morphism::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;
use tracing::warn;

impl Bot {
    /// Opens the declare modal for a slash command, off the ack path.
    pub(super) fn open_declare(&self, event: &SlackCommandEvent, title: String) {
        let view = modal::declare(&self.policy, &title, &event.user_id, &event.channel_id.0);
        let (trigger, channel, user) = (
            event.trigger_id.clone(),
            event.channel_id.clone(),
            event.user_id.clone(),
        );
        let web = self.web.clone();
        self.work.spawn(async move {
            if let Err(e) = web.open_view(&trigger, view).await {
                warn!(error = %e, "could not open the declare modal");
                let sorry = SlackMessageContent::new().with_text(format!(
                    "I could not open the declare form ({e}). Please run `/incident declare` again."
                ));
                let _ = web.post_ephemeral(&channel, &user, sorry).await;
            }
        });
    }

    /// Interactions: a view submission's answer is the ack payload; a
    /// button press's change is made before its (bare) ack.
    pub(super) async fn on_interaction(
        self: &Arc<Self>,
        event: SlackInteractionEvent,
    ) -> Option<Value> {
        match event {
            SlackInteractionEvent::ViewSubmission(submission) => {
                match self.on_submission(&submission).await {
                    Ok(answer) => answer,
                    Err(e) => {
                        warn!(error = format!("{e:#}"), "view submission failed");
                        Some(errors_on(
                            fields::TITLE,
                            "Something went wrong on our side and nothing was saved. Please try again.",
                        ))
                    }
                }
            }
            SlackInteractionEvent::BlockActions(press) => {
                self.on_press(&press).await;
                None
            }
            _ => None,
        }
    }

    async fn on_submission(
        &self,
        event: &SlackInteractionViewSubmissionEvent,
    ) -> anyhow::Result<Option<Value>> {
        let SlackView::Modal(view) = &event.view.view else {
            return Ok(None);
        };
        let form = Submitted::from_state(event.view.state_params.state.as_ref());
        let user = UserId::parse(&event.user.id.0).map_err(anyhow::Error::msg)?;
        match view.callback_id.as_ref().map(|c| c.0.as_str()) {
            Some(views::DECLARE) => self.declare_from(&form, &user).await,
            Some(views::UPDATE) => {
                let number: i64 = view
                    .private_metadata
                    .as_deref()
                    .unwrap_or_default()
                    .parse()?;
                let update = form.text(fields::UPDATE).unwrap_or_default();
                if update.trim().is_empty() {
                    return Ok(Some(errors_on(fields::UPDATE, "Write what has changed.")));
                }
                match self.change(number, &user, Action::Update(update)).await? {
                    Ok(_) => Ok(None),
                    Err(refusal) => Ok(Some(errors_on(fields::UPDATE, &refusal))),
                }
            }
            _ => Ok(None),
        }
    }

    /// Validates the declare form; stores the incident and queues its card,
    /// the paging reply and any cyber guidance, all in one transaction.
    async fn declare_from(&self, form: &Submitted, by: &UserId) -> anyhow::Result<Option<Value>> {
        let mut errors = BTreeMap::new();
        let title = Title::parse(&form.text(fields::TITLE).unwrap_or_default())
            .map_err(|e| errors.insert(fields::TITLE, e.to_string()))
            .ok();
        let priority = form
            .option(fields::PRIORITY)
            .and_then(|p| p.parse::<Priority>().ok());
        if priority.is_none() {
            errors.insert(fields::PRIORITY, "Choose a priority.".to_owned());
        }
        let lead = form.user(fields::LEAD).map(|u| UserId::parse(&u));
        if let Some(Err(e)) = &lead {
            errors.insert(fields::LEAD, e.clone());
        }
        let comms = form.user(fields::COMMS).map(|u| UserId::parse(&u));
        if let Some(Err(e)) = &comms {
            errors.insert(fields::COMMS, e.clone());
        }
        let (Some(title), Some(priority)) = (title, priority) else {
            return Ok(Some(
                json!({ "response_action": "errors", "errors": errors }),
            ));
        };
        if !errors.is_empty() {
            return Ok(Some(
                json!({ "response_action": "errors", "errors": errors }),
            ));
        }
        let now = self.clock.now();
        let declaration = Declaration {
            title,
            description: form.text(fields::DESCRIPTION).unwrap_or_default(),
            priority,
            cyber: form.checked(fields::CYBER),
            engineering_lead: lead.and_then(Result::ok),
            comms_lead: comms.and_then(Result::ok),
            declared_by: by.clone(),
        };
        let (mut incident, events) = declare(declaration, IncidentNumber(0), now);
        let mut tx = self.write().await?;
        // Read through the transaction: it holds the only write
        // connection, so a read from the pool would wait for itself.
        let live = crate::store::overrides::live(&mut *tx).await?;
        let number = incidents::insert(&mut tx, &incident).await?;
        incident.number = IncidentNumber(number);
        incidents::record(&mut tx, number, &events).await?;
        let next = crate::deadline::next_deadline(&self.policy, &self.calendar, &incident, now);
        let card = Outgoing::Post {
            channel: self.policy.incident_channel.clone(),
            content: crate::slack::blocks::card::card(&self.policy, &incident, &next),
            thread: None,
            card_of: Some(number),
        };
        outbox::push(&mut tx, now, "card", &card).await?;
        let engineers = self.covering(crate::policy::Role::Engineering, now, &live);
        self.queue_reply(&mut tx, number, text::paging(&incident, &engineers), now)
            .await?;
        if self.policy.priority(incident.priority).affects_tenants {
            if let Some(page) = self.page_comms(&incident, &live) {
                self.queue_reply(&mut tx, number, page, now).await?;
            }
        }
        if incident.cyber {
            self.queue_reply(&mut tx, number, text::cyber_guidance(&self.policy), now)
                .await?;
        }
        self.plan_incident(&mut tx, &incident, now).await?;
        tx.commit().await?;
        self.delivery.poke();
        self.scheduler.poke();
        self.refresh_open_gauge().await;
        Ok(None)
    }

    /// Who covers rotas of `role` at `now`.
    pub(super) fn covering(
        &self,
        role: crate::policy::Role,
        now: chrono::DateTime<chrono::Utc>,
        live: &[rota::Override],
    ) -> Vec<UserId> {
        let mut people: Vec<UserId> = self
            .policy
            .rotas
            .iter()
            .filter(|r| r.role == role)
            .filter_map(|r| rota::cover_at(&self.policy, &self.calendar, r, now, live))
            .map(|c| c.shift.user)
            .collect();
        people.dedup();
        people
    }

    /// The comms cover (overrides included), asked to handle tenant
    /// communication.
    pub(super) fn page_comms(
        &self,
        incident: &crate::incident::Incident,
        live: &[rota::Override],
    ) -> Option<String> {
        let comms = self.covering(crate::policy::Role::Comms, self.clock.now(), live);
        text::comms_page(incident, &comms)
    }

    /// A button press. Its change is committed before the ack (with the
    /// envelope, see `Bot::write`), so a press Slack was told of is never
    /// lost and a redelivered one is not applied twice; opening a modal and
    /// telling the person of a refusal are Web API calls, made after.
    async fn on_press(self: &Arc<Self>, press: &SlackInteractionBlockActionsEvent) {
        let Some(user) = press
            .user
            .as_ref()
            .and_then(|u| UserId::parse(&u.id.0).ok())
        else {
            return;
        };
        for action in press.actions.iter().flatten() {
            // Not about an incident yet: open the form before anything else.
            if action.action_id.0 == actions::HOME_DECLARE {
                let (bot, trigger) = (self.clone(), press.trigger_id.clone());
                let who = SlackUserId(user.to_string());
                self.work
                    .spawn(async move { bot.declare_from_home(&trigger, &who).await });
                continue;
            }
            let value = action
                .selected_option
                .as_ref()
                .map(|o| o.value.clone())
                .or_else(|| action.value.clone())
                .unwrap_or_default();
            let (number, rest) = match value.split_once(':') {
                Some((n, rest)) => (n.parse::<i64>().ok(), rest),
                None => (value.parse::<i64>().ok(), ""),
            };
            let Some(number) = number else { continue };
            let step = match action.action_id.0.as_str() {
                actions::ACK => Action::Acknowledge,
                actions::TAKE_LEAD => Action::TakeLead,
                actions::TAKE_COMMS => Action::TakeComms,
                actions::NOT_INCIDENT => Action::NotIncident(None),
                actions::RESOLVE => Action::Resolve(None),
                actions::CYBER => Action::FlagCyber,
                actions::PRIORITY => match rest.parse::<Priority>() {
                    Ok(priority) => Action::Prioritise {
                        priority,
                        reason: None,
                    },
                    Err(_) => continue,
                },
                actions::POST_UPDATE => {
                    let (bot, press, user) = (self.clone(), press.clone(), user.clone());
                    self.work.spawn(async move {
                        bot.open_update(&press.trigger_id, number, &user, &press)
                            .await
                    });
                    continue;
                }
                _ => continue,
            };
            let refusal = match self.change(number, &user, step).await {
                Ok(Ok(_)) => continue,
                Ok(Err(refusal)) => refusal,
                Err(e) => {
                    warn!(error = format!("{e:#}"), "button press failed");
                    "Something went wrong on our side and nothing was changed. Please try again."
                        .to_owned()
                }
            };
            let (bot, press, user) = (self.clone(), press.clone(), user.clone());
            self.work
                .spawn(async move { bot.tell(&press, &user, refusal).await });
        }
    }

    async fn open_update(
        &self,
        trigger: &SlackTriggerId,
        number: i64,
        user: &UserId,
        press: &SlackInteractionBlockActionsEvent,
    ) {
        let title = match incidents::get(&self.db, number).await {
            Ok(Some(incident)) => incident.title.as_str().to_owned(),
            _ => String::new(),
        };
        if let Err(e) = self
            .web
            .open_view(trigger, modal::update(number, &title))
            .await
        {
            self.tell(press, user, format!("I could not open the update form ({e}). `/incident update INC-{number} text` works too.")).await;
        }
    }

    /// An ephemeral note to the person who pressed a button.
    async fn tell(&self, press: &SlackInteractionBlockActionsEvent, user: &UserId, what: String) {
        let channel = press
            .channel
            .as_ref()
            .map(|c| c.id.clone())
            .unwrap_or_else(|| SlackChannelId(self.policy.incident_channel.to_string()));
        let content = SlackMessageContent::new().with_text(what);
        if let Err(e) = self
            .web
            .post_ephemeral(&channel, &SlackUserId(user.to_string()), content)
            .await
        {
            warn!(error = %e, "could not tell the person why");
        }
    }
}

fn errors_on(block: &str, message: &str) -> Value {
    json!({ "response_action": "errors", "errors": { block: message } })
}
