//! Which reminders an incident is owed, and when: the rows of SPEC §2.3 as a
//! pure function of the policy, the calendar, the incident and `now`.
//!
//! Response, escalation, update and news (asking for an update) reminders
//! run on the priority's clock (SPEC §2.5): for a priority with no
//! out-of-hours response they only ever fall due in in-hours, and what
//! would have fallen due outside waits for the next in-hours start. The
//! 17:00 pause and the office-hours crossings are about the boundary itself
//! and fire there.
//!
//! Only the next occurrence of each kind is planned. Due instants are
//! anchored on the incident (declared, last update, resolved), never on
//! `now`, so planning twice gives the same slots: with the unique key on
//! (subject, kind, due) that is what makes "never twice" hold.

#[cfg(test)]
mod clock_tests;
mod kind;
mod subject;
#[cfg(test)]
mod tests;

pub use kind::Kind;
pub use subject::{BadSubject, Subject};

use crate::calendar::Calendar;
use crate::deadline::{self, escalation_due, response_due, update_due};
use crate::incident::{Incident, Status};
use crate::policy::Policy;
use crate::priority::Priority;
use chrono::{DateTime, Utc};

/// One reminder to schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub kind: Kind,
    pub due: DateTime<Utc>,
}

/// Every reminder the incident is owed from `now` on.
pub fn plan(
    policy: &Policy,
    cal: &Calendar,
    incident: &Incident,
    now: DateTime<Utc>,
) -> Vec<Planned> {
    let mut out = Vec::new();
    let mut add = |kind: Kind, due: DateTime<Utc>| out.push(Planned { kind, due });
    let rules = &policy.reminders;
    match incident.status {
        Status::Declared | Status::Acknowledged => {
            if incident.acknowledged_at.is_none() {
                add(Kind::Response, response_due(policy, cal, incident));
                add(Kind::Escalate, escalation_due(policy, cal, incident));
            }
            let clock = deadline::clock(policy, incident.priority);
            // The next update deadline; once one passes without an update,
            // the next interval's deadline (an overdue reminder). The
            // warning comes that long before it on the same clock.
            let update = next_update_slot(policy, cal, incident, now);
            let warning = clock.sub(cal, update, rules.update_warning);
            if warning > incident.last_update_at {
                add(Kind::UpdateWarning, warning);
            }
            add(Kind::UpdateDue, update);
            if matches!(incident.priority, Priority::P1 | Priority::P2) {
                add(
                    Kind::AskForUpdate,
                    clock.next_slot(
                        cal,
                        incident.last_update_at,
                        rules.ask_for_update_every,
                        now,
                    ),
                );
            }
            if let Some(pause) = next_pause(policy, cal, now.max(incident.declared_at)) {
                add(Kind::PauseAt, pause);
            }
            let stretch_from = incident.paused_at.unwrap_or(incident.declared_at);
            add(Kind::Stretch, stretch_from + rules.max_stretch);
            add(
                Kind::OfficeHours,
                cal.next_in_hours_boundary(now.max(incident.declared_at)),
            );
        }
        Status::Resolved => {
            let resolved = incident.resolved_at.unwrap_or(incident.last_update_at);
            if worked_out_of_hours(cal, incident.declared_at, resolved) {
                add(Kind::Rest, resolved);
            }
            if incident.review.is_none() {
                add(Kind::Review, cal.add(resolved, rules.review_nudge_after));
            }
        }
        Status::NotIncident => {}
    }
    out
}

/// The update deadline an update warning that fell due at `warned_at`
/// warns of: the first update slot after it. A warning fired once this has
/// passed is not sent (SPEC §2.5).
pub fn warned_deadline(
    policy: &Policy,
    cal: &Calendar,
    incident: &Incident,
    warned_at: DateTime<Utc>,
) -> DateTime<Utc> {
    next_update_slot(policy, cal, incident, warned_at)
}

/// The first of `last update + k·update_every` (k ≥ 1, on the priority's
/// clock) strictly after `now`: the next deadline, or once one has passed
/// without an update, the next interval's (the overdue reminder).
/// Business-day intervals step through the calendar.
fn next_update_slot(
    policy: &Policy,
    cal: &Calendar,
    incident: &Incident,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let every = policy.priority(incident.priority).update_every;
    let clock = deadline::clock(policy, incident.priority);
    let mut slot = update_due(policy, cal, incident);
    // The cap only guards against an interval that does not move.
    for _ in 0..10_000 {
        if slot > now {
            break;
        }
        let next = clock.add(cal, slot, every);
        if next <= slot {
            break;
        }
        slot = next;
    }
    slot
}

/// The next `pause_at` on a working day strictly after `after`.
fn next_pause(policy: &Policy, cal: &Calendar, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let mut day = cal.local(after).date_naive();
    for _ in 0..31 {
        if cal.is_working_day(day) {
            let at = cal.instant(day, policy.reminders.pause_at);
            if at > after {
                return Some(at);
            }
        }
        day = day.succ_opt()?;
    }
    None
}

/// True when any part of `[from, to]` fell outside working hours: sampled
/// at the in-hours boundaries, which is where that can change.
fn worked_out_of_hours(cal: &Calendar, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    if !cal.is_in_hours(from) || !cal.is_in_hours(to) {
        return true;
    }
    // In hours at both ends: out of hours in between only if a boundary was
    // crossed.
    cal.next_in_hours_boundary(from) < to
}
