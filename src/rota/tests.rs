use super::*;
use crate::ids::{OverrideId, UserId};
use crate::policy::{Handover, Policy, Rota, Rotation};
use chrono::{Datelike, Timelike, Weekday};

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn u(s: &str) -> UserId {
    UserId::parse(s).unwrap()
}

fn paas() -> (Policy, crate::calendar::Calendar) {
    let p = Policy::builtin();
    let c = p.calendar();
    (p, c)
}

fn moj() -> (Policy, crate::calendar::Calendar) {
    let p = Policy::from_toml(include_str!("../../config/moj-cloud-platform.toml")).unwrap();
    let c = p.calendar();
    (p, c)
}

fn who(
    p: &Policy,
    c: &crate::calendar::Calendar,
    rota: &str,
    at: &str,
    o: &[Override],
) -> Option<String> {
    cover_at(c, p.rota(rota).unwrap(), utc(at), o).map(|c| c.shift.user.to_string())
}

fn ov(id: i64, user: &str, from: &str, to: &str, created: &str) -> Override {
    Override {
        id: OverrideId(id),
        rota: "in-hours".to_owned(),
        user: u(user),
        from: utc(from),
        to: utc(to),
        created_by: u("U0ADMIN"),
        covered: None,
        created_at: utc(created),
    }
}

#[test]
fn weekly_rotation_from_start() {
    let (p, c) = paas();
    // start 2026-11-02 (a Monday): EN1 that week, EN2 the next, EN4 in week 4.
    assert_eq!(
        who(&p, &c, "in-hours", "2026-11-02T09:00:00Z", &[]).as_deref(),
        Some("U0PAASEN1")
    );
    assert_eq!(
        who(&p, &c, "in-hours", "2026-11-13T16:59:00Z", &[]).as_deref(),
        Some("U0PAASEN2")
    );
    assert_eq!(
        who(&p, &c, "in-hours", "2026-11-23T11:00:00Z", &[]).as_deref(),
        Some("U0PAASEN4")
    );
    assert_eq!(
        who(&p, &c, "in-hours", "2026-11-30T11:00:00Z", &[]).as_deref(),
        Some("U0PAASEN1")
    );
    // Before start the rotation runs backwards: the week before is the last member.
    assert_eq!(
        who(&p, &c, "in-hours", "2026-10-30T11:00:00Z", &[]).as_deref(),
        Some("U0PAASEN4")
    );
}

#[test]
fn in_hours_rota_is_empty_at_night_and_on_bank_holidays() {
    let (p, c) = paas();
    assert_eq!(who(&p, &c, "in-hours", "2026-11-23T20:00:00Z", &[]), None);
    assert_eq!(who(&p, &c, "in-hours", "2026-12-28T12:00:00Z", &[]), None);
    // Bank holiday daytime belongs to that week's out-of-hours person: the
    // weekend person until the Monday 09:00 handover, then the incoming one.
    let boxing = who(&p, &c, "out-of-hours", "2026-12-28T12:00:00Z", &[]);
    assert_eq!(
        boxing,
        who(&p, &c, "out-of-hours", "2026-12-29T20:00:00Z", &[])
    );
    assert_eq!(boxing.as_deref(), Some("U0PAASEN3"));
    let weekend = who(&p, &c, "out-of-hours", "2026-12-28T08:59:00Z", &[]);
    assert_eq!(
        weekend,
        who(&p, &c, "out-of-hours", "2026-12-27T12:00:00Z", &[])
    );
    assert_ne!(weekend, boxing);
}

#[test]
fn cover_reports_until_when_and_next() {
    let (p, c) = paas();
    let rota = p.rota("out-of-hours").unwrap();
    // Friday evening: one shift runs to Monday 09:00, when the next person starts.
    let cover = cover_at(&c, rota, utc("2026-11-27T20:00:00Z"), &[]).unwrap();
    assert_eq!(cover.shift.from, utc("2026-11-27T17:00:00Z"));
    assert_eq!(cover.shift.to, utc("2026-11-30T09:00:00Z"));
    let next = cover.next.unwrap();
    assert_eq!(next.from, utc("2026-11-30T17:00:00Z"));
    assert_ne!(next.user, cover.shift.user);
}

#[test]
fn handovers_keep_wall_clock_across_dst() {
    let (p, c) = paas();
    let rota = p.rota("in-hours").unwrap();
    let hs = handovers(
        &c,
        rota,
        utc("2027-03-20T00:00:00Z"),
        utc("2027-04-10T00:00:00Z"),
    );
    let at: Vec<DateTime<Utc>> = hs.iter().map(|h| h.0).collect();
    // 09:00 GMT on 22 March, 09:00 BST (08:00 UTC) after the 28 March change.
    assert_eq!(
        at,
        vec![
            utc("2027-03-22T09:00:00Z"),
            utc("2027-03-29T08:00:00Z"),
            utc("2027-04-05T08:00:00Z")
        ]
    );
    assert!(
        hs.windows(2).all(|w| w[0].2 == w[1].1),
        "incoming becomes the next outgoing"
    );
}

#[test]
fn moj_on_call_windows_including_bank_holidays() {
    let (p, c) = moj();
    // Weekday 08:00 GMT: primary on; 12:00: not (support hours); 21:59: on; 22:00: off.
    assert!(who(&p, &c, "primary", "2026-11-24T08:00:00Z", &[]).is_some());
    assert!(who(&p, &c, "primary", "2026-11-24T12:00:00Z", &[]).is_none());
    assert!(who(&p, &c, "primary", "2026-11-24T21:59:00Z", &[]).is_some());
    assert!(who(&p, &c, "primary", "2026-11-24T22:00:00Z", &[]).is_none());
    // Boxing Day substitute (Mon 28 Dec 2026): covered 07:00-22:00 like a weekend.
    assert!(who(&p, &c, "primary", "2026-12-28T12:00:00Z", &[]).is_some());
    assert!(who(&p, &c, "support", "2026-12-28T12:00:00Z", &[]).is_none());
    assert!(who(&p, &c, "support-overlap", "2026-12-28T09:30:00Z", &[]).is_none());
    // Primary and secondary are different people.
    assert_ne!(
        who(&p, &c, "primary", "2026-11-28T12:00:00Z", &[]),
        who(&p, &c, "secondary", "2026-11-28T12:00:00Z", &[])
    );
    // In BST the windows follow the wall clock: 07:00 BST is 06:00 UTC.
    assert!(who(&p, &c, "primary", "2027-04-03T06:00:00Z", &[]).is_some());
    assert!(who(&p, &c, "primary", "2027-04-03T05:59:00Z", &[]).is_none());
}

/// Override precedence: (overrides, instant, expected person).
#[test]
fn override_precedence_table() {
    let (p, c) = paas();
    // Tue 24 Nov 2026: rotation has EN4 on in-hours.
    let swap = ov(
        1,
        "U0AMY",
        "2026-11-23T09:00:00Z",
        "2026-11-28T00:00:00Z",
        "2026-11-20T10:00:00Z",
    );
    let hour = ov(
        2,
        "U0BEN",
        "2026-11-24T12:00:00Z",
        "2026-11-24T13:00:00Z",
        "2026-11-21T10:00:00Z",
    );
    let older = ov(
        3,
        "U0CAT",
        "2026-11-24T12:00:00Z",
        "2026-11-24T13:00:00Z",
        "2026-11-19T10:00:00Z",
    );
    let same_time_higher_id = ov(
        4,
        "U0DAN",
        "2026-11-24T12:00:00Z",
        "2026-11-24T13:00:00Z",
        "2026-11-21T10:00:00Z",
    );
    let other_rota = Override {
        rota: "comms".to_owned(),
        ..ov(
            5,
            "U0EVE",
            "2026-11-24T00:00:00Z",
            "2026-11-25T00:00:00Z",
            "2026-11-22T10:00:00Z",
        )
    };
    let cases: Vec<(Vec<Override>, &str, Option<&str>)> = vec![
        (vec![], "2026-11-24T12:30:00Z", Some("U0PAASEN4")),
        (vec![swap.clone()], "2026-11-24T12:30:00Z", Some("U0AMY")),
        // A later-created override wins over an earlier one, in either order.
        (
            vec![swap.clone(), hour.clone()],
            "2026-11-24T12:30:00Z",
            Some("U0BEN"),
        ),
        (
            vec![hour.clone(), swap.clone()],
            "2026-11-24T12:30:00Z",
            Some("U0BEN"),
        ),
        (
            vec![swap.clone(), hour.clone()],
            "2026-11-24T13:00:00Z",
            Some("U0AMY"),
        ),
        (
            vec![older.clone(), swap.clone()],
            "2026-11-24T12:30:00Z",
            Some("U0AMY"),
        ),
        (
            vec![hour.clone(), same_time_higher_id.clone()],
            "2026-11-24T12:30:00Z",
            Some("U0DAN"),
        ),
        // Another rota's override changes nothing here.
        (vec![other_rota], "2026-11-24T12:30:00Z", Some("U0PAASEN4")),
        // Overrides are clipped to the rota's cover: nobody at night.
        (vec![swap.clone()], "2026-11-24T20:00:00Z", None),
        // Ends are exclusive: the rotation is back at the override's end.
        (
            vec![hour.clone()],
            "2026-11-24T13:00:00Z",
            Some("U0PAASEN4"),
        ),
    ];
    for (i, (os, at, want)) in cases.into_iter().enumerate() {
        assert_eq!(
            who(&p, &c, "in-hours", at, &os).as_deref(),
            want,
            "case {i}"
        );
    }
}

#[test]
fn override_shifts_carry_their_id_and_split_the_day() {
    let (p, c) = paas();
    let hour = ov(
        2,
        "U0BEN",
        "2026-11-24T12:00:00Z",
        "2026-11-24T13:00:00Z",
        "2026-11-21T10:00:00Z",
    );
    let day = shifts(
        &c,
        p.rota("in-hours").unwrap(),
        utc("2026-11-24T00:00:00Z"),
        utc("2026-11-25T00:00:00Z"),
        &[hour],
    );
    let summary: Vec<(u32, u32, &str, Option<i64>)> = day
        .iter()
        .map(|s| {
            (
                s.from.hour(),
                s.to.hour(),
                s.user.as_str(),
                s.override_id.map(|o| o.0),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (9, 12, "U0PAASEN4", None),
            (12, 13, "U0BEN", Some(2)),
            (13, 17, "U0PAASEN4", None)
        ]
    );
}

#[test]
fn next_shifts_lists_current_then_following() {
    let (p, c) = paas();
    let list = next_shifts(
        &c,
        p.rota("in-hours").unwrap(),
        utc("2026-11-23T12:00:00Z"),
        7,
        &[],
    );
    assert_eq!(list.len(), 7);
    assert_eq!(list[0].from, utc("2026-11-23T09:00:00Z"));
    assert!(list.windows(2).all(|w| w[0].to <= w[1].from));
    // One in-hours shift a working day: Mon 23 Nov .. Tue 1 Dec.
    assert_eq!(list[6].from.date_naive().weekday(), Weekday::Tue);
}

#[test]
fn schedule_table_is_aligned_and_in_the_policy_zone() {
    let (p, c) = paas();
    let table = schedule_table(&p, &c, utc("2026-11-23T08:00:00Z"), 14, &[]);
    assert!(
        table.contains("in-hours      Mon 23 Nov 09:00–17:00"),
        "{table}"
    );
    assert!(
        table.contains("out-of-hours  Fri 27 Nov 17:00 – Mon 30 Nov 09:00"),
        "{table}"
    );
    assert!(table.contains("<@U0PAASEN4>"));
    // Every shift line puts the person in the same column.
    let cols: Vec<usize> = table.lines().skip(1).filter_map(|l| l.find("<@")).collect();
    assert!(
        cols.len() > 20 && cols.windows(2).all(|w| w[0] == w[1]),
        "{table}"
    );
}

fn daily(time: &str) -> Rota {
    let (p, _) = paas();
    let mut rota = p.rota("in-hours").unwrap().clone();
    rota.rotation = Rotation::Daily;
    rota.handover = Handover {
        weekday: None,
        time: chrono::NaiveTime::parse_from_str(time, "%H:%M").unwrap(),
    };
    rota
}

#[test]
fn next_weekly_handover_is_monday_nine_local_either_side_of_dst() {
    let (p, c) = paas();
    let rota = p.rota("in-hours").unwrap();
    let next = |now: &str| next_handover(&c, rota, utc(now));
    // Winter: GMT.
    assert_eq!(
        next("2026-11-24T12:00:00Z"),
        Some(utc("2026-11-30T09:00:00Z"))
    );
    // The clocks go forward on Sunday 28 March 2027: Monday 09:00 BST.
    assert_eq!(
        next("2027-03-27T12:00:00Z"),
        Some(utc("2027-03-29T08:00:00Z"))
    );
    // The Monday before the change is still 09:00 GMT.
    assert_eq!(
        next("2027-03-20T12:00:00Z"),
        Some(utc("2027-03-22T09:00:00Z"))
    );
    // And back on Sunday 31 October 2027: Monday 09:00 GMT.
    assert_eq!(
        next("2027-10-30T12:00:00Z"),
        Some(utc("2027-11-01T09:00:00Z"))
    );
    // The Monday before that is 09:00 BST.
    assert_eq!(
        next("2027-10-23T12:00:00Z"),
        Some(utc("2027-10-25T08:00:00Z"))
    );
}

#[test]
fn next_handover_is_strictly_after_now() {
    let (p, c) = paas();
    let rota = p.rota("in-hours").unwrap();
    assert_eq!(
        next_handover(&c, rota, utc("2026-11-30T09:00:00Z")),
        Some(utc("2026-12-07T09:00:00Z"))
    );
    assert_eq!(
        next_handover(&c, rota, utc("2026-11-30T08:59:59Z")),
        Some(utc("2026-11-30T09:00:00Z"))
    );
    let rota = daily("09:00");
    assert_eq!(
        next_handover(&c, &rota, utc("2026-11-30T09:00:00Z")),
        Some(utc("2026-12-01T09:00:00Z"))
    );
}

#[test]
fn next_daily_handover_keeps_wall_clock_across_dst() {
    let (_, c) = paas();
    let rota = daily("09:00");
    let next = |now: &str| next_handover(&c, &rota, utc(now));
    // Saturday 27 March 2027 09:00 GMT, then Sunday 28 March 09:00 BST.
    assert_eq!(
        next("2027-03-27T08:00:00Z"),
        Some(utc("2027-03-27T09:00:00Z"))
    );
    assert_eq!(
        next("2027-03-27T09:00:00Z"),
        Some(utc("2027-03-28T08:00:00Z"))
    );
    // Saturday 30 October 2027 09:00 BST, then Sunday 31 October 09:00 GMT.
    assert_eq!(
        next("2027-10-30T07:00:00Z"),
        Some(utc("2027-10-30T08:00:00Z"))
    );
    assert_eq!(
        next("2027-10-30T08:00:00Z"),
        Some(utc("2027-10-31T09:00:00Z"))
    );
}

#[test]
fn next_daily_handover_inside_the_changes_of_clock() {
    let (_, c) = paas();
    let rota = daily("01:30");
    let next = |now: &str| next_handover(&c, &rota, utc(now));
    // 01:30 does not happen on 28 March 2027: the handover moves to the
    // first valid instant, 02:00 BST.
    assert_eq!(
        next("2027-03-27T23:00:00Z"),
        Some(utc("2027-03-28T01:00:00Z"))
    );
    // 01:30 happens twice on 31 October 2027: the first (BST) is the
    // handover, and the second is not another one.
    assert_eq!(
        next("2027-10-30T23:00:00Z"),
        Some(utc("2027-10-31T00:30:00Z"))
    );
    assert_eq!(
        next("2027-10-31T00:30:00Z"),
        Some(utc("2027-11-01T01:30:00Z"))
    );
}
