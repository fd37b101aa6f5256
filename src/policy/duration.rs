//! Durations as people write them in the policy file: `20m`, `1h`, `2h30m`,
//! `7d`, or `N business day(s)`. Business days are kept symbolic because
//! their length depends on the calendar (weekends, bank holidays); the
//! calendar resolves them.

use chrono::Duration;
use serde::{Deserialize, Deserializer};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyDuration {
    Fixed(Duration),
    BusinessDays(u32),
}

impl PolicyDuration {
    /// The plain length, when it does not depend on the calendar.
    pub fn fixed(self) -> Option<Duration> {
        match self {
            PolicyDuration::Fixed(d) => Some(d),
            PolicyDuration::BusinessDays(_) => None,
        }
    }
}

impl FromStr for PolicyDuration {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, String> {
        let text = raw.trim();
        if let Some(days) = parse_business_days(text) {
            return days.map(PolicyDuration::BusinessDays);
        }
        parse_fixed(text).map(PolicyDuration::Fixed).ok_or_else(|| {
            format!(
                "`{raw}` is not a duration: use e.g. \"20m\", \"1h\", \"2h30m\", \"7d\" or \"2 business days\""
            )
        })
    }
}

/// `Some(Err)` when the text is about business days but malformed, `None`
/// when it is not about business days at all.
fn parse_business_days(text: &str) -> Option<Result<u32, String>> {
    let (count, unit) = text.split_once(char::is_whitespace)?;
    let unit = unit.trim();
    if unit != "business day" && unit != "business days" {
        return None;
    }
    Some(match count.parse::<u32>() {
        Ok(0) => Err("a business-day duration must be at least 1 business day".to_owned()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("`{text}` is not a number of business days")),
    })
}

/// A run of `<number><unit>` pairs, units d/h/m, each unit at most once and
/// in that order, so `2h30m` is accepted and `30m2h` or `1h1h` are not.
fn parse_fixed(text: &str) -> Option<Duration> {
    let mut total = Duration::zero();
    let mut rest = text;
    let mut last_rank = 0;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit())?;
        if digits == 0 {
            return None;
        }
        let n: i64 = rest[..digits].parse().ok()?;
        let unit = rest[digits..].chars().next()?;
        let (rank, part) = match unit {
            'd' => (1, Duration::try_days(n)?),
            'h' => (2, Duration::try_hours(n)?),
            'm' => (3, Duration::try_minutes(n)?),
            _ => return None,
        };
        if rank <= last_rank {
            return None;
        }
        last_rank = rank;
        total = total.checked_add(&part)?;
        rest = &rest[digits + 1..];
    }
    (total > Duration::zero()).then_some(total)
}

/// Writes the duration back in the file's own notation (`2h30m`, `1 business day`).
pub fn format_fixed(d: Duration) -> String {
    let mut out = String::new();
    let mins = d.num_minutes();
    let (days, hours, minutes) = (mins / 1440, mins % 1440 / 60, mins % 60);
    if days > 0 {
        out += &format!("{days}d");
    }
    if hours > 0 {
        out += &format!("{hours}h");
    }
    if minutes > 0 || out.is_empty() {
        out += &format!("{minutes}m");
    }
    out
}

impl fmt::Display for PolicyDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyDuration::Fixed(d) => f.write_str(&format_fixed(*d)),
            PolicyDuration::BusinessDays(1) => f.write_str("1 business day"),
            PolicyDuration::BusinessDays(n) => write!(f, "{n} business days"),
        }
    }
}

impl<'de> Deserialize<'de> for PolicyDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

/// Serde helper for settings that must be a plain length (a reminder
/// interval cannot sensibly be "1 business day").
pub fn fixed<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let raw = String::deserialize(d)?;
    match raw
        .parse::<PolicyDuration>()
        .map_err(serde::de::Error::custom)?
    {
        PolicyDuration::Fixed(d) => Ok(d),
        PolicyDuration::BusinessDays(_) => Err(serde::de::Error::custom(format!(
            "`{raw}` must be a fixed length such as \"30m\" or \"11h\", not business days"
        ))),
    }
}

/// Serde helper for an optional setting that must be a plain length.
pub fn fixed_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    fixed(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_forms() {
        let p = |s: &str| s.parse::<PolicyDuration>();
        assert_eq!(p("20m"), Ok(PolicyDuration::Fixed(Duration::minutes(20))));
        assert_eq!(p("1h"), Ok(PolicyDuration::Fixed(Duration::hours(1))));
        assert_eq!(
            p("2h30m"),
            Ok(PolicyDuration::Fixed(Duration::minutes(150)))
        );
        assert_eq!(p("7d"), Ok(PolicyDuration::Fixed(Duration::days(7))));
        assert_eq!(p("1 business day"), Ok(PolicyDuration::BusinessDays(1)));
        assert_eq!(p("2 business days"), Ok(PolicyDuration::BusinessDays(2)));
    }

    #[test]
    fn rejects_malformed_durations() {
        for bad in [
            "",
            "m",
            "20",
            "20s",
            "30m2h",
            "1h1h",
            "0m",
            "-5m",
            "h1",
            "0 business days",
            "x business days",
            "1 day",
        ] {
            assert!(
                bad.parse::<PolicyDuration>().is_err(),
                "{bad:?} was accepted"
            );
        }
    }

    #[test]
    fn displays_in_the_file_notation() {
        for s in [
            "20m",
            "2h30m",
            "7d",
            "1d2h",
            "1 business day",
            "2 business days",
        ] {
            assert_eq!(s.parse::<PolicyDuration>().unwrap().to_string(), s);
        }
    }
}
