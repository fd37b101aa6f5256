use super::*;
use crate::ids::OverrideId;
use crate::rota::cover_at;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn u(s: &str) -> UserId {
    UserId::parse(s).unwrap()
}

fn paas() -> (Policy, Calendar) {
    let p = Policy::builtin();
    let c = p.calendar();
    (p, c)
}

fn rota(name: &str) -> FeedScope {
    FeedScope::Rota(name.to_owned())
}

fn at(p: &Policy, c: &Calendar, scope: &FeedScope, now: &str, o: &[Override]) -> Vec<FeedShift> {
    let (from, to) = window(utc(now));
    feed_shifts(p, c, scope, from, to, o)
}

fn spans(found: &[FeedShift]) -> Vec<(String, String, String)> {
    found
        .iter()
        .map(|f| {
            (
                f.shift.user.to_string(),
                f.shift.from.to_rfc3339(),
                f.shift.to.to_rfc3339(),
            )
        })
        .collect()
}

fn has(found: &[FeedShift], user: &str, from: &str, to: &str) -> bool {
    found
        .iter()
        .any(|f| f.shift.user == u(user) && f.shift.from == utc(from) && f.shift.to == utc(to))
}

/// Every event is a whole shift of the resolver: at its start and just
/// before its end the resolver names the same person and the same span.
fn assert_matches_resolver(p: &Policy, c: &Calendar, found: &[FeedShift], o: &[Override]) {
    assert!(!found.is_empty());
    for f in found {
        let r = p.rota(&f.shift.rota).unwrap();
        for instant in [f.shift.from, f.shift.to - Duration::seconds(1)] {
            let cover = cover_at(c, r, instant, o).expect("the rota covers its own shift");
            assert_eq!(cover.shift.user, f.shift.user, "{f:?}");
            assert_eq!(cover.shift.override_id, f.shift.override_id, "{f:?}");
        }
        // Nobody else covers the instant before it starts, or someone does
        // and it is another person or override (else it would be one shift).
        if let Some(before) = cover_at(c, r, f.shift.from - Duration::seconds(1), o) {
            assert!(
                before.shift.user != f.shift.user
                    || before.shift.override_id != f.shift.override_id,
                "{f:?} continues {before:?}"
            );
        }
    }
}

#[test]
fn the_window_is_two_days_back_and_ninety_ahead() {
    let now = utc("2027-03-20T12:00:00Z");
    assert_eq!(
        window(now),
        (utc("2027-03-18T12:00:00Z"), utc("2027-06-18T12:00:00Z"))
    );
}

#[test]
fn in_hours_follows_the_wall_clock_across_the_spring_change_and_skips_bank_holidays() {
    let (p, c) = paas();
    // Good Friday 26 March 2027, clocks forward Sunday 28th, Easter Monday 29th.
    let found = at(&p, &c, &rota("in-hours"), "2027-03-24T12:00:00Z", &[]);
    assert_matches_resolver(&p, &c, &found, &[]);
    // Thursday in GMT: 09:00-17:00 is 09:00Z-17:00Z.
    assert!(
        has(
            &found,
            "U0PAASEN1",
            "2027-03-25T09:00:00Z",
            "2027-03-25T17:00:00Z"
        ),
        "{:?}",
        spans(&found)
    );
    // Tuesday in BST: 09:00-17:00 is 08:00Z-16:00Z, with the next member.
    assert!(
        has(
            &found,
            "U0PAASEN2",
            "2027-03-30T08:00:00Z",
            "2027-03-30T16:00:00Z"
        ),
        "{:?}",
        spans(&found)
    );
    for holiday in ["2027-03-26", "2027-03-29"] {
        assert!(
            !found
                .iter()
                .any(|f| f.shift.from.to_rfc3339().starts_with(holiday)),
            "no in-hours cover on {holiday}: {:?}",
            spans(&found)
        );
    }
}

#[test]
fn out_of_hours_covers_the_bank_holidays_and_hands_over_at_local_nine() {
    let (p, c) = paas();
    let found = at(&p, &c, &rota("out-of-hours"), "2027-03-24T12:00:00Z", &[]);
    assert_matches_resolver(&p, &c, &found, &[]);
    // Thursday 17:00 GMT through Good Friday and the weekend to the Easter
    // Monday handover at 09:00 BST (08:00Z): one shift.
    assert!(
        has(
            &found,
            "U0PAASEN3",
            "2027-03-25T17:00:00Z",
            "2027-03-29T08:00:00Z"
        ),
        "{:?}",
        spans(&found)
    );
    // Easter Monday is a holiday: the next member covers all of it, to
    // Tuesday's in-hours start.
    assert!(
        has(
            &found,
            "U0PAASEN4",
            "2027-03-29T08:00:00Z",
            "2027-03-30T08:00:00Z"
        ),
        "{:?}",
        spans(&found)
    );
}

#[test]
fn the_autumn_change_moves_utc_times_by_an_hour() {
    let (p, c) = paas();
    // Clocks go back on Sunday 31 October 2027.
    let found = at(&p, &c, &rota("out-of-hours"), "2027-10-27T12:00:00Z", &[]);
    assert_matches_resolver(&p, &c, &found, &[]);
    // Friday 17:00 BST (16:00Z) to Monday 09:00 GMT (09:00Z): 65 hours.
    let weekend = found
        .iter()
        .find(|f| f.shift.from == utc("2027-10-29T16:00:00Z"))
        .expect("the weekend shift");
    assert_eq!(weekend.shift.to, utc("2027-11-01T09:00:00Z"));
    assert_eq!(weekend.shift.to - weekend.shift.from, Duration::hours(65));
    let ics = ics(
        &c,
        &rota("out-of-hours"),
        &found,
        utc("2027-10-27T12:00:00Z"),
    );
    assert!(ics.contains("DTSTART:20271029T160000Z"), "{ics}");
    assert!(ics.contains("DTEND:20271101T090000Z"), "{ics}");
}

#[test]
fn shifts_are_whole_at_the_edges_of_the_window() {
    let (p, c) = paas();
    // Both edges of the window fall in the night, inside a shift.
    let now = "2027-03-24T22:00:00Z";
    let (from, to) = window(utc(now));
    let found = at(&p, &c, &rota("out-of-hours"), now, &[]);
    let first = &found[0];
    assert!(first.shift.from < from, "{:?}", spans(&found));
    assert!(first.shift.to > from);
    let last = found.last().unwrap();
    assert!(
        last.shift.from < to && last.shift.to >= to,
        "{:?}",
        spans(&found)
    );
    assert!(found.iter().all(|f| f.shift.from < to && f.shift.to > from));
}

#[test]
fn the_same_shift_keeps_its_uid_as_the_window_slides() {
    let (p, c) = paas();
    let scope = FeedScope::Person(u("U0PAASEN1"));
    let early = at(&p, &c, &scope, "2027-03-24T12:00:00Z", &[]);
    let later = at(&p, &c, &scope, "2027-03-25T18:30:00Z", &[]);
    let common: Vec<_> = early
        .iter()
        .filter(|f| later.iter().any(|g| g.shift == f.shift))
        .collect();
    assert!(common.len() > 10);
    for f in common {
        let g = later.iter().find(|g| g.shift == f.shift).unwrap();
        assert_eq!(uid(f), uid(g));
    }
    // Every shift has its own UID.
    let mut uids: Vec<String> = early.iter().map(uid).collect();
    uids.sort();
    uids.dedup();
    assert_eq!(uids.len(), early.len());
}

#[test]
fn the_uid_changes_with_rota_person_or_start() {
    let (p, c) = paas();
    let found = at(&p, &c, &rota("in-hours"), "2027-03-24T12:00:00Z", &[]);
    let base = found[0].clone();
    let mut other_person = base.clone();
    other_person.shift.user = u("U0PAASEN9");
    let mut other_start = base.clone();
    other_start.shift.from += Duration::minutes(1);
    let mut other_rota = base.clone();
    other_rota.shift.rota = "out-of-hours".into();
    let mut other_role = base.clone();
    other_role.role = Role::Comms;
    for changed in [other_person, other_start, other_rota, other_role] {
        assert_ne!(uid(&base), uid(&changed));
    }
    let mut other_end = base.clone();
    other_end.shift.to += Duration::minutes(1);
    assert_eq!(
        uid(&base),
        uid(&other_end),
        "an end moved is the same shift"
    );
    assert!(uid(&base).ends_with("@paas-incident-bot"));
}

fn cover(id: i64, rota: &str, user: &str, from: &str, to: &str) -> Override {
    Override {
        id: OverrideId(id),
        rota: rota.to_owned(),
        user: u(user),
        from: utc(from),
        to: utc(to),
        created_by: u("U0ADMIN"),
        covered: None,
        created_at: utc("2027-03-01T00:00:00Z"),
    }
}

#[test]
fn overrides_are_applied_to_person_and_rota_feeds() {
    let (p, c) = paas();
    // EN3 takes Wednesday 24 March's in-hours from EN1.
    let o = [cover(
        7,
        "in-hours",
        "U0PAASEN3",
        "2027-03-24T00:00:00Z",
        "2027-03-25T00:00:00Z",
    )];
    let now = "2027-03-23T12:00:00Z";
    let by_rota = at(&p, &c, &rota("in-hours"), now, &o);
    assert_matches_resolver(&p, &c, &by_rota, &o);
    let taken = by_rota
        .iter()
        .find(|f| f.shift.from == utc("2027-03-24T09:00:00Z"))
        .unwrap();
    assert_eq!(taken.shift.user, u("U0PAASEN3"));
    assert_eq!(taken.shift.override_id, Some(OverrideId(7)));

    let en3 = at(&p, &c, &FeedScope::Person(u("U0PAASEN3")), now, &o);
    assert!(has(
        &en3,
        "U0PAASEN3",
        "2027-03-24T09:00:00Z",
        "2027-03-24T17:00:00Z"
    ));
    let en1 = at(&p, &c, &FeedScope::Person(u("U0PAASEN1")), now, &o);
    assert!(!en1
        .iter()
        .any(|f| f.shift.rota == "in-hours" && f.shift.from == utc("2027-03-24T09:00:00Z")));
    assert!(has(
        &en1,
        "U0PAASEN1",
        "2027-03-23T09:00:00Z",
        "2027-03-23T17:00:00Z"
    ));

    let text = ics(&c, &FeedScope::Person(u("U0PAASEN3")), &en3, utc(now));
    assert!(text.contains("OVR-7"), "{text}");
}

#[test]
fn a_person_outside_every_rota_sees_only_overrides_that_put_them_on() {
    let (p, c) = paas();
    let now = "2027-03-23T12:00:00Z";
    let nobody = at(&p, &c, &FeedScope::Person(u("U0OUTSIDE")), now, &[]);
    assert!(nobody.is_empty());
    let o = [cover(
        3,
        "comms",
        "U0OUTSIDE",
        "2027-03-25T09:00:00Z",
        "2027-03-25T12:00:00Z",
    )];
    let found = at(&p, &c, &FeedScope::Person(u("U0OUTSIDE")), now, &o);
    assert_eq!(
        spans(&found),
        vec![(
            "U0OUTSIDE".into(),
            "2027-03-25T09:00:00+00:00".into(),
            "2027-03-25T12:00:00+00:00".into()
        )]
    );
    assert_eq!(found[0].role, Role::Comms);
}

#[test]
fn a_person_feed_spans_every_rota_they_are_on_in_time_order() {
    let (p, c) = paas();
    let found = at(
        &p,
        &c,
        &FeedScope::Person(u("U0PAASEN1")),
        "2027-03-24T12:00:00Z",
        &[],
    );
    let rotas: std::collections::BTreeSet<_> =
        found.iter().map(|f| f.shift.rota.as_str()).collect();
    assert_eq!(rotas, ["in-hours", "out-of-hours"].into_iter().collect());
    assert!(found.windows(2).all(|w| w[0].shift.from <= w[1].shift.from));
    assert!(found.iter().all(|f| f.shift.user == u("U0PAASEN1")));
}

#[test]
fn an_unknown_rota_has_no_shifts() {
    let (p, c) = paas();
    assert!(at(&p, &c, &rota("gone"), "2027-03-24T12:00:00Z", &[]).is_empty());
}

#[test]
fn the_calendar_text_is_rfc5545_with_utc_times_and_the_zone_described() {
    let (p, c) = paas();
    let now = utc("2027-03-24T12:00:00Z");
    let scope = FeedScope::Person(u("U0PAASEN2"));
    let found = at(&p, &c, &scope, "2027-03-24T12:00:00Z", &[]);
    let text = ics(&c, &scope, &found, now);
    assert!(
        text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"),
        "{text}"
    );
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    assert_eq!(text.matches("BEGIN:VEVENT").count(), found.len());
    assert_eq!(
        text.matches("DTSTAMP:20270324T120000Z").count(),
        found.len()
    );
    assert!(text.contains("X-WR-TIMEZONE:Europe/London"));
    assert!(text.contains("PRODID:-//paas-incident-bot//"));
    // Every time is UTC; no TZID, no floating times.
    for line in text
        .lines()
        .filter(|l| l.starts_with("DTSTART") || l.starts_with("DTEND"))
    {
        assert!(line.ends_with('Z') && !line.contains("TZID"), "{line}");
    }
    // The Tuesday after Easter in BST: 08:00Z, described as 09:00 London time.
    assert!(text.contains("DTSTART:20270330T080000Z"), "{text}");
    let unfolded = text.replace("\r\n ", "");
    assert!(
        unfolded.contains("Tue 30 Mar 09:00–17:00 (Europe/London time"),
        "{unfolded}"
    );
    for f in &found {
        assert!(text.contains(&format!("UID:{}", uid(f))));
    }
    assert!(text.lines().all(|l| l.len() <= 75), "lines are folded");
}

#[test]
fn an_empty_calendar_is_valid_and_has_no_events() {
    let text = empty_calendar();
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    assert!(!text.contains("VEVENT"));
}
