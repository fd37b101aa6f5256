//! The in-hours clock against the GOV.UK PaaS hours (Monday to Friday,
//! 09:00–17:00 in London, England and Wales bank holidays), with the
//! support manual's examples on real dates: 27 Nov 2026 is a Friday, 31 Aug
//! 2026 the summer bank holiday, 29 Mar 2026 the clocks going forward.

use super::*;
use crate::policy::{Division, Hours, PolicyDuration};
use chrono_tz::Europe::London;

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

fn hours(division: Division) -> Hours {
    Hours {
        working_days: vec![
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ],
        in_hours: TimeRange {
            start: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            end: NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
        },
        bank_holidays: division,
        extra_holidays: vec![],
    }
}

fn london() -> Calendar {
    Calendar::new(London, &hours(Division::EnglandAndWales))
}

fn mins(n: i64) -> PolicyDuration {
    PolicyDuration::Fixed(Duration::minutes(n))
}

const IN_HOURS: SlaClock = SlaClock::InHours;

/// (from, duration in minutes, due) on the in-hours clock.
#[test]
fn in_hours_deadlines_table() {
    let cal = london();
    let table = [
        // SPEC §2.5: a P3 declared Fri 16:55 with a 2 h response is due Mon 10:55.
        (utc(2026, 11, 27, 16, 55), 120, utc(2026, 11, 30, 10, 55)),
        // A P2 declared Sat 10:00: response Mon 09:30, first update Mon 11:00.
        (utc(2026, 11, 28, 10, 0), 30, utc(2026, 11, 30, 9, 30)),
        (utc(2026, 11, 28, 10, 0), 120, utc(2026, 11, 30, 11, 0)),
        // A P2 declared Fri 17:05 (out of hours): update due Mon 11:00, not 19:05.
        (utc(2026, 11, 27, 17, 5), 120, utc(2026, 11, 30, 11, 0)),
        // In hours and inside the day: plain addition.
        (utc(2026, 11, 24, 10, 0), 120, utc(2026, 11, 24, 12, 0)),
        // Using up the day exactly ends at 17:00, the end of the span.
        (utc(2026, 11, 24, 15, 0), 120, utc(2026, 11, 24, 17, 0)),
        // Declared at 17:00 (out of hours): waits for 09:00 the next day.
        (utc(2026, 11, 24, 17, 0), 30, utc(2026, 11, 25, 9, 30)),
        // Just before 09:00.
        (utc(2026, 11, 24, 8, 59), 30, utc(2026, 11, 24, 9, 30)),
        // Over the summer bank holiday (Mon 31 Aug 2026): Tuesday.
        (utc(2026, 8, 28, 15, 30), 120, utc(2026, 9, 1, 9, 30)), // BST: 16:30 local
        // Over Christmas 2026: Fri 25 Dec and the Boxing Day substitute Mon 28.
        (utc(2026, 12, 24, 16, 0), 120, utc(2026, 12, 29, 10, 0)),
        // Over the clocks going forward: Mon 09:00 BST is 08:00 UTC.
        (utc(2026, 3, 27, 16, 0), 120, utc(2026, 3, 30, 9, 0)),
        // A whole working week of in-hours time (40 h) from Monday 09:00.
        (utc(2026, 11, 23, 9, 0), 40 * 60, utc(2026, 11, 27, 17, 0)),
    ];
    for (from, minutes, expected) in table {
        assert_eq!(
            IN_HOURS.add(&cal, from, mins(minutes)),
            expected,
            "{from} + {minutes} min"
        );
    }
}

#[test]
fn business_days_wait_for_in_hours_then_keep_the_time_of_day() {
    let cal = london();
    // A P4 declared Tue 10:00 is due Wed 10:00.
    let tuesday = utc(2026, 11, 24, 10, 0);
    assert_eq!(
        IN_HOURS.add(&cal, tuesday, PolicyDuration::BusinessDays(1)),
        utc(2026, 11, 25, 10, 0)
    );
    // Declared Saturday: from Monday 09:00, so Tuesday 09:00.
    let saturday = utc(2026, 11, 28, 10, 0);
    assert_eq!(
        IN_HOURS.add(&cal, saturday, PolicyDuration::BusinessDays(1)),
        utc(2026, 12, 1, 9, 0)
    );
}

#[test]
fn the_bank_holidays_are_the_divisions_own() {
    // 2 Jan 2026 (Friday) is a bank holiday in Scotland only.
    let scotland = Calendar::new(London, &hours(Division::Scotland));
    let from = utc(2025, 12, 31, 16, 0);
    assert_eq!(
        IN_HOURS.add(&london(), from, mins(120)),
        utc(2026, 1, 2, 10, 0)
    );
    assert_eq!(
        IN_HOURS.add(&scotland, from, mins(120)),
        utc(2026, 1, 5, 10, 0)
    );
}

#[test]
fn wall_time_runs_day_and_night() {
    let cal = london();
    let friday = utc(2026, 11, 27, 16, 55);
    assert_eq!(
        SlaClock::Wall.add(&cal, friday, mins(120)),
        utc(2026, 11, 27, 18, 55)
    );
    assert_eq!(
        SlaClock::Wall.sub(&cal, friday, Duration::minutes(10)),
        utc(2026, 11, 27, 16, 45)
    );
    assert_eq!(
        SlaClock::Wall.elapsed(&cal, friday, utc(2026, 11, 30, 9, 0)),
        Duration::minutes(64 * 60 + 5)
    );
}

#[test]
fn counting_back_skips_the_night_and_the_weekend() {
    let cal = london();
    assert_eq!(
        IN_HOURS.sub(&cal, utc(2026, 11, 30, 9, 5), Duration::minutes(10)),
        utc(2026, 11, 27, 16, 55)
    );
    assert_eq!(
        IN_HOURS.sub(&cal, utc(2026, 11, 24, 12, 0), Duration::minutes(10)),
        utc(2026, 11, 24, 11, 50)
    );
}

#[test]
fn elapsed_in_hours_time_ignores_nights_weekends_and_holidays() {
    let cal = london();
    let from = utc(2026, 11, 27, 16, 55);
    assert_eq!(
        IN_HOURS.elapsed(&cal, from, utc(2026, 11, 28, 12, 0)),
        Duration::minutes(5)
    );
    assert_eq!(
        IN_HOURS.elapsed(&cal, from, utc(2026, 11, 30, 10, 55)),
        Duration::minutes(120)
    );
    assert_eq!(IN_HOURS.elapsed(&cal, from, from), Duration::zero());
    assert_eq!(
        IN_HOURS.elapsed(&cal, from, from - Duration::hours(1)),
        Duration::zero()
    );
}

#[test]
fn out_of_hours_waits_for_the_next_in_hours_start() {
    let cal = london();
    assert_eq!(
        cal.resume_in_hours(utc(2026, 11, 28, 10, 0)),
        utc(2026, 11, 30, 9, 0)
    );
    // 17:00 is the end of the day's clock, and on it.
    assert_eq!(
        cal.resume_in_hours(utc(2026, 11, 27, 17, 0)),
        utc(2026, 11, 27, 17, 0)
    );
    assert_eq!(
        cal.resume_in_hours(utc(2026, 12, 25, 12, 0)),
        utc(2026, 12, 29, 9, 0)
    );
    assert!(cal.on_in_hours_clock(utc(2026, 11, 27, 9, 0)));
    assert!(!cal.on_in_hours_clock(utc(2026, 11, 27, 8, 59)));
    assert!(!cal.on_in_hours_clock(utc(2026, 11, 28, 12, 0)));
}

#[test]
fn repeating_nudges_step_in_in_hours_time() {
    let cal = london();
    let saturday = utc(2026, 11, 28, 10, 0);
    let every = Duration::minutes(30);
    // Nothing on Saturday: the first half hour of in-hours time ends Mon 09:30.
    assert_eq!(
        IN_HOURS.next_slot(&cal, saturday, every, saturday),
        utc(2026, 11, 30, 9, 30)
    );
    assert_eq!(
        IN_HOURS.next_slot(&cal, saturday, every, utc(2026, 11, 30, 9, 30)),
        utc(2026, 11, 30, 10, 0)
    );
    // Fri 16:50 anchor: the 17:00 end counts 10 minutes, then Monday 09:20.
    let friday = utc(2026, 11, 27, 16, 50);
    assert_eq!(
        IN_HOURS.next_slot(&cal, friday, every, utc(2026, 11, 27, 18, 0)),
        utc(2026, 11, 30, 9, 20)
    );
    assert_eq!(
        SlaClock::Wall.next_slot(&cal, friday, every, utc(2026, 11, 27, 18, 0)),
        utc(2026, 11, 27, 18, 20)
    );
}

/// Every five minutes over three weeks that hold a weekend, a bank holiday
/// (Christmas 2026) and, separately, the clocks changing: the deadline is
/// on the in-hours clock, exactly the duration of in-hours time away, and
/// never earlier for a later start.
#[test]
fn properties_of_the_in_hours_clock() {
    let cal = london();
    let lengths = [1, 10, 30, 120, 240, 480, 481, 2400];
    for start in [utc(2026, 12, 18, 0, 0), utc(2026, 10, 19, 0, 0)] {
        let mut previous: Vec<Option<DateTime<Utc>>> = vec![None; lengths.len()];
        for step in 0..(21 * 24 * 12) {
            let from = start + Duration::minutes(5 * step);
            for (i, minutes) in lengths.iter().enumerate() {
                let length = Duration::minutes(*minutes);
                let due = cal.add_in_hours(from, length);
                assert!(cal.on_in_hours_clock(due), "{from} + {minutes}: {due}");
                assert_eq!(
                    cal.in_hours_between(from, due),
                    length,
                    "{from} + {minutes}"
                );
                assert!(previous[i].is_none_or(|p| p <= due), "{from} + {minutes}");
                previous[i] = Some(due);
                if cal.is_in_hours(from) {
                    assert_eq!(cal.sub_in_hours(due, length), from, "{from} + {minutes}");
                }
            }
        }
    }
}
