//! Events API: messages and reactions that join (or leave) an incident's
//! timeline, and the App Home tab being opened.
//!
//! Every event is acked at once and worked on `work`. Slack delivers events
//! at least once, so each event id is handled once (`first_delivery`), and a
//! captured message is stored once per incident (keyed by its ts), even if
//! it arrives both as a thread reply and as a 📌.
//!
//! Which incident a message belongs to: a reply in a card's thread belongs
//! to that card's incident. A 📌 on a message outside any card's thread
//! goes to the most recently declared incident that is still open: that is
//! the one people in the channel are most likely talking about, and it
//! needs no extra input from whoever pinned it.

use super::Bot;
use crate::ids::UserId;
use crate::incident::{Event, EventKind};
use crate::store::{events, incidents};
use chrono::{DateTime, TimeZone, Utc};
use slack_morphism::prelude::*;
use std::sync::Arc;
use tracing::{debug, warn};

/// The reaction that marks a message for the timeline.
pub const PIN: &str = "pushpin";

/// Tries at an event's work before it is logged and dropped.
const ATTEMPTS: u32 = 3;
const RETRY_AFTER: std::time::Duration = std::time::Duration::from_millis(50);

/// Events about one message are handled one at a time, so a 📌 taken off
/// (read, then delete) cannot interleave with one put back, or a capture
/// with the message's deletion. Striped: a few locks shared by hash of
/// the message's ts, so nothing needs cleaning up.
pub struct MessageLocks([tokio::sync::Mutex<()>; 16]);

impl Default for MessageLocks {
    fn default() -> Self {
        Self(std::array::from_fn(|_| tokio::sync::Mutex::new(())))
    }
}

impl MessageLocks {
    async fn lock(&self, ts: &str) -> tokio::sync::MutexGuard<'_, ()> {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        ts.hash(&mut hasher);
        let stripe = (hasher.finish() % self.0.len() as u64) as usize;
        self.0[stripe].lock().await
    }
}

/// The ts of the message an event is about, if it is about one.
fn subject_ts(body: &SlackEventCallbackBody) -> Option<&str> {
    match body {
        SlackEventCallbackBody::Message(m) => match m.subtype {
            Some(SlackMessageEventType::MessageChanged) => {
                m.message.as_ref().map(|edited| edited.ts.0.as_str())
            }
            Some(SlackMessageEventType::MessageDeleted) => {
                m.deleted_ts.as_ref().map(|t| t.0.as_str())
            }
            _ => Some(m.origin.ts.0.as_str()),
        },
        SlackEventCallbackBody::ReactionAdded(r) => reacted_ts(&r.item),
        SlackEventCallbackBody::ReactionRemoved(r) => reacted_ts(&r.item),
        _ => None,
    }
}

fn reacted_ts(item: &SlackReactionsItem) -> Option<&str> {
    match item {
        SlackReactionsItem::Message(m) => Some(m.origin.ts.0.as_str()),
        _ => None,
    }
}

/// A Slack ts ("1700000000.000100") as the instant the message was sent.
pub fn ts_instant(ts: &str) -> Option<DateTime<Utc>> {
    let (secs, micros) = ts.split_once('.').unwrap_or((ts, "0"));
    let micros: u32 = format!("{micros:0<6}").get(..6)?.parse().ok()?;
    Utc.timestamp_opt(secs.parse().ok()?, micros * 1_000)
        .single()
}

impl Bot {
    /// Hands the event to `work` so the ack goes back immediately.
    pub(super) fn on_event(self: &Arc<Self>, callback: SlackPushEventCallback) {
        let bot = self.clone();
        self.work.spawn(async move {
            // A busy database (another writer mid-transaction) is worth a
            // couple more tries; everything below is safe to repeat.
            for attempt in 1..=ATTEMPTS {
                match bot.handle_event(&callback).await {
                    Ok(()) => return,
                    Err(e) if attempt < ATTEMPTS => {
                        debug!(
                            attempt,
                            error = format!("{e:#}"),
                            "event failed; trying again"
                        );
                        tokio::time::sleep(RETRY_AFTER * attempt).await;
                    }
                    Err(e) => warn!(error = format!("{e:#}"), "event not handled"),
                }
            }
        });
    }

    /// Does the event's work, then records its id: a redelivery of an
    /// event already handled is skipped, and one whose work failed is done
    /// again. Two deliveries racing both do idempotent work (a captured
    /// message is unique per incident), so nothing is written twice.
    async fn handle_event(&self, callback: &SlackPushEventCallback) -> anyhow::Result<()> {
        let id = &callback.event_id.0;
        if events::seen(&self.db, id).await? {
            debug!(event_id = %id, "redelivered event ignored");
            return Ok(());
        }
        let _one_at_a_time = match subject_ts(&callback.event) {
            Some(ts) => Some(self.message_locks.lock(ts).await),
            None => None,
        };
        match callback.event.clone() {
            SlackEventCallbackBody::Message(message) => self.on_message(message).await?,
            SlackEventCallbackBody::ReactionAdded(reaction) => self.on_reaction(reaction).await?,
            SlackEventCallbackBody::ReactionRemoved(reaction) => self.on_unpin(reaction).await?,
            SlackEventCallbackBody::AppHomeOpened(opened) => {
                self.publish_home(&opened.user).await?
            }
            other => debug!(?other, "event not used"),
        }
        events::first_delivery(&self.db, id, self.clock.now()).await?;
        Ok(())
    }

    fn in_incident_channel(&self, channel: Option<&SlackChannelId>) -> bool {
        channel.is_some_and(|c| c.0 == self.policy.incident_channel.as_str())
    }

    async fn on_message(&self, message: SlackMessageEvent) -> anyhow::Result<()> {
        if !self.in_incident_channel(message.origin.channel.as_ref()) {
            return Ok(());
        }
        match message.subtype {
            None | Some(SlackMessageEventType::ThreadBroadcast) => {}
            Some(SlackMessageEventType::MessageChanged) => {
                if let Some(edited) = message.message {
                    let text = edited.content.and_then(|c| c.text).unwrap_or_default();
                    incidents::edit_captured(&self.db, &edited.ts.0, &text).await?;
                }
                return Ok(());
            }
            Some(SlackMessageEventType::MessageDeleted) => {
                if let Some(ts) = message.deleted_ts {
                    incidents::remove_captured(&self.db, &ts.0).await?;
                }
                return Ok(());
            }
            // Joins, bot messages and the like are not part of the story.
            Some(_) => return Ok(()),
        }
        let Some(number) = self
            .card_reply_incident(&message.origin, message.subtype.as_ref(), &message.sender)
            .await?
        else {
            return Ok(());
        };
        let text = message.content.and_then(|c| c.text).unwrap_or_default();
        self.capture(
            number,
            message.sender.user.as_ref(),
            &message.origin.ts,
            text,
        )
        .await
    }

    /// The incident whose timeline a message joins as a thread reply: a
    /// person's message (not the bot's, which is already there as the
    /// change it announces; not a join or the like) under an incident's
    /// card.
    async fn card_reply_incident(
        &self,
        origin: &SlackMessageOrigin,
        subtype: Option<&SlackMessageEventType>,
        sender: &SlackMessageSender,
    ) -> anyhow::Result<Option<i64>> {
        let from_a_person = sender.bot_id.is_none()
            && matches!(subtype, None | Some(SlackMessageEventType::ThreadBroadcast));
        match origin.thread_ts.as_ref() {
            Some(thread) if from_a_person && *thread != origin.ts => {
                incidents::by_card(&self.db, &thread.0).await
            }
            _ => Ok(None),
        }
    }

    /// The message a 📌 was put on or taken off, read back (the event
    /// carries only its address); None for other reactions, other
    /// channels, and messages since deleted.
    async fn pinned_message(
        &self,
        reaction: &SlackReactionName,
        item: &SlackReactionsItem,
    ) -> anyhow::Result<Option<SlackHistoryMessage>> {
        let SlackReactionsItem::Message(item) = item else {
            return Ok(None);
        };
        let Some(channel) = item.origin.channel.as_ref() else {
            return Ok(None);
        };
        if reaction.0 != PIN || !self.in_incident_channel(Some(channel)) {
            return Ok(None);
        }
        let found = self.web.message(channel, &item.origin.ts).await?;
        if found.is_none() {
            debug!(ts = %item.origin.ts.0, "pinned message not found");
        }
        Ok(found)
    }

    async fn on_reaction(&self, reaction: SlackReactionAddedEvent) -> anyhow::Result<()> {
        let Some(message) = self
            .pinned_message(&reaction.reaction, &reaction.item)
            .await?
        else {
            return Ok(());
        };
        let card = message
            .origin
            .thread_ts
            .clone()
            .unwrap_or_else(|| message.origin.ts.clone());
        let number = match incidents::by_card(&self.db, &card.0).await? {
            Some(number) => number,
            None => match incidents::latest_open(&self.db).await? {
                Some(number) => number,
                None => return Ok(()),
            },
        };
        let author = message.sender.user.as_ref().or(reaction.item_user.as_ref());
        let text = message.content.text.unwrap_or_default();
        self.capture(number, author, &message.origin.ts, text).await
    }

    /// A 📌 taken off: the message leaves the timeline once nobody pins it,
    /// unless it is a reply under a card, which belongs there anyway.
    async fn on_unpin(&self, reaction: SlackReactionRemovedEvent) -> anyhow::Result<()> {
        // A deleted message has gone from the timeline with its deletion.
        let Some(message) = self
            .pinned_message(&reaction.reaction, &reaction.item)
            .await?
        else {
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
        // A person's reply under a card is on the timeline as a reply, pin
        // or no pin.
        let reply = self
            .card_reply_incident(&message.origin, message.subtype.as_ref(), &message.sender)
            .await?;
        if reply.is_some() {
            return Ok(());
        }
        let gone = incidents::remove_captured(&self.db, &message.origin.ts.0).await?;
        debug!(ts = %message.origin.ts.0, gone, "unpinned message left the timeline");
        Ok(())
    }

    /// Stores the message as a timeline row at its own time, once.
    async fn capture(
        &self,
        number: i64,
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
        if incidents::capture(&self.db, number, &ts.0, &event).await? {
            debug!(number, ts = %ts.0, "message joined the timeline");
        }
        Ok(())
    }
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
