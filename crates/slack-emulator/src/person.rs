//! What a person does in the Slack client, as one call each: the message
//! or reaction is stored as Slack stores it and the event Slack would send
//! is delivered to the app. For the playground, where a person clicks
//! through the workspace, and for tests that want the whole gesture.

use super::Emulator;
use serde_json::json;
use tokio::sync::watch;

impl Emulator {
    /// A person posts `text` in `channel` (in the thread under `thread_ts`
    /// when set) with message timestamp `ts`, and the app hears the
    /// `message` event. Returns the event's envelope id.
    pub async fn say(
        &self,
        channel: &str,
        thread_ts: Option<&str>,
        user: &str,
        text: &str,
        ts: &str,
    ) -> anyhow::Result<String> {
        self.post_as_person_at(channel, thread_ts, user, text, ts);
        let channel_type = if channel.starts_with('D') {
            "im"
        } else {
            "channel"
        };
        let mut event = json!({"type": "message", "channel": channel, "channel_type": channel_type,
            "user": user, "text": text, "ts": ts});
        if let Some(thread_ts) = thread_ts {
            event["thread_ts"] = json!(thread_ts);
        }
        self.event(event).await
    }

    /// A person adds reaction `name` to the message at `ts`, and the app
    /// hears `reaction_added`. Returns the event's envelope id.
    pub async fn react(
        &self,
        channel: &str,
        ts: &str,
        user: &str,
        name: &str,
    ) -> anyhow::Result<String> {
        let author = self
            .message(channel, ts)
            .map(|m| m.user)
            .unwrap_or_default();
        self.react_as_person(channel, ts, user, name, true);
        self.event(
            json!({"type": "reaction_added", "user": user, "reaction": name,
            "item_user": author, "item": {"type": "message", "channel": channel, "ts": ts}}),
        )
        .await
    }

    /// A person opens the app's Home tab, and the app hears
    /// `app_home_opened`. Returns the event's envelope id.
    pub async fn open_home(&self, user: &str) -> anyhow::Result<String> {
        let channel = super::state::dm_channel(user);
        self.event(
            json!({"type": "app_home_opened", "user": user, "channel": channel, "tab": "home"}),
        )
        .await
    }

    /// A number that changes whenever anything in the workspace does
    /// (a post, an edit, a view, an ack): a page can poll it and redraw.
    pub fn version(&self) -> u64 {
        *self.inner.changed.borrow()
    }

    /// A receiver that changes with [`Emulator::version`].
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.inner.changed.subscribe()
    }

    /// The modal on top of the stack (the one a person sees), if any.
    pub fn open_view(&self) -> Option<super::View> {
        self.inner
            .read(|s| s.views.iter().rev().find(|v| v.open).cloned())
    }

    /// A person closes modal `view_id` with its close button (the app
    /// hears of it only through `view_closed`, when it asked to).
    pub fn close_view(&self, view_id: &str) {
        self.inner.with(|s| {
            for v in s.views.iter_mut().filter(|v| v.view_id == view_id) {
                v.open = false;
            }
        });
    }

    /// The name Slack would show for user `id` (as `users.info` gives
    /// it); the id itself for an id no account has.
    pub fn display_name(&self, id: &str) -> String {
        self.inner
            .read(|s| s.user(id).map(|u| u.name))
            .unwrap_or_else(|| id.to_owned())
    }
}
