//! Working days, holidays and support hours in the policy's time zone.
//! Everything takes the instant it is asked about; nothing reads a clock.

mod holidays;
mod sla;
#[cfg(test)]
mod sla_tests;
#[cfg(test)]
mod tests;

pub use holidays::known_until;
pub use sla::SlaClock;

use crate::policy::{Hours, Policy, PolicyDuration, TimeRange};
use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone, Timelike, Utc, Weekday,
};
use chrono_tz::Tz;
use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    tz: Tz,
    /// Indexed by `Weekday::num_days_from_monday`.
    working: [bool; 7],
    in_hours: TimeRange,
    holidays: BTreeSet<NaiveDate>,
    /// The last bank holiday the compiled-in feed knows; None when the
    /// policy uses none.
    holidays_known_until: Option<NaiveDate>,
}

/// How long before the bank-holiday data runs out the bot starts saying so.
pub const HOLIDAY_DATA_NOTICE_DAYS: i64 = 180;

/// How far to look for the next in-hours boundary before giving up; a
/// year always has a working day, so this only stops a runaway loop.
const SEARCH_DAYS: i64 = 400;

impl Policy {
    /// The calendar of the policy's zone and support hours. It lives here,
    /// beside the calendar, so that the calendar reads the policy and the
    /// policy knows nothing of the calendar.
    pub fn calendar(&self) -> Calendar {
        Calendar::new(self.timezone, &self.hours)
    }
}

/// The longest gap a zone's clocks can jump over, in minutes, with room.
const MAX_GAP_MINUTES: usize = 24 * 60;

/// The first whole minute strictly after `t`.
fn next_whole_minute(t: NaiveDateTime) -> NaiveDateTime {
    let start = t
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(t);
    start + Duration::minutes(1)
}

impl Calendar {
    pub fn new(tz: Tz, hours: &Hours) -> Calendar {
        let mut working = [false; 7];
        for d in &hours.working_days {
            working[d.num_days_from_monday() as usize] = true;
        }
        let holidays = holidays::bank_holidays(hours.bank_holidays)
            .iter()
            .chain(&hours.extra_holidays)
            .copied()
            .collect();
        // Extra holidays do not extend it: one far-off day off says nothing
        // of the bank holidays before it.
        let holidays_known_until = known_until(hours.bank_holidays);
        Calendar {
            tz,
            working,
            in_hours: hours.in_hours,
            holidays,
            holidays_known_until,
        }
    }

    /// A warning when the bank holidays are not known far past `today`:
    /// after the last known one, every bank holiday counts as a working
    /// day, for business-day deadlines and holiday cover alike.
    pub fn holiday_data_warning(&self, today: NaiveDate) -> Option<String> {
        let until = self.holidays_known_until?;
        if until - today > Duration::days(HOLIDAY_DATA_NOTICE_DAYS) {
            return None;
        }
        let tense = if until < today { "were" } else { "are" };
        Some(format!(
            "bank holidays {tense} known only until {until}: after that they count as \
             working days unless listed in [hours] extra_holidays. Upgrade the bot for newer data."
        ))
    }

    pub fn tz(&self) -> Tz {
        self.tz
    }

    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.holidays.contains(&date)
    }

    pub fn is_working_weekday(&self, day: Weekday) -> bool {
        self.working[day.num_days_from_monday() as usize]
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.is_working_weekday(date.weekday()) && !self.is_holiday(date)
    }

    /// The first working day strictly after `date`.
    pub fn next_working_day(&self, date: NaiveDate) -> NaiveDate {
        let mut d = date;
        for _ in 0..SEARCH_DAYS {
            d = d.succ_opt().unwrap_or(d);
            if self.is_working_day(d) {
                return d;
            }
        }
        d
    }

    pub fn local(&self, instant: DateTime<Utc>) -> DateTime<Tz> {
        instant.with_timezone(&self.tz)
    }

    /// The instant a wall-clock time happens on `date`. In the spring-forward
    /// gap the time does not exist, so it moves to the first valid instant
    /// after it, the end of the gap (01:30 becomes 02:00 BST); in the autumn
    /// fold it happens twice and the earlier one is taken.
    pub fn instant(&self, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
        let local = date.and_time(time);
        let mut later = local;
        // Zones' gaps are whole minutes and at most a few hours long; the
        // cap only keeps a broken zone table from looping.
        for _ in 0..=MAX_GAP_MINUTES {
            match self.tz.from_local_datetime(&later) {
                LocalResult::Single(t) => return t.with_timezone(&Utc),
                LocalResult::Ambiguous(earliest, _) => return earliest.with_timezone(&Utc),
                LocalResult::None => later = next_whole_minute(later),
            }
        }
        // Unreachable with real zone data: read with the offset before.
        let before = self
            .tz
            .offset_from_utc_datetime(&(local - Duration::days(1)))
            .fix();
        Utc.from_utc_datetime(&(local - before))
    }

    /// Midnight at the start of `date`, as an instant.
    pub fn start_of_day(&self, date: NaiveDate) -> DateTime<Utc> {
        self.instant(date, NaiveTime::MIN)
    }

    /// The in-hours span of `date`, if it is a working day.
    pub fn in_hours_span(&self, date: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        self.is_working_day(date)
            .then(|| self.time_span(date, self.in_hours))
    }

    /// A range of the day on `date` as instants; an end of 00:00 is the
    /// following midnight.
    pub fn time_span(&self, date: NaiveDate, range: TimeRange) -> (DateTime<Utc>, DateTime<Utc>) {
        let end = if range.runs_to_midnight() {
            self.start_of_day(date.succ_opt().unwrap_or(date))
        } else {
            self.instant(date, range.end)
        };
        (self.instant(date, range.start), end)
    }

    pub fn is_in_hours(&self, instant: DateTime<Utc>) -> bool {
        let date = self.local(instant).date_naive();
        self.in_hours_span(date)
            .is_some_and(|(a, b)| a <= instant && instant < b)
    }

    /// The in-hours spans overlapping `[from, to)`, clipped to it.
    pub fn in_hours_spans(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let mut out = Vec::new();
        let mut date = self.local(from).date_naive();
        let last = self.local(to).date_naive();
        while date <= last {
            if let Some((a, b)) = self.in_hours_span(date) {
                let (a, b) = (a.max(from), b.min(to));
                if a < b {
                    out.push((a, b));
                }
            }
            date = match date.succ_opt() {
                Some(d) => d,
                None => break,
            };
        }
        out
    }

    /// The next moment strictly after `instant` when in hours starts or ends
    /// (e.g. 17:00 today, then 09:00 on the next working day).
    pub fn next_in_hours_boundary(&self, instant: DateTime<Utc>) -> DateTime<Utc> {
        let mut date = self.local(instant).date_naive();
        for _ in 0..SEARCH_DAYS {
            if let Some((a, b)) = self.in_hours_span(date) {
                if a > instant {
                    return a;
                }
                if b > instant {
                    return b;
                }
            }
            date = date.succ_opt().unwrap_or(date);
        }
        instant + Duration::days(SEARCH_DAYS)
    }

    /// `instant` plus a policy duration. Business days count working days
    /// (holidays excluded) and keep the time of day, so Friday 10:00 plus
    /// one business day is Monday 10:00 (Tuesday if Monday is a bank
    /// holiday).
    pub fn add(&self, instant: DateTime<Utc>, duration: PolicyDuration) -> DateTime<Utc> {
        match duration {
            PolicyDuration::Fixed(d) => instant + d,
            PolicyDuration::BusinessDays(n) => {
                let local = self.local(instant);
                let mut date = local.date_naive();
                for _ in 0..n {
                    date = self.next_working_day(date);
                }
                self.instant(date, local.time())
            }
        }
    }
}
