use super::*;
use crate::ids::OverrideId;
use crate::policy::Policy;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn u(s: &str) -> UserId {
    UserId::parse(s).unwrap()
}

fn ov(user: &str, rota: &str, from: &str, to: &str) -> Override {
    Override {
        id: OverrideId(1),
        rota: rota.to_owned(),
        user: u(user),
        from: utc(from),
        to: utc(to),
        created_by: u("U0ADMIN"),
        covered: None,
        created_at: utc("2026-11-23T10:00:00Z"),
    }
}

/// Monday 23 November 2026, 10:00 GMT: EN4 has the in-hours week.
const NOW: &str = "2026-11-23T10:00:00Z";

#[test]
fn in_hours_shifts_are_each_working_day_and_reminders_fall_their_lead_before() {
    let p = Policy::builtin();
    let cal = p.calendar();
    let rota = p.rota("in-hours").unwrap();
    let now = utc(NOW);
    let found = starting_between(&cal, rota, now, now + Duration::days(2), &[]);
    let starts: Vec<_> = found.iter().map(|s| (s.user.to_string(), s.from)).collect();
    assert_eq!(
        starts,
        vec![
            ("U0PAASEN4".to_owned(), utc("2026-11-24T09:00:00Z")),
            ("U0PAASEN4".to_owned(), utc("2026-11-25T09:00:00Z")),
        ]
    );
    assert_eq!(found[0].to, utc("2026-11-24T17:00:00Z"));
    let leads = [Duration::days(1), Duration::hours(1)];
    let due: Vec<_> = reminders(&cal, rota, &leads, Duration::days(1), now, &[])
        .into_iter()
        .map(|a| (a.due, a.lead))
        .collect();
    // Tuesday's 1d reminder was due this morning, before now: not planned.
    assert_eq!(
        due,
        vec![
            (utc("2026-11-24T08:00:00Z"), Duration::hours(1)),
            (utc("2026-11-24T09:00:00Z"), Duration::days(1)),
            (utc("2026-11-25T08:00:00Z"), Duration::hours(1)),
        ]
    );
    assert!(reminders(&cal, rota, &[], Duration::days(7), now, &[]).is_empty());
}

#[test]
fn out_of_hours_over_a_weekend_is_one_shift() {
    let p = Policy::builtin();
    let cal = p.calendar();
    let rota = p.rota("out-of-hours").unwrap();
    let friday = utc("2026-11-27T12:00:00Z");
    let found = starting_between(&cal, rota, friday, friday + Duration::hours(6), &[]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].from, utc("2026-11-27T17:00:00Z"));
    assert_eq!(found[0].to, utc("2026-11-30T09:00:00Z"));
}

#[test]
fn an_override_tomorrow_changes_both_peoples_shifts_and_one_far_off_does_not() {
    let p = Policy::builtin();
    let cal = p.calendar();
    let rota = p.rota("in-hours").unwrap();
    let now = utc(NOW);
    let window = |o: &[Override]| starting_between(&cal, rota, now, now + Duration::days(30), o);
    let before = window(&[]);
    let tomorrow = ov(
        "U0PAASEN1",
        "in-hours",
        "2026-11-24T09:00:00Z",
        "2026-11-24T17:00:00Z",
    );
    let after = window(&[tomorrow]);
    let changed = changes(&before, &after, now, Duration::days(1));
    assert_eq!(changed.len(), 2, "{changed:?}");
    let en1 = changed.iter().find(|c| c.user == u("U0PAASEN1")).unwrap();
    assert_eq!(en1.gained.len(), 1);
    assert_eq!(en1.gained[0].from, utc("2026-11-24T09:00:00Z"));
    assert!(en1.lost.is_empty());
    let en4 = changed.iter().find(|c| c.user == u("U0PAASEN4")).unwrap();
    assert_eq!(en4.lost.len(), 1);
    assert!(en4.gained.is_empty());

    // Next week is outside a day's lead: nobody is told now.
    let later = ov(
        "U0PAASEN1",
        "in-hours",
        "2026-12-02T09:00:00Z",
        "2026-12-02T17:00:00Z",
    );
    assert!(changes(&before, &window(&[later]), now, Duration::days(1)).is_empty());

    // Moving the start of a shift is a loss and a gain for the same person.
    let half = ov(
        "U0PAASEN1",
        "in-hours",
        "2026-11-24T09:00:00Z",
        "2026-11-24T12:00:00Z",
    );
    let moved = changes(&before, &window(&[half]), now, Duration::days(2));
    let en4 = moved.iter().find(|c| c.user == u("U0PAASEN4")).unwrap();
    assert_eq!(en4.gained[0].from, utc("2026-11-24T12:00:00Z"));
    assert_eq!(en4.lost[0].from, utc("2026-11-24T09:00:00Z"));
}

#[test]
fn tonights_out_of_hours_shift_is_reminded_an_hour_before() {
    let p = Policy::builtin();
    let cal = p.calendar();
    let rota = p.rota("out-of-hours").unwrap();
    let now = utc(NOW);
    let leads = [Duration::days(1), Duration::hours(1)];
    let due = reminders(&cal, rota, &leads, Duration::days(2), now, &[]);
    assert_eq!(due[0].due, utc("2026-11-23T16:00:00Z"), "{due:?}");
    assert_eq!(due[0].shift.user, u("U0PAASEN2"));
}
