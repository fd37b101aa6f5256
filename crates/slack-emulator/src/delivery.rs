//! Sending envelopes as a person's actions would (commands, clicks, modal
//! submissions, events), and reading back the app's acks.

use super::envelopes::{self, Action, ActionKind, Origin};
use super::state::{Ack, Sent};
use super::Emulator;
use anyhow::anyhow;
use serde_json::Value;
use std::time::Duration;

impl Emulator {
    fn send(&self, kind: &str, payload: Value) -> anyhow::Result<String> {
        if self.inner.stopped.is_cancelled() {
            return Err(anyhow!("the emulator has stopped"));
        }
        let id = self.inner.with(|s| {
            let id = envelopes::envelope_id(s.next());
            let frame = envelopes::wrap(&id, kind, payload);
            s.sent.insert(
                id.clone(),
                Sent {
                    frame,
                    first_sent: None,
                    acked: false,
                },
            );
            id
        });
        self.inner.dispatch(&id);
        Ok(id)
    }

    /// A person runs a slash command; returns the envelope id.
    pub async fn slash_command(
        &self,
        command: &str,
        text: &str,
        user: &str,
        channel: &str,
    ) -> anyhow::Result<String> {
        let payload = self.slash_payload(command, text, user, channel);
        self.send("slash_commands", payload)
    }

    fn slash_payload(&self, command: &str, text: &str, user: &str, channel: &str) -> Value {
        let port = self.port();
        self.inner
            .with(|s| envelopes::slash_command(s, port, command, text, user, channel))
    }

    /// A person clicks a button in a message.
    pub async fn block_action(
        &self,
        user: &str,
        channel: &str,
        message_ts: &str,
        action_id: &str,
        value: &str,
    ) -> anyhow::Result<String> {
        let action = Action {
            action_id,
            kind: ActionKind::Button { value },
        };
        self.interactive(user, channel, message_ts, action)
    }

    /// A person picks an option from a static_select in a message.
    pub async fn block_action_select(
        &self,
        user: &str,
        channel: &str,
        message_ts: &str,
        action_id: &str,
        selected_value: &str,
    ) -> anyhow::Result<String> {
        let action = Action {
            action_id,
            kind: ActionKind::StaticSelect {
                selected: selected_value,
            },
        };
        self.interactive(user, channel, message_ts, action)
    }

    fn interactive(
        &self,
        user: &str,
        channel: &str,
        message_ts: &str,
        action: Action<'_>,
    ) -> anyhow::Result<String> {
        let payload = self.action_payload(user, channel, message_ts, action);
        self.send("interactive", payload)
    }

    fn action_payload(
        &self,
        user: &str,
        channel: &str,
        message_ts: &str,
        action: Action<'_>,
    ) -> Value {
        let port = self.port();
        self.inner
            .with(|s| envelopes::block_action(s, port, user, channel, message_ts, action))
    }

    /// A person submits modal `view_id` with these `state.values`.
    pub async fn view_submission(
        &self,
        user: &str,
        view_id: &str,
        values: Value,
    ) -> anyhow::Result<String> {
        let payload = self
            .inner
            .with(|s| envelopes::view_submission(s, user, view_id, values));
        self.send("interactive", payload)
    }

    /// A person clicks a button inside open modal `view_id`.
    pub async fn block_action_in_view(
        &self,
        user: &str,
        view_id: &str,
        action_id: &str,
        value: &str,
    ) -> anyhow::Result<String> {
        let payload = self
            .inner
            .with(|s| envelopes::view_block_action(s, user, view_id, action_id, value));
        self.send("interactive", payload)
    }

    /// A person closes modal `view_id` (Slack sends this only when the view
    /// asked for `notify_on_close`).
    pub async fn view_closed(&self, user: &str, view_id: &str) -> anyhow::Result<String> {
        let payload = self
            .inner
            .with(|s| envelopes::view_closed(s, user, view_id));
        self.send("interactive", payload)
    }

    /// Delivers an Events API event (e.g. `{"type":"app_home_opened",…}`)
    /// wrapped in an event_callback.
    pub async fn event(&self, event: Value) -> anyhow::Result<String> {
        let payload = self.inner.with(|s| envelopes::event_callback(s, event));
        self.send("events_api", payload)
    }

    /// A slash command as Slack would send it from `origin` (another
    /// workspace, enterprise or app).
    pub async fn slash_command_from(
        &self,
        origin: &Origin,
        command: &str,
        text: &str,
        user: &str,
        channel: &str,
    ) -> anyhow::Result<String> {
        let mut payload = self.slash_payload(command, text, user, channel);
        envelopes::stamp(&mut payload, origin);
        self.send("slash_commands", payload)
    }

    /// A button click in a message, as sent from `origin`.
    pub async fn block_action_from(
        &self,
        origin: &Origin,
        user: &str,
        channel: &str,
        message_ts: &str,
        action_id: &str,
        value: &str,
    ) -> anyhow::Result<String> {
        let action = Action {
            action_id,
            kind: ActionKind::Button { value },
        };
        let mut payload = self.action_payload(user, channel, message_ts, action);
        envelopes::stamp(&mut payload, origin);
        self.send("interactive", payload)
    }

    /// An Events API event, as sent from `origin`.
    pub async fn event_from(&self, origin: &Origin, event: Value) -> anyhow::Result<String> {
        let mut payload = self.inner.with(|s| envelopes::event_callback(s, event));
        envelopes::stamp(&mut payload, origin);
        self.send("events_api", payload)
    }

    /// The first ack for `envelope_id`.
    pub async fn wait_ack(&self, envelope_id: &str, timeout: Duration) -> anyhow::Result<Ack> {
        self.inner
            .wait(timeout, |s| {
                s.acks
                    .iter()
                    .find(|a| a.envelope_id == envelope_id)
                    .cloned()
            })
            .await
            .ok_or_else(|| anyhow!("envelope {envelope_id} not acked within {timeout:?}"))
    }

    pub fn acks(&self) -> Vec<Ack> {
        self.inner.read(|s| s.acks.clone())
    }

    /// Envelopes not acked within `after` are sent again with
    /// `retry_attempt` + 1 and `retry_reason: "timeout"`. Off by default.
    pub fn redeliver_unacked_after(&self, after: Duration) {
        self.inner.with(|s| s.redeliver_after = Some(after));
    }

    /// From now on each envelope goes to a live socket picked at random
    /// (seeded, so a run can be replayed), not the newest: Slack hands
    /// each envelope to any one open connection of the app, not round-robin
    /// (Socket Mode docs, "Using multiple connections").
    pub fn deliver_to_random_socket(&self, seed: u64) {
        self.inner
            .with(|s| s.socket_pick = Some(fastrand::Rng::with_seed(seed)));
    }

    /// Sends an envelope again now, with `retry_attempt` + 1.
    pub async fn resend(&self, envelope_id: &str) -> anyhow::Result<()> {
        if !self.inner.bump_retry(envelope_id, "timeout") {
            return Err(anyhow!("no envelope {envelope_id}"));
        }
        self.inner.dispatch(envelope_id);
        Ok(())
    }

    /// The envelope frame as last sent (for checking retry fields).
    pub fn envelope(&self, envelope_id: &str) -> Option<Value> {
        self.inner
            .read(|s| s.sent.get(envelope_id).map(|e| e.frame.clone()))
    }
}
