//! Calendar feeds of on-call shifts (SPEC §7): which shifts a feed shows
//! and the iCalendar (RFC 5545) text for them. Pure: the shifts come from
//! the rota resolver (`crate::rota::shifts`, the same computation `/oncall`
//! and the topics use), and `now` is an argument.
//!
//! A feed shows the shifts from [`LOOK_BACK`] before `now` to
//! [`LOOK_AHEAD`] after it. Shifts are shown whole, never clipped at the
//! window's edges, so a shift keeps its start, its end and therefore its
//! UID from one fetch to the next while the window slides.

mod ics;
#[cfg(test)]
mod tests;
mod token;

pub use ics::{empty_calendar, ics, uid};
pub use token::{FeedToken, TokenHash};

use crate::calendar::Calendar;
use crate::ids::UserId;
use crate::policy::{Policy, Role, Rota};
use crate::rota::{handover_instant, shifts, Override, Shift};
use chrono::{DateTime, Duration, Utc};

/// How far back a feed reaches: a shift just ended stays visible.
pub const LOOK_BACK: Duration = Duration::days(2);
/// How far ahead a feed reaches.
pub const LOOK_AHEAD: Duration = Duration::days(90);

/// Whose shifts a feed shows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FeedScope {
    /// One person's shifts on every rota.
    Person(UserId),
    /// Every shift of one rota (its configured name).
    Rota(String),
}

/// One shift of a feed, with the role of the rota it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedShift {
    pub shift: Shift,
    pub role: Role,
}

/// The window a feed fetched at `now` covers: `[now - 2 days, now + 90 days)`.
pub fn window(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    (now - LOOK_BACK, now + LOOK_AHEAD)
}

/// The shifts of `scope` that overlap `[from, to)`, each whole, ordered by
/// start (then rota order). A rota the policy no longer has gives none.
pub fn feed_shifts(
    policy: &Policy,
    cal: &Calendar,
    scope: &FeedScope,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    overrides: &[Override],
) -> Vec<FeedShift> {
    let mut out: Vec<FeedShift> = Vec::new();
    for rota in &policy.rotas {
        let wanted = match scope {
            FeedScope::Person(user) => {
                rota.members.contains(user)
                    || overrides
                        .iter()
                        .any(|o| o.rota == rota.name && &o.user == user)
            }
            FeedScope::Rota(name) => &rota.name == name,
        };
        if !wanted {
            continue;
        }
        let (a, b) = reach(cal, rota, from, to, overrides);
        out.extend(
            shifts(cal, rota, a, b, overrides)
                .into_iter()
                .filter(|s| s.from < to && s.to > from)
                .filter(|s| match scope {
                    FeedScope::Person(user) => &s.user == user,
                    FeedScope::Rota(_) => true,
                })
                .map(|shift| FeedShift {
                    shift,
                    role: rota.role,
                }),
        );
    }
    // Stable: rotas keep policy order among shifts starting together.
    out.sort_by_key(|f| f.shift.from);
    out
}

/// The range to resolve so every shift overlapping `[from, to)` is seen
/// whole: from the rotation's handover a full period before `from` (a
/// rotation shift starts at a handover at the earliest) or the start of an
/// override running into the window, to a period past `to` or the end of
/// an override running out of it. A shift is only clipped here when one
/// person covers several rotation periods back to back without a break
/// (a one-person rota), and then at a handover, which moves once a period.
fn reach(
    cal: &Calendar,
    rota: &Rota,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    overrides: &[Override],
) -> (DateTime<Utc>, DateTime<Utc>) {
    let k = crate::rota::handover_index(cal, rota, from);
    let mut start = handover_instant(cal, rota, k - 1);
    let k_end = crate::rota::handover_index(cal, rota, to);
    let mut end = handover_instant(cal, rota, k_end + 2);
    for o in overrides.iter().filter(|o| o.rota == rota.name) {
        if o.from < to && o.to > from {
            start = start.min(o.from);
            end = end.max(o.to);
        }
    }
    (start, end)
}
