//! views.open / push / update / publish, with Slack's trigger rules: a
//! trigger works once, within 3 seconds of the interaction that made it.

use super::blockkit;
use super::methods::{param, required};
use super::state::{State, View};
use super::web::{err, ApiError, Reply};
use super::{API_APP_ID, BOT_ID, TEAM_ID};
use serde_json::{json, Value};
use std::time::Duration;

pub const TRIGGER_LIFETIME: Duration = Duration::from_secs(3);
/// Slack keeps at most three modals stacked.
const MAX_STACK: usize = 3;

pub(crate) fn call(s: &mut State, method: &str, p: &Value) -> Reply {
    match method {
        "views.open" | "views.push" => open(s, method, p),
        "views.update" => update(s, p),
        _ => publish(s, p),
    }
}

fn open(s: &mut State, method: &str, p: &Value) -> Reply {
    let trigger_id = param(p, "trigger_id")
        .or_else(|| param(p, "interactivity_pointer"))
        .ok_or_else(|| invalid("missing required field: trigger_id"))?;
    let view = checked_view(p)?;
    let trigger = s
        .triggers
        .get_mut(&trigger_id)
        .ok_or_else(|| err("invalid_trigger_id"))?;
    if trigger.used {
        return Err(err("exchanged_trigger_id"));
    }
    if trigger.expired || trigger.issued.elapsed() > TRIGGER_LIFETIME {
        return Err(err("expired_trigger_id"));
    }
    let open = s.views.iter().filter(|v| v.open).count();
    if method == "views.push" && open >= MAX_STACK {
        return Err(err("push_limit_reached"));
    }
    if let Some(trigger) = s.triggers.get_mut(&trigger_id) {
        trigger.used = true;
    }
    if method == "views.open" {
        // A new modal replaces whatever stack the user had.
        s.views.iter_mut().for_each(|v| v.open = false);
    }
    let stored = stateful(s, view, None);
    s.views.push(View {
        view_id: stored["id"].as_str().unwrap_or_default().to_owned(),
        trigger_id: Some(trigger_id),
        view: stored.clone(),
        open: true,
    });
    Ok(json!({"view": stored}))
}

fn update(s: &mut State, p: &Value) -> Reply {
    let view = checked_view(p)?;
    let view_id = param(p, "view_id");
    let external_id = param(p, "external_id");
    let index = s
        .views
        .iter()
        .rposition(|v| {
            view_id.as_deref().is_some_and(|id| v.view_id == id)
                || external_id
                    .as_deref()
                    .is_some_and(|id| v.view["external_id"] == id)
        })
        .ok_or_else(|| err("not_found"))?;
    if let Some(hash) = param(p, "hash") {
        if s.views[index].view["hash"] != hash.as_str() {
            return Err(err("hash_conflict"));
        }
    }
    let id = s.views[index].view_id.clone();
    let stored = stateful(s, view, Some(&id));
    s.views[index].view = stored.clone();
    Ok(json!({"view": stored}))
}

fn publish(s: &mut State, p: &Value) -> Reply {
    let user = required(p, "user_id")?;
    s.user(&user).ok_or_else(|| err("user_not_found"))?;
    let view = checked_view(p)?;
    if view["type"] != "home" {
        return Err(invalid(
            "views.publish takes a home view [json-pointer:/view/type]",
        ));
    }
    let id = s
        .homes
        .get(&user)
        .and_then(|v| v["id"].as_str())
        .map(str::to_owned);
    let stored = stateful(s, view, id.as_deref());
    s.homes.insert(user, stored.clone());
    Ok(json!({"view": stored}))
}

fn checked_view(p: &Value) -> Result<Value, ApiError> {
    let view = match p.get("view") {
        Some(v) if v.is_object() => v.clone(),
        _ => return Err(invalid("missing required field: view")),
    };
    let errors = blockkit::check_view(&view, "/view");
    if !errors.is_empty() {
        let messages: Vec<String> = errors.iter().map(|e| format!("[ERROR] {e}")).collect();
        return Err(ApiError {
            code: "invalid_arguments".to_owned(),
            extra: json!({"response_metadata": {"messages": messages}}),
        });
    }
    Ok(view)
}

fn invalid(why: &str) -> ApiError {
    ApiError {
        code: "invalid_arguments".to_owned(),
        extra: json!({"response_metadata": {"messages": [format!("[ERROR] {why}")]}}),
    }
}

/// The view as Slack returns it: the app's JSON plus id, hash and state.
pub(crate) fn stateful(s: &mut State, mut view: Value, id: Option<&str>) -> Value {
    let n = s.next();
    let id = id
        .map(str::to_owned)
        .unwrap_or_else(|| format!("V0EMU{n:06}"));
    view["id"] = json!(id);
    view["team_id"] = json!(TEAM_ID);
    view["hash"] = json!(format!("1700000000.{n:08x}"));
    view["state"] = json!({"values": {}});
    view["root_view_id"] = json!(id);
    view["previous_view_id"] = Value::Null;
    view["app_id"] = json!(API_APP_ID);
    view["bot_id"] = json!(BOT_ID);
    view["app_installed_team_id"] = json!(TEAM_ID);
    for (key, default) in [
        ("private_metadata", ""),
        ("callback_id", ""),
        ("external_id", ""),
    ] {
        if view.get(key).is_none() {
            view[key] = json!(default);
        }
    }
    view
}

impl State {
    /// What a view_submission ack does to the modal stack: a bare ack or
    /// `clear` closes, `update` replaces, `push` stacks, `errors` keeps it.
    pub(crate) fn apply_view_response(&mut self, envelope_id: &str, ack: Option<&Value>) {
        let Some(sent) = self.sent.get(envelope_id) else {
            return;
        };
        let payload = &sent.frame["payload"];
        if payload["type"] != "view_submission" {
            return;
        }
        let view_id = payload["view"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let action = ack
            .and_then(|a| a.get("response_action"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        // Only an object can be a view; anything else is ignored, not trusted.
        let new_view = ack
            .and_then(|a| a.get("view"))
            .filter(|v| v.is_object())
            .cloned();
        match (action, new_view) {
            ("errors", _) => {}
            ("clear", _) => self.views.iter_mut().for_each(|v| v.open = false),
            ("update", Some(view)) => {
                let stored = stateful(self, view, Some(&view_id));
                if let Some(v) = self.views.iter_mut().rev().find(|v| v.view_id == view_id) {
                    v.view = stored;
                }
            }
            ("push", Some(view)) => {
                let stored = stateful(self, view, None);
                self.views.push(View {
                    view_id: stored["id"].as_str().unwrap_or_default().to_owned(),
                    trigger_id: None,
                    view: stored,
                    open: true,
                });
            }
            _ => {
                if let Some(v) = self.views.iter_mut().rev().find(|v| v.view_id == view_id) {
                    v.open = false;
                }
            }
        }
    }
}
