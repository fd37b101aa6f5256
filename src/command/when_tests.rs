use super::*;
use chrono_tz::Europe::London;

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

/// Monday 23 November 2026, 10:00 in London (GMT, so also 10:00 UTC).
fn monday() -> DateTime<Utc> {
    utc(2026, 11, 23, 10, 0)
}

#[test]
fn every_accepted_form() {
    let now = monday();
    let table = [
        ("18:00", utc(2026, 11, 23, 18, 0)),
        ("09:00", utc(2026, 11, 24, 9, 0)),
        ("10:00", utc(2026, 11, 24, 10, 0)),
        ("9:30", utc(2026, 11, 24, 9, 30)),
        ("00:00", utc(2026, 11, 24, 0, 0)),
        ("today 18:00", utc(2026, 11, 23, 18, 0)),
        ("today 09:00", utc(2026, 11, 23, 9, 0)),
        ("tomorrow 09:00", utc(2026, 11, 24, 9, 0)),
        ("Tomorrow 9:00", utc(2026, 11, 24, 9, 0)),
        ("mon 09:00", utc(2026, 11, 30, 9, 0)),
        ("mon 11:00", utc(2026, 11, 23, 11, 0)),
        ("monday 11:00", utc(2026, 11, 23, 11, 0)),
        ("fri 17:00", utc(2026, 11, 27, 17, 0)),
        ("SUN 07:00", utc(2026, 11, 29, 7, 0)),
        ("2026-12-24 18:00", utc(2026, 12, 24, 18, 0)),
        ("2026-01-02 08:00", utc(2026, 1, 2, 8, 0)),
        ("now", now),
        ("  NOW ", now),
    ];
    for (text, want) in table {
        assert_eq!(parse_when(text, now, London), Ok(want), "{text}");
    }
}

#[test]
fn times_are_read_in_the_policy_zone() {
    // 1 July 2026, 13:00 BST.
    let now = utc(2026, 7, 1, 12, 0);
    assert_eq!(parse_when("18:00", now, London), Ok(utc(2026, 7, 1, 17, 0)));
    assert_eq!(
        parse_when("12:30", now, London),
        Ok(utc(2026, 7, 2, 11, 30)),
        "12:30 BST has passed"
    );
    let sydney = chrono_tz::Australia::Sydney;
    assert_eq!(
        parse_when("today 09:00", now, sydney),
        Ok(utc(2026, 6, 30, 23, 0)),
        "09:00 AEST is 23:00 UTC the day before"
    );
}

#[test]
fn a_skipped_time_is_an_error_naming_the_gap() {
    let err = parse_when("2026-03-29 01:30", monday(), London).unwrap_err();
    assert!(matches!(err, WhenError::Skipped { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("2026-03-29 01:30 does not exist in Europe/London"),
        "{err}"
    );
    // The bare form lands on the same gap from the evening before.
    let saturday_night = utc(2026, 3, 28, 23, 0);
    assert!(matches!(
        parse_when("01:30", saturday_night, London),
        Err(WhenError::Skipped { .. })
    ));
    assert_eq!(
        parse_when("02:00", saturday_night, London),
        Ok(utc(2026, 3, 29, 1, 0))
    );
}

#[test]
fn a_repeated_time_is_the_earlier_one() {
    // 01:30 happens at 00:30 UTC (BST) and again at 01:30 UTC (GMT).
    assert_eq!(
        parse_when("2026-10-25 01:30", monday(), London),
        Ok(utc(2026, 10, 25, 0, 30))
    );
    // Between the two, the next 01:20 is the second one, not tomorrow's.
    let in_second_pass = utc(2026, 10, 25, 1, 10);
    assert_eq!(
        parse_when("01:20", in_second_pass, London),
        Ok(utc(2026, 10, 25, 1, 20))
    );
}

#[test]
fn unknown_forms_are_refused_with_the_accepted_ones() {
    for text in [
        "",
        "18",
        "25:00",
        "18:60",
        "18:5",
        "18:00:00",
        "1800",
        "tomorrow",
        "yesterday 09:00",
        "2026-02-30 10:00",
        "mon 9",
        "next mon 09:00",
        "24/12/2026 18:00",
        "18:00 tomorrow",
    ] {
        let err = parse_when(text, monday(), London).unwrap_err();
        assert!(
            matches!(err, WhenError::Unrecognised { .. }),
            "{text}: {err:?}"
        );
        assert!(err.to_string().contains(WHEN_FORMS), "{text}: {err}");
    }
    let err = parse_when("<!here> 18:00", monday(), London).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("`&lt;!here&gt; 18:00` is not a time"),
        "{err}"
    );
}

#[test]
fn ranges() {
    let now = monday();
    let table = [
        (
            "tomorrow 09:00 to tomorrow 17:00",
            (utc(2026, 11, 24, 9, 0), utc(2026, 11, 24, 17, 0)),
        ),
        (
            "tomorrow 09:00 to 17:00",
            (utc(2026, 11, 24, 9, 0), utc(2026, 11, 24, 17, 0)),
        ),
        (
            "22:00 to 06:00",
            (utc(2026, 11, 23, 22, 0), utc(2026, 11, 24, 6, 0)),
        ),
        ("now to 18:00", (now, utc(2026, 11, 23, 18, 0))),
        (
            "today 08:00 to 12:00",
            (utc(2026, 11, 23, 8, 0), utc(2026, 11, 23, 12, 0)),
        ),
        (
            "09:00 to 09:00",
            (utc(2026, 11, 24, 9, 0), utc(2026, 11, 25, 9, 0)),
        ),
        (
            "fri 17:00 to mon 09:00",
            (utc(2026, 11, 27, 17, 0), utc(2026, 11, 30, 9, 0)),
        ),
        (
            "2026-12-24 18:00 TO 2026-12-27 09:00",
            (utc(2026, 12, 24, 18, 0), utc(2026, 12, 27, 9, 0)),
        ),
    ];
    for (text, want) in table {
        assert_eq!(parse_range(text, now, London), Ok(want), "{text}");
    }
}

/// Input, the expected variant, and what the message must say.
type Case = (&'static str, fn(&WhenError) -> bool, &'static str);

#[test]
fn range_errors_say_what_is_wrong() {
    let now = monday();
    let cases: [Case; 8] = [
        (
            "mon 09:00 to mon 08:00",
            |e| matches!(e, WhenError::EndNotAfterStart { .. }),
            "ends (Mon 30 Nov 2026 08:00 GMT) before it starts",
        ),
        (
            "today 18:00 to today 18:00",
            |e| matches!(e, WhenError::EndNotAfterStart { .. }),
            "before it starts",
        ),
        (
            "today 08:00 to today 09:00",
            |e| matches!(e, WhenError::InThePast { .. }),
            "ended in the past",
        ),
        (
            "tomorrow 09:00",
            |e| matches!(e, WhenError::NotARange { .. }),
            "FROM to TO",
        ),
        (
            "to 18:00",
            |e| matches!(e, WhenError::NotARange { .. }),
            "FROM to TO",
        ),
        (
            "18:00 to",
            |e| matches!(e, WhenError::NotARange { .. }),
            "FROM to TO",
        ),
        (
            "soon to 18:00",
            |e| matches!(e, WhenError::Piece { which: "start", .. }),
            "The start of the range is wrong: `soon`",
        ),
        (
            "18:00 to later",
            |e| matches!(e, WhenError::Piece { which: "end", .. }),
            "The end of the range is wrong: `later`",
        ),
    ];
    for (text, is_expected, says) in cases {
        let err = parse_range(text, now, London).unwrap_err();
        assert!(is_expected(&err), "{text}: {err:?}");
        assert!(err.to_string().contains(says), "{text}: {err}");
    }
    let gap = parse_range(
        "2026-03-29 00:30 to 2026-03-29 01:30",
        utc(2026, 3, 1, 0, 0),
        London,
    )
    .unwrap_err();
    assert!(
        matches!(gap, WhenError::Piece { which: "end", .. }),
        "{gap:?}"
    );
    assert!(
        gap.to_string().contains(WHEN_FORMS) || gap.to_string().contains("does not exist"),
        "{gap}"
    );
}
