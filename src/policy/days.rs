//! Times of day, time ranges, weekdays and day sets as written in the
//! policy file: `09:00`, `09:00-17:00`, `mon`, `mon-fri`, `sat-sun,holidays`.

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use serde::{Deserialize, Deserializer};
use std::fmt;

pub fn parse_time(raw: &str) -> Result<NaiveTime, String> {
    let t = raw.trim();
    // Exactly HH:MM so "9" or "09:00:00" are reported rather than guessed at.
    let well_formed = t.len() == 5 && t.as_bytes()[2] == b':';
    match NaiveTime::parse_from_str(t, "%H:%M") {
        Ok(time) if well_formed => Ok(time),
        _ => Err(format!(
            "`{raw}` is not a time of day: use 24-hour HH:MM, e.g. \"09:00\""
        )),
    }
}

pub fn parse_weekday(raw: &str) -> Result<Weekday, String> {
    let day = match raw.trim().to_ascii_lowercase().as_str() {
        "mon" | "monday" => Weekday::Mon,
        "tue" | "tuesday" => Weekday::Tue,
        "wed" | "wednesday" => Weekday::Wed,
        "thu" | "thursday" => Weekday::Thu,
        "fri" | "friday" => Weekday::Fri,
        "sat" | "saturday" => Weekday::Sat,
        "sun" | "sunday" => Weekday::Sun,
        _ => {
            return Err(format!(
                "`{raw}` is not a day: use mon, tue, wed, thu, fri, sat or sun"
            ))
        }
    };
    Ok(day)
}

/// A span of the day. `end` of 00:00 means midnight at the end of the day,
/// so `17:00-00:00` is the whole evening; otherwise `end` must be after
/// `start` (overnight cover is two windows, one each side of midnight).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl TimeRange {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let (a, b) = raw.split_once('-').ok_or_else(|| {
            format!("`{raw}` is not a time range: use HH:MM-HH:MM, e.g. \"09:00-17:00\"")
        })?;
        let range = TimeRange {
            start: parse_time(a)?,
            end: parse_time(b)?,
        };
        if !range.runs_to_midnight() && range.end <= range.start {
            return Err(format!(
                "`{raw}` ends before it starts: a range stays within one day (split overnight cover at 00:00)"
            ));
        }
        Ok(range)
    }

    pub fn runs_to_midnight(&self) -> bool {
        self.end == NaiveTime::MIN
    }

    /// Minutes since midnight of both ends, the end as 1440 for midnight.
    pub fn minutes(&self) -> (u32, u32) {
        let m = |t: NaiveTime| t.signed_duration_since(NaiveTime::MIN).num_minutes() as u32;
        let end = if self.runs_to_midnight() {
            1440
        } else {
            m(self.end)
        };
        (m(self.start), end)
    }

    pub fn overlaps(&self, other: &TimeRange) -> bool {
        let (a0, a1) = self.minutes();
        let (b0, b1) = other.minutes();
        a0 < b1 && b0 < a1
    }
}

impl fmt::Display for TimeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}",
            self.start.format("%H:%M"),
            self.end.format("%H:%M")
        )
    }
}

impl<'de> Deserialize<'de> for TimeRange {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        TimeRange::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// Serde helper for a single `HH:MM`.
pub fn time<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
    parse_time(&String::deserialize(d)?).map_err(serde::de::Error::custom)
}

/// Which days a cover window applies to: weekdays, plus whether it applies
/// on holidays. A holiday is covered only by windows that name `holidays`;
/// the weekday part never matches a holiday, so "mon-fri" cover stops on a
/// bank holiday Monday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DaySet {
    weekdays: u8,
    pub holidays: bool,
}

impl DaySet {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut set = DaySet::default();
        for item in raw.split(',').map(str::trim) {
            if item.eq_ignore_ascii_case("holidays") {
                set.holidays = true;
            } else if let Some((a, b)) = item.split_once('-') {
                // Ranges may wrap the week: "fri-mon" is Fri, Sat, Sun, Mon.
                let (mut day, last) = (parse_weekday(a)?, parse_weekday(b)?);
                set.insert(day);
                while day != last {
                    day = day.succ();
                    set.insert(day);
                }
            } else {
                set.insert(parse_weekday(item).map_err(|e| {
                    format!("{e}; days are written like \"mon-fri\" or \"sat-sun,holidays\"")
                })?);
            }
        }
        Ok(set)
    }

    pub fn insert(&mut self, day: Weekday) {
        self.weekdays |= 1 << day.num_days_from_monday();
    }

    pub fn has_weekday(&self, day: Weekday) -> bool {
        self.weekdays & (1 << day.num_days_from_monday()) != 0
    }

    /// Whether the window applies on `date`, given whether it is a holiday.
    pub fn applies(&self, date: NaiveDate, holiday: bool) -> bool {
        if holiday {
            self.holidays
        } else {
            self.has_weekday(date.weekday())
        }
    }

    /// Whether some day could be matched by both sets.
    pub fn intersects(&self, other: &DaySet) -> bool {
        self.weekdays & other.weekdays != 0 || (self.holidays && other.holidays)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_ranges() {
        assert_eq!(
            parse_time("09:00").unwrap(),
            NaiveTime::from_hms_opt(9, 0, 0).unwrap()
        );
        for bad in ["9:00", "24:00", "09:00:00", "nine", "09.00"] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
        let r = TimeRange::parse("17:00-00:00").unwrap();
        assert_eq!(r.minutes(), (1020, 1440));
        assert!(TimeRange::parse("17:00-09:00").is_err());
        assert!(TimeRange::parse("09:00").is_err());
        let a = TimeRange::parse("07:00-10:00").unwrap();
        assert!(a.overlaps(&TimeRange::parse("09:59-11:00").unwrap()));
        assert!(!a.overlaps(&TimeRange::parse("10:00-11:00").unwrap()));
    }

    #[test]
    fn day_sets() {
        let wk = DaySet::parse("mon-fri").unwrap();
        assert!(wk.has_weekday(Weekday::Fri) && !wk.has_weekday(Weekday::Sat) && !wk.holidays);
        let we = DaySet::parse("sat-sun,holidays").unwrap();
        assert!(we.holidays && we.has_weekday(Weekday::Sun) && !we.has_weekday(Weekday::Mon));
        let wrap = DaySet::parse("fri-mon").unwrap();
        assert!(wrap.has_weekday(Weekday::Sun) && !wrap.has_weekday(Weekday::Tue));
        assert!(!wk.intersects(&we));
        assert!(wk.intersects(&wrap));
        assert!(DaySet::parse("mon-funday").is_err());
        // A bank holiday Monday is not a "mon-fri" day.
        let monday = NaiveDate::from_ymd_opt(2026, 8, 31).unwrap();
        assert!(wk.applies(monday, false) && !wk.applies(monday, true));
        assert!(we.applies(monday, true));
    }
}
