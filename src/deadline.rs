//! The deadline an open incident is working to, from the policy's severity
//! table: first a response (acknowledgement), then regular updates.
//!
//! The response clock depends on when the incident was declared: in hours
//! it is `respond_in_hours`; out of hours it is `respond_out_of_hours`, and a
//! priority with no out-of-hours response (P3, P4 in the support manual)
//! waits for the next in-hours start, then runs its in-hours time.

use crate::calendar::Calendar;
use crate::incident::Incident;
use crate::policy::Policy;
use chrono::{DateTime, Utc};

/// What is due next and when, e.g. ("response due", instant).
pub type NextDeadline = Option<(String, DateTime<Utc>)>;

/// When a response is due for an incident declared at `declared_at`.
pub fn response_due(policy: &Policy, cal: &Calendar, incident: &Incident) -> DateTime<Utc> {
    let rule = policy.priority(incident.priority);
    let declared = incident.declared_at;
    if cal.is_in_hours(declared) {
        return cal.add(declared, rule.respond_in_hours);
    }
    match rule.respond_out_of_hours {
        Some(within) => cal.add(declared, within),
        None => cal.add(cal.next_in_hours_boundary(declared), rule.respond_in_hours),
    }
}

/// When the next status update is due: `update_every` after the last one.
pub fn update_due(policy: &Policy, cal: &Calendar, incident: &Incident) -> DateTime<Utc> {
    let rule = policy.priority(incident.priority);
    cal.add(incident.last_update_at, rule.update_every)
}

/// The deadline shown on the card and in `/incident list`; none once closed.
pub fn next_deadline(
    policy: &Policy,
    cal: &Calendar,
    incident: &Incident,
    _now: DateTime<Utc>,
) -> NextDeadline {
    if !incident.status.is_open() {
        return None;
    }
    if incident.acknowledged_at.is_none() {
        return Some((
            "Response due".to_owned(),
            response_due(policy, cal, incident),
        ));
    }
    Some(("Update due".to_owned(), update_due(policy, cal, incident)))
}
