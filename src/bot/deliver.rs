//! Delivers what the outbox owes Slack, in the order it was written.
//!
//! Handlers commit a change and its announcements in one transaction, then
//! poke `Delivery`. Rows are sent one at a time so a thread reply never
//! overtakes the card it hangs under. A row Slack refuses for good (archived
//! or missing channel) is marked failed and skipped, so one bad channel
//! cannot block every later announcement; anything else is retried.

use super::Bot;
use crate::ids::{ChannelId, UserId};
use crate::slack::WebError;
use crate::store::outbox;
use futures::stream::{self, StreamExt};
use serde::{Deserialize, Serialize};
use slack_morphism::prelude::*;
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};

/// One announcement, as stored in the outbox.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Outgoing {
    /// A message; `card_of` marks an incident's card, whose ts is kept.
    Post {
        channel: ChannelId,
        content: SlackMessageContent,
        thread: Option<Thread>,
        card_of: Option<i64>,
    },
    /// Re-render an incident's card from the stored state (`chat.update`).
    RefreshCard { incident: i64 },
    /// A direct message from the bot.
    Dm {
        user: UserId,
        content: SlackMessageContent,
    },
}

/// Where a reply goes: a known message, or an incident card whose ts is only
/// known once the card has been delivered.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Thread {
    Ts(String),
    Card(i64),
}

/// Which rows must be delivered in the order they were written.
fn order_key(item: &Outgoing) -> String {
    match item {
        Outgoing::Post {
            card_of: Some(n), ..
        }
        | Outgoing::Post {
            thread: Some(Thread::Card(n)),
            ..
        }
        | Outgoing::RefreshCard { incident: n } => format!("card:{n}"),
        Outgoing::Post {
            channel,
            thread: Some(Thread::Ts(ts)),
            ..
        } => format!("thread:{channel}:{ts}"),
        Outgoing::Post { channel, .. } => format!("channel:{channel}"),
        Outgoing::Dm { user, .. } => format!("dm:{user}"),
    }
}

/// Wakes the delivery loop after a commit.
#[derive(Default)]
pub struct Delivery {
    wake: Notify,
}

impl Delivery {
    pub fn poke(&self) {
        self.wake.notify_one();
    }
}

/// Slack errors that retrying cannot fix.
fn is_permanent(error: &WebError) -> bool {
    matches!(
        error.code(),
        Some(
            "channel_not_found"
                | "is_archived"
                | "invalid_blocks"
                | "msg_too_long"
                | "user_not_found"
                | "cannot_dm_bot"
                | "message_not_found"
                | "cant_update_message"
        )
    )
}

const BATCH: i64 = 200;
/// How far back a card interrupted by a crash is looked for.
const CARD_LOOKBACK: u16 = 200;
/// Sequences delivered side by side.
const IN_FLIGHT: usize = 8;
const IDLE_CHECK: Duration = Duration::from_secs(5);
const FINAL_FLUSH: Duration = Duration::from_secs(5);

impl Bot {
    /// Runs until shutdown; what is unsent then goes out on the next start.
    pub async fn run_delivery(&self, shutdown: CancellationToken) {
        let mut backoff = Duration::from_millis(200);
        loop {
            match self.deliver_pending(&shutdown).await {
                Ok(()) => backoff = Duration::from_millis(200),
                Err(e) => {
                    warn!(error = %e, "delivery stalled; will retry");
                    tokio::select! {
                        _ = shutdown.cancelled() => break,
                        _ = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(30));
                    continue;
                }
            }
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = self.delivery.wake.notified() => {}
                _ = tokio::time::sleep(IDLE_CHECK) => {}
            }
        }
        // One last pass for what the final commands queued; whatever Slack
        // does not take in time stays queued for the next start.
        let _ = tokio::time::timeout(FINAL_FLUSH, self.deliver_pending(&CancellationToken::new()))
            .await;
    }

    /// Sends every unsent row. Rows that must stay in order (a card, its
    /// thread replies and refreshes; a channel's top-level posts; one
    /// person's DMs) go one after another; different threads go side by
    /// side, so a thousand reminders in a thousand threads do not queue
    /// behind each other. Stops at the first row that should be retried;
    /// the next pass starts again from it.
    async fn deliver_pending(&self, shutdown: &CancellationToken) -> anyhow::Result<()> {
        loop {
            if shutdown.is_cancelled() {
                return Ok(());
            }
            let rows = outbox::unsent::<Outgoing>(&self.db, BATCH).await?;
            if rows.is_empty() {
                return Ok(());
            }
            let mut groups: Vec<Vec<outbox::Pending<Outgoing>>> = Vec::new();
            let mut by_key: HashMap<String, usize> = HashMap::new();
            for row in rows {
                let slot = *by_key.entry(order_key(&row.item)).or_insert_with(|| {
                    groups.push(Vec::new());
                    groups.len() - 1
                });
                groups[slot].push(row);
            }
            let results: Vec<anyhow::Result<()>> = stream::iter(groups)
                .map(|group| self.deliver_in_order(group, shutdown))
                .buffer_unordered(IN_FLIGHT)
                .collect()
                .await;
            if let Some(e) = results.into_iter().find_map(Result::err) {
                return Err(e);
            }
        }
    }

    async fn deliver_in_order(
        &self,
        group: Vec<outbox::Pending<Outgoing>>,
        shutdown: &CancellationToken,
    ) -> anyhow::Result<()> {
        for row in group {
            if shutdown.is_cancelled() {
                return Ok(());
            }
            let is_card = matches!(
                row.item,
                Outgoing::Post {
                    card_of: Some(_),
                    ..
                }
            );
            if is_card {
                // Recorded before posting: if the bot dies between the post
                // and `mark_sent`, the next attempt knows to look first.
                outbox::mark_attempt(&self.db, row.id).await?;
            }
            match self.deliver(&row.item, row.attempts > 0).await {
                Ok(()) => outbox::mark_sent(&self.db, row.id, self.clock.now(), None).await?,
                Err(e) if is_permanent(&e) => {
                    warn!(id = row.id, error = %e, "announcement refused by Slack; skipped");
                    outbox::mark_sent(&self.db, row.id, self.clock.now(), Some(&e.to_string()))
                        .await?;
                }
                Err(e) => {
                    if !is_card {
                        outbox::mark_attempt(&self.db, row.id).await?;
                    }
                    return Err(e.into());
                }
            }
        }
        Ok(())
    }

    /// A card the bot already posted for incident `number`, found by its
    /// fallback text (`INC-N: …`) among the channel's newest messages.
    async fn find_card(
        &self,
        channel: &SlackChannelId,
        number: i64,
    ) -> Result<Option<SlackTs>, WebError> {
        let prefix = format!("INC-{number}: ");
        let recent = self.web.recent(channel, CARD_LOOKBACK).await?;
        Ok(recent
            .into_iter()
            .find(|m| {
                m.sender.bot_id.is_some()
                    && m.content
                        .text
                        .as_deref()
                        .is_some_and(|t| t.starts_with(&prefix))
            })
            .map(|m| m.origin.ts))
    }

    /// Sends one row. `tried_before` means an earlier attempt may have
    /// reached Slack, so a card is looked for before it is posted again.
    async fn deliver(&self, item: &Outgoing, tried_before: bool) -> Result<(), WebError> {
        match item {
            Outgoing::Post {
                channel,
                content,
                thread,
                card_of,
            } => {
                let thread_ts = match thread {
                    None => None,
                    Some(Thread::Ts(ts)) => Some(SlackTs(ts.clone())),
                    Some(Thread::Card(number)) => self.card_ts(*number).await,
                };
                let channel = SlackChannelId(channel.to_string());
                if let Some(number) = card_of {
                    if self.card_ts(*number).await.is_some() {
                        return Ok(()); // posted and remembered before a crash
                    }
                    if tried_before {
                        if let Some(ts) = self.find_card(&channel, *number).await? {
                            self.remember_card(*number, &channel, &ts).await;
                            return Ok(());
                        }
                    }
                }
                let ts = self.web.post(&channel, content.clone(), thread_ts).await?;
                if let Some(number) = card_of {
                    self.remember_card(*number, &channel, &ts).await;
                }
                debug!(channel = %channel, ts = %ts, "posted");
                Ok(())
            }
            Outgoing::RefreshCard { incident } => self.refresh_card(*incident).await,
            Outgoing::Dm { user, content } => {
                let channel = SlackChannelId(user.to_string());
                self.web
                    .post(&channel, content.clone(), None)
                    .await
                    .map(|_| ())
            }
        }
    }
}
