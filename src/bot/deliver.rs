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
use serde::{Deserialize, Serialize};
use slack_morphism::prelude::*;
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

const BATCH: i64 = 50;
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

    /// Sends every unsent row; stops at the first one that should be retried.
    async fn deliver_pending(&self, shutdown: &CancellationToken) -> anyhow::Result<()> {
        loop {
            let rows = outbox::unsent::<Outgoing>(&self.db, BATCH).await?;
            if rows.is_empty() {
                return Ok(());
            }
            for row in rows {
                if shutdown.is_cancelled() {
                    return Ok(());
                }
                match self.deliver(&row.item).await {
                    Ok(()) => outbox::mark_sent(&self.db, row.id, self.clock.now(), None).await?,
                    Err(e) if is_permanent(&e) => {
                        warn!(id = row.id, error = %e, "announcement refused by Slack; skipped");
                        outbox::mark_sent(&self.db, row.id, self.clock.now(), Some(&e.to_string()))
                            .await?;
                    }
                    Err(e) => {
                        outbox::mark_attempt(&self.db, row.id).await?;
                        return Err(e.into());
                    }
                }
            }
        }
    }

    async fn deliver(&self, item: &Outgoing) -> Result<(), WebError> {
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
