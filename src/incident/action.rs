//! What people do to an incident, and which of those the lifecycle allows.

use super::event::{Event, EventKind};
use super::status::Status;
use super::Incident;
use crate::ids::{IncidentNumber, UserId};
use crate::priority::Priority;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// "I'm on it": becomes engineering lead if nobody is.
    Acknowledge,
    TakeLead,
    TakeComms,
    SetLead(UserId),
    SetComms(UserId),
    Prioritise {
        priority: Priority,
        reason: Option<String>,
    },
    /// A status update: resets the update deadline.
    Update(String),
    /// A timeline entry that resets nothing.
    Note(String),
    FlagCyber,
    /// Pause and document; the incident stays open.
    Pause,
    Resolve(Option<String>),
    NotIncident(Option<String>),
    ScheduleReview(String),
    /// Opens a closed incident again (SPEC §2.7): its clocks are planned
    /// afresh from the reopening.
    Reopen,
}

/// The two incident roles from the incident process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Engineering,
    Comms,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Engineering => "engineering lead",
            Role::Comms => "comms lead",
        }
    }

    fn command(self) -> &'static str {
        match self {
            Role::Engineering => "lead",
            Role::Comms => "comms",
        }
    }
}

/// Why an action was refused. Messages are Slack mrkdwn and echo no user
/// text, so they can be shown as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("{number} is {}: {}", status.describe(), closed_hint(*status))]
    Closed {
        number: IncidentNumber,
        status: Status,
    },
    #[error("{} is already the {}. To change it, use `/incident {} {number} @person`.", by.mention(), role.as_str(), role.command())]
    AlreadyTaken {
        number: IncidentNumber,
        role: Role,
        by: UserId,
    },
    #[error("{number} is already acknowledged.")]
    AlreadyAcknowledged { number: IncidentNumber },
    /// The action would change nothing, e.g. the same priority again.
    #[error("Nothing changed: {number} {what}.")]
    Unchanged {
        number: IncidentNumber,
        what: String,
    },
    #[error("{what} needs some text.")]
    EmptyText { what: &'static str },
    #[error("{number} is still open: record its review once it is resolved.")]
    NotResolved { number: IncidentNumber },
    #[error("{number} is open already: only a closed incident can be reopened.")]
    NotClosed { number: IncidentNumber },
}

fn closed_hint(status: Status) -> &'static str {
    match status {
        Status::Resolved => {
            "only notes and the review date can be added now, or `/incident reopen` opens it again."
        }
        _ => "only notes can be added now, or `/incident reopen` opens it again.",
    }
}

/// Applies `action` by `actor` at `now`: the changed incident (version
/// bumped) and the timeline events to store with it, or why not.
pub fn apply(
    incident: &Incident,
    actor: &UserId,
    action: Action,
    now: DateTime<Utc>,
) -> Result<(Incident, Vec<Event>), TransitionError> {
    let number = incident.number;
    let allowed = match (&action, incident.status) {
        (_, s) if s.is_open() => !matches!(action, Action::ScheduleReview(_) | Action::Reopen),
        (Action::Note(_) | Action::Reopen, _) => true,
        (Action::ScheduleReview(_), Status::Resolved) => true,
        _ => false,
    };
    if !allowed {
        return Err(if action == Action::Reopen {
            TransitionError::NotClosed { number }
        } else if incident.is_open() {
            TransitionError::NotResolved { number }
        } else {
            TransitionError::Closed {
                number,
                status: incident.status,
            }
        });
    }

    let mut next = incident.clone();
    let mut events = Vec::new();
    let event = |kind| Event::new(actor, kind, now);
    let unchanged = |what: String| TransitionError::Unchanged { number, what };

    match action {
        Action::Acknowledge => {
            if incident.status == Status::Acknowledged {
                return Err(TransitionError::AlreadyAcknowledged { number });
            }
            acknowledge(&mut next, actor, now, &mut events);
        }
        Action::TakeLead => {
            take(
                &mut next.engineering_lead,
                Role::Engineering,
                number,
                actor,
                &mut events,
                now,
            )?;
            // Taking the lead is responding: it stops the response clock.
            if next.status == Status::Declared {
                acknowledge(&mut next, actor, now, &mut events);
            }
        }
        Action::TakeComms => {
            take(
                &mut next.comms_lead,
                Role::Comms,
                number,
                actor,
                &mut events,
                now,
            )?;
        }
        Action::SetLead(user) => {
            if next.engineering_lead.as_ref() == Some(&user) {
                return Err(unchanged(format!("is already led by {}", user.mention())));
            }
            events.push(lead_event(
                EventKind::EngineeringLead,
                actor,
                &next.engineering_lead,
                &user,
                now,
            ));
            next.engineering_lead = Some(user);
        }
        Action::SetComms(user) => {
            if next.comms_lead.as_ref() == Some(&user) {
                return Err(unchanged(format!(
                    "already has {} on comms",
                    user.mention()
                )));
            }
            events.push(lead_event(
                EventKind::CommsLead,
                actor,
                &next.comms_lead,
                &user,
                now,
            ));
            next.comms_lead = Some(user);
        }
        Action::Prioritise { priority, reason } => {
            if priority == next.priority {
                return Err(unchanged(format!("is already {priority}")));
            }
            events.push(
                event(EventKind::Priority)
                    .change(Some(next.priority.to_string()), Some(priority.to_string()))
                    .with_text(non_empty(reason)),
            );
            next.priority = priority;
        }
        Action::Update(text) => {
            let text = required(text, "An update")?;
            events.push(event(EventKind::Update).with_text(Some(text)));
            next.last_update_at = now;
        }
        Action::Note(text) => {
            let text = required(text, "A note")?;
            events.push(event(EventKind::Note).with_text(Some(text)));
        }
        Action::FlagCyber => {
            if next.cyber {
                return Err(unchanged(
                    "is already flagged as a cyber security incident".into(),
                ));
            }
            events.push(event(EventKind::Cyber));
            next.cyber = true;
        }
        Action::Pause => {
            events.push(event(EventKind::Pause));
            next.paused_at = Some(now);
        }
        Action::Resolve(summary) => {
            let summary = non_empty(summary);
            events.push(event(EventKind::Resolved).with_text(summary.clone()));
            close(&mut next, Status::Resolved, summary, now);
        }
        Action::NotIncident(why) => {
            let why = non_empty(why);
            events.push(event(EventKind::NotIncident).with_text(why.clone()));
            close(&mut next, Status::NotIncident, why, now);
        }
        Action::ScheduleReview(when) => {
            let when = required(when, "The review date")?;
            if next.review.as_deref() == Some(when.as_str()) {
                return Err(unchanged("already has that review date".into()));
            }
            events.push(event(EventKind::Review).change(next.review.clone(), Some(when.clone())));
            next.review = Some(when);
        }
        Action::Reopen => reopen(&mut next, actor, now, &mut events),
    }
    next.version = incident.version + 1;
    Ok((next, events))
}

fn acknowledge(next: &mut Incident, actor: &UserId, now: DateTime<Utc>, events: &mut Vec<Event>) {
    next.status = Status::Acknowledged;
    next.acknowledged_at = Some(now);
    next.acknowledged_by = Some(actor.clone());
    events.push(Event::new(actor, EventKind::Acknowledged, now));
    if next.engineering_lead.is_none() {
        events.push(lead_event(
            EventKind::EngineeringLead,
            actor,
            &None,
            actor,
            now,
        ));
        next.engineering_lead = Some(actor.clone());
    }
}

/// "Take" only fills an empty role: taking it from someone is an explicit
/// assignment (`/incident lead`), so two people pressing the button at once
/// cannot silently swap leads.
fn take(
    slot: &mut Option<UserId>,
    role: Role,
    number: IncidentNumber,
    actor: &UserId,
    events: &mut Vec<Event>,
    now: DateTime<Utc>,
) -> Result<(), TransitionError> {
    match slot {
        Some(by) if by == actor => Err(TransitionError::Unchanged {
            number,
            what: format!("already has you as {}", role.as_str()),
        }),
        Some(by) => Err(TransitionError::AlreadyTaken {
            number,
            role,
            by: by.clone(),
        }),
        None => {
            let kind = match role {
                Role::Engineering => EventKind::EngineeringLead,
                Role::Comms => EventKind::CommsLead,
            };
            events.push(lead_event(kind, actor, &None, actor, now));
            *slot = Some(actor.clone());
            Ok(())
        }
    }
}

fn lead_event(
    kind: EventKind,
    actor: &UserId,
    before: &Option<UserId>,
    after: &UserId,
    now: DateTime<Utc>,
) -> Event {
    Event::new(actor, kind, now).change(
        before.as_ref().map(UserId::to_string),
        Some(after.to_string()),
    )
}

/// Back to work on a closed incident. Whoever reopens it is picking it up,
/// so an incident nobody had acknowledged is acknowledged by them (and they
/// lead it if nobody does); the update clock counts from the reopening, not
/// from an update made before it was closed. The old summary no longer
/// describes how it ended; the timeline keeps it.
fn reopen(next: &mut Incident, actor: &UserId, now: DateTime<Utc>, events: &mut Vec<Event>) {
    let before = next.status;
    events.push(Event::new(actor, EventKind::Reopened, now).change(
        Some(before.as_str().to_owned()),
        Some(Status::Acknowledged.as_str().to_owned()),
    ));
    next.resolved_at = None;
    next.summary = None;
    next.last_update_at = now;
    if next.acknowledged_at.is_none() {
        acknowledge(next, actor, now, events);
    } else {
        next.status = Status::Acknowledged;
    }
}

fn close(next: &mut Incident, status: Status, summary: Option<String>, now: DateTime<Utc>) {
    next.status = status;
    next.resolved_at = Some(now);
    if summary.is_some() {
        next.summary = summary;
    }
}

fn non_empty(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

fn required(text: String, what: &'static str) -> Result<String, TransitionError> {
    non_empty(Some(text)).ok_or(TransitionError::EmptyText { what })
}
