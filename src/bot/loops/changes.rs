//! Hearing other replicas' commits (SPEC §4, PostgreSQL only). Any replica
//! may take a command, so the one that changed an incident or override is
//! not always the one asked next, nor the lease holder that must deliver
//! the card or fire the new reminder. A trigger on each table that matters
//! (`migrations/postgres/0010_notify_changes.sql`) notifies channel
//! [`CHANNEL`] with the table's name when a change commits; this loop, run
//! on every replica, listens, reloads what the acks read, and wakes the
//! loop with new work. Notices from one commit arrive together and are
//! acted on once.
//!
//! A notice can be missed while the listening connection is down, so on
//! every (re)connection everything is reloaded and every loop woken. With
//! SQLite there is one process, and this loop does not run.

use crate::bot::Context;
use sqlx::postgres::PgListener;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};

/// The channel the triggers notify.
pub const CHANNEL: &str = "paas_incident_bot";

/// How long to wait before listening again after the server refused.
const RETRY: Duration = Duration::from_secs(1);

/// What a notice says changed, by the table that did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Changed {
    Incidents,
    Overrides,
    Outbox,
    Reminders,
    PublicUpdates,
}

impl Changed {
    /// Every kind, for when notices may have been missed.
    pub const ALL: [Changed; 5] = [
        Changed::Incidents,
        Changed::Overrides,
        Changed::Outbox,
        Changed::Reminders,
        Changed::PublicUpdates,
    ];

    /// The kind a notice's payload (a table name) names; `None` for a
    /// table this build does not listen for.
    pub fn from_table(table: &str) -> Option<Changed> {
        Some(match table {
            "incidents" => Changed::Incidents,
            "overrides" => Changed::Overrides,
            "outbox" => Changed::Outbox,
            "reminders" => Changed::Reminders,
            "public_updates" => Changed::PublicUpdates,
            _ => return None,
        })
    }
}

/// Listens for other replicas' commits and acts on them.
pub struct Changes {
    /// The PostgreSQL URL; a secret (its password), never logged.
    url: String,
    context: Arc<Context>,
}

impl Changes {
    pub fn new(url: String, context: Arc<Context>) -> Changes {
        Changes { url, context }
    }

    /// Runs until `shutdown`.
    pub async fn run(self, shutdown: CancellationToken) {
        let mut listening: Option<PgListener> = None;
        loop {
            let Some(listener) = listening.as_mut() else {
                match self.listen().await {
                    Ok(listener) => {
                        debug!("listening for other replicas' changes");
                        listening = Some(listener);
                        self.context.heard(&Changed::ALL).await;
                    }
                    Err(e) => {
                        warn!(error = %e, "cannot listen for other replicas' changes; trying again");
                        tokio::select! {
                            _ = shutdown.cancelled() => return,
                            _ = tokio::time::sleep(RETRY) => {}
                        }
                    }
                }
                continue;
            };
            let got = tokio::select! {
                _ = shutdown.cancelled() => return,
                got = listener.try_recv() => got,
            };
            match got {
                Ok(Some(first)) => {
                    let mut changed = BTreeSet::new();
                    changed.extend(Changed::from_table(first.payload()));
                    while let Some(next) = listener.next_buffered() {
                        changed.extend(Changed::from_table(next.payload()));
                    }
                    debug!(?changed, "heard changes");
                    let changed: Vec<Changed> = changed.into_iter().collect();
                    self.context.heard(&changed).await;
                }
                // The connection dropped; the listener reconnects on the
                // next call, and whatever was said meanwhile is lost.
                Ok(None) => self.context.heard(&Changed::ALL).await,
                Err(e) => {
                    warn!(error = %e, "lost the listening connection; listening again");
                    listening = None;
                }
            }
        }
    }

    async fn listen(&self) -> Result<PgListener, sqlx::Error> {
        let mut listener = PgListener::connect(&self.url).await?;
        listener.listen(CHANNEL).await?;
        Ok(listener)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_with_a_trigger_is_heard_and_others_are_not() {
        let triggers = include_str!("../../../migrations/postgres/0010_notify_changes.sql");
        for changed in Changed::ALL {
            let table = match changed {
                Changed::Incidents => "incidents",
                Changed::Overrides => "overrides",
                Changed::Outbox => "outbox",
                Changed::Reminders => "reminders",
                Changed::PublicUpdates => "public_updates",
            };
            assert_eq!(Changed::from_table(table), Some(changed));
            assert!(triggers.contains(&format!(" ON {table}\n")), "{table}");
        }
        assert_eq!(Changed::from_table("timeline"), None);
    }
}
