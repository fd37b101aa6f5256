//! Who is on a rota, ignoring overrides: the member index is the number of
//! handovers since the first handover on or after `start`, modulo the
//! number of members. Handovers are wall-clock times in the policy zone, so
//! "mon 09:00" stays 09:00 in both GMT and BST.
//!
//! Before the first handover the rotation runs backwards (the last member
//! precedes the first), so history and the days just before `start` still
//! resolve to someone instead of leaving a hole.

use crate::calendar::Calendar;
use crate::ids::UserId;
use crate::policy::{Rota, Rotation};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

fn period_days(rota: &Rota) -> i64 {
    match rota.rotation {
        Rotation::Weekly => 7,
        Rotation::Daily => 1,
    }
}

/// The date of handover number 0.
fn first_handover_date(rota: &Rota) -> NaiveDate {
    match rota.handover.weekday {
        Some(day) if rota.rotation == Rotation::Weekly => {
            let ahead = (7 + day.num_days_from_monday() as i64
                - rota.start.weekday().num_days_from_monday() as i64)
                % 7;
            rota.start + Duration::days(ahead)
        }
        _ => rota.start,
    }
}

/// Handover number `k` (negative before the first).
pub fn handover_instant(cal: &Calendar, rota: &Rota, k: i64) -> DateTime<Utc> {
    let date = first_handover_date(rota) + Duration::days(k * period_days(rota));
    cal.instant(date, rota.handover.time)
}

/// The rotation's first handover strictly after `now`, whether or not the
/// person changes there: when the handover is announced. Handovers are the
/// rota's wall-clock time in the policy zone, so a 09:00 handover stays
/// 09:00 across the clocks changing.
pub fn next_handover(cal: &Calendar, rota: &Rota, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let k = index_at(cal, rota, now).checked_add(1)?;
    Some(handover_instant(cal, rota, k))
}

/// The `k` with handover `k` <= `instant` < handover `k + 1`.
pub fn index_at(cal: &Calendar, rota: &Rota, instant: DateTime<Utc>) -> i64 {
    let days = (cal.local(instant).date_naive() - first_handover_date(rota)).num_days();
    let mut k = days.div_euclid(period_days(rota));
    // The estimate is off by at most one (the handover time within the day).
    while handover_instant(cal, rota, k) > instant {
        k -= 1;
    }
    while handover_instant(cal, rota, k + 1) <= instant {
        k += 1;
    }
    k
}

pub fn member(rota: &Rota, k: i64) -> &UserId {
    let n = rota.members.len() as i64;
    &rota.members[k.rem_euclid(n) as usize]
}

/// The member the rotation puts on at `instant`, overrides aside.
pub fn scheduled_member<'a>(cal: &Calendar, rota: &'a Rota, instant: DateTime<Utc>) -> &'a UserId {
    member(rota, index_at(cal, rota, instant))
}

/// Handovers in `[from, to)` where the person actually changes: the
/// instant, the outgoing member and the incoming member. Overrides are not
/// applied: this is the rotation's own handover (the support handover
/// meeting), not every change of cover.
pub fn handovers(
    cal: &Calendar,
    rota: &Rota,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, UserId, UserId)> {
    let mut out = Vec::new();
    if from >= to {
        return out;
    }
    let mut k = index_at(cal, rota, from);
    if handover_instant(cal, rota, k) < from {
        k += 1;
    }
    loop {
        let at = handover_instant(cal, rota, k);
        if at >= to {
            break;
        }
        let (outgoing, incoming) = (member(rota, k - 1), member(rota, k));
        if outgoing != incoming {
            out.push((at, outgoing.clone(), incoming.clone()));
        }
        k += 1;
    }
    out
}
