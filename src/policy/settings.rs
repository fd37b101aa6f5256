//! The non-rota sections of the policy: support hours, priorities,
//! reminder timings and the cyber security escalation contact. Defaults
//! are the GOV.UK PaaS process (SPEC §2.3) so a file may leave them out.

use super::days::{self, TimeRange};
use super::duration::{self, PolicyDuration};
use chrono::{Duration, NaiveDate, NaiveTime, Weekday};
use serde::{Deserialize, Deserializer};

/// Which UK bank holidays apply (the GOV.UK bank-holidays divisions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Division {
    EnglandAndWales,
    Scotland,
    NorthernIreland,
    None,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hours {
    #[serde(deserialize_with = "weekdays")]
    pub working_days: Vec<Weekday>,
    pub in_hours: TimeRange,
    pub bank_holidays: Division,
    #[serde(default, deserialize_with = "dates")]
    pub extra_holidays: Vec<NaiveDate>,
}

fn weekdays<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Weekday>, D::Error> {
    let raw = Vec::<String>::deserialize(d)?;
    let mut out = Vec::new();
    for day in raw {
        let day = days::parse_weekday(&day).map_err(serde::de::Error::custom)?;
        if out.contains(&day) {
            return Err(serde::de::Error::custom(format!("{day} is listed twice")));
        }
        out.push(day);
    }
    if out.is_empty() {
        return Err(serde::de::Error::custom(
            "at least one working day is needed",
        ));
    }
    Ok(out)
}

pub fn parse_date(raw: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{raw}` is not a date: use \"YYYY-MM-DD\""))
}

pub(crate) fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    parse_date(&String::deserialize(d)?).map_err(serde::de::Error::custom)
}

fn dates<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<NaiveDate>, D::Error> {
    Vec::<String>::deserialize(d)?
        .iter()
        .map(|s| parse_date(s).map_err(serde::de::Error::custom))
        .collect()
}

/// One row of the severity table in the support manual.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrioritySettings {
    /// "Critical", "Major", …: shown beside P1..P4 everywhere.
    pub name: String,
    pub example: String,
    /// "Start work & respond" within this, in hours.
    pub respond_in_hours: PolicyDuration,
    /// Absent when the priority gets no out-of-hours response.
    #[serde(default)]
    pub respond_out_of_hours: Option<PolicyDuration>,
    /// How often tenants get an update while it is open.
    pub update_every: PolicyDuration,
    /// How long an unacknowledged incident waits before the escalation rota
    /// is called, counted on this priority's clock (SPEC §2.5). Absent: at
    /// the response deadline, unless the older
    /// `[reminders] escalate_unacknowledged_after` applies (see
    /// `Policy::escalate_after`).
    #[serde(default)]
    pub escalate_after: Option<PolicyDuration>,
    /// Whether the comms lead is needed ("if the situation impacts tenants,
    /// escalate to the person on comms support").
    #[serde(default = "yes")]
    pub affects_tenants: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReminderSettings {
    /// Warn this long before each update deadline.
    #[serde(deserialize_with = "duration::fixed")]
    pub update_warning: Duration,
    /// The comms lead asks engineers for an update "every 20-30 minutes".
    #[serde(deserialize_with = "duration::fixed")]
    pub ask_for_update_every: Duration,
    /// Superseded by `escalate_after` under `[priority.PN]`; still accepted
    /// as the `escalate_after` of every priority with an out-of-hours
    /// response that sets none of its own. None when the file omits it.
    #[serde(deserialize_with = "duration::fixed_opt")]
    pub escalate_unacknowledged_after: Option<Duration>,
    /// "6 hours should be the maximum" stretch before pausing to document.
    #[serde(deserialize_with = "duration::fixed")]
    pub max_stretch: Duration,
    /// "Not required to work until 11 hours after the end of the incident."
    #[serde(deserialize_with = "duration::fixed")]
    pub rest_after_out_of_hours: Duration,
    /// Nudge the leads if no review is recorded this long after resolving.
    pub review_nudge_after: PolicyDuration,
    /// The review should happen "ideally within 1-2 weeks".
    pub review_target: PolicyDuration,
    /// "You are working on an incident in office hours and the time has reached 5pm."
    #[serde(deserialize_with = "days::time")]
    pub pause_at: NaiveTime,
}

impl Default for ReminderSettings {
    fn default() -> Self {
        ReminderSettings {
            update_warning: Duration::minutes(10),
            ask_for_update_every: Duration::minutes(30),
            escalate_unacknowledged_after: None,
            max_stretch: Duration::hours(6),
            rest_after_out_of_hours: Duration::hours(11),
            review_nudge_after: PolicyDuration::Fixed(Duration::days(7)),
            review_target: PolicyDuration::Fixed(Duration::days(14)),
            pause_at: NaiveTime::from_hms_opt(17, 0, 0).expect("17:00 is a time"),
        }
    }
}

/// Where a suspected cyber security incident goes (incident process,
/// "Cyber security incidents" and its appendix).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CyberSettings {
    /// Who to contact and how, shown when an incident is flagged as cyber.
    pub contact: String,
    /// What counts as a cyber security incident.
    pub definition: String,
    pub examples: Vec<String>,
}

impl Default for CyberSettings {
    fn default() -> Self {
        CyberSettings {
            contact: "Escalate to the Cyber Security team: call the number listed under Cyber Security \
                      on the PagerDuty Live Call Routing page, email the Cyber Security reporting address, \
                      or use the #cyber-security-help Slack channel."
                .to_owned(),
            definition: "An active breach and/or exposure of data, not just a hypothetical possibility \
                         (the NCSC definition of a cyber incident). If in doubt, escalate."
                .to_owned(),
            examples: vec![
                "unauthorised access to non-public data of GOV.UK services".to_owned(),
                "exploitation of a vulnerability or lack of access control to use or alter GOV.UK services and systems"
                    .to_owned(),
                "denial-of-service (DoS) or similar attacks on GOV.UK services".to_owned(),
            ],
        }
    }
}
