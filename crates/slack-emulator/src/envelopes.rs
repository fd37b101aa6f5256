//! The Socket Mode envelopes Slack sends, shaped like captured traffic
//! (NOTES.md §1.2) and carrying every field slack-morphism requires (§7.3).

use super::encode::slack_encode;
use super::state::{ResponseUrl, State};
use super::{API_APP_ID, BOT_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID};
use serde_json::{json, Value};
use std::time::{SystemTime, UNIX_EPOCH};

/// An envelope id shaped like Slack's UUIDs.
pub(crate) fn envelope_id(n: u64) -> String {
    format!(
        "{:08x}-e41a-4c0e-8a5e-{:012x}",
        n,
        n.wrapping_mul(0x2545_f491)
    )
}

pub(crate) fn wrap(id: &str, kind: &str, payload: Value) -> Value {
    let mut envelope = json!({
        "envelope_id": id,
        "type": kind,
        "payload": payload,
        // Only events cannot carry a response in the ack.
        "accepts_response_payload": kind != "events_api",
    });
    if kind == "events_api" {
        envelope["retry_attempt"] = json!(0);
        envelope["retry_reason"] = json!("");
    }
    envelope
}

/// Fresh trigger and response_url for one interaction by `user` in `channel`.
fn interaction_ids(state: &mut State, port: u16, channel: &str, user: &str) -> (String, String) {
    let trigger = state.new_trigger();
    let n = state.next();
    let key = format!("{n}");
    state.response_urls.insert(
        key.clone(),
        ResponseUrl {
            channel: channel.to_owned(),
            user: user.to_owned(),
        },
    );
    (
        trigger,
        format!("http://127.0.0.1:{port}/response_url/{TEAM_ID}/{key}"),
    )
}

fn user_object(state: &State, user: &str) -> Value {
    let name = state.user(user).map(|u| u.name).unwrap_or_default();
    json!({"id": user, "username": name, "name": name, "team_id": TEAM_ID})
}

fn team() -> Value {
    json!({"id": TEAM_ID, "domain": TEAM_DOMAIN})
}

pub(crate) fn slash_command(
    state: &mut State,
    port: u16,
    command: &str,
    text: &str,
    user: &str,
    channel: &str,
) -> Value {
    let (trigger_id, response_url) = interaction_ids(state, port, channel, user);
    let channel_name = state
        .channel(channel)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| "unknown".to_owned());
    let user_name = state.user(user).map(|u| u.name).unwrap_or_default();
    json!({
        "token": "emulator-verification-token",
        "team_id": TEAM_ID,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel,
        "channel_name": channel_name,
        "user_id": user,
        "user_name": user_name,
        "command": command,
        // Slack encodes &, < and > in command text (escape_*); entities
        // picked from autocomplete arrive as markup.
        "text": slack_encode(text),
        "api_app_id": API_APP_ID,
        "response_url": response_url,
        "trigger_id": trigger_id,
    })
}

/// What a clicked or selected element reports, found in the stored message
/// when possible so block_id and texts match what the app posted.
pub(crate) struct Action<'a> {
    pub action_id: &'a str,
    pub kind: ActionKind<'a>,
}

pub(crate) enum ActionKind<'a> {
    Button { value: &'a str },
    StaticSelect { selected: &'a str },
}

pub(crate) fn block_action(
    state: &mut State,
    port: u16,
    user: &str,
    channel: &str,
    message_ts: &str,
    action: Action<'_>,
) -> Value {
    let (trigger_id, response_url) = interaction_ids(state, port, channel, user);
    let message = state.find_message(channel, message_ts).cloned();
    let blocks = message
        .as_ref()
        .map(|m| m.blocks.clone())
        .unwrap_or(Value::Null);
    let (block_id, element) = find_element(&blocks, action.action_id);
    let action_ts = state.next_ts();
    let action_json = match action.kind {
        ActionKind::Button { value } => json!({
            "type": "button",
            "action_id": action.action_id,
            "block_id": block_id,
            "text": element.get("text").cloned()
                .unwrap_or_else(|| json!({"type": "plain_text", "text": action.action_id, "emoji": true})),
            "value": value,
            "action_ts": action_ts,
        }),
        ActionKind::StaticSelect { selected } => {
            let option = element
                .get("options")
                .and_then(Value::as_array)
                .and_then(|o| o.iter().find(|o| o["value"] == selected).cloned())
                .unwrap_or_else(
                    || json!({"text": {"type": "plain_text", "text": selected}, "value": selected}),
                );
            json!({
                "type": "static_select",
                "action_id": action.action_id,
                "block_id": block_id,
                "selected_option": option,
                "action_ts": action_ts,
            })
        }
    };
    let channel_name = state
        .channel(channel)
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let mut payload = json!({
        "type": "block_actions",
        "user": user_object(state, user),
        "api_app_id": API_APP_ID,
        "token": "emulator-verification-token",
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": false},
        "trigger_id": trigger_id,
        "team": team(),
        "enterprise": null,
        "is_enterprise_install": false,
        "channel": {"id": channel, "name": channel_name},
        "response_url": response_url,
        "actions": [action_json],
    });
    if let Some(m) = message {
        let mut shown = json!({
            "type": "message", "ts": m.ts, "text": m.text, "user": m.user, "team": TEAM_ID,
        });
        if m.user == BOT_USER_ID {
            shown["bot_id"] = json!(BOT_ID);
        }
        if m.blocks.is_array() {
            shown["blocks"] = m.blocks;
        }
        if let Some(thread_ts) = m.thread_ts {
            shown["thread_ts"] = json!(thread_ts);
        }
        payload["message"] = shown;
    }
    payload
}

/// The block_id and element JSON for `action_id` within `blocks`.
fn find_element(blocks: &Value, action_id: &str) -> (String, Value) {
    for block in blocks.as_array().into_iter().flatten() {
        let mut candidates: Vec<&Value> = Vec::new();
        candidates.extend(
            block
                .get("elements")
                .and_then(Value::as_array)
                .into_iter()
                .flatten(),
        );
        candidates.extend(block.get("accessory"));
        candidates.extend(block.get("element"));
        if let Some(element) = candidates.into_iter().find(|e| e["action_id"] == action_id) {
            let block_id = block["block_id"].as_str().unwrap_or("emu").to_owned();
            return (block_id, element.clone());
        }
    }
    ("emu".to_owned(), Value::Null)
}

/// The stored view with this id, or a minimal modal Slack could have sent.
fn known_view(state: &State, view_id: &str) -> Value {
    state
        .views
        .iter()
        .rev()
        .find(|v| v.view_id == view_id)
        .map(|v| v.view.clone())
        // Home tabs are views too: a press there carries the Home view.
        .or_else(|| state.homes.values().find(|v| v["id"] == view_id).cloned())
        .unwrap_or_else(|| {
            json!({
                "id": view_id, "team_id": TEAM_ID, "type": "modal", "hash": "1.emu",
                "title": {"type": "plain_text", "text": "Modal"}, "blocks": [],
                "private_metadata": "", "callback_id": "",
            })
        })
}

pub(crate) fn view_submission(
    state: &mut State,
    user: &str,
    view_id: &str,
    values: Value,
) -> Value {
    let trigger_id = state.new_trigger();
    let mut view = known_view(state, view_id);
    view["state"] = json!({"values": values});
    json!({
        "type": "view_submission",
        "team": team(),
        "user": user_object(state, user),
        "api_app_id": API_APP_ID,
        "token": "emulator-verification-token",
        "trigger_id": trigger_id,
        "view": view,
        "response_urls": [],
        "is_enterprise_install": false,
        "enterprise": null,
    })
}

pub(crate) fn view_closed(state: &mut State, user: &str, view_id: &str) -> Value {
    let mut view = known_view(state, view_id);
    view["state"] = json!({"values": {}});
    json!({
        "type": "view_closed",
        "team": team(),
        "user": user_object(state, user),
        "api_app_id": API_APP_ID,
        "token": "emulator-verification-token",
        "view": view,
        "is_cleared": false,
        "is_enterprise_install": false,
        "enterprise": null,
    })
}

/// A button clicked inside a modal: container type "view", and the view.
pub(crate) fn view_block_action(
    state: &mut State,
    user: &str,
    view_id: &str,
    action_id: &str,
    value: &str,
) -> Value {
    let trigger_id = state.new_trigger();
    let view = known_view(state, view_id);
    let (block_id, element) = find_element(&view["blocks"], action_id);
    let action_ts = state.next_ts();
    json!({
        "type": "block_actions",
        "user": user_object(state, user),
        "api_app_id": API_APP_ID,
        "token": "emulator-verification-token",
        "container": {"type": "view", "view_id": view_id},
        "trigger_id": trigger_id,
        "team": team(),
        "enterprise": null,
        "is_enterprise_install": false,
        "view": view,
        "actions": [{
            "type": "button", "action_id": action_id, "block_id": block_id,
            "text": element.get("text").cloned()
                .unwrap_or_else(|| json!({"type": "plain_text", "text": action_id, "emoji": true})),
            "value": value, "action_ts": action_ts,
        }],
    })
}

/// Encodes a message event's text (and an edited message's) as Slack
/// does: tests describe what the person typed.
fn encode_message(event: &mut Value) {
    if !matches!(event["type"].as_str(), Some("message" | "app_mention")) {
        return;
    }
    encode_text(event);
    if let Some(edited) = event.get_mut("message") {
        encode_text(edited);
    }
}

fn encode_text(object: &mut Value) {
    if let Some(text) = object.get("text").and_then(Value::as_str) {
        object["text"] = json!(slack_encode(text));
    }
}

/// Wraps an event in the event_callback Slack sends through Events API.
pub(crate) fn event_callback(state: &mut State, mut event: Value) -> Value {
    encode_message(&mut event);
    let n = state.next();
    let now = unix_now();
    if event.is_object() && event.get("event_ts").is_none() {
        event["event_ts"] = json!(format!("{now}.{:06}", n % 1_000_000));
    }
    let kind = event["type"].as_str().unwrap_or("unknown").to_owned();
    let channel = event["channel"].as_str().unwrap_or_default().to_owned();
    json!({
        "token": "emulator-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": API_APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": format!("Ev{n:010}"),
        "event_time": now,
        "authorizations": [{
            "enterprise_id": null, "team_id": TEAM_ID, "user_id": BOT_USER_ID,
            "is_bot": true, "is_enterprise_install": false,
        }],
        "is_ext_shared_channel": false,
        "event_context": format!("1-{kind}-{TEAM_ID}-{channel}"),
    })
}

pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// Where an envelope claims to come from, for sending one from another
/// workspace, enterprise or app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub team_id: String,
    /// Set for a workspace in an Enterprise Grid org.
    pub enterprise_id: Option<String>,
    pub api_app_id: String,
}

impl Default for Origin {
    /// This workspace and this app, outside any enterprise.
    fn default() -> Origin {
        Origin {
            team_id: TEAM_ID.to_owned(),
            enterprise_id: None,
            api_app_id: API_APP_ID.to_owned(),
        }
    }
}

/// Rewrites a payload built for this workspace as `origin` would send it,
/// field by field where each kind of payload carries them: commands and
/// events `team_id`/`enterprise_id` (events also in `authorizations`),
/// interactions `team.id`, `user.team_id` and `enterprise`.
pub(crate) fn stamp(payload: &mut Value, origin: &Origin) {
    let enterprise = origin.enterprise_id.clone();
    payload["api_app_id"] = json!(origin.api_app_id);
    if payload.get("team_id").is_some() {
        payload["team_id"] = json!(origin.team_id);
        if enterprise.is_some() || payload.get("enterprise_id").is_some() {
            payload["enterprise_id"] = json!(enterprise);
        }
    }
    if payload.get("team").is_some_and(Value::is_object) {
        payload["team"]["id"] = json!(origin.team_id);
        payload["enterprise"] = match &enterprise {
            Some(id) => json!({"id": id, "name": id}),
            None => Value::Null,
        };
    }
    if payload.get("user").is_some_and(Value::is_object) {
        payload["user"]["team_id"] = json!(origin.team_id);
    }
    if let Some(auths) = payload
        .get_mut("authorizations")
        .and_then(Value::as_array_mut)
    {
        for auth in auths {
            auth["team_id"] = json!(origin.team_id);
            auth["enterprise_id"] = json!(enterprise);
        }
    }
}
