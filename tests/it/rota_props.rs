//! Properties of the rota resolver over 2026-2028, for both shipped
//! policies and for random rotas: every covered instant has exactly one
//! member, shifts neither overlap nor leave covered time out, and every
//! handover happens at its stated wall-clock time, DST changes included.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use paas_incident_bot::calendar::Calendar;
use paas_incident_bot::ids::UserId;
use paas_incident_bot::policy::{Covers, DaySet, Handover, Policy, Role, Rota, Rotation, Window};
use paas_incident_bot::rota::{
    cover_at, cover_spans, covers, handover_instant, handovers, scheduled_member, shifts,
};
use proptest::prelude::*;

fn moj() -> Policy {
    Policy::from_toml(include_str!("../../config/moj-cloud-platform.toml")).unwrap()
}

fn shipped() -> Vec<Policy> {
    vec![Policy::builtin(), moj()]
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

const DST_DATES: [(i32, u32, u32); 4] =
    [(2026, 3, 29), (2026, 10, 25), (2027, 3, 28), (2027, 10, 31)];

fn range_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}

fn range_end() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2028, 12, 31, 23, 59, 0).unwrap()
}

/// Instants from 2026-01-01 to 2028-12-31, to the minute.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    let minutes = (range_end() - range_start()).num_minutes();
    (0..minutes).prop_map(|m| range_start() + Duration::minutes(m))
}

fn weekday() -> impl Strategy<Value = Weekday> {
    (0u8..7).prop_map(|d| Weekday::try_from(d).unwrap())
}

fn time() -> impl Strategy<Value = NaiveTime> {
    // Half-hours, so 01:00 and 01:30 (inside the DST changes) come up often.
    (0u32..48).prop_map(|h| NaiveTime::from_hms_opt(h / 2, (h % 2) * 30, 0).unwrap())
}

/// Non-overlapping windows: cut the day at sorted half-hours and keep some
/// of the pieces, on weekdays, weekends-and-holidays, or every day.
fn windows() -> impl Strategy<Value = Covers> {
    (
        prop::collection::btree_set(1u32..48, 2..6),
        0usize..3,
        any::<bool>(),
    )
        .prop_map(|(cuts, days, skip_odd)| {
            let cuts: Vec<u32> = cuts.into_iter().collect();
            let at = |h: u32| NaiveTime::from_hms_opt(h / 2, (h % 2) * 30, 0).unwrap();
            let days =
                DaySet::parse(["mon-fri", "sat-sun,holidays", "mon-sun,holidays"][days]).unwrap();
            let ws: Vec<Window> = cuts
                .windows(2)
                .enumerate()
                .filter(|(i, _)| !skip_odd || i % 2 == 0)
                .map(|(_, w)| Window {
                    days,
                    start: at(w[0]),
                    end: at(w[1]),
                })
                .collect();
            Covers::Windows(ws)
        })
}

fn covers_strategy() -> impl Strategy<Value = Covers> {
    prop_oneof![
        Just(Covers::InHours),
        Just(Covers::OutOfHours),
        Just(Covers::Always),
        windows(),
    ]
}

fn random_rota() -> impl Strategy<Value = Rota> {
    (
        1usize..6,
        any::<bool>(),
        weekday(),
        time(),
        0i64..800,
        covers_strategy(),
    )
        .prop_map(|(n, weekly, day, time, start, covers)| Rota {
            name: "random".to_owned(),
            role: Role::Engineering,
            members: (0..n)
                .map(|i| UserId::parse(&format!("U0RAND{i}")).unwrap())
                .collect(),
            rotation: if weekly {
                Rotation::Weekly
            } else {
                Rotation::Daily
            },
            handover: Handover {
                weekday: weekly.then_some(day),
                time,
            },
            start: date(2025, 6, 1) + Duration::days(start),
            covers,
            topic_channels: vec![],
            usergroup: None,
        })
}

/// A policy to test with and the rota under test: a shipped rota, or a
/// random one added to the PaaS policy.
fn policy_and_rota() -> impl Strategy<Value = (Policy, Rota)> {
    let shipped_rota = (0usize..2, 0usize..5).prop_map(|(p, r)| {
        let policy = shipped().swap_remove(p);
        let rota = policy.rotas[r % policy.rotas.len()].clone();
        (policy, rota)
    });
    let random = random_rota().prop_map(|rota| {
        let mut policy = Policy::builtin();
        policy.rotas.push(rota.clone());
        (policy, rota)
    });
    prop_oneof![shipped_rota, random]
}

/// The wall-clock time a handover at `time` on `day` actually shows: the
/// stated time, or one hour later when it falls in a spring-forward gap.
fn shows_stated_time(cal: &Calendar, at: DateTime<Utc>, time: NaiveTime) -> bool {
    let local = cal.local(at).time();
    let missing = |t: NaiveTime| {
        cal.tz()
            .from_local_datetime(&cal.local(at).date_naive().and_time(t))
            .single()
            .is_none()
    };
    // A time the clocks skip happens at the end of the gap: the first valid
    // minute after it, the minute before that missing too.
    local == time || (local > time && missing(time) && missing(local - Duration::minutes(1)))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    #[test]
    fn each_covered_instant_has_exactly_one_member((policy, rota) in policy_and_rota(), t in instant()) {
        let cal = policy.calendar();
        let cover = cover_at(&cal, &rota, t, &[]);
        prop_assert_eq!(cover.is_some(), covers(&cal, &rota, t));
        let around = shifts(&cal, &rota, t - Duration::days(2), t + Duration::days(2), &[]);
        let containing: Vec<_> = around.iter().filter(|s| s.from <= t && t < s.to).collect();
        match cover {
            Some(c) => {
                prop_assert_eq!(containing.len(), 1);
                prop_assert_eq!(&containing[0].user, &c.shift.user);
                prop_assert!(rota.members.contains(&c.shift.user));
                prop_assert_eq!(&c.shift.user, scheduled_member(&cal, &rota, t));
                prop_assert!(c.shift.from <= t && t < c.shift.to);
                if let Some(next) = c.next {
                    prop_assert!(next.from >= c.shift.to);
                }
            }
            None => prop_assert!(containing.is_empty()),
        }
    }

    #[test]
    fn shifts_tile_the_covered_time((policy, rota) in policy_and_rota(), t in instant(), days in 1i64..15) {
        let cal = policy.calendar();
        let to = t + Duration::days(days);
        let list = shifts(&cal, &rota, t, to, &[]);
        for s in &list {
            prop_assert!(s.from < s.to);
            prop_assert!(t <= s.from && s.to <= to);
            prop_assert!(covers(&cal, &rota, s.from));
            prop_assert!(covers(&cal, &rota, s.to - Duration::minutes(1)));
            prop_assert_eq!(&s.user, scheduled_member(&cal, &rota, s.from));
        }
        for w in list.windows(2) {
            prop_assert!(w[0].to <= w[1].from, "overlap: {:?}", w);
            if w[0].to == w[1].from {
                // Touching shifts are only split where the person changes.
                prop_assert_ne!(&w[0].user, &w[1].user);
            } else {
                prop_assert!(!covers(&cal, &rota, w[0].to), "gap with cover at {}", w[0].to);
            }
        }
        let covered: i64 = cover_spans(&cal, &rota, t, to).iter().map(|(a, b)| (*b - *a).num_minutes()).sum();
        let shifted: i64 = list.iter().map(|s| (s.to - s.from).num_minutes()).sum();
        prop_assert_eq!(covered, shifted);
    }

    #[test]
    fn handovers_happen_at_the_stated_wall_clock_time((policy, rota) in policy_and_rota(), t in instant()) {
        let cal = policy.calendar();
        let to = t + Duration::days(60);
        let list = handovers(&cal, &rota, t, to);
        if rota.members.len() > 1 {
            let period = if rota.rotation == Rotation::Weekly { 7 } else { 1 };
            prop_assert!(list.len() as i64 >= 60 / period - 1);
        } else {
            prop_assert!(list.is_empty());
        }
        for (at, outgoing, incoming) in &list {
            prop_assert!(t <= *at && *at < to);
            prop_assert!(shows_stated_time(&cal, *at, rota.handover.time), "{} at {}", rota.name, cal.local(*at));
            if let Some(day) = rota.handover.weekday {
                prop_assert_eq!(cal.local(*at).weekday(), day);
            }
            prop_assert_ne!(outgoing, incoming);
            prop_assert_eq!(scheduled_member(&cal, &rota, *at), incoming);
            prop_assert_eq!(scheduled_member(&cal, &rota, *at - Duration::minutes(1)), outgoing);
        }
    }
}

fn daily_rota(time: NaiveTime) -> Rota {
    Rota {
        name: "daily".to_owned(),
        role: Role::Engineering,
        members: ["U0A", "U0B", "U0C"]
            .iter()
            .map(|u| UserId::parse(u).unwrap())
            .collect(),
        rotation: Rotation::Daily,
        handover: Handover {
            weekday: None,
            time,
        },
        start: date(2026, 1, 1),
        covers: Covers::Always,
        topic_channels: vec![],
        usergroup: None,
    }
}

/// Every day of 2026-2028, DST days included, for handover times either
/// side of and inside the 01:00-02:00 changes.
#[test]
fn daily_handovers_every_day_including_dst_dates() {
    let policy = Policy::builtin();
    let cal = policy.calendar();
    for (h, m) in [(0, 30), (1, 0), (1, 30), (2, 0), (9, 0), (23, 30)] {
        let time = NaiveTime::from_hms_opt(h, m, 0).unwrap();
        let rota = daily_rota(time);
        let list = handovers(&cal, &rota, range_start(), range_end());
        assert_eq!(list.len(), 1096, "one a day at {time}");
        for (at, _, _) in &list {
            assert!(
                shows_stated_time(&cal, *at, time),
                "{time}: {}",
                cal.local(*at)
            );
        }
        let dates: Vec<NaiveDate> = list
            .iter()
            .map(|(at, _, _)| cal.local(*at).date_naive())
            .collect();
        for (y, mo, d) in DST_DATES {
            assert!(dates.contains(&date(y, mo, d)), "{time} on {y}-{mo}-{d}");
        }
        // Instants strictly increase, so no shift has zero or negative length.
        assert!(list.windows(2).all(|w| w[0].0 < w[1].0));
    }
    // 01:30 on spring-forward day moves to the first valid instant,
    // 02:00 BST; in autumn the earlier 01:30 (BST) is taken.
    let rota = daily_rota(NaiveTime::from_hms_opt(1, 30, 0).unwrap());
    let spring = handover_on(&cal, &rota, date(2026, 3, 29));
    assert_eq!(spring, Utc.with_ymd_and_hms(2026, 3, 29, 1, 0, 0).unwrap());
    let autumn = handover_on(&cal, &rota, date(2026, 10, 25));
    assert_eq!(
        autumn,
        Utc.with_ymd_and_hms(2026, 10, 25, 0, 30, 0).unwrap()
    );
}

fn handover_on(cal: &Calendar, rota: &Rota, day: NaiveDate) -> DateTime<Utc> {
    let k = (day - rota.start).num_days();
    handover_instant(cal, rota, k)
}

/// Weekly handovers of both shipped policies across the DST weeks keep
/// their wall-clock time.
#[test]
fn weekly_handovers_across_dst_weeks() {
    for policy in shipped() {
        let cal = policy.calendar();
        for rota in &policy.rotas {
            for (y, m, d) in DST_DATES {
                let day = date(y, m, d);
                let from = cal.start_of_day(day - Duration::days(8));
                let to = cal.start_of_day(day + Duration::days(8));
                let list = handovers(&cal, rota, from, to);
                assert_eq!(list.len(), 2, "{} around {day}", rota.name);
                for (at, _, _) in list {
                    let local = cal.local(at);
                    assert_eq!(
                        local.time(),
                        rota.handover.time,
                        "{} around {day}",
                        rota.name
                    );
                    assert_eq!(Some(local.weekday()), rota.handover.weekday);
                }
            }
        }
    }
}

/// On every bank holiday 2026-2028: in-hours rotas are empty all day, the
/// PaaS out-of-hours rota covers the daytime, MoJ on-call covers
/// 07:00-22:00, and each covering rota resolves to one member.
#[test]
fn bank_holidays_are_covered_by_out_of_hours_only() {
    let mut checked = 0;
    for policy in shipped() {
        let cal = policy.calendar();
        let mut day = date(2026, 1, 1);
        while day <= date(2028, 12, 31) {
            if cal.is_holiday(day) {
                checked += 1;
                for hour in [8, 12, 16] {
                    let t = cal.instant(day, NaiveTime::from_hms_opt(hour, 0, 0).unwrap());
                    for rota in &policy.rotas {
                        let cover = cover_at(&cal, rota, t, &[]);
                        match (&rota.covers, rota.name.as_str()) {
                            (Covers::InHours, _) => {
                                assert!(cover.is_none(), "{} on {day}", rota.name)
                            }
                            (Covers::OutOfHours | Covers::Always, _)
                            | (_, "primary" | "secondary") => {
                                let c = cover.unwrap_or_else(|| {
                                    panic!("{} uncovered on {day} {hour}:00", rota.name)
                                });
                                assert!(rota.members.contains(&c.shift.user));
                            }
                            (_, "support-overlap") => {
                                assert!(cover.is_none(), "{} on {day}", rota.name)
                            }
                            _ => {}
                        }
                    }
                }
                assert!(
                    !cal.is_in_hours(cal.instant(day, NaiveTime::from_hms_opt(12, 0, 0).unwrap()))
                );
            }
            day = day.succ_opt().unwrap();
        }
    }
    // England and Wales has 8 a year, some years more: both policies use it.
    assert!(checked >= 2 * 24, "only {checked} holidays checked");
}
