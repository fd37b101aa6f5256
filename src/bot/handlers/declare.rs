//! Declaring: the modal (from `/incident declare` or the Home tab's
//! button), and its submission, which stores the incident and queues its
//! card, the paging reply and any cyber guidance in one transaction.
//!
//! The modal is opened before anything else is done: Slack's trigger id is
//! only good for 3 seconds.

use super::change::page_comms;
use crate::bot::throttles::Spend;
use crate::bot::{outgoing, plan, Answering, Context};
use crate::deadline::next_deadline;
use crate::ids::{IncidentNumber, UserId};
use crate::incident::{declare, Declaration, Title};
use crate::policy::Role;
use crate::priority::Priority;
use crate::rota::people_covering;
use crate::slack::blocks::card;
use crate::slack::blocks::modal::{self, fields, Submitted};
use crate::store::{incidents, overrides};
use crate::views::incident as text;
use slack_morphism::prelude::*;
use std::collections::HashMap;
use tracing::warn;

/// Opens the declare modal for `/incident declare [title]`, off the ack
/// path; if Slack will not open it, says so to the person.
pub fn open_for_command(ctx: &Context, event: &SlackCommandEvent, title: String) {
    let view = modal::declare(&ctx.policy, &title, &event.user_id, &event.channel_id.0);
    let (trigger, channel, user) = (
        event.trigger_id.clone(),
        event.channel_id.clone(),
        event.user_id.clone(),
    );
    let web = ctx.web.clone();
    ctx.work.spawn(async move {
        if let Err(e) = web.open_view(&trigger, view).await {
            warn!(error = %e, "could not open the declare modal");
            let sorry = SlackMessageContent::new().with_text(format!(
                "I could not open the declare form ({e}). Please run `/incident declare` again."
            ));
            let _ = web.post_ephemeral(&channel, &user, sorry).await;
        }
    });
}

/// The Home tab's button: the same modal, on the press's trigger.
pub fn open_from_home(ctx: &Context, trigger: &SlackTriggerId, user: &UserId) {
    let channel = ctx.policy.incident_channel.to_string();
    let view = modal::declare(&ctx.policy, "", &SlackUserId(user.to_string()), &channel);
    let (web, trigger) = (ctx.web.clone(), trigger.clone());
    ctx.work.spawn(async move {
        if let Err(e) = web.open_view(&trigger, view).await {
            warn!(error = %e, "could not open the declare modal from Home");
        }
    });
}

/// What a declare form says, or the error to show on each bad field.
fn read(form: &Submitted, by: &UserId) -> Result<Declaration, HashMap<String, String>> {
    let mut errors = HashMap::new();
    let mut refuse = |field: &str, why: String| errors.insert(field.to_owned(), why);
    let title = Title::parse(&form.text(fields::TITLE).unwrap_or_default())
        .map_err(|e| refuse(fields::TITLE, e.to_string()))
        .ok();
    let priority = form
        .option(fields::PRIORITY)
        .and_then(|p| p.parse::<Priority>().ok());
    if priority.is_none() {
        refuse(fields::PRIORITY, "Choose a priority.".to_owned());
    }
    let mut person = |field: &str| match form.user(field).map(|u| UserId::parse(&u)) {
        Some(Ok(user)) => Some(user),
        Some(Err(why)) => {
            refuse(field, why.to_string());
            None
        }
        None => None,
    };
    let engineering_lead = person(fields::LEAD);
    let comms_lead = person(fields::COMMS);
    match (title, priority) {
        (Some(title), Some(priority)) if errors.is_empty() => Ok(Declaration {
            title,
            description: form.text(fields::DESCRIPTION).unwrap_or_default(),
            priority,
            cyber: form.checked(fields::CYBER),
            engineering_lead,
            comms_lead,
            declared_by: by.clone(),
        }),
        _ => Err(errors),
    }
}

/// The declare form was submitted: errors on its fields, or the incident
/// stored with everything it announces.
pub async fn submitted(
    ctx: &Context,
    answering: &Answering,
    form: &Submitted,
    by: &UserId,
    from_alert: Option<crate::alerts::AlertGroupId>,
) -> anyhow::Result<Option<SlackViewSubmissionResponse>> {
    let declaration = match read(form, by) {
        Ok(declaration) => declaration,
        Err(errors) => return Ok(Some(modal::errors(errors))),
    };
    // A card and a page each: declaring spends the person's change budget.
    if let Err(slow_down) = ctx.spend(by, Spend::Change) {
        return Ok(Some(modal::error_on(fields::TITLE, &slow_down)));
    }
    let now = ctx.now();
    let (policy, cal) = (&ctx.policy, &ctx.calendar);
    let (mut incident, events) = declare(declaration, IncidentNumber(0), now);
    let mut tx = ctx.write(answering).await?;
    // Read through the transaction: it holds the only write connection,
    // so a read from the pool would wait for itself.
    let live = overrides::live(&mut *tx).await?;
    let number = incidents::insert(&mut tx, &incident).await?;
    incident.number = number;
    incidents::record(&mut tx, number, &events).await?;
    let next = next_deadline(policy, cal, &incident, now);
    outgoing::card(
        &mut tx,
        policy,
        number,
        card::card(policy, &incident, &next, None),
        now,
    )
    .await?;
    let engineers = people_covering(policy, cal, Role::Engineering, now, &live);
    outgoing::reply(
        &mut tx,
        policy,
        number,
        text::paging(&incident, &engineers),
        now,
    )
    .await?;
    if policy.priority(incident.priority).affects_tenants {
        if let Some(page) = page_comms(ctx, &incident, &live, now) {
            outgoing::reply(&mut tx, policy, number, page, now).await?;
        }
    }
    if incident.cyber {
        outgoing::reply(&mut tx, policy, number, text::cyber_guidance(policy), now).await?;
    }
    if let Some(group) = from_alert {
        super::alert::declared_from(&mut tx, ctx, group, number, now).await?;
    }
    plan::incident(&mut tx, policy, cal, &incident, now).await?;
    tx.commit().await?;
    ctx.incident_changed(&incident);
    Ok(None)
}
