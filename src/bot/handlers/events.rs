//! Events API: messages and reactions that join (or leave) an incident's
//! timeline (see `timeline`), and the App Home tab being opened.
//!
//! Every event is acked at once and worked on the context's task tracker.
//! Slack delivers events at least once, so each event id is handled once
//! (`first_delivery`), and events about one message are handled one at a
//! time.

use super::{home, timeline};
use crate::bot::Context;
use crate::store::events;
use slack_morphism::prelude::*;
use std::sync::Arc;
use tracing::{debug, warn};

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

/// Hands the event to the task tracker so the ack goes back immediately.
pub fn received(ctx: &Arc<Context>, callback: SlackPushEventCallback) {
    let ctx_ = ctx.clone();
    ctx.work.spawn(async move {
        let ctx = ctx_;
        // A busy database (another writer mid-transaction) is worth a
        // couple more tries; everything below is safe to repeat.
        for attempt in 1..=ATTEMPTS {
            match handle(&ctx, &callback).await {
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
async fn handle(ctx: &Context, callback: &SlackPushEventCallback) -> anyhow::Result<()> {
    let id = &callback.event_id.0;
    if events::seen(&ctx.db, id).await? {
        debug!(event_id = %id, "redelivered event ignored");
        return Ok(());
    }
    let _one_at_a_time = match subject_ts(&callback.event) {
        Some(ts) => Some(ctx.message_locks.lock(ts).await),
        None => None,
    };
    match callback.event.clone() {
        SlackEventCallbackBody::Message(message) => timeline::message(ctx, message).await?,
        SlackEventCallbackBody::ReactionAdded(reaction) => timeline::pinned(ctx, reaction).await?,
        SlackEventCallbackBody::ReactionRemoved(reaction) => {
            timeline::unpinned(ctx, reaction).await?
        }
        SlackEventCallbackBody::AppHomeOpened(opened) => home::opened(ctx, &opened.user).await,
        other => debug!(?other, "event not used"),
    }
    events::first_delivery(&ctx.db, id, ctx.now()).await?;
    Ok(())
}
