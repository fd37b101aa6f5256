//! The incident state machine: a pure core. Every function takes `now`;
//! nothing here reads a clock, touches storage or talks to Slack. Callers
//! store the returned incident (checking `version`) and its events together.

mod action;
mod event;
mod status;
mod title;

#[cfg(test)]
mod tests;

pub use action::{apply, Action, Role, TransitionError};
pub use event::{Event, EventKind};
pub use status::Status;
pub use title::{Title, TitleError};

use crate::ids::{IncidentNumber, UserId};
use crate::priority::Priority;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    pub number: IncidentNumber,
    pub title: Title,
    pub description: String,
    pub priority: Priority,
    pub status: Status,
    pub cyber: bool,
    pub engineering_lead: Option<UserId>,
    pub comms_lead: Option<UserId>,
    pub declared_by: UserId,
    pub declared_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// Who acknowledged (the card shows it beside when).
    pub acknowledged_by: Option<UserId>,
    /// When it was closed, whether resolved or found not to be an incident.
    pub resolved_at: Option<DateTime<Utc>>,
    /// The update deadline counts from here; declaring counts as the first.
    pub last_update_at: DateTime<Utc>,
    /// The latest pause-and-document: the 6-hour stretch counts from here.
    pub paused_at: Option<DateTime<Utc>>,
    /// When the incident review is (free text or a date, as people typed it).
    pub review: Option<String>,
    /// The resolution summary, or why it was not an incident.
    pub summary: Option<String>,
    /// Bumped by every accepted action, so a write based on an older read
    /// can be refused.
    pub version: i64,
}

/// What the declare modal (or a test) supplies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    pub title: Title,
    pub description: String,
    pub priority: Priority,
    pub cyber: bool,
    pub engineering_lead: Option<UserId>,
    pub comms_lead: Option<UserId>,
    pub declared_by: UserId,
}

impl Incident {
    pub fn is_open(&self) -> bool {
        self.status.is_open()
    }
}

/// A new incident, `Declared` (not acknowledged even when the declarer
/// names themselves lead: the on-call engineer still has to pick it up, and
/// the response clock runs until someone does), with its opening events.
pub fn declare(
    declaration: Declaration,
    number: IncidentNumber,
    now: DateTime<Utc>,
) -> (Incident, Vec<Event>) {
    let Declaration {
        title,
        description,
        priority,
        cyber,
        engineering_lead,
        comms_lead,
        declared_by,
    } = declaration;
    let by = &declared_by;
    let mut events = vec![Event::new(by, EventKind::Declared, now)
        .change(None, Some(priority.to_string()))
        .with_text(Some(title.to_string()))];
    if let Some(lead) = &engineering_lead {
        events.push(
            Event::new(by, EventKind::EngineeringLead, now).change(None, Some(lead.to_string())),
        );
    }
    if let Some(comms) = &comms_lead {
        events
            .push(Event::new(by, EventKind::CommsLead, now).change(None, Some(comms.to_string())));
    }
    if cyber {
        events.push(Event::new(by, EventKind::Cyber, now));
    }
    let incident = Incident {
        number,
        title,
        description: description.trim().to_owned(),
        priority,
        status: Status::Declared,
        cyber,
        engineering_lead,
        comms_lead,
        declared_by,
        declared_at: now,
        acknowledged_at: None,
        acknowledged_by: None,
        resolved_at: None,
        last_update_at: now,
        paused_at: None,
        review: None,
        summary: None,
        version: 1,
    };
    (incident, events)
}
