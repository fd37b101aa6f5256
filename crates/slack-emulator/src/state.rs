//! Everything the emulated workspace remembers: channels, messages, views,
//! users, files, the call log and Socket Mode bookkeeping. Plain data behind
//! one mutex; the HTTP and socket handlers never hold it across an await.

use super::faults::Faults;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// One Web API call as the emulator saw it.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    /// Query string, form body and JSON body merged into one object.
    pub params: Value,
    pub at: Instant,
    pub ok: bool,
    pub error: Option<String>,
}

/// A message in a channel, DM or thread.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub ts: String,
    pub thread_ts: Option<String>,
    pub user: String,
    pub text: String,
    pub blocks: Value,
    pub edited: bool,
    /// Reactions in the order they were added, one per person and name.
    pub reactions: Vec<Reaction>,
    /// `metadata` as posted (event_type and event_payload), or null.
    pub metadata: Value,
}

/// One person's (or the bot's) reaction to a message.
#[derive(Debug, Clone, PartialEq)]
pub struct Reaction {
    pub name: String,
    pub user: String,
}

/// An ephemeral message: only `user` saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Ephemeral {
    pub channel: String,
    pub user: String,
    pub ts: String,
    pub text: String,
    pub blocks: Value,
}

/// A channel topic as `conversations.info` reports it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Topic {
    pub value: String,
    pub creator: String,
    pub last_set: i64,
}

#[derive(Debug, Clone)]
pub struct Channel {
    pub id: String,
    pub name: String,
    pub archived: bool,
    pub bot_member: bool,
    pub topic: Topic,
}

/// A modal opened (or pushed) through the Web API.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    pub view_id: String,
    /// The trigger it was opened with; `None` after views.update.
    pub trigger_id: Option<String>,
    /// The view as the emulator returned it (id, hash, blocks, …).
    pub view: Value,
    /// False once a view_submission ack cleared it.
    pub open: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: String,
    pub name: String,
    pub tz: String,
}

/// A file uploaded with files.getUploadURLExternal/completeUploadExternal
/// or the older files.upload.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    pub id: String,
    pub filename: String,
    pub title: String,
    pub content: Vec<u8>,
    /// Channels it was shared to.
    pub channels: Vec<String>,
    pub initial_comment: Option<String>,
}

/// An envelope acknowledgement from the app.
#[derive(Debug, Clone, PartialEq)]
pub struct Ack {
    pub envelope_id: String,
    /// From the first time the envelope went out to the ack.
    pub latency: Duration,
    pub payload: Option<Value>,
    /// Why Slack would not show a slash command's reply payload
    /// (`msg_too_long`, `invalid_blocks`, …); the person then sees an
    /// error instead of the reply.
    pub refused: Option<String>,
}

pub(crate) struct Trigger {
    pub issued: Instant,
    pub used: bool,
    /// Set by `expire_triggers`, so tests need not wait 3 s.
    pub expired: bool,
}

/// An envelope sent (or queued) and not forgotten.
pub(crate) struct Sent {
    pub frame: Value,
    /// When it first reached a socket; `None` while queued.
    pub first_sent: Option<Instant>,
    pub acked: bool,
}

pub(crate) enum Outgoing {
    Text(String),
    /// Send this frame, then close the socket shortly after.
    TextThenClose(String),
    /// Close the TCP connection without a close frame.
    Drop,
}

pub(crate) struct Socket {
    pub tx: mpsc::UnboundedSender<Outgoing>,
    /// `hello` has been sent.
    pub live: bool,
    /// Told to go away; takes no more envelopes.
    pub closing: bool,
}

/// Where a `response_url` leads.
pub(crate) struct ResponseUrl {
    pub channel: String,
    pub user: String,
}

#[derive(Default)]
pub(crate) struct State {
    pub calls: Vec<Call>,
    pub faults: Faults,
    pub channels: HashMap<String, Channel>,
    pub removed_channels: HashSet<String>,
    pub messages: HashMap<String, Vec<Message>>,
    pub ephemerals: Vec<Ephemeral>,
    pub users: HashMap<String, User>,
    /// Deactivated accounts: `users.info` says `deleted: true`.
    pub deactivated: HashSet<String>,
    /// IDs no account has (made up): `users.info` says `user_not_found`.
    pub unknown_users: HashSet<String>,
    pub views: Vec<View>,
    pub homes: HashMap<String, Value>,
    pub usergroups: HashMap<String, Vec<String>>,
    pub files: Vec<File>,
    pub triggers: HashMap<String, Trigger>,
    pub response_urls: HashMap<String, ResponseUrl>,
    pub tickets: HashSet<String>,
    pub connections_opened: usize,
    pub sockets: HashMap<u64, Socket>,
    pub sent: HashMap<String, Sent>,
    /// Envelope ids waiting for a socket, oldest first.
    pub queued: Vec<String>,
    pub acks: Vec<Ack>,
    pub redeliver_after: Option<Duration>,
    /// Set: each envelope goes to a live socket picked by this generator,
    /// as Slack hands it to any one open connection. Unset: the newest.
    pub socket_pick: Option<fastrand::Rng>,
    counter: u64,
}

/// Workspace-wide counter start, so ids and timestamps look like Slack's.
const TS_BASE_SECS: u64 = 1_700_000_000;

impl Message {
    /// A plain-text message, unedited, without reactions or metadata.
    pub fn plain(ts: String, thread_ts: Option<&str>, user: &str, text: &str) -> Message {
        Message {
            ts,
            thread_ts: thread_ts.map(str::to_owned),
            user: user.to_owned(),
            text: text.to_owned(),
            blocks: Value::Null,
            edited: false,
            reactions: Vec::new(),
            metadata: Value::Null,
        }
    }
}

impl State {
    /// Appends `message` to `channel`; returns its ts.
    pub fn add_message(&mut self, channel: &str, message: Message) -> String {
        let ts = message.ts.clone();
        self.messages
            .entry(channel.to_owned())
            .or_default()
            .push(message);
        ts
    }

    pub fn next(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    /// A fresh, strictly increasing message timestamp ("1700000000.000100").
    pub fn next_ts(&mut self) -> String {
        let micros = self.next() * 100;
        format!(
            "{}.{:06}",
            TS_BASE_SECS + micros / 1_000_000,
            micros % 1_000_000
        )
    }

    /// The channel with this id, created on first use: any C/G/D id exists
    /// (the bot a member) unless it was removed.
    pub fn channel(&mut self, id: &str) -> Option<&mut Channel> {
        let plausible = id.len() > 1 && matches!(id.as_bytes()[0], b'C' | b'G' | b'D');
        if !plausible || self.removed_channels.contains(id) {
            return None;
        }
        Some(
            self.channels
                .entry(id.to_owned())
                .or_insert_with(|| Channel {
                    id: id.to_owned(),
                    name: id.to_lowercase(),
                    archived: false,
                    bot_member: true,
                    topic: Topic::default(),
                }),
        )
    }

    pub fn user(&self, id: &str) -> Option<User> {
        if self.unknown_users.contains(id) {
            return None;
        }
        if let Some(user) = self.users.get(id) {
            return Some(user.clone());
        }
        // Any plausible user id exists, in London, named after its id.
        let plausible = id.len() > 1 && matches!(id.as_bytes()[0], b'U' | b'W');
        plausible.then(|| User {
            id: id.to_owned(),
            name: id.to_lowercase(),
            tz: "Europe/London".to_owned(),
        })
    }

    pub fn find_message(&mut self, channel: &str, ts: &str) -> Option<&mut Message> {
        self.messages
            .get_mut(channel)?
            .iter_mut()
            .find(|m| m.ts == ts)
    }

    /// Mints a trigger id valid for 3 seconds from now.
    pub fn new_trigger(&mut self) -> String {
        let n = self.next();
        let id = format!("{n}.{}.{:032x}", 4_242_424_242u64, n * 0x9e37_79b9);
        self.triggers.insert(
            id.clone(),
            Trigger {
                issued: Instant::now(),
                used: false,
                expired: false,
            },
        );
        id
    }
}

/// The DM channel the emulator uses for a user ("U0ALICE" → "D0ALICE").
pub(crate) fn dm_channel(user: &str) -> String {
    format!("D{}", user.get(1..).unwrap_or_default())
}
