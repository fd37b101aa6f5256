//! Each envelope is handled once. Slack sends an envelope again, with
//! `retry_attempt` above 0, when it saw no ack: the first delivery may still
//! be in hand here, or its ack may have been lost with a dropped socket.
//! Ids in hand are held in memory; handled ids are recorded in
//! `processed_events` after handling, off the ack path, so a redelivery
//! after a reconnect or restart is recognised too.

use std::collections::HashSet;
use std::sync::Mutex;

#[derive(Default)]
pub struct InHand {
    ids: Mutex<HashSet<String>>,
}

impl InHand {
    /// False if this envelope is already being handled.
    pub fn begin(&self, id: &str) -> bool {
        self.ids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.to_owned())
    }

    pub fn end(&self, id: &str) {
        self.ids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
    }
}
