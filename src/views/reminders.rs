//! What each reminder says, and to whom (SPEC §2.3).

use super::incident::PAUSE_CHECKLIST;
use crate::calendar::Calendar;
use crate::ids::UserId;
use crate::incident::Incident;
use crate::mrkdwn::{escape_within, slack_date};
use crate::policy::{Policy, Rota};
use crate::reminders::Kind;
use chrono::{DateTime, Duration, Utc};

/// A reminder fired this long after its due time says it is late.
pub const LATE_AFTER: Duration = Duration::minutes(2);

/// Where a reminder's words go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Says {
    /// A reply in the incident card's thread, with the button that clears it.
    Thread(String, Option<Prompt>),
    /// A direct message.
    Direct(UserId, String),
}

/// The action a reminder asks for, offered as a button under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    Acknowledge,
    PostUpdate,
}

/// Who covers the rotas a reminder may call on, at firing time.
#[derive(Debug, Clone, Default)]
pub struct People {
    pub engineering: Vec<UserId>,
    pub escalation: Option<UserId>,
}

fn at(user: &UserId) -> String {
    format!("<@{user}>")
}

fn all(users: &[&UserId]) -> String {
    if users.is_empty() {
        return "Whoever is on call".to_owned();
    }
    users.iter().map(|u| at(u)).collect::<Vec<_>>().join(" ")
}

fn late_note(due: DateTime<Utc>, now: DateTime<Utc>, policy: &Policy) -> String {
    if now - due > LATE_AFTER {
        format!(
            " _(late: this was due {} while the bot was not running)_",
            slack_date(due, policy.timezone)
        )
    } else {
        String::new()
    }
}

/// The messages an incident reminder sends.
pub fn incident(
    policy: &Policy,
    cal: &Calendar,
    incident: &Incident,
    kind: Kind,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
    people: &People,
) -> Vec<Says> {
    let tz = policy.timezone;
    let n = incident.number.0;
    let late = late_note(due, now, policy);
    let leads: Vec<&UserId> = incident
        .engineering_lead
        .iter()
        .chain(incident.comms_lead.iter())
        .collect();
    // Updates are the comms lead's job, else the engineering lead's.
    let updater: Vec<&UserId> = incident
        .comms_lead
        .as_ref()
        .or(incident.engineering_lead.as_ref())
        .into_iter()
        .collect();
    let engineers: Vec<&UserId> = people.engineering.iter().collect();
    let rules = &policy.reminders;
    match kind {
        Kind::Response => {
            let mut who = engineers.clone();
            who.extend(people.escalation.iter());
            vec![Says::Thread(format!(
                ":alarm_clock: {} INC-{n} ({}) has not been acknowledged and its response time has passed. Please acknowledge now.{late}",
                all(&who),
                incident.priority
            ), Some(Prompt::Acknowledge))]
        }
        Kind::Escalate => {
            let text = format!(
                ":rotating_light: INC-{n} has gone {} minutes without acknowledgement: escalating to {}.{late}",
                rules.escalate_unacknowledged_after.num_minutes(),
                people.escalation.as_ref().map_or("the escalation rota (nobody is on it now)".to_owned(), at)
            );
            let mut out = vec![Says::Thread(text, Some(Prompt::Acknowledge))];
            if let Some(escalation) = &people.escalation {
                out.push(Says::Direct(
                    escalation.clone(),
                    format!(
                        "INC-{n} ({}, {}) has not been acknowledged for {} minutes. You are on the escalation rota: please look at the incident channel.",
                        incident.priority,
                        escape_within(incident.title.as_str(), 150),
                        rules.escalate_unacknowledged_after.num_minutes()
                    ),
                ));
            }
            out
        }
        Kind::UpdateWarning => vec![Says::Thread(format!(
            ":hourglass_flowing_sand: {} the next update on INC-{n} is due {}.{late}",
            all(&updater),
            slack_date(crate::deadline::update_due(policy, cal, incident), tz)
        ), Some(Prompt::PostUpdate))],
        Kind::UpdateDue => vec![Says::Thread(format!(
            ":hourglass: {} an update on INC-{n} is due now: post it with the button on the card or `/incident update INC-{n} …`.{late}",
            all(&updater)
        ), Some(Prompt::PostUpdate))],
        Kind::AskForUpdate => vec![Says::Thread(format!(
            ":speech_balloon: {} how is INC-{n} going? A line here helps the comms lead with the next update.{late}",
            all(&incident.engineering_lead.iter().collect::<Vec<_>>())
        ), Some(Prompt::PostUpdate))],
        Kind::PauseAt => vec![Says::Thread(format!(
            ":double_vertical_bar: {} it is {}: time to pause and document INC-{n}.{late}\n{PAUSE_CHECKLIST}",
            all(&leads),
            rules.pause_at.format("%H:%M")
        ), None)],
        Kind::Stretch => vec![Says::Thread(format!(
            ":double_vertical_bar: {} INC-{n} has been worked for {} hours without a pause: time to pause and document.{late}\n{PAUSE_CHECKLIST}",
            all(&leads),
            rules.max_stretch.num_hours()
        ), None)],
        Kind::OfficeHours => {
            let what = if cal.is_in_hours(due) { "starting" } else { "ending" };
            vec![Says::Thread(format!(
                ":clock5: {} office hours are {what}: update the status page with progress and next steps for INC-{n}.{late}",
                all(&updater)
            ), Some(Prompt::PostUpdate))]
        }
        Kind::Rest => {
            let until = incident.resolved_at.unwrap_or(due) + rules.rest_after_out_of_hours;
            leads
                .iter()
                .map(|lead| {
                    Says::Direct(
                        (*lead).clone(),
                        format!(
                            "Thank you for working on INC-{n} out of hours. You are not required to work until {}.",
                            slack_date(until, tz)
                        ),
                    )
                })
                .collect()
        }
        Kind::Review => vec![Says::Thread(format!(
            ":calendar: {} INC-{n} was resolved {} ago and no incident review is recorded. The target is {} after resolution: `/incident review INC-{n} <when>`.{late}",
            all(&leads),
            describe(rules.review_nudge_after.to_string()),
            describe(rules.review_target.to_string()),
        ), None)],
        Kind::Handover | Kind::WeekEnd => Vec::new(),
    }
}

fn describe(duration: String) -> String {
    duration
}

/// The post in a rota's topic channels when it changes hands.
#[allow(clippy::too_many_arguments)]
pub fn handover(
    policy: &Policy,
    rota: &Rota,
    kind: Kind,
    outgoing: Option<UserId>,
    incoming: Option<UserId>,
    open: &[Incident],
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> String {
    let from = outgoing.as_ref().map_or("nobody".to_owned(), at);
    let to = incoming.as_ref().map_or("nobody".to_owned(), at);
    let mut text = match kind {
        Kind::WeekEnd => format!(
            ":calendar: End of the support week on *{}*: {from} hands over to {to}. Hold the handover meeting.{}",
            rota.name,
            late_note(due, now, policy)
        ),
        _ => format!(
            ":handshake: *{}* handover: {from} → {to}.{}",
            rota.name,
            late_note(due, now, policy)
        ),
    };
    if open.is_empty() {
        text.push_str("\nNo open incidents.");
    } else {
        text.push_str("\nOpen incidents:");
        for incident in open {
            text.push_str(&format!(
                "\n• {} {} {}",
                incident.number,
                incident.priority,
                escape_within(incident.title.as_str(), 150)
            ));
        }
    }
    text
}
