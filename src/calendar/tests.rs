use super::*;
use crate::policy::{Division, Hours};
use chrono::Timelike;
use chrono_tz::Europe::London;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn hours(division: Division, extra: Vec<NaiveDate>) -> Hours {
    Hours {
        working_days: vec![
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ],
        in_hours: TimeRange {
            start: t(9, 0),
            end: t(17, 0),
        },
        bank_holidays: division,
        extra_holidays: extra,
    }
}

fn london() -> Calendar {
    Calendar::new(London, &hours(Division::EnglandAndWales, vec![]))
}

#[test]
fn christmas_and_boxing_day_substitutes() {
    let cal = london();
    // 2026: Christmas Friday, Boxing Day Saturday, substitute Monday 28th.
    assert!(cal.is_holiday(d(2026, 12, 25)));
    assert!(cal.is_holiday(d(2026, 12, 28)));
    assert!(!cal.is_working_day(d(2026, 12, 28)));
    assert!(cal.is_working_day(d(2026, 12, 29)));
    // 2027: both fall at the weekend, substitutes Monday 27th and Tuesday 28th.
    assert!(cal.is_holiday(d(2027, 12, 27)) && cal.is_holiday(d(2027, 12, 28)));
    assert_eq!(cal.next_working_day(d(2027, 12, 24)), d(2027, 12, 29));
    assert!(!cal.is_holiday(d(2027, 12, 29)));
}

#[test]
fn divisions_differ_and_extra_holidays_count() {
    let scotland = Calendar::new(London, &hours(Division::Scotland, vec![]));
    // 2 January is a bank holiday in Scotland only; St Andrew's Day 2026 is Monday 30 Nov.
    assert!(scotland.is_holiday(d(2026, 1, 2)));
    assert!(!london().is_holiday(d(2026, 1, 2)));
    assert!(scotland.is_holiday(d(2026, 11, 30)));
    let none = Calendar::new(London, &hours(Division::None, vec![d(2026, 12, 24)]));
    assert!(!none.is_holiday(d(2026, 12, 25)));
    assert!(none.is_holiday(d(2026, 12, 24)));
    for division in [
        Division::EnglandAndWales,
        Division::Scotland,
        Division::NorthernIreland,
    ] {
        assert!(known_until(division).unwrap() >= d(2028, 12, 26));
    }
    assert_eq!(known_until(Division::None), None);
}

#[test]
fn running_out_of_bank_holiday_data_is_warned_of() {
    let end = known_until(Division::EnglandAndWales).unwrap();
    let cal = london();
    let notice = Duration::days(HOLIDAY_DATA_NOTICE_DAYS);
    assert_eq!(
        cal.holiday_data_warning(end - notice - Duration::days(1)),
        None
    );
    let soon = cal.holiday_data_warning(end - notice).unwrap();
    assert!(
        soon.contains(&format!("are known only until {end}")),
        "{soon}"
    );
    let past = cal.holiday_data_warning(end + Duration::days(1)).unwrap();
    assert!(past.contains("were known"), "{past}");
    // A far-off extra holiday does not silence it; a policy without bank
    // holidays has nothing to run out of.
    let later = end + Duration::days(400);
    let extra = Calendar::new(London, &hours(Division::EnglandAndWales, vec![later]));
    assert!(extra.holiday_data_warning(end).is_some());
    let none = Calendar::new(London, &hours(Division::None, vec![]));
    assert_eq!(none.holiday_data_warning(end + Duration::days(1)), None);
}

#[test]
fn instants_across_spring_forward_gaps() {
    let cal = london();
    // 01:30 on 2026-03-29 does not exist in London; it moves to the first
    // valid instant, 02:00 BST.
    assert_eq!(
        cal.instant(d(2026, 3, 29), t(1, 30)),
        utc("2026-03-29T01:00:00Z")
    );
    assert_eq!(
        cal.instant(d(2026, 3, 29), NaiveTime::from_hms_opt(1, 59, 59).unwrap()),
        utc("2026-03-29T01:00:00Z")
    );
    assert_eq!(
        cal.instant(d(2027, 3, 28), t(1, 0)),
        utc("2027-03-28T01:00:00Z")
    );
    assert_eq!(cal.local(cal.instant(d(2027, 3, 28), t(1, 0))).hour(), 2);
    // Either side of the gap is ordinary.
    assert_eq!(
        cal.instant(d(2026, 3, 29), t(0, 59)),
        utc("2026-03-29T00:59:00Z")
    );
    assert_eq!(
        cal.instant(d(2026, 3, 29), t(9, 0)),
        utc("2026-03-29T08:00:00Z")
    );
}

#[test]
fn instants_in_autumn_folds_take_the_earlier() {
    let cal = london();
    // 01:30 on 2026-10-25 happens at 00:30 UTC (BST) and 01:30 UTC (GMT).
    assert_eq!(
        cal.instant(d(2026, 10, 25), t(1, 30)),
        utc("2026-10-25T00:30:00Z")
    );
    assert_eq!(
        cal.instant(d(2027, 10, 31), t(1, 0)),
        utc("2027-10-31T00:00:00Z")
    );
    assert_eq!(
        cal.instant(d(2026, 10, 26), t(9, 0)),
        utc("2026-10-26T09:00:00Z")
    );
    assert_eq!(
        cal.instant(d(2026, 10, 23), t(9, 0)),
        utc("2026-10-23T08:00:00Z")
    );
}

#[test]
fn in_hours_follows_wall_clock_through_dst() {
    let cal = london();
    // Friday before the spring change (GMT) and Monday after it (BST).
    assert!(cal.is_in_hours(utc("2026-03-27T09:00:00Z")));
    assert!(!cal.is_in_hours(
        utc("2026-03-30T08:00:00Z")
            .checked_sub_signed(Duration::minutes(1))
            .unwrap()
    ));
    assert!(cal.is_in_hours(utc("2026-03-30T08:00:00Z")));
    assert!(!cal.is_in_hours(utc("2026-03-30T16:00:00Z")));
    // Weekends and bank holidays are never in hours.
    assert!(!cal.is_in_hours(utc("2026-03-28T12:00:00Z")));
    assert!(!cal.is_in_hours(utc("2026-12-28T12:00:00Z")));
}

#[test]
fn next_boundary_skips_weekends_and_holidays() {
    let cal = london();
    // Thursday 24 Dec 2026 16:00 GMT: next is 17:00, then Tuesday 29 Dec 09:00.
    let thu = utc("2026-12-24T16:00:00Z");
    let five = cal.next_in_hours_boundary(thu);
    assert_eq!(five, utc("2026-12-24T17:00:00Z"));
    assert_eq!(
        cal.next_in_hours_boundary(five),
        utc("2026-12-29T09:00:00Z")
    );
    // Strictly after: asking at 09:00 gives 17:00.
    assert_eq!(
        cal.next_in_hours_boundary(utc("2026-12-29T09:00:00Z")),
        utc("2026-12-29T17:00:00Z")
    );
}

#[test]
fn in_hours_spans_are_clipped() {
    let cal = london();
    let spans = cal.in_hours_spans(utc("2026-12-24T12:00:00Z"), utc("2026-12-29T10:00:00Z"));
    assert_eq!(
        spans,
        vec![
            (utc("2026-12-24T12:00:00Z"), utc("2026-12-24T17:00:00Z")),
            (utc("2026-12-29T09:00:00Z"), utc("2026-12-29T10:00:00Z")),
        ]
    );
}

#[test]
fn business_day_arithmetic() {
    let cal = london();
    let one = PolicyDuration::BusinessDays(1);
    let two = PolicyDuration::BusinessDays(2);
    // Friday 10:00 + 1 business day = Monday 10:00.
    assert_eq!(
        cal.add(utc("2026-11-20T10:00:00Z"), one),
        utc("2026-11-23T10:00:00Z")
    );
    // Thursday before Christmas + 2 = Wednesday 30 Dec (25th and 28th are holidays).
    assert_eq!(
        cal.add(utc("2026-12-24T15:00:00Z"), two),
        utc("2026-12-30T15:00:00Z")
    );
    // Declared on a Saturday: the next working day is Monday.
    assert_eq!(
        cal.add(utc("2026-11-21T11:00:00Z"), one),
        utc("2026-11-23T11:00:00Z")
    );
    // Time of day is kept as wall-clock across the October change (BST -> GMT).
    assert_eq!(
        cal.add(utc("2026-10-23T09:00:00Z"), one),
        utc("2026-10-26T10:00:00Z")
    );
    // Good Friday and Easter Monday 2027 are both skipped.
    assert_eq!(
        cal.add(utc("2027-03-25T12:00:00Z"), one),
        utc("2027-03-30T11:00:00Z")
    );
    // Fixed durations are plain addition, even across DST.
    let h = PolicyDuration::Fixed(Duration::hours(1));
    assert_eq!(
        cal.add(utc("2026-03-29T00:30:00Z"), h),
        utc("2026-03-29T01:30:00Z")
    );
}
