//! The one resolver: who covers a rota when, with overrides applied.
//!
//! Overrides change *who* covers, never *when* the rota covers: an override
//! is clipped to the rota's cover. "@amy covers in-hours Saturday" therefore
//! changes nothing, and an override across a whole week of the in-hours
//! rota gives Amy the weekday 09:00-17:00 spans only. This keeps "is anyone
//! on this rota now?" a property of the policy alone, and lets a swap be
//! entered as one long range.
//!
//! Where overrides overlap, the one created last wins (ties: the higher
//! id), so a newer arrangement replaces an older one without cancelling it.

use super::coverage::cover_spans;
use super::rotation::{handover_instant, index_at, member};
use super::{Cover, Override, Shift};
use crate::calendar::Calendar;
use crate::policy::{Policy, Rota};
use chrono::{DateTime, Duration, Utc};

/// Consecutive spans of `rota` within `[from, to)`, each with the person
/// covering it. Shifts are clipped to the range; contiguous time with the
/// same person and the same override is one shift.
pub fn shifts(
    cal: &Calendar,
    rota: &Rota,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    overrides: &[Override],
) -> Vec<Shift> {
    let mine: Vec<&Override> = overrides
        .iter()
        .filter(|o| o.rota == rota.name && o.from < o.to)
        .collect();
    let mut out: Vec<Shift> = Vec::new();
    for (a, b) in cover_spans(cal, rota, from, to) {
        for (p, q) in pieces(cal, rota, a, b, &mine) {
            let winner = mine
                .iter()
                .filter(|o| o.from <= p && p < o.to)
                .max_by_key(|o| (o.created_at, o.id));
            let shift = match winner {
                Some(o) => Shift {
                    rota: rota.name.clone(),
                    user: o.user.clone(),
                    from: p,
                    to: q,
                    override_id: Some(o.id),
                },
                None => Shift {
                    rota: rota.name.clone(),
                    user: member(rota, index_at(cal, rota, p)).clone(),
                    from: p,
                    to: q,
                    override_id: None,
                },
            };
            match out.last_mut() {
                Some(prev)
                    if prev.to == shift.from
                        && prev.user == shift.user
                        && prev.override_id == shift.override_id =>
                {
                    prev.to = shift.to;
                }
                _ => out.push(shift),
            }
        }
    }
    out
}

/// `[a, b)` cut at every handover and override edge inside it, so each
/// piece has a single scheduled member and a single set of overrides.
fn pieces(
    cal: &Calendar,
    rota: &Rota,
    a: DateTime<Utc>,
    b: DateTime<Utc>,
    overrides: &[&Override],
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut cuts = vec![a, b];
    let mut k = index_at(cal, rota, a) + 1;
    loop {
        let h = handover_instant(cal, rota, k);
        if h >= b {
            break;
        }
        cuts.push(h);
        k += 1;
    }
    for o in overrides {
        cuts.extend([o.from, o.to].into_iter().filter(|t| a < *t && *t < b));
    }
    cuts.sort();
    cuts.dedup();
    cuts.windows(2).map(|w| (w[0], w[1])).collect()
}

/// How far around an instant to look so the shift containing it is seen
/// whole (a rotation period and more) and the next one is found.
const LOOK_BEHIND_DAYS: i64 = 15;
const LOOK_AHEAD_DAYS: i64 = 22;

/// Who covers `rota` at `instant`, until when, and who is next; None when
/// the rota does not cover that instant (an in-hours rota at night).
pub fn cover_at(
    cal: &Calendar,
    rota: &Rota,
    instant: DateTime<Utc>,
    overrides: &[Override],
) -> Option<Cover> {
    let all = shifts(
        cal,
        rota,
        instant - Duration::days(LOOK_BEHIND_DAYS),
        instant + Duration::days(LOOK_AHEAD_DAYS),
        overrides,
    );
    let i = all
        .iter()
        .position(|s| s.from <= instant && instant < s.to)?;
    let mut rest = all.into_iter().skip(i);
    let shift = rest.next()?;
    Some(Cover {
        shift,
        next: rest.next(),
    })
}

/// The shift covering `now` (if any) and those after it, `n` in all.
pub fn next_shifts(
    cal: &Calendar,
    rota: &Rota,
    now: DateTime<Utc>,
    n: usize,
    overrides: &[Override],
) -> Vec<Shift> {
    let mut horizon = Duration::days(28);
    loop {
        let found: Vec<Shift> = shifts(
            cal,
            rota,
            now - Duration::days(LOOK_BEHIND_DAYS),
            now + horizon,
            overrides,
        )
        .into_iter()
        .filter(|s| s.to > now)
        .collect();
        // A shift touching the horizon may continue past it: only trust
        // the list once n shifts end before it, or we have looked a year.
        let complete = found.iter().filter(|s| s.to < now + horizon).count() >= n;
        if complete || horizon >= Duration::days(366) {
            return found.into_iter().take(n).collect();
        }
        horizon = horizon * 4;
    }
}

/// Everyone covering a rota with `role` at `instant`, e.g. the engineers to
/// mention on a new incident.
pub fn covering_role(
    policy: &Policy,
    cal: &Calendar,
    role: crate::policy::Role,
    instant: DateTime<Utc>,
    overrides: &[Override],
) -> Vec<Cover> {
    policy
        .rotas_with_role(role)
        .filter_map(|r| cover_at(cal, r, instant, overrides))
        .collect()
}

/// The people covering a rota with `role` at `instant`, in rota order, a
/// person named once when they cover consecutive rotas: whom to page.
pub fn people_covering(
    policy: &Policy,
    cal: &Calendar,
    role: crate::policy::Role,
    instant: DateTime<Utc>,
    overrides: &[Override],
) -> Vec<crate::ids::UserId> {
    let mut people: Vec<_> = covering_role(policy, cal, role, instant, overrides)
        .into_iter()
        .map(|c| c.shift.user)
        .collect();
    people.dedup();
    people
}
