//! Reading messages back (conversations.history and conversations.replies),
//! and what people do to messages in the Slack client: post at a chosen
//! time, reply in a thread, edit, delete. Person actions send no event;
//! tests pair them with `Emulator::event` as Slack would.

use super::encode::slack_encode;
use super::methods::{message_json, param, required};
use super::state::{Message, Reaction, State};
use super::web::{err, Reply};
use super::Emulator;
use serde_json::{json, Value};

/// Slack's default page size for both methods.
const DEFAULT_LIMIT: usize = 100;

/// "1700000000.000100" as a sortable pair; a malformed ts sorts first.
fn order(ts: &str) -> (u64, u64) {
    let (secs, micros) = ts.split_once('.').unwrap_or((ts, "0"));
    (secs.parse().unwrap_or(0), micros.parse().unwrap_or(0))
}

/// A boolean parameter, as JSON or as a form value.
fn flag(p: &Value, key: &str) -> bool {
    matches!(p.get(key), Some(Value::Bool(true)))
        || param(p, key).is_some_and(|v| v == "true" || v == "1")
}

/// Whether `ts` lies in the window `oldest`..`latest` the request names.
fn in_window(p: &Value, ts: &str) -> bool {
    let inclusive = flag(p, "inclusive");
    let at = order(ts);
    let below = param(p, "latest").is_none_or(|l| {
        let l = order(&l);
        at < l || (inclusive && at == l)
    });
    let above = param(p, "oldest").is_none_or(|o| {
        let o = order(&o);
        at > o || (inclusive && at == o)
    });
    below && above
}

/// Messages as history returns them: metadata only when asked for.
fn listed(p: &Value, m: &Message) -> Value {
    let mut json = message_json(m);
    if flag(p, "include_all_metadata") && !m.metadata.is_null() {
        json["metadata"] = m.metadata.clone();
    }
    json
}

/// One page of `all`, from the request's cursor (an offset here; opaque to
/// clients, as Slack's are), with the cursor of the next page if any.
fn page(p: &Value, all: Vec<&Message>) -> Value {
    let from: usize = param(p, "cursor")
        .and_then(|c| c.strip_prefix("next:")?.parse().ok())
        .unwrap_or(0);
    let n = limit(p);
    let has_more = all.len() > from + n;
    let messages: Vec<Value> = all
        .into_iter()
        .skip(from)
        .take(n)
        .map(|m| listed(p, m))
        .collect();
    let next = if has_more {
        format!("next:{}", from + n)
    } else {
        String::new()
    };
    json!({"messages": messages, "has_more": has_more, "response_metadata": {"next_cursor": next}})
}

fn limit(p: &Value) -> usize {
    param(p, "limit")
        .and_then(|l| l.parse().ok())
        .filter(|&l| l > 0)
        .unwrap_or(DEFAULT_LIMIT)
}

/// Top-level messages, newest first, as Slack returns them.
pub(crate) fn history(s: &mut State, p: &Value) -> Reply {
    let channel = required(p, "channel")?;
    s.channel(&channel)
        .ok_or_else(|| err("channel_not_found"))?;
    let mut found: Vec<&Message> = s
        .messages
        .get(&channel)
        .map(|all| {
            all.iter()
                .filter(|m| m.thread_ts.as_ref().is_none_or(|t| *t == m.ts))
                .filter(|m| in_window(p, &m.ts))
                .collect()
        })
        .unwrap_or_default();
    found.sort_by_key(|m| std::cmp::Reverse(order(&m.ts)));
    Ok(page(p, found))
}

/// The thread `ts` is part of (parent first, then replies, oldest first).
pub(crate) fn replies(s: &mut State, p: &Value) -> Reply {
    let channel = required(p, "channel")?;
    let ts = required(p, "ts")?;
    s.channel(&channel)
        .ok_or_else(|| err("channel_not_found"))?;
    let all = s.messages.get(&channel).cloned().unwrap_or_default();
    let target = all
        .iter()
        .find(|m| m.ts == ts)
        .ok_or_else(|| err("thread_not_found"))?;
    let parent = target.thread_ts.clone().unwrap_or_else(|| ts.clone());
    let mut thread: Vec<&Message> = all
        .iter()
        .filter(|m| m.ts == parent || m.thread_ts.as_deref() == Some(parent.as_str()))
        .filter(|m| m.ts == parent || in_window(p, &m.ts))
        .collect();
    thread.sort_by_key(|m| order(&m.ts));
    Ok(page(p, thread))
}

impl Emulator {
    /// Another app posts, with `metadata` of its own (any JSON shape).
    pub fn post_as_other_app(
        &self,
        channel: &str,
        thread_ts: Option<&str>,
        text: &str,
        metadata: Value,
    ) -> String {
        self.inner.with(|s| {
            let ts = s.next_ts();
            let message = Message {
                metadata,
                ..Message::plain(ts, thread_ts, super::OTHER_APP_USER_ID, text)
            };
            s.add_message(channel, message)
        })
    }

    /// A person posts with a chosen ts (so tests can line it up with the
    /// bot's clock), in a thread when `thread_ts` is set.
    pub fn post_as_person_at(
        &self,
        channel: &str,
        thread_ts: Option<&str>,
        user: &str,
        text: &str,
        ts: &str,
    ) {
        self.inner.with(|s| {
            let text = slack_encode(text);
            s.add_message(
                channel,
                Message::plain(ts.to_owned(), thread_ts, user, &text),
            );
        });
    }

    /// A person edits their message in the client.
    pub fn edit_as_person(&self, channel: &str, ts: &str, text: &str) {
        self.inner.with(|s| {
            if let Some(m) = s.find_message(channel, ts) {
                m.text = slack_encode(text);
                m.edited = true;
            }
        });
    }

    /// A person adds (`on`) or removes a reaction in the client.
    pub fn react_as_person(&self, channel: &str, ts: &str, user: &str, name: &str, on: bool) {
        let reaction = Reaction {
            name: name.to_owned(),
            user: user.to_owned(),
        };
        self.inner.with(|s| {
            if let Some(m) = s.find_message(channel, ts) {
                m.reactions.retain(|r| *r != reaction);
                if on {
                    m.reactions.push(reaction);
                }
            }
        });
    }

    /// A person deletes their message in the client.
    pub fn delete_as_person(&self, channel: &str, ts: &str) {
        self.inner.with(|s| {
            if let Some(all) = s.messages.get_mut(channel) {
                all.retain(|m| m.ts != ts);
            }
        });
    }
}
