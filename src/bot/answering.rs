//! Each envelope is handled once. Slack sends an envelope again, with
//! `retry_attempt` above 0, when it saw no ack: the first delivery may still
//! be in hand here, or its ack may have been lost with a dropped socket.
//! Ids in hand are held in memory ([`InHand`]). Handled ids are recorded in
//! `processed_events`, so a redelivery after a reconnect or restart is
//! recognised too: in the same transaction as the change the envelope asks
//! for (`Context::write` with the [`Answering`] value every handler is
//! given), so a crash between the change and its ack cannot let the
//! redelivery make the change again; and, for envelopes that change
//! nothing, after handling, off the ack path.

use std::collections::HashSet;
use std::sync::Mutex;

/// The envelope a handler is answering: passed to every handler, so a
/// change it commits records the envelope as handled with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answering {
    envelope: Option<String>,
}

impl Answering {
    /// The answer to the envelope with Slack's `envelope_id`.
    pub fn envelope_id(id: impl Into<String>) -> Answering {
        Answering {
            envelope: Some(id.into()),
        }
    }

    /// Work no envelope asked for (a loop, or work spawned past an ack
    /// whose envelope was already recorded).
    pub fn nothing() -> Answering {
        Answering { envelope: None }
    }

    pub fn envelope(&self) -> Option<&str> {
        self.envelope.as_deref()
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_envelope_is_in_hand_once_until_it_ends() {
        let in_hand = InHand::default();
        assert!(in_hand.begin("Env1"));
        assert!(!in_hand.begin("Env1"));
        assert!(in_hand.begin("Env2"));
        in_hand.end("Env1");
        assert!(in_hand.begin("Env1"));
    }
}
