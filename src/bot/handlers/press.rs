//! Buttons and menus on cards, reminders and the Home tab, read into a
//! typed [`Press`]. A press's change is committed before its (bare) ack,
//! with the envelope (see `answering`), so a press Slack was told of is
//! never lost and a redelivered one is not applied twice; opening a modal
//! and telling the person of a refusal are Web API calls, made after.

use super::{alert, change, cover, cover_ask, cover_request, declare, home, publish, update};
use crate::bot::reply::Apology;
use crate::bot::{Answering, Context};
use crate::ids::{IncidentNumber, UserId};
use crate::incident::Action;
use crate::slack::blocks::press::Press;
use slack_morphism::prelude::*;
use std::sync::Arc;
use tracing::warn;

pub async fn pressed(
    ctx: &Arc<Context>,
    answering: &Answering,
    event: &SlackInteractionBlockActionsEvent,
) {
    let Some(user) = event
        .user
        .as_ref()
        .and_then(|u| UserId::parse(&u.id.0).ok())
    else {
        return;
    };
    for action in event.actions.iter().flatten() {
        let value = action
            .selected_option
            .as_ref()
            .map(|o| o.value.as_str())
            .or(action.value.as_deref())
            .unwrap_or_default();
        let Some(press) = Press::parse(&action.action_id.0, value) else {
            continue;
        };
        let (number, step) = match press {
            // Forms open first: the trigger is good for 3 s.
            Press::DeclareFromHome => {
                declare::open_from_home(ctx, &event.trigger_id, &user);
                continue;
            }
            Press::PostUpdate(number) => {
                let (ctx, event, user) = (ctx.clone(), event.clone(), user.clone());
                ctx.clone().work.spawn(async move {
                    if let Err(why) = update::open(&ctx, &event.trigger_id, number).await {
                        tell(&ctx, &event, &user, why).await;
                    }
                });
                continue;
            }
            Press::Publish(number) | Press::PublishResolve(number) => {
                let resolve = matches!(press, Press::PublishResolve(_));
                let (ctx, event, user) = (ctx.clone(), event.clone(), user.clone());
                ctx.clone().work.spawn(async move {
                    let trigger = &event.trigger_id;
                    if let Err(why) = publish::open(&ctx, trigger, number, &user, resolve).await {
                        tell(&ctx, &event, &user, why).await;
                    }
                });
                continue;
            }
            Press::AcknowledgeAlert(id) => {
                let said = match alert::acknowledge(ctx, answering, id, &user).await {
                    Ok(said) => said,
                    Err(e) => Some(Apology::for_error(&e, "a button press").to_string()),
                };
                if let Some(said) = said {
                    let (ctx, event, user) = (ctx.clone(), event.clone(), user.clone());
                    ctx.clone()
                        .work
                        .spawn(async move { tell(&ctx, &event, &user, said).await });
                }
                continue;
            }
            Press::DeclareFromAlert(id) => {
                let (ctx, event, user) = (ctx.clone(), event.clone(), user.clone());
                ctx.clone().work.spawn(async move {
                    if let Err(why) = alert::open_declare(&ctx, &event.trigger_id, id, &user).await
                    {
                        tell(&ctx, &event, &user, why).await;
                    }
                });
                continue;
            }
            Press::Acknowledge(n) => (n, Action::Acknowledge),
            Press::TakeLead(n) => (n, Action::TakeLead),
            Press::TakeComms(n) => (n, Action::TakeComms),
            Press::NotIncident(n) => (n, Action::NotIncident(None)),
            Press::Resolve(n) => (n, Action::Resolve(None)),
            Press::FlagCyber(n) => (n, Action::FlagCyber),
            Press::Reopen(n) => (n, Action::Reopen),
            Press::UndoOverride(id) => {
                // Told either way: the DM it was pressed in stays as it was.
                let said = match cover::cancel(ctx, answering, id, &user).await {
                    Ok(Ok(done)) => done,
                    Ok(Err(refusal)) => refusal.to_string(),
                    Err(e) => Apology::for_error(&e, "a button press").to_string(),
                };
                let (ctx, event, user) = (ctx.clone(), event.clone(), user.clone());
                ctx.clone()
                    .work
                    .spawn(async move { tell(&ctx, &event, &user, said).await });
                continue;
            }
            Press::TakeCover(id) => {
                let said = cover_request::take(ctx, answering, id, &user)
                    .await
                    .unwrap_or_else(|e| Apology::for_error(&e, "a button press").to_string());
                let (ctx, event, user) = (ctx.clone(), event.clone(), user.clone());
                ctx.clone().work.spawn(async move {
                    tell(&ctx, &event, &user, said).await;
                    // Pressed on the Home tab: it shows the request taken.
                    if event.channel.is_none() {
                        home::opened(&ctx, &SlackUserId(user.to_string())).await;
                    }
                });
                continue;
            }
            Press::AskCoverFromHome => {
                cover_ask::open(ctx, &event.trigger_id, &user);
                continue;
            }
            Press::Prioritise(n, priority) => (
                n,
                Action::Prioritise {
                    priority,
                    reason: None,
                },
            ),
        };
        if let Some(why) = change_by_press(ctx, answering, number, &user, step).await {
            let (ctx, event, user) = (ctx.clone(), event.clone(), user.clone());
            ctx.clone()
                .work
                .spawn(async move { tell(&ctx, &event, &user, why).await });
        }
    }
}

/// Makes the change; what to tell the person if it was not made.
async fn change_by_press(
    ctx: &Context,
    answering: &Answering,
    number: IncidentNumber,
    user: &UserId,
    step: Action,
) -> Option<String> {
    match change::apply(ctx, answering, number, user, step).await {
        Ok(Ok(_)) => None,
        Ok(Err(refusal)) => Some(refusal.to_string()),
        Err(e) => Some(Apology::for_error(&e, "a button press").to_string()),
    }
}

/// An ephemeral note to the person who pressed, where they pressed.
async fn tell(
    ctx: &Context,
    event: &SlackInteractionBlockActionsEvent,
    user: &UserId,
    what: String,
) {
    let channel = event
        .channel
        .as_ref()
        .map(|c| c.id.clone())
        .unwrap_or_else(|| SlackChannelId(ctx.policy.incident_channel.to_string()));
    let content = SlackMessageContent::new().with_text(what);
    if let Err(e) = ctx
        .web
        .post_ephemeral(&channel, &SlackUserId(user.to_string()), content)
        .await
    {
        warn!(error = %e, "could not tell the person why");
    }
}
