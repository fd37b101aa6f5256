//! Timeline rows: who did what to an incident, and when. The incident
//! report's timeline, roles and priority history are all read from these.

use crate::ids::UserId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
pub enum EventKind {
    /// `after` is the priority, `text` the title.
    Declared,
    Acknowledged,
    /// Engineering lead changed: `before`/`after` are user IDs.
    EngineeringLead,
    /// Comms lead changed: `before`/`after` are user IDs.
    CommsLead,
    /// `before`/`after` are priorities, `text` the reason if given.
    Priority,
    /// A status update: resets the update deadline.
    Update,
    /// A timeline entry that does not reset any deadline.
    Note,
    Cyber,
    /// Pause and document: the incident stays open.
    Pause,
    /// `text` is the summary if given.
    Resolved,
    /// `text` is why, if given.
    NotIncident,
    /// `before`/`after` are the review's when.
    Review,
    /// A thread reply or a 📌 message captured from Slack.
    Message,
    /// A closed incident opened again: `before` is the status it had.
    Reopened,
    /// A public update on the status page: `after` is its public status,
    /// `text` the public message.
    Published,
}

impl EventKind {
    pub const ALL: [EventKind; 15] = [
        EventKind::Declared,
        EventKind::Acknowledged,
        EventKind::EngineeringLead,
        EventKind::CommsLead,
        EventKind::Priority,
        EventKind::Update,
        EventKind::Note,
        EventKind::Cyber,
        EventKind::Pause,
        EventKind::Resolved,
        EventKind::NotIncident,
        EventKind::Review,
        EventKind::Message,
        EventKind::Reopened,
        EventKind::Published,
    ];

    /// The stored form (timeline.kind).
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Declared => "declared",
            EventKind::Acknowledged => "acknowledged",
            EventKind::EngineeringLead => "engineering_lead",
            EventKind::CommsLead => "comms_lead",
            EventKind::Priority => "priority",
            EventKind::Update => "update",
            EventKind::Note => "note",
            EventKind::Cyber => "cyber",
            EventKind::Pause => "pause",
            EventKind::Resolved => "resolved",
            EventKind::NotIncident => "not_incident",
            EventKind::Review => "review",
            EventKind::Message => "message",
            EventKind::Reopened => "reopened",
            EventKind::Published => "published",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<EventKind> for &'static str {
    fn from(kind: EventKind) -> &'static str {
        kind.as_str()
    }
}

impl FromStr for EventKind {
    type Err = String;
    fn from_str(raw: &str) -> Result<Self, String> {
        EventKind::ALL
            .into_iter()
            .find(|k| k.as_str() == raw)
            .ok_or_else(|| format!("`{raw}` is not a timeline event kind"))
    }
}

impl TryFrom<String> for EventKind {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        raw.parse()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub actor: UserId,
    pub kind: EventKind,
    pub before: Option<String>,
    pub after: Option<String>,
    pub text: Option<String>,
    pub at: DateTime<Utc>,
}

impl Event {
    pub fn new(actor: &UserId, kind: EventKind, at: DateTime<Utc>) -> Event {
        Event {
            actor: actor.clone(),
            kind,
            before: None,
            after: None,
            text: None,
            at,
        }
    }

    pub fn change(mut self, before: Option<String>, after: Option<String>) -> Event {
        self.before = before;
        self.after = after;
        self
    }

    pub fn with_text(mut self, text: Option<String>) -> Event {
        self.text = text;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_storage() {
        for kind in EventKind::ALL {
            assert_eq!(kind.as_str().parse::<EventKind>(), Ok(kind));
        }
        assert!("paused".parse::<EventKind>().is_err());
    }
}
