//! What tests see and arrange in the workspace: channels, messages, views,
//! users, scripted faults, and a hook to age triggers without sleeping.

use super::faults::Fault;
use super::state::{dm_channel, Ephemeral, File, Message, Topic, User, View};
use super::Emulator;
use serde_json::Value;

/// The user a human topic edit is attributed to.
pub const PERSON: &str = "U0PERSON";

impl Emulator {
    /// Adds (or renames) a channel; the bot is a member.
    pub fn add_channel(&self, id: &str, name: &str) {
        self.inner.with(|s| {
            s.removed_channels.remove(id);
            if let Some(ch) = s.channel(id) {
                ch.name = name.to_owned();
            }
        });
    }

    /// Makes a channel unknown: every call naming it gets channel_not_found.
    pub fn remove_channel(&self, id: &str) {
        self.inner.with(|s| {
            s.channels.remove(id);
            s.removed_channels.insert(id.to_owned());
        });
    }

    pub fn archive_channel(&self, id: &str) {
        self.inner.with(|s| {
            if let Some(ch) = s.channel(id) {
                ch.archived = true;
            }
        });
    }

    pub fn set_bot_member(&self, channel: &str, member: bool) {
        self.inner.with(|s| {
            if let Some(ch) = s.channel(channel) {
                ch.bot_member = member;
            }
        });
    }

    pub fn add_user(&self, id: &str, name: &str, tz: &str) {
        let user = User {
            id: id.to_owned(),
            name: name.to_owned(),
            tz: tz.to_owned(),
        };
        self.inner.with(|s| s.users.insert(id.to_owned(), user));
    }

    /// Deactivates a person's account: `users.info` then says `deleted`.
    pub fn deactivate_user(&self, id: &str) {
        self.inner.with(|s| s.deactivated.insert(id.to_owned()));
    }

    /// Makes `id` an ID no account has, as a made-up one is:
    /// `users.info` then says `user_not_found`.
    pub fn forget_user(&self, id: &str) {
        self.inner.with(|s| {
            s.users.remove(id);
            s.unknown_users.insert(id.to_owned())
        });
    }

    /// Channels (and DMs) that have messages, sorted.
    pub fn channels(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.inner.read(|s| s.messages.keys().cloned().collect());
        ids.sort();
        ids
    }

    /// A person posts in a channel (no event is sent; pair with `event`
    /// if the app should hear it). Returns the message ts. The text is
    /// stored as Slack stores it, encoded (see `encode`).
    pub fn post_as_person(&self, channel: &str, user: &str, text: &str) -> String {
        let text = super::encode::slack_encode(text);
        self.inner.with(|s| {
            let ts = s.next_ts();
            s.add_message(channel, Message::plain(ts, None, user, &text))
        })
    }

    /// Top-level messages in a channel (thread replies excluded), oldest first.
    pub fn messages(&self, channel: &str) -> Vec<Message> {
        self.inner.read(|s| {
            s.messages
                .get(channel)
                .map(|all| {
                    all.iter()
                        .filter(|m| m.thread_ts.as_ref().is_none_or(|t| *t == m.ts))
                        .cloned()
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    /// Any message (top-level or reply) with this ts.
    pub fn message(&self, channel: &str, ts: &str) -> Option<Message> {
        self.inner.read(|s| {
            s.messages
                .get(channel)?
                .iter()
                .find(|m| m.ts == ts)
                .cloned()
        })
    }

    /// Replies in the thread under `ts`, oldest first (the parent excluded).
    pub fn thread(&self, channel: &str, ts: &str) -> Vec<Message> {
        self.inner.read(|s| {
            s.messages
                .get(channel)
                .map(|all| {
                    all.iter()
                        .filter(|m| m.thread_ts.as_deref() == Some(ts) && m.ts != ts)
                        .cloned()
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    pub fn ephemerals(&self, channel: &str, user: &str) -> Vec<Ephemeral> {
        self.inner.read(|s| {
            s.ephemerals
                .iter()
                .filter(|e| e.channel == channel && e.user == user)
                .cloned()
                .collect()
        })
    }

    /// Messages the bot sent to `user` directly.
    pub fn dms(&self, user: &str) -> Vec<Message> {
        self.messages(&dm_channel(user))
    }

    /// The channel's topic text ("" when unset or unknown).
    pub fn topic(&self, channel: &str) -> String {
        self.topic_info(channel)
            .map(|t| t.value)
            .unwrap_or_default()
    }

    pub fn topic_info(&self, channel: &str) -> Option<Topic> {
        self.inner
            .read(|s| s.channels.get(channel).map(|c| c.topic.clone()))
    }

    /// A person edits the topic in the Slack client (not via the API).
    pub fn set_topic_by_person(&self, channel: &str, text: &str) {
        self.inner.with(|s| {
            if let Some(ch) = s.channel(channel) {
                ch.topic = Topic {
                    value: text.to_owned(),
                    creator: PERSON.to_owned(),
                    last_set: super::envelopes::unix_now(),
                };
            }
        });
    }

    /// Modals opened or pushed, oldest first.
    pub fn views(&self) -> Vec<View> {
        self.inner.read(|s| s.views.clone())
    }

    /// The Home tab last published for `user`.
    pub fn home(&self, user: &str) -> Option<Value> {
        self.inner.read(|s| s.homes.get(user).cloned())
    }

    pub fn usergroup_members(&self, id: &str) -> Vec<String> {
        self.inner
            .read(|s| s.usergroups.get(id).cloned().unwrap_or_default())
    }

    pub fn files(&self) -> Vec<File> {
        self.inner.read(|s| s.files.clone())
    }

    /// The next call of `method` gets HTTP 429 with `Retry-After`.
    pub fn rate_limit_next(&self, method: &str, retry_after_secs: u64) {
        self.rate_limit_next_n(method, retry_after_secs, 1);
    }

    pub fn rate_limit_next_n(&self, method: &str, retry_after_secs: u64, times: usize) {
        let fault = Fault::RateLimited { retry_after_secs };
        self.inner.with(|s| s.faults.push(method, fault, times));
    }

    /// Limits `method` as Slack does: `allowed` calls answered per window,
    /// every further call HTTP 429 with `Retry-After: retry_after_secs`
    /// until `next_rate_window` (the test moves the bot's clock alongside).
    pub fn rate_limit_per_window(&self, method: &str, allowed: usize, retry_after_secs: u64) {
        self.inner
            .with(|s| s.faults.limit(method, Some((allowed, retry_after_secs))));
    }

    /// Starts a new rate-limit window: each limited method may be called
    /// its `allowed` times again.
    pub fn next_rate_window(&self) {
        self.inner.with(|s| s.faults.roll_windows());
    }

    /// Lifts a per-window rate limit.
    pub fn lift_rate_limit(&self, method: &str) {
        self.inner.with(|s| s.faults.limit(method, None));
    }

    /// The next call of `method` answers `{"ok":false,"error":error}`.
    pub fn fail_next(&self, method: &str, error: &str) {
        self.fail_next_n(method, error, 1);
    }

    pub fn fail_next_n(&self, method: &str, error: &str, times: usize) {
        let fault = Fault::Error(error.to_owned());
        self.inner.with(|s| s.faults.push(method, fault, times));
    }

    /// Every call of `method` answers `{"ok":false,"error":error}` until
    /// `recover` is called: an outage rather than a blip.
    pub fn fail_until_recovered(&self, method: &str, error: &str) {
        let fault = Fault::Error(error.to_owned());
        self.inner.with(|s| s.faults.stand(method, Some(fault)));
    }

    pub fn recover(&self, method: &str) {
        self.inner.with(|s| s.faults.stand(method, None));
    }

    /// The next call of `method` takes effect but its response is lost
    /// (HTTP 502): the caller cannot tell whether it worked.
    pub fn lose_response_next(&self, method: &str) {
        self.inner
            .with(|s| s.faults.push(method, Fault::LoseResponse, 1));
    }

    /// Ages every trigger issued so far past Slack's 3 s window.
    pub fn expire_triggers(&self) {
        self.inner
            .with(|s| s.triggers.values_mut().for_each(|t| t.expired = true));
    }

    /// A fresh trigger id, as if a person had just interacted.
    pub fn new_trigger(&self) -> String {
        self.inner.with(|s| s.new_trigger())
    }

    /// The trigger id an envelope carried, if any.
    pub fn trigger_of(&self, envelope_id: &str) -> Option<String> {
        self.inner.read(|s| {
            s.sent.get(envelope_id)?.frame["payload"]["trigger_id"]
                .as_str()
                .map(str::to_owned)
        })
    }
}
