//! Channels, people and groups: where the bot may post, joining, topics,
//! `users.info` and user groups.

use super::{param, required};
use crate::envelopes::unix_now;
use crate::state::{dm_channel, Channel, State, Topic};
use crate::web::{err, ApiError, Reply};
use crate::{BOT_USER_ID, OTHER_APP_USER_ID, TEAM_ID};
use serde_json::{json, Value};

const MAX_TOPIC: usize = 250;

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

pub(super) fn join(s: &mut State, p: &Value) -> Reply {
    let id = required(p, "channel")?;
    let ch = s.channel(&id).ok_or_else(|| err("channel_not_found"))?;
    if ch.archived {
        return Err(err("is_archived"));
    }
    // A private channel is joined only by invitation.
    if ch.id.starts_with('G') && !ch.bot_member {
        return Err(err("method_not_supported_for_channel_type"));
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

pub(super) fn set_topic(s: &mut State, p: &Value) -> Reply {
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

pub(super) fn users_info(s: &mut State, p: &Value) -> Reply {
    let id = required(p, "user")?;
    let user = s.user(&id).ok_or_else(|| err("user_not_found"))?;
    let (offset, label) = tz_offset(&user.tz);
    // Bot users (this app's and the other app's) say so, as Slack's do.
    let bot = id == BOT_USER_ID || id == OTHER_APP_USER_ID;
    let deleted = s.deactivated.contains(&id);
    Ok(json!({"user": {
        "id": user.id, "team_id": TEAM_ID, "name": user.name, "real_name": user.name,
        "deleted": deleted, "is_bot": bot, "is_app_user": false, "is_admin": false,
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

pub(super) fn usergroup_update(s: &mut State, p: &Value) -> Reply {
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
