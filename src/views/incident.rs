//! What the bot says about incidents: thread replies for each change, the
//! checklists the incident process asks for and list lines.

use crate::deadline::NextDeadline;
use crate::ids::UserId;
use crate::incident::{Event, EventKind, Incident, Status};
use crate::mrkdwn::{escape, slack_date, text as user_text};
use crate::policy::Policy;
use crate::views::labels::priority_label;

/// The ephemeral confirmation after a change made by command, with where
/// the incident stands (an update leaves the status as it was, so this
/// says "is", not "is now").
pub fn done(incident: &Incident) -> String {
    format!(
        "Done. {} is {} ({}).",
        incident.number,
        status_word(incident.status),
        incident.priority
    )
}

fn status_word(status: Status) -> &'static str {
    match status {
        Status::Declared => "declared, waiting for acknowledgement",
        Status::Acknowledged => "acknowledged",
        Status::Resolved => "resolved",
        Status::NotIncident => "closed as not an incident",
    }
}

fn mention(user: &UserId) -> String {
    format!("<@{user}>")
}

fn people(users: &[UserId]) -> String {
    users.iter().map(mention).collect::<Vec<_>>().join(" ")
}

/// One line in the card's thread for one timeline event. User text is
/// whole, however long: the outbox splits a long line into several
/// messages (`bot::outgoing::reply`), so nothing is cut.
pub fn event_line(policy: &Policy, incident: &Incident, event: &Event) -> String {
    let who = mention(&event.actor);
    let text = event.text.as_deref().map(user_text).unwrap_or_default();
    let after = event.after.as_deref().unwrap_or_default();
    let before = event.before.as_deref().unwrap_or_default();
    let tz = policy.timezone;
    match event.kind {
        EventKind::Declared => format!(
            ":rotating_light: {who} declared {} as {}.",
            incident.number,
            priority_label(policy, incident.priority)
        ),
        EventKind::Acknowledged => format!(":eyes: {who} acknowledged."),
        EventKind::EngineeringLead => format!(
            ":technologist: Engineering lead: {} (set by {who}).",
            person_or_nobody(after)
        ),
        EventKind::CommsLead => format!(
            ":loudspeaker: Comms lead: {} (set by {who}).",
            person_or_nobody(after)
        ),
        EventKind::Priority => {
            let reason = if text.is_empty() {
                String::new()
            } else {
                format!(" Reason: {text}")
            };
            format!(":arrow_up_down: {who} changed the priority from {before} to {after}.{reason}")
        }
        EventKind::Update => format!(":memo: *Update* from {who}:\n{text}"),
        EventKind::Note => format!(":pushpin: Note from {who}: {text}"),
        EventKind::Cyber => {
            format!(":rotating_light: {who} flagged this as a suspected cyber security incident.")
        }
        EventKind::Pause => {
            format!(":double_vertical_bar: {who} paused the incident to document it.")
        }
        EventKind::Resolved => {
            let summary = if text.is_empty() {
                String::new()
            } else {
                format!("\nSummary: {text}")
            };
            format!(
                ":white_check_mark: {who} resolved {} at {}.{summary}",
                incident.number,
                slack_date(event.at, tz)
            )
        }
        EventKind::NotIncident => {
            let why = if text.is_empty() {
                String::new()
            } else {
                format!(" Why: {text}")
            };
            format!(":heavy_minus_sign: {who} closed this: not an incident.{why}")
        }
        EventKind::Review => format!(
            ":calendar: {who} recorded the incident review: {}",
            user_text(after)
        ),
        EventKind::Message => format!(":speech_balloon: {who}: {text}"),
        EventKind::Reopened => format!(
            ":arrows_counterclockwise: {who} reopened {}: its deadlines and reminders run again from now.",
            incident.number
        ),
        EventKind::Published => {
            let status = crate::statuspage::PublicStatus::parse(after).map_or(after, |s| s.label());
            format!(
                ":globe_with_meridians: {who} published to the status page (*{status}*):\n{text}"
            )
        }
    }
}

fn person_or_nobody(raw: &str) -> String {
    if raw.is_empty() {
        "nobody".to_owned()
    } else {
        format!("<@{}>", escape(raw))
    }
}

/// The checklists a change calls for, from the incident process.
pub fn follow_ups(policy: &Policy, before: &Incident, after: &Incident) -> Vec<String> {
    let mut out = Vec::new();
    if after.status == Status::Resolved && before.status != Status::Resolved {
        out.push(RESOLUTION_CHECKLIST.replace("INC-N", &after.number.to_string()));
    }
    if after.paused_at != before.paused_at && after.paused_at.is_some() {
        out.push(PAUSE_CHECKLIST.to_owned());
    }
    if after.cyber && !before.cyber {
        out.push(cyber_guidance(policy));
    }
    out
}

/// True when a priority change makes the incident one tenants notice.
pub fn newly_affects_tenants(policy: &Policy, before: &Incident, after: &Incident) -> bool {
    policy.priority(after.priority).affects_tenants
        && !policy.priority(before.priority).affects_tenants
}

pub const RESOLUTION_CHECKLIST: &str = "*Resolution checklist*\n\
• Announce the resolution in every channel used during the incident (status page, tenant channels, email).\n\
• Schedule the incident review for 1–2 weeks from now and record it: `/incident review INC-N <when>`.\n\
• Write up the incident report while it is fresh: `/incident report INC-N`.";

pub const PAUSE_CHECKLIST: &str = "*Pause and document* (long-running incidents)\n\
• Comms lead: check the incident report has a summary and is up to date.\n\
• Comms lead: share the incident report with the SREs and the wider managed service pool.\n\
• Hold an incident continuation meeting: the current status, any useful context, and which communications still need updating.\n\
• People who worked out of hours are not required to work until 11 hours after the end of the incident.";

/// How to escalate a suspected cyber security incident, and what counts,
/// from the policy's `[cyber]` section.
pub fn cyber_guidance(policy: &Policy) -> String {
    let examples: String = policy
        .cyber
        .examples
        .iter()
        .map(|e| format!("\n• {e}"))
        .collect();
    format!(
        "*Suspected cyber security incident*\n{}\n\n{}\nExamples:{examples}",
        policy.cyber.contact, policy.cyber.definition
    )
}

/// The thread reply that pages the engineering cover on declare.
pub fn paging(incident: &Incident, engineers: &[UserId]) -> String {
    if engineers.is_empty() {
        return format!(
            ":warning: Nobody is on the engineering rota right now. Whoever can, please acknowledge {} (button above or `/incident ack {}`).",
            incident.number, incident.number
        );
    }
    format!(
        ":pager: {} you are on call: please acknowledge {} (button above or `/incident ack {}`).",
        people(engineers),
        incident.number,
        incident.number
    )
}

/// Told by DM to the declarer and the engineering cover when Slack
/// refused the incident's card for good (`reason`, Slack's answer): the
/// incident exists, but nobody in the channel can see it or was paged.
pub fn card_refused(incident: &Incident, channel: &str, reason: &str) -> String {
    format!(
        ":rotating_light: {} *{}* ({}) was declared, but Slack would not post its card in <#{channel}> ({}), so nobody there has seen it or been paged. Please acknowledge it (`/incident ack {}`) and fix the channel: unarchive it, invite me, or change the policy.",
        incident.number,
        escape(incident.title.as_str()),
        incident.priority,
        escape(reason),
        incident.number,
    )
}

/// Asks the comms cover to handle tenant communication.
pub fn comms_page(incident: &Incident, comms: &[UserId]) -> Option<String> {
    if comms.is_empty() {
        return None;
    }
    Some(format!(
        ":loudspeaker: {} {} is {} and affects tenants: please take comms (button above).",
        people(comms),
        incident.number,
        incident.priority
    ))
}

/// The last line of a `/incident list` too long for one message.
pub fn more_incidents(left: usize) -> String {
    format!(
        "…and {left} more open incidents, less pressing. `/incident show INC-N` shows any one; the App Home tab lists the most pressing."
    )
}

/// One open incident in `/incident list`.
pub fn list_line(policy: &Policy, incident: &Incident, next: &NextDeadline) -> String {
    let lead = incident
        .engineering_lead
        .as_ref()
        .map_or("no lead".to_owned(), |u| format!("lead {}", mention(u)));
    let comms = incident
        .comms_lead
        .as_ref()
        .map_or("no comms".to_owned(), |u| format!("comms {}", mention(u)));
    let due = next
        .as_ref()
        .map(|(what, at)| {
            format!(
                " · {} {}",
                what.to_lowercase(),
                slack_date(*at, policy.timezone)
            )
        })
        .unwrap_or_default();
    format!(
        "*{}* {} — {} · {lead} · {comms}{due}",
        incident.number,
        priority_label(policy, incident.priority),
        escape(incident.title.as_str()),
    )
}
