//! How the team responds to incidents (SPEC §7 `/incident stats`, the
//! report): time to acknowledge and to resolve, whether each update met its
//! deadline, and escalations, as pure functions of stored incidents, their
//! timelines and the escalation reminders that fired.
//!
//! - Time to acknowledge: declared → the first acknowledgement.
//! - Time to resolve: declared → resolved (incidents closed as "not an
//!   incident" are not incidents and are left out of the figures).
//! - An update is on time when posted by the update deadline it was
//!   working to: `update_every` of the priority in force, after the
//!   previous update (or the declaration, or a reopening), on that
//!   priority's clock (SPEC §2.3, §2.5; `deadline::update_due_after`, the
//!   rule the reminders use).
//! - An escalation is an escalation reminder that fired before anyone
//!   acknowledged (the scheduler says nothing for one fired after).

#[cfg(test)]
mod tests;

use crate::calendar::Calendar;
use crate::deadline::update_due_after;
use crate::incident::{Event, EventKind, Incident, Status};
use crate::policy::Policy;
use crate::priority::Priority;
use chrono::{DateTime, Duration, Utc};

/// How far back `/incident stats` looks: incidents declared in the last
/// 7, 30 (the default) or 90 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatsPeriod {
    Week,
    #[default]
    Month,
    Quarter,
}

impl StatsPeriod {
    pub fn days(self) -> i64 {
        match self {
            StatsPeriod::Week => 7,
            StatsPeriod::Month => 30,
            StatsPeriod::Quarter => 90,
        }
    }

    /// The start of the period that ends at `now`.
    pub fn since(self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - Duration::days(self.days())
    }
}

impl std::fmt::Display for StatsPeriod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}d", self.days())
    }
}

/// What a change to an incident adds to the response metrics, observed
/// once it is committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Observation {
    /// First acknowledged, this long after declaring, at this priority.
    Acknowledged(Priority, Duration),
    /// Resolved, this long after declaring.
    Resolved(Priority, Duration),
    /// An update, on time or late against the deadline it was working to.
    Update { on_time: bool },
}

/// The observations a change from `before` to `after` with `events`
/// makes: the same rules as the figures above, at the moment they happen.
pub fn observations(
    policy: &Policy,
    cal: &Calendar,
    before: &Incident,
    after: &Incident,
    events: &[Event],
) -> Vec<Observation> {
    let mut out = Vec::new();
    if let (None, Some(at)) = (before.acknowledged_at, after.acknowledged_at) {
        out.push(Observation::Acknowledged(
            after.priority,
            at - after.declared_at,
        ));
    }
    if before.status != Status::Resolved && after.status == Status::Resolved {
        if let Some(took) = time_to_resolve(after) {
            out.push(Observation::Resolved(after.priority, took));
        }
    }
    for e in events.iter().filter(|e| e.kind == EventKind::Update) {
        let due = update_due_after(policy, cal, before.priority, before.last_update_at);
        out.push(Observation::Update {
            on_time: e.at <= due,
        });
    }
    out
}

/// One update measured against its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpdateCheck {
    pub at: DateTime<Utc>,
    pub due: DateTime<Utc>,
}

impl UpdateCheck {
    pub fn on_time(&self) -> bool {
        self.at <= self.due
    }
}

/// The priority the incident was declared with (the timeline's first word
/// on it), else its priority now.
fn declared_priority(incident: &Incident, timeline: &[Event]) -> Priority {
    timeline
        .iter()
        .find(|e| e.kind == EventKind::Declared)
        .and_then(|e| e.after.as_deref()?.parse().ok())
        .unwrap_or(incident.priority)
}

/// Every update of the timeline (in order) with the deadline it was
/// working to.
pub fn update_checks(
    policy: &Policy,
    cal: &Calendar,
    incident: &Incident,
    timeline: &[Event],
) -> Vec<UpdateCheck> {
    let mut priority = declared_priority(incident, timeline);
    let mut last = incident.declared_at;
    let mut out = Vec::new();
    for e in timeline {
        match e.kind {
            EventKind::Priority => {
                if let Some(p) = e.after.as_deref().and_then(|p| p.parse().ok()) {
                    priority = p;
                }
            }
            EventKind::Reopened => last = e.at,
            EventKind::Update => {
                let due = update_due_after(policy, cal, priority, last);
                out.push(UpdateCheck { at: e.at, due });
                last = e.at;
            }
            _ => {}
        }
    }
    out
}

/// Declared → first acknowledgement, if acknowledged.
pub fn time_to_acknowledge(incident: &Incident, timeline: &[Event]) -> Option<Duration> {
    let first = timeline
        .iter()
        .find(|e| e.kind == EventKind::Acknowledged)
        .map(|e| e.at)
        .or(incident.acknowledged_at)?;
    Some(first - incident.declared_at)
}

/// Declared → resolved, if resolved (not closed as "not an incident").
pub fn time_to_resolve(incident: &Incident) -> Option<Duration> {
    match incident.status {
        Status::Resolved => Some(incident.resolved_at? - incident.declared_at),
        _ => None,
    }
}

/// What is stored about one incident.
pub struct Record<'a> {
    pub incident: &'a Incident,
    pub timeline: &'a [Event],
    /// When each of its escalation reminders fired.
    pub escalations_fired: &'a [DateTime<Utc>],
}

/// Escalations said: those fired before the first acknowledgement.
pub fn escalations(record: &Record<'_>) -> usize {
    let acknowledged = time_to_acknowledge(record.incident, record.timeline)
        .map(|d| record.incident.declared_at + d);
    record
        .escalations_fired
        .iter()
        .filter(|fired| acknowledged.is_none_or(|ack| **fired < ack))
        .count()
}

/// The median and the worst of some durations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spread {
    pub median: Duration,
    pub worst: Duration,
}

impl Spread {
    /// None for no durations; an even count's median is the mean of the
    /// middle two.
    pub fn of(mut all: Vec<Duration>) -> Option<Spread> {
        all.sort();
        let n = all.len();
        let worst = *all.last()?;
        let median = if n % 2 == 1 {
            all[n / 2]
        } else {
            (all[n / 2 - 1] + all[n / 2]) / 2
        };
        Some(Spread { median, worst })
    }
}

/// One priority's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorityStats {
    pub priority: Priority,
    pub incidents: usize,
    /// Acknowledged ones only.
    pub acknowledge: Option<Spread>,
    /// Resolved ones only.
    pub resolve: Option<Spread>,
    pub updates_on_time: usize,
    pub updates_late: usize,
    pub escalations: usize,
}

/// The figures per priority (by each incident's priority now), P1 first,
/// for the priorities that had incidents. Not-incidents are left out.
pub fn by_priority(policy: &Policy, cal: &Calendar, records: &[Record<'_>]) -> Vec<PriorityStats> {
    let mut out = Vec::new();
    for priority in Priority::ALL {
        let mine: Vec<&Record<'_>> = records
            .iter()
            .filter(|r| r.incident.priority == priority)
            .filter(|r| r.incident.status != Status::NotIncident)
            .collect();
        if mine.is_empty() {
            continue;
        }
        let checks: Vec<UpdateCheck> = mine
            .iter()
            .flat_map(|r| update_checks(policy, cal, r.incident, r.timeline))
            .collect();
        let on_time = checks.iter().filter(|c| c.on_time()).count();
        out.push(PriorityStats {
            priority,
            incidents: mine.len(),
            acknowledge: Spread::of(
                mine.iter()
                    .filter_map(|r| time_to_acknowledge(r.incident, r.timeline))
                    .collect(),
            ),
            resolve: Spread::of(
                mine.iter()
                    .filter_map(|r| time_to_resolve(r.incident))
                    .collect(),
            ),
            updates_on_time: on_time,
            updates_late: checks.len() - on_time,
            escalations: mine.iter().map(|r| escalations(r)).sum(),
        });
    }
    out
}
