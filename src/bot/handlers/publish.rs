//! Publishing to the status page (SPEC §5): the modal, opened from the
//! card's *Publish to status page*, a reminder's button, the *Resolve on
//! the status page too* post or `/incident publish INC-N`, and its
//! submission, which stores the intent for the publish loop
//! (`loops::publish`) to send. Only a submitted modal ever publishes.

use crate::bot::reply::Reply;
use crate::bot::{Answering, Context};
use crate::ids::{IncidentNumber, UserId};
use crate::incident::Incident;
use crate::policy::statuspage::StatuspageSettings;
use crate::refusal::Refusal;
use crate::slack::blocks::modal::{self, Submitted};
use crate::slack::blocks::publish::{self, fields};
use crate::statuspage::{rules, Marker, PublicStatus};
use crate::store::{incidents, public};
use crate::views::labels::priority_label;
use crate::views::statuspage as says;
use slack_morphism::prelude::*;

/// Whether `who` may publish `incident` at all; the reason if not.
fn allowed(
    ctx: &Context,
    settings: &StatuspageSettings,
    incident: &Incident,
    who: &UserId,
) -> Result<(), String> {
    if !settings.publishes(incident.priority) {
        let label = priority_label(&ctx.policy, incident.priority);
        return Err(says::not_published(incident.number, &label));
    }
    rules::may_publish(&ctx.policy, settings, incident, who)
        .map_err(|who| says::not_a_publisher(incident.number, &who))
}

/// Opens the modal on `trigger`, or says why not (for `tell`).
pub async fn open(
    ctx: &Context,
    trigger: &SlackTriggerId,
    number: IncidentNumber,
    who: &UserId,
    resolve: bool,
) -> Result<(), String> {
    let view = prepare(ctx, number, who, resolve).await?;
    ctx.web.open_view(trigger, view).await.map_err(|e| {
        format!(
            "I could not open the publish form ({e}). `/incident publish {number}` opens it too."
        )
    })
}

/// `/incident publish INC-N`: a refusal is the command's reply; the modal
/// opens after the ack, on the command's trigger.
pub async fn open_for_command(
    ctx: &Context,
    event: &SlackCommandEvent,
    number: IncidentNumber,
    who: &UserId,
) -> Reply {
    let view = match prepare(ctx, number, who, false).await {
        Ok(view) => view,
        Err(why) => return why.into(),
    };
    let (web, trigger, channel, user) = (
        ctx.web.clone(),
        event.trigger_id.clone(),
        event.channel_id.clone(),
        event.user_id.clone(),
    );
    ctx.work.spawn(async move {
        if let Err(e) = web.open_view(&trigger, view).await {
            let sorry = SlackMessageContent::new().with_text(format!(
                "I could not open the publish form ({e}). Please run `/incident publish {number}` again."
            ));
            let _ = web.post_ephemeral(&channel, &user, sorry).await;
        }
    });
    Reply::Bare
}

/// The modal for `who` to publish `number`, or why they may not.
async fn prepare(
    ctx: &Context,
    number: IncidentNumber,
    who: &UserId,
    resolve: bool,
) -> Result<SlackView, String> {
    let Some(settings) = &ctx.policy.statuspage else {
        return Err(says::NO_STATUS_PAGE.to_owned());
    };
    let sorry = |e: anyhow::Error| format!("I could not read {number} ({e:#}); please try again.");
    let incident = incidents::get(&ctx.db, number)
        .await
        .map_err(sorry)?
        .ok_or_else(|| Refusal::NoSuchIncident(number).to_string())?;
    allowed(ctx, settings, &incident, who)?;
    let public = public::get(&ctx.db, number).await.map_err(sorry)?;
    if public
        .as_ref()
        .is_some_and(|p| p.status == PublicStatus::Resolved)
    {
        return Err(says::already_resolved(number));
    }
    Ok(publish::modal(
        settings,
        &incident,
        public.as_ref(),
        resolve && public.is_some(),
    ))
}

/// The modal was submitted: checked again (the form may be old), then
/// stored as an intent and handed to the publish loop.
pub async fn submitted(
    ctx: &Context,
    answering: &Answering,
    view: &SlackModalView,
    form: &Submitted,
    by: &UserId,
) -> anyhow::Result<Option<SlackViewSubmissionResponse>> {
    let error = |why: String| Ok(Some(modal::error_on(fields::MESSAGE, &why)));
    let (Some(settings), Some((number, resolve))) = (&ctx.policy.statuspage, publish::target(view))
    else {
        return error(says::NO_STATUS_PAGE.to_owned());
    };
    let Some(incident) = incidents::get(&ctx.db, number).await? else {
        return error(Refusal::NoSuchIncident(number).to_string());
    };
    if let Err(why) = allowed(ctx, settings, &incident, by) {
        return error(why);
    }
    let public = public::get(&ctx.db, number).await?;
    let publication = match publish::read(settings, &incident, public.as_ref(), resolve, form) {
        Ok(p) => p,
        Err(errors) => return Ok(Some(modal::errors(errors))),
    };
    let marker = Marker::new(number);
    let mut tx = ctx.write(answering).await?;
    public::intend(&mut tx, &marker, by, &publication, ctx.now()).await?;
    tx.commit().await?;
    ctx.wake.publish.notify_one();
    Ok(None)
}
