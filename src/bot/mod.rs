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
mod reply;
pub mod scheduler;
pub mod topics;

use crate::calendar::Calendar;
use crate::clock::Clock;
use crate::metrics::Metrics;
use crate::policy::Policy;
use crate::slack::{Envelope, EnvelopeHandler, Inbound, SlackWeb};
use serde_json::Value;
use sqlx::SqlitePool;
use std::sync::Arc;
use tokio_util::task::TaskTracker;

pub use reply::ephemeral;

/// Everything a handler may touch.
pub struct Bot {
    pub policy: Arc<Policy>,
    pub calendar: Calendar,
    pub db: SqlitePool,
    pub web: SlackWeb,
    pub clock: Arc<dyn Clock>,
    pub metrics: Arc<Metrics>,
    /// Work that outlives an ack (opening modals, posting).
    pub work: TaskTracker,
    pub delivery: deliver::Delivery,
    pub topics: topics::Topics,
    pub scheduler: scheduler::Scheduler,
}

impl Bot {
    pub fn new(
        policy: Policy,
        db: SqlitePool,
        web: SlackWeb,
        clock: Arc<dyn Clock>,
        metrics: Arc<Metrics>,
    ) -> Bot {
        Bot {
            calendar: policy.calendar(),
            policy: Arc::new(policy),
            db,
            web,
            clock,
            metrics,
            work: TaskTracker::new(),
            delivery: Default::default(),
            topics: Default::default(),
            scheduler: Default::default(),
        }
    }
}

/// What the Socket Mode loop hands envelopes to; owns a handle on the bot
/// so that work can be spawned past the ack.
pub struct Dispatch(pub Arc<Bot>);

#[async_trait::async_trait]
impl EnvelopeHandler for Dispatch {
    async fn handle(&self, envelope: Envelope) -> Option<Value> {
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
