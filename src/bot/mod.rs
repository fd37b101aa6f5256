//! The bot: turns envelopes into commands and commands into effects. Acks are
//! computed here and must be quick; slow work is spawned onto `work`, which
//! shutdown waits for.

mod commands;
mod reply;

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
    pub db: SqlitePool,
    pub web: SlackWeb,
    pub clock: Arc<dyn Clock>,
    pub metrics: Arc<Metrics>,
    /// Work that outlives an ack (posting, updating cards).
    pub work: TaskTracker,
}

#[async_trait::async_trait]
impl EnvelopeHandler for Bot {
    async fn handle(&self, envelope: Envelope) -> Option<Value> {
        match envelope.inbound {
            Inbound::Command(command) => Some(self.on_command(*command).await),
            Inbound::Interaction(_) | Inbound::Event(_) => None,
        }
    }
}
