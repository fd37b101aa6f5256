use super::*;
use crate::incident::Action as A;
use IncidentCommand as C;

fn n(number: i64) -> IncidentNumber {
    IncidentNumber(number)
}

fn u(id: &str) -> UserId {
    UserId::parse(id).unwrap()
}

#[test]
fn every_form() {
    let table = [
        ("", C::Help),
        ("help", C::Help),
        ("HELP", C::Help),
        ("declare", C::Declare { title: None }),
        ("declare   ", C::Declare { title: None }),
        (
            "declare Apps not served",
            C::Declare {
                title: Some("Apps not served".into()),
            },
        ),
        ("list", C::List),
        ("show INC-3", C::Show(n(3))),
        ("show 3", C::Show(n(3))),
        ("Show inc-3", C::Show(n(3))),
        (
            "update INC-3 Restarted   the routers",
            C::Change(n(3), A::Update("Restarted   the routers".into())),
        ),
        (
            "update 3 line one\nline two",
            C::Change(n(3), A::Update("line one\nline two".into())),
        ),
        (
            "priority INC-3 P2",
            C::Change(
                n(3),
                A::Prioritise {
                    priority: Priority::P2,
                    reason: None,
                },
            ),
        ),
        (
            "priority INC-3 p1 all apps down now",
            C::Change(
                n(3),
                A::Prioritise {
                    priority: Priority::P1,
                    reason: Some("all apps down now".into()),
                },
            ),
        ),
        (
            "lead INC-3 <@U123ABC>",
            C::Change(n(3), A::SetLead(u("U123ABC"))),
        ),
        (
            "lead INC-3 <@U123ABC|jo>",
            C::Change(n(3), A::SetLead(u("U123ABC"))),
        ),
        (
            "comms INC-3 U123ABC",
            C::Change(n(3), A::SetComms(u("U123ABC"))),
        ),
        (
            "comms 3 <@U9|jo bloggs>",
            C::Change(n(3), A::SetComms(u("U9"))),
        ),
        ("ack INC-3", C::Change(n(3), A::Acknowledge)),
        (
            "note INC-3 Checked the logs",
            C::Change(n(3), A::Note("Checked the logs".into())),
        ),
        ("cyber INC-3", C::Change(n(3), A::FlagCyber)),
        ("pause INC-3", C::Change(n(3), A::Pause)),
        ("resolve INC-3", C::Change(n(3), A::Resolve(None))),
        (
            "resolve INC-3 Router replaced",
            C::Change(n(3), A::Resolve(Some("Router replaced".into()))),
        ),
        ("not-incident INC-3", C::Change(n(3), A::NotIncident(None))),
        (
            "not-incident INC-3 smoke test flake",
            C::Change(n(3), A::NotIncident(Some("smoke test flake".into()))),
        ),
        (
            "review INC-3 2026-12-03 14:00",
            C::Change(n(3), A::ScheduleReview("2026-12-03 14:00".into())),
        ),
        (
            "review INC-3 Thursday after standup",
            C::Change(n(3), A::ScheduleReview("Thursday after standup".into())),
        ),
        ("report INC-3", C::Report(n(3))),
    ];
    for (text, want) in table {
        assert_eq!(parse_incident(Encoded::new(text)), Ok(want), "{text:?}");
    }
}

#[test]
fn every_error_says_what_was_wrong_and_shows_the_usage() {
    let table = [
        (
            "show",
            "`/incident show` needs an incident number, e.g. `/incident show INC-3`.",
        ),
        ("show INC-x", "`INC-x` is not an incident number"),
        // `<!channel>` is echoed as the words it shows, pinging nobody.
        ("show <!channel>", "`@channel` is not an incident number"),
        ("show &lt;b&gt;", "`&lt;b&gt;` is not an incident number"),
        (
            "show INC-3 extra",
            "`/incident show INC-3` takes nothing more; I did not expect `extra`.",
        ),
        ("ack INC-3 now", "I did not expect `now`"),
        ("list everything", "`/incident list` takes nothing more"),
        ("update", "`/incident update` needs an incident number"),
        (
            "update INC-3",
            "`/incident update INC-3` needs the update's text",
        ),
        ("update INC-3    ", "needs the update's text"),
        ("note INC-3", "`/incident note INC-3` needs the note's text"),
        (
            "priority INC-3",
            "`/incident priority INC-3` needs a priority: P1, P2, P3 or P4.",
        ),
        ("priority INC-3 P5", "`P5` is not a priority"),
        ("priority INC-3 urgent", "`urgent` is not a priority"),
        ("lead INC-3", "`/incident lead INC-3` needs a person"),
        ("lead INC-3 @jo", "`@jo` is plain text, not a person"),
        ("comms INC-3 jo", "`jo` is not a person"),
        (
            "lead INC-3 <@U1> <@U2>",
            "takes one person; I did not expect `&lt;@U2&gt;`",
        ),
        (
            "review INC-3",
            "`/incident review INC-3` needs when the review is",
        ),
        (
            "decalre",
            "`decalre` is not an `/incident` command. Did you mean `declare`?",
        ),
        ("resolv INC-3", "Did you mean `resolve`?"),
        ("notincident 3", "Did you mean `not-incident`?"),
        // Slack's `<!here>` is echoed as the words it shows, pinging nobody.
        ("<!here> 3", "`@here` is not an `/incident` command."),
    ];
    for (text, says) in table {
        let err = parse_incident(Encoded::new(text)).unwrap_err();
        assert!(err.message.contains(says), "{text:?}: {}", err.message);
        assert_eq!(err.usage, INCIDENT_USAGE);
        assert!(err.reply_text().ends_with(INCIDENT_USAGE));
    }
}

#[test]
fn a_title_too_long_for_the_form_is_refused_up_front() {
    let long = format!("declare {}", "x".repeat(151));
    let err = parse_incident(Encoded::new(&long)).unwrap_err();
    assert!(err.message.contains("151 characters"), "{}", err.message);
    assert!(parse_incident(Encoded::new(&format!("declare {}", "x".repeat(150)))).is_ok());
}

#[test]
fn nonsense_gets_no_suggestion() {
    let err = parse_incident(Encoded::new("pizza")).unwrap_err();
    assert_eq!(err.message, "`pizza` is not an `/incident` command.");
}

/// Slack sends `&`, `<`, `>` as entities and autocompleted people as
/// `<@U…|name>` (SPEC §2.6); the commands carry what the person typed.
#[test]
fn text_is_decoded_once_as_the_person_typed_it() {
    let table = [
        (
            "update INC-1 DB &amp; cache down; errors &gt; 5%",
            C::Change(n(1), A::Update("DB & cache down; errors > 5%".into())),
        ),
        (
            "declare Disk &gt; 90% &amp; rising",
            C::Declare {
                title: Some("Disk > 90% & rising".into()),
            },
        ),
        (
            "update 1 handed to <@U123|alice> &lt;3",
            C::Change(n(1), A::Update("handed to <@U123> <3".into())),
        ),
        (
            "note 1 <!here> <!subteam^S1|@sre> look",
            C::Change(n(1), A::Note("@here @sre look".into())),
        ),
        (
            "lead 1 <@U123|alice>",
            C::Change(n(1), A::SetLead(u("U123"))),
        ),
        (
            "resolve 1 fixed &amp; verified",
            C::Change(n(1), A::Resolve(Some("fixed & verified".into()))),
        ),
    ];
    for (text, want) in table {
        assert_eq!(parse_incident(Encoded::new(text)), Ok(want), "{text:?}");
    }
}

#[test]
fn a_title_is_measured_as_typed_not_as_encoded() {
    // 150 ampersands arrive as 750 characters of `&amp;`.
    let text = format!("declare {}", "&amp;".repeat(150));
    assert!(parse_incident(Encoded::new(&text)).is_ok());
}

#[test]
fn errors_echo_a_short_excerpt_of_a_long_paste() {
    let text = format!("show {}", "9".repeat(40_000));
    let err = parse_incident(Encoded::new(&text)).unwrap_err();
    assert!(err.message.len() < 200, "{}", err.message);
    let text = format!("list {}", "x ".repeat(20_000));
    let err = parse_incident(Encoded::new(&text)).unwrap_err();
    assert!(err.message.len() < 200, "{}", err.message);
}

#[test]
fn stats_takes_an_optional_period() {
    use crate::response::StatsPeriod as P;
    for (text, want) in [
        ("stats", P::Month),
        ("stats 7d", P::Week),
        ("STATS 30D", P::Month),
        ("stats 90d", P::Quarter),
        ("  stats   7d  ", P::Week),
    ] {
        assert_eq!(
            parse_incident(Encoded::new(text)),
            Ok(C::Stats(want)),
            "{text:?}"
        );
    }
    for (text, says) in [
        (
            "stats 14d",
            "`14d` is not a period for `/incident stats`: use `7d`, `30d` or `90d`",
        ),
        ("stats week", "`week` is not a period"),
        ("stats 7d P1", "`/incident stats 7d` takes nothing more"),
        ("stat", "Did you mean `stats`?"),
    ] {
        let err = parse_incident(Encoded::new(text)).unwrap_err();
        assert!(err.message.contains(says), "{text:?}: {}", err.message);
        assert_eq!(err.usage, INCIDENT_USAGE);
    }
}
