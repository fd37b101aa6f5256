//! The parsers behind `/incident`, `/oncall`, times and the policy file take
//! whatever people type: they never panic, every input is either a command
//! or a usage error, and text echoed back in an error is escaped so it
//! cannot ping a channel, link somewhere or mention someone by accident.

use chrono::{DateTime, TimeZone, Utc};
use paas_incident_bot::command::{parse_incident, parse_oncall, parse_range, parse_when};
use paas_incident_bot::mrkdwn::Encoded;
use paas_incident_bot::policy::Policy;
use proptest::prelude::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
}

const ROTAS: [&str; 4] = ["in-hours", "out-of-hours", "comms", "escalation"];

/// Words the parsers know, so generated input reaches past the first word.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("declare".to_owned()),
        Just("update".to_owned()),
        Just("INC-1".to_owned()),
        Just("cover".to_owned()),
        Just("cancel".to_owned()),
        Just("OVR-3".to_owned()),
        Just("at".to_owned()),
        Just("to".to_owned()),
        Just("in-hours".to_owned()),
        Just("<@U0ALICE>".to_owned()),
        Just("tomorrow".to_owned()),
        Just("mon".to_owned()),
        Just("09:00".to_owned()),
        Just("2026-03-29 01:30".to_owned()),
        Just("P1".to_owned()),
        "\\PC{0,12}",
    ]
}

/// Mark-up a person could type that must never come back live.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("<!channel>".to_owned()),
        Just("<!here>".to_owned()),
        Just("<http://evil.example|click>".to_owned()),
        Just("<#C0SECRET>".to_owned()),
        Just("<!subteam^S0ALL>".to_owned()),
    ]
}

fn typed() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(word(), 0..6),
        prop::option::of(hostile()),
        0usize..6,
    )
        .prop_map(|(mut words, bad, at)| {
            if let Some(bad) = bad {
                words.insert(at.min(words.len()), bad);
            }
            words.join(" ")
        })
}

/// Live Slack mark-up other than a plain user mention.
fn assert_no_live_markup(reply: &str) {
    for live in ["<!", "<http", "<#"] {
        assert!(!reply.contains(live), "{live} came back live: {reply}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn incident_commands_parse_or_explain(text in typed()) {
        if let Err(e) = parse_incident(Encoded::new(&text)) {
            prop_assert!(!e.message.trim().is_empty());
            assert_no_live_markup(&e.reply_text());
        }
    }

    #[test]
    fn incident_commands_survive_any_text(text in "\\PC{0,80}") {
        if let Err(e) = parse_incident(Encoded::new(&text)) {
            prop_assert!(!e.message.is_empty());
            prop_assert!(e.message.matches('<').count() <= text.matches("<@").count(),
                "a raw < in {:?} for {:?}", e.message, text);
        }
    }

    #[test]
    fn oncall_commands_parse_or_explain(text in typed()) {
        let tz = chrono_tz::Europe::London;
        if let Err(e) = parse_oncall(Encoded::new(&text), now(), tz, &ROTAS) {
            prop_assert!(!e.message.trim().is_empty());
            assert_no_live_markup(&e.reply_text());
        }
    }

    #[test]
    fn oncall_commands_survive_any_text(text in "\\PC{0,80}") {
        let tz = chrono_tz::Europe::London;
        if let Err(e) = parse_oncall(Encoded::new(&text), now(), tz, &ROTAS) {
            prop_assert!(!e.message.is_empty());
            prop_assert!(e.message.matches('<').count() <= text.matches("<@").count(),
                "a raw < in {:?} for {:?}", e.message, text);
        }
    }

    #[test]
    fn times_and_ranges_parse_or_explain(text in typed(), offset_h in 0i64..24 * 400) {
        let tz = chrono_tz::Europe::London;
        let at = now() + chrono::Duration::hours(offset_h);
        match parse_when(&text, at, tz) {
            Ok(_) => {}
            Err(e) => {
                let said = e.to_string();
                prop_assert!(!said.is_empty());
                assert_no_live_markup(&said);
            }
        }
        match parse_range(&text, at, tz) {
            Ok((from, to)) => prop_assert!(from < to && to > at),
            Err(e) => {
                let said = e.to_string();
                prop_assert!(!said.is_empty());
                assert_no_live_markup(&said);
            }
        }
    }

    #[test]
    fn policy_files_load_or_name_the_problem(text in "\\PC{0,200}") {
        if let Err(e) = Policy::from_toml(&text) {
            prop_assert!(!e.to_string().is_empty());
        }
    }

    /// Near-valid policies: the built-in file with one line replaced.
    #[test]
    fn edited_policy_files_load_or_name_the_problem(line in 0usize..200, with in "\\PC{0,40}") {
        let builtin = include_str!("../../config/gov-uk-paas.toml");
        let mut lines: Vec<&str> = builtin.lines().collect();
        let at = line % lines.len();
        lines[at] = &with;
        if let Err(e) = Policy::from_toml(&lines.join("\n")) {
            prop_assert!(!e.to_string().is_empty());
        }
    }
}
