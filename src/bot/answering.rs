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
use std::sync::{Arc, Mutex};

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

/// The envelopes being handled now, so a redelivery that arrives meanwhile
/// is acked and not handled twice.
#[derive(Default)]
pub struct InHand {
    ids: Arc<Mutex<HashSet<String>>>,
}

/// An envelope in hand until this is dropped: when its handled record is
/// written, or when its handler panics or is dropped, so a redelivery
/// after a failure is handled rather than acked as still in hand.
#[must_use = "the envelope is in hand only while this lives"]
pub struct Held {
    ids: Arc<Mutex<HashSet<String>>>,
    id: String,
}

impl InHand {
    /// `None` if this envelope is already being handled.
    pub fn begin(&self, id: &str) -> Option<Held> {
        let fresh = self
            .ids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.to_owned());
        fresh.then(|| Held {
            ids: self.ids.clone(),
            id: id.to_owned(),
        })
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.ids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_envelope_is_in_hand_once_until_it_ends() {
        let in_hand = InHand::default();
        let first = in_hand.begin("Env1").expect("new");
        assert!(in_hand.begin("Env1").is_none());
        let _other = in_hand.begin("Env2").expect("another envelope");
        drop(first);
        assert!(in_hand.begin("Env1").is_some());
    }

    #[test]
    fn a_panicking_handler_lets_go_of_its_envelope() {
        let in_hand = InHand::default();
        let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _held = in_hand.begin("Env1").expect("new");
            panic!("a handler's bug");
        }));
        assert!(unwound.is_err());
        assert!(
            in_hand.begin("Env1").is_some(),
            "still in hand after the panic"
        );
    }
}
