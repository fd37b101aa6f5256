//! What each reminder says, and to whom (SPEC §2.3).

use super::elapsed::spoken;
use super::incident::PAUSE_CHECKLIST;
use crate::calendar::{Calendar, SlaClock};
use crate::deadline;
use crate::ids::UserId;
use crate::incident::Incident;
use crate::mrkdwn::{escape_within, slack_date};
use crate::policy::{Policy, Rota};
use crate::reminders::{self, Kind};
use chrono::{DateTime, Duration, Utc};

#[cfg(test)]
#[path = "reminders_tests.rs"]
mod tests;

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

/// One reminder row being fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Firing {
    pub kind: Kind,
    /// When it fell due.
    pub due: DateTime<Utc>,
    /// When it is fired.
    pub now: DateTime<Utc>,
    /// It fell due before the bot started, so while it was not running
    /// (rather than, say, on a re-plan that put the slot in the past).
    pub while_down: bool,
}

/// " _(late by 2 h 50 min: this was due …)_" when the reminder fires more
/// than `LATE_AFTER` after it fell due, with the real lateness; else "".
pub fn late_note(firing: &Firing, policy: &Policy) -> String {
    let late = firing.now - firing.due;
    if late <= LATE_AFTER {
        return String::new();
    }
    let why = if firing.while_down {
        " while the bot was not running"
    } else {
        ""
    };
    format!(
        " _(late by {}: this was due {}{why})_",
        spoken(late),
        slack_date(firing.due, policy.timezone)
    )
}

/// "3 h 10 min" since declaring, and for a priority on the in-hours clock
/// how much of that was in hours: "2 days 18 h (2 h in hours)".
fn unacknowledged_for(
    policy: &Policy,
    cal: &Calendar,
    incident: &Incident,
    now: DateTime<Utc>,
) -> String {
    let wall = spoken(now - incident.declared_at);
    match deadline::clock(policy, incident.priority) {
        SlaClock::Wall => wall,
        SlaClock::InHours => {
            let in_hours = SlaClock::InHours.elapsed(cal, incident.declared_at, now);
            format!("{wall} ({} in hours)", spoken(in_hours))
        }
    }
}

/// The messages an incident reminder sends; none for an update warning
/// whose deadline has already passed (SPEC §2.5).
pub fn incident(
    policy: &Policy,
    cal: &Calendar,
    incident: &Incident,
    firing: Firing,
    people: &People,
) -> Vec<Says> {
    let tz = policy.timezone;
    let n = incident.number.0;
    let Firing { kind, due, now, .. } = firing;
    let late = late_note(&firing, policy);
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
            let waited = unacknowledged_for(policy, cal, incident, now);
            let text = format!(
                ":rotating_light: INC-{n} has gone unacknowledged for {waited}: escalating to {}.{late}",
                people.escalation.as_ref().map_or("the escalation rota (nobody is on it now)".to_owned(), at)
            );
            let mut out = vec![Says::Thread(text, Some(Prompt::Acknowledge))];
            if let Some(escalation) = &people.escalation {
                out.push(Says::Direct(
                    escalation.clone(),
                    format!(
                        "INC-{n} ({}, {}) has not been acknowledged for {waited}. You are on the escalation rota: please look at the incident channel.{late}",
                        incident.priority,
                        escape_within(incident.title.as_str(), 150),
                    ),
                ));
            }
            out
        }
        Kind::UpdateWarning => {
            let deadline = reminders::warned_deadline(policy, cal, incident, due);
            if now >= deadline {
                return Vec::new();
            }
            vec![Says::Thread(format!(
                ":hourglass_flowing_sand: {} the next update on INC-{n} is due {}.{late}",
                all(&updater),
                slack_date(deadline, tz)
            ), Some(Prompt::PostUpdate))]
        }
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
                            "Thank you for working on INC-{n} out of hours. You are not required to work until {}.{late}",
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
        // Not about an incident: said by their own subjects.
        Kind::Handover
        | Kind::WeekEnd
        | Kind::Lapse
        | Kind::ShiftAhead
        | Kind::AlertPage
        | Kind::AlertEscalate => Vec::new(),
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
    // Handover posts are planned only ahead of time: one that fires late
    // fell due while the bot was not running.
    let firing = Firing {
        kind,
        due,
        now,
        while_down: true,
    };
    let from = outgoing.as_ref().map_or("nobody".to_owned(), at);
    let to = incoming.as_ref().map_or("nobody".to_owned(), at);
    let mut text = match kind {
        Kind::WeekEnd => format!(
            ":calendar: End of the support week on *{}*: {from} hands over to {to}. Hold the handover meeting.{}",
            rota.name,
            late_note(&firing, policy)
        ),
        _ => format!(
            ":handshake: *{}* handover: {from} → {to}.{}",
            rota.name,
            late_note(&firing, policy)
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
