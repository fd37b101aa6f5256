//! The bot: turns envelopes into commands and commands into effects. Acks are
//! computed here and must be quick; slow work is spawned onto `work`, which
//! shutdown waits for. Announcements go through the outbox (`deliver`).

mod commands;
pub mod deliver;
pub mod events;
mod home;
mod incidents;
mod interactions;
mod oncall;
mod once;
mod reply;
pub mod scheduler;
pub mod topics;

use crate::calendar::Calendar;
use crate::clock::Clock;
use crate::metrics::Metrics;
use crate::policy::Policy;
use crate::slack::{Envelope, EnvelopeHandler, Inbound, SlackWeb};
use crate::store::events as handled;
use serde_json::Value;
use sqlx::{Sqlite, SqlitePool, Transaction};
use std::sync::Arc;
use tokio_util::task::TaskTracker;
use tracing::{info, warn};

pub use reply::ephemeral;

/// Everything a handler may touch.
pub struct Bot {
    pub policy: Arc<Policy>,
    pub calendar: Calendar,
    pub db: SqlitePool,
    /// Read-only connections for reads an ack waits on; see `store::open_reads`.
    pub reads: SqlitePool,
    pub web: SlackWeb,
    pub clock: Arc<dyn Clock>,
    pub metrics: Arc<Metrics>,
    /// Work that outlives an ack (opening modals, posting).
    pub work: TaskTracker,
    pub delivery: deliver::Delivery,
    pub topics: topics::Topics,
    pub scheduler: scheduler::Scheduler,
    /// Envelopes being handled, so a redelivery is not handled twice.
    envelopes: once::InHand,
    /// Events about the same message are handled one at a time.
    message_locks: events::MessageLocks,
}

impl Bot {
    pub fn new(
        policy: Policy,
        db: SqlitePool,
        reads: SqlitePool,
        web: SlackWeb,
        clock: Arc<dyn Clock>,
        metrics: Arc<Metrics>,
    ) -> Bot {
        Bot {
            calendar: policy.calendar(),
            policy: Arc::new(policy),
            db,
            reads,
            web,
            clock,
            metrics,
            work: TaskTracker::new(),
            delivery: Default::default(),
            topics: Default::default(),
            scheduler: Default::default(),
            envelopes: Default::default(),
            message_locks: Default::default(),
        }
    }

    /// Begins a write transaction for a change. When the change is the
    /// answer to an envelope, the envelope is recorded as handled in the
    /// same transaction: both or neither survive a crash.
    pub(super) async fn write(&self) -> anyhow::Result<Transaction<'static, Sqlite>> {
        let envelope = once::answering_now();
        handled::write_answering(&self.db, envelope.as_deref(), self.clock.now()).await
    }
}

/// What the Socket Mode loop hands envelopes to; owns a handle on the bot
/// so that work can be spawned past the ack.
pub struct Dispatch(pub Arc<Bot>);

#[async_trait::async_trait]
impl EnvelopeHandler for Dispatch {
    async fn handle(&self, envelope: Envelope) -> Option<Value> {
        let bot = &self.0;
        let id = envelope.id.clone();
        if !bot.envelopes.begin(&id) {
            info!("envelope redelivered while still being handled; acking only");
            return None;
        }
        // Only a redelivery can have been handled before: first deliveries
        // skip the lookup, keeping it off the usual ack path.
        if envelope.retry_attempt > 0 && handled::seen(&bot.reads, &id).await.unwrap_or(false) {
            bot.envelopes.end(&id);
            info!("envelope redelivered after it was handled; acking only");
            return None;
        }
        let answer = once::answering(id.clone(), self.answer(envelope)).await;
        let recorder = bot.clone();
        bot.work.spawn(async move {
            let now = recorder.clock.now();
            if let Err(e) = handled::first_delivery(&recorder.db, &id, now).await {
                warn!(
                    error = format!("{e:#}"),
                    "could not record a handled envelope"
                );
            }
            recorder.envelopes.end(&id);
        });
        answer
    }
}

impl Dispatch {
    async fn answer(&self, envelope: Envelope) -> Option<Value> {
        match envelope.inbound {
            // An empty answer (the declare modal is on its way) is a bare ack.
            Inbound::Command(command) => {
                Some(self.0.on_command(*command).await).filter(|v| !v.is_null())
            }
            Inbound::Interaction(interaction) => self.0.on_interaction(*interaction).await,
            // Events are acked bare; their work runs after the ack.
            Inbound::Event(callback) => {
                self.0.on_event(*callback);
                None
            }
        }
    }
}
