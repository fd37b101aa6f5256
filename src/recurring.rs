//! Recurring jobs as cron expressions, evaluated in the policy's zone from a
//! given `now`: a 09:00 handover stays 09:00 local when the clocks change.

use crate::policy::{Handover, Rota, Rotation};
use chrono::{DateTime, Utc, Weekday};
use chrono_tz::Tz;
use cron::Schedule;
use std::str::FromStr;

/// Topics are re-checked at the top of every minute, on top of waking at
/// each shift change, so no change is more than a minute late.
pub const TOPIC_REFRESH: &str = "0 * * * * * *";

fn weekday(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Mon",
        Weekday::Tue => "Tue",
        Weekday::Wed => "Wed",
        Weekday::Thu => "Thu",
        Weekday::Fri => "Fri",
        Weekday::Sat => "Sat",
        Weekday::Sun => "Sun",
    }
}

/// The cron expression (sec min hour day month weekday year) of a rota's
/// handovers: weekly on its weekday, or daily.
pub fn handover_cron(rota: &Rota) -> String {
    let Handover { weekday: day, time } = rota.handover;
    let days = match (rota.rotation, day) {
        (Rotation::Weekly, Some(day)) => weekday(day),
        _ => "*",
    };
    use chrono::Timelike;
    format!("0 {} {} * * {days} *", time.minute(), time.hour())
}

/// The first time `expr` fires strictly after `now`, read in `tz`.
pub fn next_after(expr: &str, tz: Tz, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let schedule = Schedule::from_str(expr).ok()?;
    schedule
        .after(&now.with_timezone(&tz))
        .next()
        .map(|at| at.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;
    use chrono::TimeZone;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn a_weekly_monday_handover_is_nine_local_either_side_of_dst() {
        let policy = Policy::builtin();
        let rota = policy.rota("in-hours").unwrap();
        let expr = handover_cron(rota);
        assert_eq!(expr, "0 0 9 * * Mon *");
        let tz = policy.timezone;
        // Winter: GMT.
        assert_eq!(
            next_after(&expr, tz, utc(2026, 11, 24, 12, 0)),
            Some(utc(2026, 11, 30, 9, 0))
        );
        // The clocks go forward on Sunday 28 March 2027: Monday 09:00 BST.
        assert_eq!(
            next_after(&expr, tz, utc(2027, 3, 27, 12, 0)),
            Some(utc(2027, 3, 29, 8, 0))
        );
        // And back on Sunday 31 October 2027: Monday 09:00 GMT.
        assert_eq!(
            next_after(&expr, tz, utc(2027, 10, 30, 12, 0)),
            Some(utc(2027, 11, 1, 9, 0))
        );
    }

    #[test]
    fn strictly_after_now() {
        let tz = Policy::builtin().timezone;
        let at = utc(2026, 11, 30, 9, 0);
        assert_eq!(
            next_after("0 0 9 * * Mon *", tz, at),
            Some(utc(2026, 12, 7, 9, 0))
        );
        assert_eq!(
            next_after(TOPIC_REFRESH, tz, utc(2026, 11, 30, 9, 0)),
            Some(utc(2026, 11, 30, 9, 1))
        );
    }

    #[test]
    fn a_bad_expression_is_none_not_a_panic() {
        assert_eq!(
            next_after("not cron", chrono_tz::UTC, utc(2026, 1, 1, 0, 0)),
            None
        );
    }
}
