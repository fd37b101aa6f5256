//! A length of time as people say it in chat: "30 min", "3 h 10 min",
//! "2 days 18 h 5 min". Used where a reminder states how long something
//! has really been waiting.

use chrono::Duration;

/// `d` rounded down to the minute; under a minute is "under a minute".
pub fn spoken(d: Duration) -> String {
    let minutes = d.num_minutes().max(0);
    if minutes == 0 {
        return "under a minute".to_owned();
    }
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    let mut parts = Vec::new();
    match days {
        0 => {}
        1 => parts.push("1 day".to_owned()),
        n => parts.push(format!("{n} days")),
    }
    if hours > 0 {
        parts.push(format!("{hours} h"));
    }
    if mins > 0 {
        parts.push(format!("{mins} min"));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_as_people_write_it() {
        let table = [
            (Duration::seconds(59), "under a minute"),
            (Duration::minutes(30), "30 min"),
            (Duration::minutes(190), "3 h 10 min"),
            (Duration::hours(2), "2 h"),
            (Duration::minutes(1440 + 5), "1 day 5 min"),
            (Duration::minutes(2 * 1440 + 18 * 60), "2 days 18 h"),
            (Duration::minutes(-5), "under a minute"),
        ];
        for (d, expected) in table {
            assert_eq!(spoken(d), expected, "{d}");
        }
    }
}
