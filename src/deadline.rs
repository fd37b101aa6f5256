//! The deadlines an open incident is working to, from the policy's severity
//! table: first a response (acknowledgement), escalation if nobody
//! responds, then regular updates.
//!
//! Each priority counts its deadlines on its own clock (SPEC §2.5): a
//! priority with an out-of-hours response (P1 in the support manual) in
//! wall time, answering within `respond_in_hours` when declared in hours
//! and `respond_out_of_hours` otherwise; a priority without one (P2–P4,
//! "only P1" is supported out of hours) in in-hours time only.

use crate::calendar::{Calendar, SlaClock};
use crate::incident::Incident;
use crate::policy::Policy;
use crate::priority::Priority;
use chrono::{DateTime, Utc};

/// What is due next and when, e.g. ("response due", instant).
pub type NextDeadline = Option<(String, DateTime<Utc>)>;

/// The clock priority `p`'s deadlines run on.
pub fn clock(policy: &Policy, p: Priority) -> SlaClock {
    SlaClock::of(policy.priority(p))
}

/// When a response is due for the incident, from when it was declared.
pub fn response_due(policy: &Policy, cal: &Calendar, incident: &Incident) -> DateTime<Utc> {
    let rule = policy.priority(incident.priority);
    let declared = incident.declared_at;
    match rule.respond_out_of_hours {
        Some(within) if !cal.is_in_hours(declared) => cal.add(declared, within),
        Some(_) => cal.add(declared, rule.respond_in_hours),
        None => SlaClock::InHours.add(cal, declared, rule.respond_in_hours),
    }
}

/// When the escalation rota is called if nobody has acknowledged: the
/// priority's `escalate_after` from declaring, on its clock; by default at
/// the response deadline.
pub fn escalation_due(policy: &Policy, cal: &Calendar, incident: &Incident) -> DateTime<Utc> {
    match policy.escalate_after(incident.priority) {
        Some(after) => clock(policy, incident.priority).add(cal, incident.declared_at, after),
        None => response_due(policy, cal, incident),
    }
}

/// When the next status update is due: `update_every` after the last one,
/// on the priority's clock.
pub fn update_due(policy: &Policy, cal: &Calendar, incident: &Incident) -> DateTime<Utc> {
    update_due_after(policy, cal, incident.priority, incident.last_update_at)
}

/// When an update is due for priority `p` after the last one (or the
/// declaration, or a reopening) at `last`: `update_every` on its clock.
pub fn update_due_after(
    policy: &Policy,
    cal: &Calendar,
    p: Priority,
    last: DateTime<Utc>,
) -> DateTime<Utc> {
    clock(policy, p).add(cal, last, policy.priority(p).update_every)
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
