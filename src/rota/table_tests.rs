//! `check`'s schedule: no zero-length rows, and a window of calendar days
//! in the policy zone.

use super::table::{calendar_days_later, schedule_table};
use crate::policy::Policy;
use chrono::{DateTime, Duration, TimeZone, Utc};

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

/// Lines whose span starts and ends at the same minute, e.g.
/// `Mon 07 Dec 17:00–17:00`.
fn zero_length_rows(table: &str) -> Vec<String> {
    table
        .lines()
        .filter(|line| {
            line.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .nth(1)
                .and_then(|span| span.rsplit_once(' '))
                .and_then(|(_, times)| times.split_once('–'))
                .is_some_and(|(a, b)| a == b)
        })
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_start_a_moment_after_a_boundary_prints_no_zero_length_row() {
    let policy = Policy::builtin();
    let cal = policy.calendar();
    // Half a second after 17:00 on Monday 23 Nov 2026: the window ends
    // half a second after 17:00 fourteen days later, a sliver of cover
    // that printed as "Mon 07 Dec 17:00–17:00".
    let now = utc(2026, 11, 23, 17, 0) + Duration::milliseconds(500);
    let table = schedule_table(&policy, &cal, now, 14, &[]);
    assert!(zero_length_rows(&table).is_empty(), "{table}");
    assert!(!table.contains("17:00–17:00"), "{table}");
    // The cover itself is all there: the evening the window starts in.
    assert!(
        table.contains("out-of-hours  Mon 23 Nov 17:00 – Tue 24 Nov 09:00"),
        "{table}"
    );
}

#[test]
fn fourteen_days_are_calendar_days_in_the_policy_zone() {
    let policy = Policy::builtin();
    let cal = policy.calendar();
    // Sat 24 Oct 2026 12:00 BST; the clocks go back on Sunday 25th, so
    // fourteen days later is Sat 7 Nov 12:00 GMT, 337 hours on.
    let now = utc(2026, 10, 24, 11, 0);
    let until = calendar_days_later(&cal, now, 14);
    assert_eq!(until, utc(2026, 11, 7, 12, 0));
    assert_eq!(until - now, Duration::hours(337));
    let table = schedule_table(&policy, &cal, now, 14, &[]);
    // The always-on escalation rota runs to the end of the window.
    let last = table
        .lines()
        .rfind(|l| l.starts_with("escalation"))
        .unwrap();
    assert!(last.contains("– Sat 07 Nov 12:00"), "{last}");
    // And in spring, 14 days across the clocks going forward are 335 hours.
    let spring = utc(2026, 3, 21, 12, 0);
    assert_eq!(
        calendar_days_later(&cal, spring, 14) - spring,
        Duration::hours(335)
    );
}
