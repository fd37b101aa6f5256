//! Each envelope is handled once. Slack sends an envelope again, with
//! `retry_attempt` above 0, when it saw no ack: the first delivery may still
//! be in hand here, or its ack may have been lost with a dropped socket.
//! Ids in hand are held in memory. Handled ids are recorded in
//! `processed_events`, so a redelivery after a reconnect or restart is
//! recognised too: in the same transaction as the change the envelope asks
//! for (see `Bot::write`), so a crash between the change and its ack cannot
//! let the redelivery make the change again; and, for envelopes that change
//! nothing, after handling, off the ack path.

use std::collections::HashSet;
use std::future::Future;
use std::sync::Mutex;

tokio::task_local! {
    /// The envelope whose answer is being worked out on this task.
    static ANSWERING: String;
}

/// Runs `work` as the answer to envelope `id`.
pub async fn answering<F: Future>(id: String, work: F) -> F::Output {
    ANSWERING.scope(id, work).await
}

/// The envelope this task is answering, if any (not work spawned past
/// the ack, nor the scheduler).
pub fn answering_now() -> Option<String> {
    ANSWERING.try_with(Clone::clone).ok()
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

    #[tokio::test]
    async fn only_the_answering_task_knows_its_envelope() {
        assert_eq!(answering_now(), None);
        let inside = answering("Env1".to_owned(), async {
            let spawned = tokio::spawn(async { answering_now() }).await.unwrap();
            (answering_now(), spawned)
        })
        .await;
        assert_eq!(inside, (Some("Env1".to_owned()), None));
        assert_eq!(answering_now(), None);
    }
}
