//! Messages that join (or leave) an incident's timeline.
//!
//! Which incident a message belongs to: a reply in a card's thread belongs
//! to that card's incident. A 📌 on a message outside any card's thread
//! goes to the most recently declared incident that is still open: that is
//! the one people in the channel are most likely talking about, and it
//! needs no extra input from whoever pinned it. A captured message is
//! stored once per incident (keyed by its ts), even if it arrives both as a
//! thread reply and as a 📌.
//!
//! Message text comes from Slack encoded (events and history alike) and is
//! stored decoded, as the person typed it (SPEC §2.6).

use crate::bot::Context;
use crate::ids::{IncidentNumber, UserId};
use crate::incident::{Event, EventKind};
use crate::mrkdwn::Encoded;
use crate::store::incidents;
use chrono::{DateTime, TimeZone, Utc};
use slack_morphism::prelude::*;
use tracing::{debug, warn};

/// The reaction that marks a message for the timeline.
pub const PIN: &str = "pushpin";

/// A Slack ts ("1700000000.000100") as the instant the message was sent.
pub fn ts_instant(ts: &str) -> Option<DateTime<Utc>> {
    let (secs, micros) = ts.split_once('.').unwrap_or((ts, "0"));
    let micros: u32 = format!("{micros:0<6}").get(..6)?.parse().ok()?;
    Utc.timestamp_opt(secs.parse().ok()?, micros * 1_000)
        .single()
}

fn in_incident_channel(ctx: &Context, channel: Option<&SlackChannelId>) -> bool {
    channel.is_some_and(|c| c.0 == ctx.policy.incident_channel.as_str())
}

/// A message posted, edited or deleted in the incident channel.
pub async fn message(ctx: &Context, message: SlackMessageEvent) -> anyhow::Result<()> {
    if !in_incident_channel(ctx, message.origin.channel.as_ref()) {
        return Ok(());
    }
    match message.subtype {
        None | Some(SlackMessageEventType::ThreadBroadcast) => {}
        Some(SlackMessageEventType::MessageChanged) => {
            if let Some(edited) = message.message {
                let text = edited.content.and_then(|c| c.text).unwrap_or_default();
                let text = Encoded::new(&text).decode();
                incidents::edit_captured(&ctx.db, &edited.ts.0, &text).await?;
            }
            return Ok(());
        }
        Some(SlackMessageEventType::MessageDeleted) => {
            if let Some(ts) = message.deleted_ts {
                incidents::remove_captured(&ctx.db, &ts.0).await?;
            }
            return Ok(());
        }
        // Joins, bot messages and the like are not part of the story.
        Some(_) => return Ok(()),
    }
    let Some(number) = card_reply_incident(
        ctx,
        &message.origin,
        message.subtype.as_ref(),
        &message.sender,
    )
    .await?
    else {
        return Ok(());
    };
    let text = Encoded::new(&message.content.and_then(|c| c.text).unwrap_or_default()).decode();
    capture(
        ctx,
        number,
        message.sender.user.as_ref(),
        &message.origin.ts,
        text,
    )
    .await
}

/// The incident whose timeline a message joins as a thread reply: a
/// person's message (not the bot's, which is already there as the change it
/// announces; not a join or the like) under an incident's card.
async fn card_reply_incident(
    ctx: &Context,
    origin: &SlackMessageOrigin,
    subtype: Option<&SlackMessageEventType>,
    sender: &SlackMessageSender,
) -> anyhow::Result<Option<IncidentNumber>> {
    let from_a_person = sender.bot_id.is_none()
        && matches!(subtype, None | Some(SlackMessageEventType::ThreadBroadcast));
    match origin.thread_ts.as_ref() {
        Some(thread) if from_a_person && *thread != origin.ts => {
            incidents::by_card(&ctx.db, &thread.0).await
        }
        _ => Ok(None),
    }
}

/// The message a 📌 was put on or taken off, read back (the event carries
/// only its address); None for other reactions, other channels, and
/// messages since deleted.
async fn pinned_message(
    ctx: &Context,
    reaction: &SlackReactionName,
    item: &SlackReactionsItem,
) -> anyhow::Result<Option<SlackHistoryMessage>> {
    let SlackReactionsItem::Message(item) = item else {
        return Ok(None);
    };
    let Some(channel) = item.origin.channel.as_ref() else {
        return Ok(None);
    };
    if reaction.0 != PIN || !in_incident_channel(ctx, Some(channel)) {
        return Ok(None);
    }
    let found = ctx.web.message(channel, &item.origin.ts).await?;
    if found.is_none() {
        debug!(ts = %item.origin.ts.0, "pinned message not found");
    }
    Ok(found)
}

/// A 📌 put on a message: it joins its card's incident, or the latest open.
pub async fn pinned(ctx: &Context, reaction: SlackReactionAddedEvent) -> anyhow::Result<()> {
    let Some(message) = pinned_message(ctx, &reaction.reaction, &reaction.item).await? else {
        return Ok(());
    };
    let card = message
        .origin
        .thread_ts
        .clone()
        .unwrap_or_else(|| message.origin.ts.clone());
    let number = match incidents::by_card(&ctx.db, &card.0).await? {
        Some(number) => number,
        None => match incidents::latest_open(&ctx.db).await? {
            Some(number) => number,
            None => return Ok(()),
        },
    };
    let author = message.sender.user.as_ref().or(reaction.item_user.as_ref());
    let text = Encoded::new(&message.content.text.unwrap_or_default()).decode();
    capture(ctx, number, author, &message.origin.ts, text).await
}

/// A 📌 taken off: the message leaves the timeline once nobody pins it,
/// unless it is a reply under a card, which belongs there anyway.
pub async fn unpinned(ctx: &Context, reaction: SlackReactionRemovedEvent) -> anyhow::Result<()> {
    // A deleted message has gone from the timeline with its deletion.
    let Some(message) = pinned_message(ctx, &reaction.reaction, &reaction.item).await? else {
        return Ok(());
    };
    let still_pinned = message
        .content
        .reactions
        .iter()
        .flatten()
        .any(|r| r.name.0 == PIN && r.count > 0);
    if still_pinned {
        return Ok(());
    }
    // A person's reply under a card is on the timeline as a reply, pin or
    // no pin.
    let reply = card_reply_incident(
        ctx,
        &message.origin,
        message.subtype.as_ref(),
        &message.sender,
    )
    .await?;
    if reply.is_some() {
        return Ok(());
    }
    let gone = incidents::remove_captured(&ctx.db, &message.origin.ts.0).await?;
    debug!(ts = %message.origin.ts.0, gone, "unpinned message left the timeline");
    Ok(())
}

/// Stores the message as a timeline row at its own time, once.
async fn capture(
    ctx: &Context,
    number: IncidentNumber,
    author: Option<&SlackUserId>,
    ts: &SlackTs,
    text: String,
) -> anyhow::Result<()> {
    let Some(author) = author.and_then(|u| UserId::parse(&u.0).ok()) else {
        return Ok(());
    };
    let Some(at) = ts_instant(&ts.0) else {
        warn!(ts = %ts.0, "message ts is not a time");
        return Ok(());
    };
    let event = Event::new(&author, EventKind::Message, at).with_text(Some(text));
    if incidents::capture(&ctx.db, number, &ts.0, &event).await? {
        debug!(number = number.0, ts = %ts.0, "message joined the timeline");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ts_is_the_instant_it_names() {
        let at = ts_instant("1795430400.000200").unwrap();
        assert_eq!(at.timestamp(), 1_795_430_400);
        assert_eq!(at.timestamp_subsec_micros(), 200);
        assert!(ts_instant("soon").is_none());
    }
}
