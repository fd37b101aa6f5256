//! Parsing and validating the policy file. Field-level problems (a bad
//! duration, an unknown key) are caught by serde, which knows the key path
//! and, through toml, the line. Whole-file rules (the escalation rota must
//! exist, windows must not overlap) are checked afterwards against the
//! spans kept for the keys they concern.

use super::alerts::{self, RawAlerts};
use super::error::{line_of, PolicyError};
use super::rota::{Covers, Handover, Role, Rota, Rotation};
use super::settings::{self, CyberSettings, Hours, PrioritySettings, ReminderSettings};
use super::statuspage::{self, RawStatuspage};
use super::Policy;
use crate::ids::{ChannelId, UserGroupId, UserId};
use crate::priority::Priority;
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};
use std::collections::{BTreeMap, BTreeSet};
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    #[serde(deserialize_with = "timezone")]
    timezone: chrono_tz::Tz,
    incident_channel: ChannelId,
    escalation_rota: Spanned<String>,
    hours: Hours,
    // Not `Spanned`: toml cannot span a table made only of sub-tables.
    priority: BTreeMap<String, PrioritySettings>,
    #[serde(default)]
    reminders: ReminderSettings,
    #[serde(default)]
    rota: Vec<RawRota>,
    #[serde(default)]
    admins: Vec<UserId>,
    #[serde(default)]
    cyber: CyberSettings,
    #[serde(default)]
    statuspage: Option<RawStatuspage>,
    #[serde(default)]
    alerts: Option<RawAlerts>,
    #[serde(default)]
    oncall: super::OncallSettings,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRota {
    name: Spanned<String>,
    role: Role,
    members: Spanned<Vec<UserId>>,
    rotation: Rotation,
    handover: Spanned<Handover>,
    #[serde(deserialize_with = "settings::date")]
    start: NaiveDate,
    covers: Spanned<Covers>,
    #[serde(default)]
    topic_channels: Vec<ChannelId>,
    #[serde(default)]
    usergroup: Option<UserGroupId>,
}

fn timezone<'de, D: Deserializer<'de>>(d: D) -> Result<chrono_tz::Tz, D::Error> {
    let raw = String::deserialize(d)?;
    raw.parse::<chrono_tz::Tz>().map_err(|_| {
        serde::de::Error::custom(format!(
            "`{raw}` is not an IANA time zone, e.g. \"Europe/London\""
        ))
    })
}

pub fn parse(text: &str) -> Result<Policy, PolicyError> {
    let raw: RawPolicy = serde_path_to_error::deserialize(toml::Deserializer::new(text))
        .map_err(|e| PolicyError::from_toml(text, e))?;
    let at = |span: std::ops::Range<usize>| Some(line_of(text, span.start));

    let priorities = priorities(
        &raw.priority,
        text.find("[priority").map(|o| line_of(text, o)),
    )?;

    let mut rotas = Vec::new();
    let mut names = BTreeSet::new();
    for (i, r) in raw.rota.into_iter().enumerate() {
        rotas.push(rota(i, r, &mut names, &at)?);
    }

    let escalation = raw.escalation_rota.get_ref();
    if !names.contains(escalation.as_str()) {
        let known: Vec<&str> = names.iter().map(String::as_str).collect();
        return Err(PolicyError::invalid(
            "escalation_rota",
            at(raw.escalation_rota.span()),
            format!(
                "no rota is called `{escalation}` (rotas: {})",
                known.join(", ")
            ),
        ));
    }

    let statuspage = raw
        .statuspage
        .map(|section| {
            let line = text.find("[statuspage]").map(|o| line_of(text, o));
            statuspage::validate(section, &at, line)
        })
        .transpose()?;

    let roles: Vec<Role> = rotas.iter().map(|r| r.role).collect();
    let alerts = match raw.alerts {
        None => alerts::AlertSettings::defaults(&raw.incident_channel),
        Some(section) => {
            let line = text.find("[alerts").map(|o| line_of(text, o));
            alerts::validate(section, &raw.incident_channel, &roles, &at, line)?
        }
    };

    Ok(Policy {
        timezone: raw.timezone,
        incident_channel: raw.incident_channel,
        escalation_rota: raw.escalation_rota.into_inner(),
        hours: raw.hours,
        priorities,
        reminders: raw.reminders,
        rotas,
        admins: raw.admins,
        cyber: raw.cyber,
        statuspage,
        alerts,
        oncall: raw.oncall,
    })
}

fn rota(
    i: usize,
    raw: RawRota,
    names: &mut BTreeSet<String>,
    at: &impl Fn(std::ops::Range<usize>) -> Option<usize>,
) -> Result<Rota, PolicyError> {
    let key = |field: &str| format!("rota[{i}].{field}");
    let name = raw.name.get_ref().trim().to_owned();
    if name.is_empty() || name.contains(char::is_whitespace) {
        return Err(PolicyError::invalid(
            key("name"),
            at(raw.name.span()),
            "a rota name is one word people can type, e.g. \"in-hours\"",
        ));
    }
    if !names.insert(name.clone()) {
        return Err(PolicyError::invalid(
            key("name"),
            at(raw.name.span()),
            format!("another rota is already called `{name}`"),
        ));
    }
    if raw.members.get_ref().is_empty() {
        return Err(PolicyError::invalid(
            key("members"),
            at(raw.members.span()),
            "a rota needs at least one member",
        ));
    }
    let handover = *raw.handover.get_ref();
    match (raw.rotation, handover.weekday) {
        (Rotation::Weekly, None) => {
            return Err(PolicyError::invalid(
                key("handover"),
                at(raw.handover.span()),
                "a weekly rota hands over on a day: write e.g. \"mon 09:00\"",
            ))
        }
        (Rotation::Daily, Some(_)) => {
            return Err(PolicyError::invalid(
                key("handover"),
                at(raw.handover.span()),
                "a daily rota hands over every day: write just the time, e.g. \"09:00\"",
            ))
        }
        _ => {}
    }
    if let Covers::Windows(windows) = raw.covers.get_ref() {
        for (b, wb) in windows.iter().enumerate() {
            if let Some(a) = windows[..b]
                .iter()
                .position(|wa| wa.days.intersects(&wb.days) && wa.range().overlaps(&wb.range()))
            {
                return Err(PolicyError::invalid(
                    format!("rota[{i}].covers[{b}]"),
                    at(raw.covers.span()),
                    format!(
                        "window {} overlaps window {} ({}) on some day; each moment belongs to at most one window",
                        wb.range(),
                        a,
                        windows[a].range()
                    ),
                ));
            }
        }
    }
    Ok(Rota {
        name,
        role: raw.role,
        members: raw.members.into_inner(),
        rotation: raw.rotation,
        handover,
        start: raw.start,
        covers: raw.covers.into_inner(),
        topic_channels: raw.topic_channels,
        usergroup: raw.usergroup,
    })
}

/// Exactly P1..P4, each once: the severity table has four rows and every
/// part of the bot relies on all four being there.
fn priorities(
    raw: &BTreeMap<String, PrioritySettings>,
    line: Option<usize>,
) -> Result<BTreeMap<Priority, PrioritySettings>, PolicyError> {
    let mut out = BTreeMap::new();
    for (key, settings) in raw {
        match Priority::ALL.iter().find(|p| p.as_str() == key) {
            Some(p) => out.insert(*p, settings.clone()),
            None => {
                return Err(PolicyError::invalid(
                    format!("priority.{key}"),
                    line,
                    format!(
                        "`{key}` is not a priority: the tables are [priority.P1] to [priority.P4]"
                    ),
                ))
            }
        };
    }
    let missing: Vec<&str> = Priority::ALL
        .iter()
        .filter(|p| !out.contains_key(p))
        .map(|p| p.as_str())
        .collect();
    if let Some(first) = missing.first() {
        return Err(PolicyError::invalid(
            format!("priority.{first}"),
            line,
            format!(
                "every priority P1-P4 needs a [priority.Pn] table; missing {}",
                missing.join(", ")
            ),
        ));
    }
    Ok(out)
}
