//! Web API methods other than views and files: what each does to the
//! workspace and the response it returns, shaped like Slack's (NOTES.md §2).
//! Routed here; messages are in `chat`, channels and people in
//! `conversations`.

use super::state::{dm_channel, State};
use super::web::{err, ApiError, Reply};
use super::{files, views, API_APP_ID, BOT_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID};
use serde_json::{json, Value};

mod chat;
mod conversations;

pub(crate) use chat::{apply_response_url, message_json, refused_reply};
use chat::{delete, permalink, post_ephemeral, post_message, reaction, update};
pub(crate) use conversations::{channel_json, postable};
use conversations::{join, set_topic, usergroup_update, users_info};

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
            // A private channel is invisible to a bot that is not in it,
            // as Slack answers (an archived one still answers, flagged).
            if ch.id.starts_with('G') && !ch.bot_member {
                return Err(err("channel_not_found"));
            }
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
