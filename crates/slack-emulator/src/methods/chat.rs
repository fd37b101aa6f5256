//! `chat.*` and `reactions.add`: posting, updating and deleting messages,
//! ephemeral replies, response_url replies, and how a message is shown.

use super::{param, postable, required};
use crate::blockkit::{self, MESSAGE_BLOCKS};
use crate::state::{Ephemeral, Message, Reaction, State};
use crate::web::{err, ApiError, Reply};
use crate::{
    API_APP_ID, BOT_ID, BOT_USER_ID, OTHER_APP_BOT_ID, OTHER_APP_USER_ID, TEAM_DOMAIN, TEAM_ID,
};
use serde_json::{json, Value};

/// Slack truncates (we refuse) message text above this.
const MAX_TEXT: usize = 40_000;
/// chat.update refuses longer text with msg_too_long.
const MAX_UPDATE_TEXT: usize = 4_000;

/// Checks text and blocks the way chat.postMessage does.
fn content(p: &Value, max_text: usize) -> Result<(String, Value), ApiError> {
    let text = param(p, "text").unwrap_or_default();
    let blocks = p.get("blocks").cloned().unwrap_or(Value::Null);
    let has_blocks = blocks.as_array().is_some_and(|b| !b.is_empty());
    if text.is_empty() && !has_blocks && p.get("attachments").is_none() {
        return Err(err("no_text"));
    }
    if text.chars().count() > max_text {
        return Err(err("msg_too_long"));
    }
    if !blocks.is_null() {
        if !blocks.is_array() {
            return Err(err("invalid_blocks_format"));
        }
        let errors = blockkit::check_blocks(&blocks, MESSAGE_BLOCKS, "/blocks");
        if !errors.is_empty() {
            return Err(invalid_blocks(errors));
        }
    }
    Ok((text, blocks))
}

/// Why Slack would refuse to show a command's reply (the ack payload or a
/// response_url post): the same text and Block Kit limits as a message.
/// None when it would be shown.
pub(crate) fn refused_reply(p: &Value) -> Option<String> {
    content(p, MAX_TEXT).err().map(|e| e.code)
}

pub(crate) fn invalid_blocks(errors: Vec<String>) -> ApiError {
    let messages: Vec<String> = errors.iter().map(|e| format!("[ERROR] {e}")).collect();
    ApiError {
        code: "invalid_blocks".to_owned(),
        extra: json!({"errors": errors, "response_metadata": {"messages": messages}}),
    }
}

pub(crate) fn message_json(m: &Message) -> Value {
    let mut json = json!({
        "type": "message", "ts": m.ts, "text": m.text, "user": m.user, "team": TEAM_ID,
    });
    if m.user == BOT_USER_ID {
        json["bot_id"] = json!(BOT_ID);
        json["app_id"] = json!(API_APP_ID);
    } else if m.user == OTHER_APP_USER_ID {
        json["bot_id"] = json!(OTHER_APP_BOT_ID);
    }
    if m.blocks.is_array() {
        json["blocks"] = m.blocks.clone();
    }
    if let Some(thread_ts) = &m.thread_ts {
        json["thread_ts"] = json!(thread_ts);
    }
    if m.edited {
        json["edited"] = json!({"user": m.user, "ts": m.ts});
    }
    if !m.reactions.is_empty() {
        json["reactions"] = reactions_json(&m.reactions);
    }
    json
}

/// Reactions as Slack lists them: one entry per name, with who and how many.
fn reactions_json(reactions: &[Reaction]) -> Value {
    let mut names: Vec<&str> = Vec::new();
    for r in reactions {
        if !names.contains(&r.name.as_str()) {
            names.push(&r.name);
        }
    }
    names
        .into_iter()
        .map(|name| {
            let users: Vec<&str> = reactions
                .iter()
                .filter(|r| r.name == name)
                .map(|r| r.user.as_str())
                .collect();
            json!({"name": name, "users": users, "count": users.len()})
        })
        .collect()
}

pub(crate) fn push_message(
    s: &mut State,
    channel: &str,
    text: String,
    blocks: Value,
    thread_ts: Option<String>,
    metadata: Value,
) -> Message {
    let ts = s.next_ts();
    let message = Message {
        blocks,
        metadata,
        ..Message::plain(ts, thread_ts.as_deref(), BOT_USER_ID, &text)
    };
    s.add_message(channel, message.clone());
    message
}

pub(super) fn post_message(s: &mut State, p: &Value) -> Reply {
    let channel = postable(s, p)?;
    let (text, blocks) = content(p, MAX_TEXT)?;
    let thread_ts = param(p, "thread_ts").filter(|t| !t.is_empty());
    let metadata = metadata(p)?;
    let m = push_message(s, &channel, text, blocks, thread_ts, metadata);
    Ok(json!({"channel": channel, "ts": m.ts, "message": message_json(&m)}))
}

/// `metadata` as a JSON object or, from a form post, a JSON string; Slack
/// requires an `event_type`.
fn metadata(p: &Value) -> Result<Value, ApiError> {
    let metadata = match p.get("metadata") {
        None | Some(Value::Null) => return Ok(Value::Null),
        Some(Value::String(s)) => {
            serde_json::from_str(s).map_err(|_| err("invalid_metadata_format"))?
        }
        Some(other) => other.clone(),
    };
    if !metadata.get("event_type").is_some_and(Value::is_string) {
        return Err(err("invalid_metadata_schema"));
    }
    Ok(metadata)
}

pub(super) fn update(s: &mut State, p: &Value) -> Reply {
    let channel = postable(s, p)?;
    let ts = required(p, "ts")?;
    let (text, blocks) = content(p, MAX_UPDATE_TEXT)?;
    let m = s
        .find_message(&channel, &ts)
        .ok_or_else(|| err("message_not_found"))?;
    if m.user != BOT_USER_ID {
        return Err(err("cant_update_message"));
    }
    m.text = text;
    // Leaving blocks out of an update keeps the old ones, as Slack does.
    if !blocks.is_null() {
        m.blocks = blocks;
    }
    m.edited = true;
    let m = m.clone();
    Ok(json!({"channel": channel, "ts": ts, "text": m.text, "message": message_json(&m)}))
}

pub(super) fn post_ephemeral(s: &mut State, p: &Value) -> Reply {
    let channel = postable(s, p)?;
    let user = required(p, "user")?;
    s.user(&user).ok_or_else(|| err("user_not_found"))?;
    let (text, blocks) = content(p, MAX_TEXT)?;
    let ts = s.next_ts();
    s.ephemerals.push(Ephemeral {
        channel,
        user,
        ts: ts.clone(),
        text,
        blocks,
    });
    Ok(json!({"message_ts": ts}))
}

pub(super) fn permalink(s: &mut State, p: &Value) -> Reply {
    let channel = required(p, "channel")?;
    let ts = required(p, "message_ts")?;
    s.channel(&channel)
        .ok_or_else(|| err("channel_not_found"))?;
    let m = s
        .find_message(&channel, &ts)
        .ok_or_else(|| err("message_not_found"))?;
    let mut link = format!(
        "https://{TEAM_DOMAIN}.slack.com/archives/{channel}/p{}",
        ts.replace('.', "")
    );
    if let Some(thread_ts) = &m.thread_ts {
        link.push_str(&format!("?thread_ts={thread_ts}&cid={channel}"));
    }
    Ok(json!({"channel": channel, "permalink": link}))
}

pub(super) fn delete(s: &mut State, p: &Value) -> Reply {
    let channel = postable(s, p)?;
    let ts = required(p, "ts")?;
    let messages = s.messages.entry(channel.clone()).or_default();
    let before = messages.len();
    messages.retain(|m| m.ts != ts);
    if messages.len() == before {
        return Err(err("message_not_found"));
    }
    Ok(json!({"channel": channel, "ts": ts}))
}

pub(super) fn reaction(s: &mut State, p: &Value) -> Reply {
    let channel = required(p, "channel")?;
    let ts = required(p, "timestamp")?;
    let name = required(p, "name")?;
    s.channel(&channel)
        .ok_or_else(|| err("channel_not_found"))?;
    let m = s
        .find_message(&channel, &ts)
        .ok_or_else(|| err("message_not_found"))?;
    let reaction = Reaction {
        name,
        user: BOT_USER_ID.to_owned(),
    };
    if m.reactions.contains(&reaction) {
        return Err(err("already_reacted"));
    }
    m.reactions.push(reaction);
    Ok(json!({}))
}

/// Shows a response_url reply; false if the URL is unknown.
pub(crate) fn apply_response_url(s: &mut State, key: &str, p: &Value) -> bool {
    let Some(target) = s.response_urls.get(key) else {
        return false;
    };

    let (channel, user) = (target.channel.clone(), target.user.clone());
    let text = param(p, "text").unwrap_or_default();
    let blocks = p.get("blocks").cloned().unwrap_or(Value::Null);
    if p.get("response_type").and_then(Value::as_str) == Some("in_channel") {
        push_message(s, &channel, text, blocks, None, Value::Null);
    } else {
        let ts = s.next_ts();
        s.ephemerals.push(Ephemeral {
            channel,
            user,
            ts,
            text,
            blocks,
        });
    }
    true
}
