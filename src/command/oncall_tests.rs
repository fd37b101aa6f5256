use super::*;
use chrono::TimeZone;
use chrono_tz::Europe::London;
use OncallCommand as C;

const ROTAS: [&str; 3] = ["in-hours", "out-of-hours", "escalation"];

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

/// Monday 23 November 2026, 10:00 GMT.
fn now() -> DateTime<Utc> {
    utc(2026, 11, 23, 10, 0)
}

fn parse(text: &str) -> Result<OncallCommand, UsageError> {
    parse_oncall(Encoded::new(text), now(), London, &ROTAS)
}

#[test]
fn every_form() {
    let jo = UserId::parse("U123ABC").unwrap();
    let table = [
        ("", C::Now),
        ("   ", C::Now),
        ("help", C::Help),
        ("in-hours", C::Rota("in-hours".into())),
        ("In-Hours", C::Rota("in-hours".into())),
        ("at tomorrow 09:00", C::At(utc(2026, 11, 24, 9, 0))),
        ("at 18:00", C::At(utc(2026, 11, 23, 18, 0))),
        ("at now", C::At(now())),
        (
            "cover in-hours <@U123ABC> tomorrow 09:00 to tomorrow 17:00",
            C::Cover {
                rota: "in-hours".into(),
                user: jo.clone(),
                from: utc(2026, 11, 24, 9, 0),
                to: utc(2026, 11, 24, 17, 0),
            },
        ),
        (
            "cover out-of-hours <@U123ABC|jo> 2026-12-24 18:00 to 2026-12-27 09:00",
            C::Cover {
                rota: "out-of-hours".into(),
                user: jo.clone(),
                from: utc(2026, 12, 24, 18, 0),
                to: utc(2026, 12, 27, 9, 0),
            },
        ),
        (
            "cover in-hours U123ABC now to 11:00",
            C::Cover {
                rota: "in-hours".into(),
                user: jo,
                from: now(),
                to: utc(2026, 11, 23, 11, 0),
            },
        ),
        ("overrides", C::Overrides(None)),
        (
            "overrides escalation",
            C::Overrides(Some("escalation".into())),
        ),
        ("cancel OVR-12", C::Cancel(OverrideId(12))),
        ("cancel ovr-12", C::Cancel(OverrideId(12))),
        ("cancel 12", C::Cancel(OverrideId(12))),
    ];
    for (text, want) in table {
        assert_eq!(parse(text), Ok(want), "{text:?}");
    }
}

#[test]
fn every_error_says_what_was_wrong_and_shows_the_usage() {
    let table = [
        ("inhours", "`inhours` is not a rota or an `/oncall` command. Did you mean `in-hours`? Rotas: `in-hours`, `out-of-hours`, `escalation`."),
        ("in-hours now", "`/oncall in-hours` takes nothing more; I did not expect `now`."),
        ("help me", "I did not expect `me`"),
        ("covr in-hours", "Did you mean `cover`?"),
        ("at", "`/oncall at` needs a time"),
        ("at soon", "`soon` is not a time I understand"),
        ("at 2026-03-29 01:30", "does not exist in Europe/London"),
        ("cover", "`/oncall cover` needs a rota, a person and a time range"),
        ("cover in-hour <@U1> now to 18:00", "`in-hour` is not a rota. Did you mean `in-hours`?"),
        ("cover in-hours", "`/oncall cover in-hours` needs a person and a time range"),
        ("cover in-hours @jo tomorrow 09:00 to 17:00", "`@jo` is plain text, not a person"),
        ("cover in-hours <@U1>", "needs a time range after the person"),
        ("cover in-hours <@U1> tomorrow 09:00", "is not a range"),
        ("cover in-hours <@U1> mon 09:00 to mon 08:00", "before it starts"),
        ("cover in-hours <@U1> today 08:00 to today 09:00", "ended in the past"),
        ("cover in-hours <@U1> soon to 18:00", "The start of the range is wrong"),
        ("cover in-hours <@U1> 18:00 to <!here>", "The end of the range is wrong: `@here`"),
        ("overrides payroll", "`payroll` is not a rota. Rotas:"),
        ("overrides in-hours extra", "`/oncall overrides in-hours` takes nothing more"),
        ("cancel", "`/oncall cancel` needs an override ID"),
        ("cancel INC-3", "`INC-3` is not an override ID"),
        ("cancel OVR-0", "`OVR-0` is not an override ID"),
        ("cancel 12 now", "`/oncall cancel OVR-12` takes nothing more"),
    ];
    for (text, says) in table {
        let err = parse(text).unwrap_err();
        assert!(err.message.contains(says), "{text:?}: {}", err.message);
        assert_eq!(err.usage, ONCALL_USAGE);
    }
}

#[test]
fn no_rotas_configured_is_said_plainly() {
    let err = parse_oncall(Encoded::new("in-hours"), now(), London, &[]).unwrap_err();
    assert_eq!(
        err.message,
        "`in-hours` is not a rota or an `/oncall` command. No rotas are configured."
    );
}

#[test]
fn override_ids() {
    assert_eq!(OverrideId(12).to_string(), "OVR-12");
    assert_eq!(parse_override_id("OVR-12"), Ok(OverrideId(12)));
    assert_eq!(parse_override_id(" 7 "), Ok(OverrideId(7)));
    for bad in ["OVR-", "OVR--1", "-1", "+4", "0", "OVR-1.5", "12a", ""] {
        assert!(parse_override_id(bad).is_err(), "{bad}");
    }
    // Typed `<b>` arrives as `&lt;b&gt;` and is echoed escaped once.
    assert!(parse_override_id("&lt;b&gt;")
        .unwrap_err()
        .contains("`&lt;b&gt;`"));
}

#[test]
fn cover_me_reads_the_range_and_the_note_after_it() {
    let table = [
        (
            "cover me in-hours tomorrow 09:00 to tomorrow 17:00",
            (utc(2026, 11, 24, 9, 0), utc(2026, 11, 24, 17, 0), ""),
        ),
        (
            "cover me In-Hours tomorrow 09:00 to 17:00 dentist, back by 5",
            (
                utc(2026, 11, 24, 9, 0),
                utc(2026, 11, 24, 17, 0),
                "dentist, back by 5",
            ),
        ),
        (
            "cover me out-of-hours 2026-12-24 18:00 to 2026-12-27 09:00 Christmas &amp; family",
            (
                utc(2026, 12, 24, 18, 0),
                utc(2026, 12, 27, 9, 0),
                "Christmas & family",
            ),
        ),
    ];
    for (text, (from, to, note)) in table {
        let Ok(C::CoverMe {
            rota,
            from: f,
            to: t,
            note: n,
        }) = parse(text)
        else {
            panic!("{text:?}: {:?}", parse(text));
        };
        assert_eq!((f, t, n.as_str()), (from, to, note), "{text:?}");
        assert!(rota == "in-hours" || rota == "out-of-hours");
    }
    assert_eq!(parse("requests"), Ok(C::Requests));
}

#[test]
fn cover_me_refuses_bad_input_with_the_usage() {
    let long = format!(
        "cover me in-hours tomorrow 09:00 to 17:00 {}",
        "x".repeat(301)
    );
    let table = [
        (
            "cover me",
            "`/oncall cover me` needs a rota and a time range",
        ),
        (
            "cover me payroll tomorrow 09:00 to 17:00",
            "`payroll` is not a rota",
        ),
        (
            "cover me in-hours",
            "`/oncall cover me in-hours` needs a time range",
        ),
        ("cover me in-hours tomorrow 09:00", "is not a range"),
        (
            "cover me in-hours tomorrow 09:00 to tomorrow 08:00",
            "before it starts",
        ),
        (
            "cover me in-hours tomorrow 09:00 to today 16:00 sorry",
            "before it starts",
        ),
        (
            "cover me in-hours today 08:00 to today 12:00",
            "must start in the future",
        ),
        ("cover me in-hours now to 12:00", "must start in the future"),
        (
            "cover me in-hours soon to 12:00",
            "The start of the range is wrong",
        ),
        (long.as_str(), "The note is too long"),
        ("requests in-hours", "`/oncall requests` takes nothing more"),
    ];
    for (text, says) in table {
        let err = parse(text).unwrap_err();
        assert!(err.message.contains(says), "{text:?}: {}", err.message);
        assert_eq!(err.usage, ONCALL_USAGE);
    }
}

#[test]
fn calendar_forms() {
    for (text, want) in [
        ("calendar", C::Calendar),
        ("Calendar", C::Calendar),
        ("  calendar  ", C::Calendar),
        ("calendar reset", C::CalendarReset),
        ("calendar RESET", C::CalendarReset),
    ] {
        assert_eq!(parse(text), Ok(want), "{text:?}");
    }
    for (text, says) in [
        (
            "calendar in-hours",
            "`/oncall calendar` takes nothing, or `reset`",
        ),
        ("calendar rest", "I did not expect `rest`"),
        (
            "calendar reset now",
            "`/oncall calendar reset` takes nothing more",
        ),
        ("calender", "Did you mean `calendar`?"),
    ] {
        let err = parse(text).unwrap_err();
        assert!(err.message.contains(says), "{text:?}: {}", err.message);
        assert_eq!(err.usage, ONCALL_USAGE);
    }
}
