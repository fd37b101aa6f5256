//! The two clocks an incident's deadlines run on (SPEC §2.5).
//!
//! The support manual gives P2–P4 response and update targets only in its
//! "In hours" column, and "only P1" is supported out of hours ("Alerting
//! out of hours"). So a priority with an out-of-hours response counts wall
//! time, day and night; one without counts in-hours time only: its clock
//! stops at the end of in-hours and resumes at the next in-hours start,
//! skipping weekends and the division's bank holidays.
//!
//! On the in-hours clock a span's end belongs to it: a P3 declared at 15:00
//! with a 2 h response is due at 17:00 that day, the moment its in-hours
//! time runs out, not at 09:00 the next working day.

use super::Calendar;
use crate::policy::{PolicyDuration, PrioritySettings};
use chrono::{DateTime, Duration, Utc};

/// How far the in-hours clock walks (in days) before giving up: twenty
/// years, far past any duration a policy can sensibly name; it only stops
/// a runaway loop on a calendar with no working day at all.
const WALK_DAYS: usize = 366 * 20;

/// Which time a priority's response, update, news and escalation clocks
/// count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaClock {
    /// Wall time, day and night: a priority with `respond_out_of_hours`.
    Wall,
    /// In-hours time only: a priority without `respond_out_of_hours`.
    InHours,
}

impl SlaClock {
    /// The clock of a priority: wall time when it has an out-of-hours
    /// response, in-hours time otherwise.
    pub fn of(rule: &PrioritySettings) -> SlaClock {
        match rule.respond_out_of_hours {
            Some(_) => SlaClock::Wall,
            None => SlaClock::InHours,
        }
    }

    /// `from` plus `duration` counted on this clock. On the in-hours clock a
    /// start outside in-hours first waits for the next in-hours start;
    /// business days then keep the time of day (Friday 10:00 plus one is
    /// Monday 10:00), fixed lengths use up in-hours time span by span.
    pub fn add(
        self,
        cal: &Calendar,
        from: DateTime<Utc>,
        duration: PolicyDuration,
    ) -> DateTime<Utc> {
        match (self, duration) {
            (SlaClock::Wall, _) => cal.add(from, duration),
            (SlaClock::InHours, PolicyDuration::BusinessDays(_)) => {
                cal.add(cal.resume_in_hours(from), duration)
            }
            (SlaClock::InHours, PolicyDuration::Fixed(length)) => cal.add_in_hours(from, length),
        }
    }

    /// The instant `length` of this clock's time before `to`: on the
    /// in-hours clock, 10 minutes before Monday 09:05 is Friday 16:55.
    pub fn sub(self, cal: &Calendar, to: DateTime<Utc>, length: Duration) -> DateTime<Utc> {
        match self {
            SlaClock::Wall => to - length,
            SlaClock::InHours => cal.sub_in_hours(to, length),
        }
    }

    /// How much of this clock's time passed between `from` and `to` (zero
    /// when `to` is not after `from`).
    pub fn elapsed(self, cal: &Calendar, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        match self {
            SlaClock::Wall => (to - from).max(Duration::zero()),
            SlaClock::InHours => cal.in_hours_between(from, to),
        }
    }

    /// The first `anchor + k·every` (k ≥ 1, counted on this clock) strictly
    /// after `now`: the next slot of a repeating nudge. `every` under a
    /// minute is taken as a minute.
    pub fn next_slot(
        self,
        cal: &Calendar,
        anchor: DateTime<Utc>,
        every: Duration,
        now: DateTime<Utc>,
    ) -> DateTime<Utc> {
        let step = every.num_seconds().max(60);
        let elapsed = self.elapsed(cal, anchor, now).num_seconds();
        let k = elapsed / step + 1;
        self.add(
            cal,
            anchor,
            PolicyDuration::Fixed(Duration::seconds(k * step)),
        )
    }
}

impl Calendar {
    /// True when `instant` is on the in-hours clock: inside a working day's
    /// in-hours span, its end included.
    pub fn on_in_hours_clock(&self, instant: DateTime<Utc>) -> bool {
        let date = self.local(instant).date_naive();
        self.in_hours_span(date)
            .is_some_and(|(a, b)| a <= instant && instant <= b)
    }

    /// `instant` itself when it is on the in-hours clock, else the next
    /// in-hours start: where anything that falls due out of hours waits.
    pub fn resume_in_hours(&self, instant: DateTime<Utc>) -> DateTime<Utc> {
        if self.on_in_hours_clock(instant) {
            return instant;
        }
        // Out of hours, the next boundary is always a start.
        self.next_in_hours_boundary(instant)
    }

    /// The in-hours time in `[from, to)`.
    pub fn in_hours_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        if to <= from {
            return Duration::zero();
        }
        self.in_hours_spans(from, to)
            .into_iter()
            .fold(Duration::zero(), |sum, (a, b)| sum + (b - a))
    }

    /// The instant at which `length` of in-hours time has passed since
    /// `from`.
    pub fn add_in_hours(&self, from: DateTime<Utc>, length: Duration) -> DateTime<Utc> {
        let mut left = length.max(Duration::zero());
        let mut date = self.local(from).date_naive();
        for _ in 0..WALK_DAYS {
            if let Some((a, b)) = self.in_hours_span(date) {
                let start = a.max(from);
                if start < b {
                    if b - start >= left {
                        return start + left;
                    }
                    left -= b - start;
                }
            }
            date = match date.succ_opt() {
                Some(d) => d,
                None => break,
            };
        }
        from + length
    }

    /// The instant `length` of in-hours time before `to`.
    pub fn sub_in_hours(&self, to: DateTime<Utc>, length: Duration) -> DateTime<Utc> {
        let mut left = length.max(Duration::zero());
        let mut date = self.local(to).date_naive();
        for _ in 0..WALK_DAYS {
            if let Some((a, b)) = self.in_hours_span(date) {
                let end = b.min(to);
                if end > a {
                    if end - a >= left {
                        return end - left;
                    }
                    left -= end - a;
                }
            }
            date = match date.pred_opt() {
                Some(d) => d,
                None => break,
            };
        }
        to - length
    }
}
