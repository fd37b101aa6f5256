//! Each person's shifts, for shift reminders (SPEC §7): a shift is a
//! contiguous stretch in which one person covers a rota, overrides applied,
//! built from the one resolver (`resolve::shifts`, which cuts at the
//! rotation's handover instants), with the pieces of one person that touch
//! merged whatever override they come from.

use super::resolve::shifts;
use super::{Override, Shift};
use crate::calendar::Calendar;
use crate::ids::UserId;
use crate::policy::Rota;
use chrono::{DateTime, Duration, Utc};

/// How far around a range to look so shifts crossing its edges are seen
/// whole (more than a weekly rotation).
const LOOK_AROUND: Duration = Duration::days(15);

/// The shifts of `rota` that start in `(after, until]`, in order. A shift's
/// end may be cut short if it runs more than two weeks past `until`.
pub fn starting_between(
    cal: &Calendar,
    rota: &Rota,
    after: DateTime<Utc>,
    until: DateTime<Utc>,
    overrides: &[Override],
) -> Vec<Shift> {
    let mut merged: Vec<Shift> = Vec::new();
    let window_start = after - LOOK_AROUND;
    for shift in shifts(cal, rota, window_start, until + LOOK_AROUND, overrides) {
        match merged.last_mut() {
            Some(prev) if prev.to == shift.from && prev.user == shift.user => {
                prev.to = shift.to;
                if prev.override_id != shift.override_id {
                    prev.override_id = prev.override_id.or(shift.override_id);
                }
            }
            _ => merged.push(shift),
        }
    }
    // A shift starting exactly at the window's edge may have begun earlier.
    merged
        .into_iter()
        .filter(|s| s.from > window_start && after < s.from && s.from <= until)
        .collect()
}

/// A DM owed `lead` before a shift starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ahead {
    pub shift: Shift,
    pub lead: Duration,
    pub due: DateTime<Utc>,
}

/// The shift reminders of `rota` still to come after `now` for shifts
/// starting within `horizon` beyond the longest lead: one per shift and
/// lead, due `lead` before the shift starts. No leads, no reminders.
pub fn reminders(
    cal: &Calendar,
    rota: &Rota,
    leads: &[Duration],
    horizon: Duration,
    now: DateTime<Utc>,
    overrides: &[Override],
) -> Vec<Ahead> {
    let Some(longest) = leads.iter().max() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for shift in starting_between(cal, rota, now, now + *longest + horizon, overrides) {
        for lead in leads {
            let due = shift.from - *lead;
            if due > now {
                out.push(Ahead {
                    shift: shift.clone(),
                    lead: *lead,
                    due,
                });
            }
        }
    }
    out
}

/// What an override did to one person's shifts starting soon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftChange {
    pub user: UserId,
    /// Shifts they now have that they did not.
    pub gained: Vec<Shift>,
    /// Shifts they had that are gone or changed.
    pub lost: Vec<Shift>,
}

/// The people whose shifts starting in `(now, now + within]` differ
/// between `before` and `after` (added, removed, or moved: a shift whose
/// start or end changed is lost in its old form and gained in its new).
pub fn changes(
    before: &[Shift],
    after: &[Shift],
    now: DateTime<Utc>,
    within: Duration,
) -> Vec<ShiftChange> {
    let soon = |s: &&Shift| now < s.from && s.from <= now + within;
    let same = |a: &Shift, b: &Shift| a.user == b.user && a.from == b.from && a.to == b.to;
    let gained: Vec<&Shift> = after
        .iter()
        .filter(soon)
        .filter(|a| !before.iter().any(|b| same(a, b)))
        .collect();
    let lost: Vec<&Shift> = before
        .iter()
        .filter(soon)
        .filter(|b| !after.iter().any(|a| same(a, b)))
        .collect();
    let mut out: Vec<ShiftChange> = Vec::new();
    for (shift, is_gain) in gained
        .iter()
        .map(|s| (*s, true))
        .chain(lost.iter().map(|s| (*s, false)))
    {
        let i = match out.iter().position(|c| c.user == shift.user) {
            Some(i) => i,
            None => {
                out.push(ShiftChange {
                    user: shift.user.clone(),
                    gained: Vec::new(),
                    lost: Vec::new(),
                });
                out.len() - 1
            }
        };
        if is_gain {
            out[i].gained.push(shift.clone());
        } else {
            out[i].lost.push(shift.clone());
        }
    }
    out
}

#[cfg(test)]
#[path = "shifts_tests.rs"]
mod tests;
