//! Times people type: `18:00`, `today 18:00`, `tomorrow 09:00`, `mon 09:00`,
//! `2026-12-24 18:00` and `now`, all read in the policy's time zone.
//!
//! Choices, so nobody has to guess:
//! - A bare `18:00` is the next 18:00: today if it is still ahead, else
//!   tomorrow. People type a bare time to mean "the coming one".
//! - A day name (`mon`, `monday`) is the next such day, today if that time
//!   is still ahead, so `mon 09:00` typed on a Monday at 08:00 means today.
//! - `today`, `tomorrow` and dates are taken as written, even if past:
//!   `/oncall at today 09:00` asking about this morning is reasonable.
//! - A local time the clocks skip (e.g. 01:30 on the March change in
//!   Europe/London) is an error naming the gap rather than a silent shift.
//! - A local time that happens twice (01:30 on the October change) is the
//!   earlier of the two, the first time a wall clock shows it.
//! - In a range, a bare end time counts from the start, so `tomorrow 09:00
//!   to 17:00` ends tomorrow at 17:00 and `22:00 to 06:00` crosses midnight.

use crate::mrkdwn::excerpt;
use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
    Weekday,
};
use chrono_tz::Tz;
use std::fmt;

/// The accepted forms, for error messages.
pub const WHEN_FORMS: &str =
    "`18:00`, `today 18:00`, `tomorrow 09:00`, `mon 09:00`, `2026-12-24 18:00` or `now`";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WhenError {
    /// Not a form we know; `text` is what was typed.
    Unrecognised {
        text: String,
        tz: Tz,
    },
    /// A clock time that the clocks skip on that day.
    Skipped {
        local: NaiveDateTime,
        tz: Tz,
    },
    /// No ` to ` between the start and the end.
    NotARange {
        text: String,
    },
    /// One end of a range is wrong: `which` is "start" or "end".
    Piece {
        which: &'static str,
        error: Box<WhenError>,
    },
    EndNotAfterStart {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        tz: Tz,
    },
    InThePast {
        to: DateTime<Utc>,
        tz: Tz,
    },
}

/// Messages are Slack mrkdwn: echoed text is a short escaped excerpt.
impl fmt::Display for WhenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WhenError::Unrecognised { text, tz } => write!(
                f,
                "`{}` is not a time I understand. Use {WHEN_FORMS} ({tz} time).",
                excerpt(text, super::args::ECHO_MAX)
            ),
            WhenError::Skipped { local, tz } => write!(
                f,
                "{} does not exist in {tz}: the clocks go forward then. Pick a time after the change.",
                local.format("%Y-%m-%d %H:%M")
            ),
            WhenError::NotARange { text } => write!(
                f,
                "`{}` is not a range: write it as `FROM to TO`, e.g. `tomorrow 09:00 to tomorrow 17:00`.",
                excerpt(text, super::args::ECHO_MAX)
            ),
            WhenError::Piece { which, error } => write!(f, "The {which} of the range is wrong: {error}"),
            WhenError::EndNotAfterStart { from, to, tz } => write!(
                f,
                "The range ends ({}) before it starts ({}): put the earlier time first.",
                local(*to, *tz),
                local(*from, *tz)
            ),
            WhenError::InThePast { to, tz } => {
                write!(f, "The range ended in the past ({}): there is nothing to cover.", local(*to, *tz))
            }
        }
    }
}

impl std::error::Error for WhenError {}

fn local(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz)
        .format("%a %-d %b %Y %H:%M %Z")
        .to_string()
}

/// A time as typed, before it is pinned to a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Spec {
    Now,
    Next(NaiveTime),
    Today(NaiveTime),
    Tomorrow(NaiveTime),
    Day(Weekday, NaiveTime),
    Date(NaiveDate, NaiveTime),
}

fn parse_spec(text: &str, tz: Tz) -> Result<Spec, WhenError> {
    let unrecognised = || WhenError::Unrecognised {
        text: text.trim().to_owned(),
        tz,
    };
    let words: Vec<String> = text
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let time = |raw: &str| parse_clock(raw).ok_or_else(unrecognised);
    match words.as_slice() {
        ["now"] => Ok(Spec::Now),
        [clock] => Ok(Spec::Next(time(clock)?)),
        ["today", clock] => Ok(Spec::Today(time(clock)?)),
        ["tomorrow", clock] => Ok(Spec::Tomorrow(time(clock)?)),
        [day, clock] => {
            if let Some(weekday) = parse_weekday(day) {
                Ok(Spec::Day(weekday, time(clock)?))
            } else {
                let date =
                    NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| unrecognised())?;
                Ok(Spec::Date(date, time(clock)?))
            }
        }
        _ => Err(unrecognised()),
    }
}

/// `9:00`, `09:00`, `23:59`; `24:00` is not a time of day.
fn parse_clock(raw: &str) -> Option<NaiveTime> {
    let (h, m) = raw.split_once(':')?;
    let digits = |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || m.len() != 2 || !digits(m) {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

fn parse_weekday(raw: &str) -> Option<Weekday> {
    const NAMES: [(&str, &str, Weekday); 7] = [
        ("mon", "monday", Weekday::Mon),
        ("tue", "tuesday", Weekday::Tue),
        ("wed", "wednesday", Weekday::Wed),
        ("thu", "thursday", Weekday::Thu),
        ("fri", "friday", Weekday::Fri),
        ("sat", "saturday", Weekday::Sat),
        ("sun", "sunday", Weekday::Sun),
    ];
    NAMES
        .iter()
        .find(|(short, long, _)| raw == *short || raw == *long)
        .map(|(_, _, day)| *day)
}

/// Local wall time to an instant: skipped times are errors, repeated ones
/// take the earlier instant.
fn pin(local: NaiveDateTime, tz: Tz) -> Result<DateTime<Utc>, WhenError> {
    tz.from_local_datetime(&local)
        .earliest()
        .map(|at| at.with_timezone(&Utc))
        .ok_or(WhenError::Skipped { local, tz })
}

/// The first day from `after`'s local date on which `time` is still ahead of
/// `after` and `wanted` holds.
fn next_matching(
    after: DateTime<Utc>,
    tz: Tz,
    time: NaiveTime,
    wanted: impl Fn(NaiveDate) -> bool,
) -> Result<DateTime<Utc>, WhenError> {
    let after_local = after.with_timezone(&tz).naive_local();
    // Eight days always include the wanted weekday with the time still ahead.
    for offset in 0..=8 {
        let date = after_local.date() + Duration::days(offset);
        let local = date.and_time(time);
        if !wanted(date) || local <= after_local {
            continue;
        }
        // In a repeated hour the first instant may be past and the second not.
        let instants: Vec<DateTime<Utc>> = match tz.from_local_datetime(&local) {
            LocalResult::Single(at) => vec![at.with_timezone(&Utc)],
            LocalResult::Ambiguous(a, b) => vec![a.with_timezone(&Utc), b.with_timezone(&Utc)],
            LocalResult::None => return Err(WhenError::Skipped { local, tz }),
        };
        if let Some(at) = instants.into_iter().find(|at| *at > after) {
            return Ok(at);
        }
    }
    Err(WhenError::Unrecognised {
        text: time.format("%H:%M").to_string(),
        tz,
    })
}

fn resolve(spec: Spec, now: DateTime<Utc>, tz: Tz) -> Result<DateTime<Utc>, WhenError> {
    let today = now.with_timezone(&tz).date_naive();
    match spec {
        Spec::Now => Ok(now),
        Spec::Next(time) => next_matching(now, tz, time, |_| true),
        Spec::Today(time) => pin(today.and_time(time), tz),
        Spec::Tomorrow(time) => pin((today + Duration::days(1)).and_time(time), tz),
        Spec::Day(day, time) => next_matching(now, tz, time, |d| d.weekday() == day),
        Spec::Date(date, time) => pin(date.and_time(time), tz),
    }
}

/// One moment, read in `tz`, relative to `now`.
pub fn parse_when(text: &str, now: DateTime<Utc>, tz: Tz) -> Result<DateTime<Utc>, WhenError> {
    resolve(parse_spec(text, tz)?, now, tz)
}

/// `FROM to TO`: a range that ends after it starts and after `now`. It may
/// have started already (covering from this morning is a real thing to record).
pub fn parse_range(
    text: &str,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<(DateTime<Utc>, DateTime<Utc>), WhenError> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let split = match words.iter().position(|w| w.eq_ignore_ascii_case("to")) {
        Some(i) if i > 0 && i + 1 < words.len() => i,
        _ => {
            return Err(WhenError::NotARange {
                text: text.trim().to_owned(),
            })
        }
    };
    let piece = |which, error| WhenError::Piece {
        which,
        error: Box::new(error),
    };
    let from_text = words[..split].join(" ");
    let to_text = words[split + 1..].join(" ");
    let from = parse_when(&from_text, now, tz).map_err(|e| piece("start", e))?;
    let to = match parse_spec(&to_text, tz).map_err(|e| piece("end", e))? {
        Spec::Next(time) => next_matching(from, tz, time, |_| true),
        spec => resolve(spec, now, tz),
    }
    .map_err(|e| piece("end", e))?;
    if to <= from {
        return Err(WhenError::EndNotAfterStart { from, to, tz });
    }
    if to <= now {
        return Err(WhenError::InThePast { to, tz });
    }
    Ok((from, to))
}

#[cfg(test)]
#[path = "when_tests.rs"]
mod tests;
