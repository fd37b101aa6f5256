//! Web API methods other than views and files: what each does to the
//! workspace and the response it returns, shaped like Slack's (NOTES.md §2).

use super::blockkit::{self, MESSAGE_BLOCKS};
use super::envelopes::unix_now;
use super::state::{dm_channel, Channel, Ephemeral, Message, Reaction, State, Topic};
use super::web::{err, ApiError, Reply};
use super::{
    files, views, API_APP_ID, BOT_ID, BOT_USER_ID, OTHER_APP_BOT_ID, OTHER_APP_USER_ID,
    TEAM_DOMAIN, TEAM_ID,
};
use serde_json::{json, Value};

/// Slack truncates (we refuse) message text above this.
const MAX_TEXT: usize = 40_000;
/// chat.update refuses longer text with msg_too_long.
const MAX_UPDATE_TEXT: usize = 4_000;
const MAX_TOPIC: usize = 250;

pub(crate) fn call(s: &mut State, port: u16, method: &str, p: &Value) -> Reply {
    match method {
        "api.test" => Ok(json!({})),
        "auth.test" => Ok(json!({
            "url": format!("https://{TEAM_DOMAIN}.slack.com/"), "team": "Emulator",
            "user": "incident-bot", "team_id": TEAM_ID, "user_id": BOT_USER_ID,
            "bot_id": BOT_ID, "is_enterprise_install": false,
        })),
        "apps.connections.open" => {
            s.connections_opened += 1;
            let ticket = format!("{}", s.next());
            s.tickets.insert(ticket.clone());
            Ok(
                json!({"url": format!("ws://127.0.0.1:{port}/link/?ticket={ticket}&app_id={API_APP_ID}")}),
            )
        }
        "chat.postMessage" => post_message(s, p),
        "chat.update" => update(s, p),
        "chat.postEphemeral" => post_ephemeral(s, p),
        "chat.getPermalink" => permalink(s, p),
        "chat.delete" => delete(s, p),
        "conversations.info" => {
            let id = required(p, "channel")?;
            let ch = s.channel(&id).ok_or_else(|| err("channel_not_found"))?;
            Ok(json!({"channel": channel_json(ch)}))
        }
        "conversations.history" => super::history::history(s, p),
        "conversations.replies" => super::history::replies(s, p),
        "conversations.join" => join(s, p),
        "conversations.setTopic" => set_topic(s, p),
        "conversations.open" => {
            // A comma-separated string, or an array as JSON bodies send it.
            let users = match p.get("users") {
                Some(Value::Array(ids)) => ids.first().and_then(Value::as_str).map(str::to_owned),
                _ => param(p, "users"),
            }
            .ok_or_else(|| err("users_list_not_supplied"))?;
            let user = users.split(',').next().unwrap_or_default();
            s.user(user).ok_or_else(|| err("user_not_found"))?;
            let ch = s
                .channel(&dm_channel(user))
                .ok_or_else(|| err("channel_not_found"))?;
            Ok(json!({"channel": channel_json(ch)}))
        }
        "users.info" => users_info(s, p),
        "usergroups.users.update" => usergroup_update(s, p),
        "reactions.add" => reaction(s, p),
        "views.open" | "views.push" | "views.update" | "views.publish" => views::call(s, method, p),
        "files.getUploadURLExternal" | "files.completeUploadExternal" | "files.upload" => {
            files::call(s, port, method, p)
        }
        _ => Err(err("unknown_method")),
    }
}

/// A parameter as a string (numbers too, since forms and JSON differ).
pub(crate) fn param(p: &Value, key: &str) -> Option<String> {
    match p.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub(crate) fn required(p: &Value, key: &str) -> Result<String, ApiError> {
    param(p, key)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError {
            code: "invalid_arguments".to_owned(),
            extra: json!({"response_metadata": {"messages": [format!("[ERROR] missing required field: {key}")]}}),
        })
}

/// Resolves where a message goes and whether the bot may post there; a
/// user id means that user's DM.
pub(crate) fn postable(s: &mut State, p: &Value) -> Result<String, ApiError> {
    let id = param(p, "channel")
        .or_else(|| param(p, "channel_id"))
        .ok_or_else(|| err("channel_not_found"))?;
    let id = if id.starts_with('U') || id.starts_with('W') {
        dm_channel(&id)
    } else {
        id
    };
    let ch = s.channel(&id).ok_or_else(|| err("channel_not_found"))?;
    if ch.archived {
        return Err(err("is_archived"));
    }
    if !ch.bot_member {
        return Err(err("not_in_channel"));
    }
    Ok(id)
}

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

fn post_message(s: &mut State, p: &Value) -> Reply {
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

fn update(s: &mut State, p: &Value) -> Reply {
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

fn post_ephemeral(s: &mut State, p: &Value) -> Reply {
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

fn permalink(s: &mut State, p: &Value) -> Reply {
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

fn delete(s: &mut State, p: &Value) -> Reply {
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

fn join(s: &mut State, p: &Value) -> Reply {
    let id = required(p, "channel")?;
    let ch = s.channel(&id).ok_or_else(|| err("channel_not_found"))?;
    if ch.archived {
        return Err(err("is_archived"));
    }
    let already = ch.bot_member;
    ch.bot_member = true;
    let mut reply = json!({"channel": channel_json(ch)});
    if already {
        reply["warning"] = json!("already_in_channel");
        reply["response_metadata"] = json!({"warnings": ["already_in_channel"]});
    }
    Ok(reply)
}

fn set_topic(s: &mut State, p: &Value) -> Reply {
    let channel = postable(s, p)?;
    let topic = param(p, "topic").unwrap_or_default();
    if topic.chars().count() > MAX_TOPIC {
        return Err(err("too_long"));
    }
    let ch = s
        .channel(&channel)
        .ok_or_else(|| err("channel_not_found"))?;
    ch.topic = Topic {
        value: topic,
        creator: BOT_USER_ID.to_owned(),
        last_set: unix_now(),
    };
    Ok(json!({"channel": channel_json(ch)}))
}

pub(crate) fn channel_json(ch: &Channel) -> Value {
    let first = ch.id.as_bytes().first().copied().unwrap_or_default();
    json!({
        "id": ch.id, "name": ch.name, "name_normalized": ch.name,
        "created": 1_700_000_000, "creator": "U0EMUADMIN",
        "is_channel": first == b'C', "is_group": first == b'G', "is_im": first == b'D',
        "is_private": first != b'C', "is_archived": ch.archived, "is_member": ch.bot_member,
        "topic": {"value": ch.topic.value, "creator": ch.topic.creator, "last_set": ch.topic.last_set},
        "purpose": {"value": "", "creator": "", "last_set": 0},
    })
}

fn users_info(s: &mut State, p: &Value) -> Reply {
    let id = required(p, "user")?;
    let user = s.user(&id).ok_or_else(|| err("user_not_found"))?;
    let (offset, label) = tz_offset(&user.tz);
    Ok(json!({"user": {
        "id": user.id, "team_id": TEAM_ID, "name": user.name, "real_name": user.name,
        "deleted": false, "is_bot": false, "is_admin": false,
        "tz": user.tz, "tz_label": label, "tz_offset": offset, "updated": 1_700_000_000,
        "profile": {"real_name": user.name, "display_name": user.name, "team": TEAM_ID},
    }}))
}

/// Seconds east of UTC right now, and the zone's abbreviation.
fn tz_offset(tz: &str) -> (i32, String) {
    use chrono::{Offset, Utc};
    match tz.parse::<chrono_tz::Tz>() {
        Ok(zone) => {
            let now = Utc::now().with_timezone(&zone);
            (
                now.offset().fix().local_minus_utc(),
                now.format("%Z").to_string(),
            )
        }
        Err(_) => (0, "UTC".to_owned()),
    }
}

fn usergroup_update(s: &mut State, p: &Value) -> Reply {
    let group = required(p, "usergroup")?;
    let users: Vec<String> = match p.get("users") {
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(|u| u.as_str().map(str::to_owned))
            .collect(),
        _ => param(p, "users")
            .unwrap_or_default()
            .split(',')
            .map(|u| u.trim().to_owned())
            .filter(|u| !u.is_empty())
            .collect(),
    };
    if users.is_empty() {
        return Err(err("no_users_provided"));
    }
    if users.iter().any(|u| s.user(u).is_none()) {
        return Err(err("invalid_users"));
    }
    s.usergroups.insert(group.clone(), users.clone());
    Ok(json!({"usergroup": {
        "id": group, "team_id": TEAM_ID, "is_usergroup": true, "name": group.to_lowercase(),
        "handle": group.to_lowercase(), "users": users, "user_count": users.len(),
    }}))
}

fn reaction(s: &mut State, p: &Value) -> Reply {
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
