//! The shipped policies load, and each kind of broken file is reported with
//! the key and line an operator needs to fix it.

use paas_incident_bot::policy::{Covers, Division, Policy, PolicyDuration, PolicyError, Role};
use paas_incident_bot::priority::Priority;
use std::path::Path;

const PAAS: &str = include_str!("../../config/gov-uk-paas.toml");

#[test]
fn both_shipped_policies_load() {
    let paas = Policy::load(Path::new("config/gov-uk-paas.toml")).expect("gov-uk-paas.toml loads");
    assert_eq!(paas, Policy::builtin());
    assert_eq!(paas.hours.bank_holidays, Division::EnglandAndWales);
    let p1 = paas.priority(Priority::P1);
    assert_eq!(p1.respond_in_hours, "20m".parse().unwrap());
    assert_eq!(p1.respond_out_of_hours, Some("40m".parse().unwrap()));
    assert_eq!(paas.priority(Priority::P3).respond_out_of_hours, None);
    assert_eq!(
        paas.priority(Priority::P4).update_every,
        PolicyDuration::BusinessDays(2)
    );
    assert_eq!(
        paas.rota("out-of-hours").unwrap().covers,
        Covers::OutOfHours
    );
    assert!(!paas.cyber.contact.is_empty());

    let moj = Policy::load(Path::new("config/moj-cloud-platform.toml"))
        .expect("moj-cloud-platform.toml loads");
    assert_eq!(moj.hours.in_hours.to_string(), "10:00-17:00");
    assert!(matches!(&moj.rota("primary").unwrap().covers, Covers::Windows(w) if w.len() == 3));
    assert_eq!(moj.escalation().unwrap().role, Role::Escalation);
}

#[test]
fn a_missing_file_is_a_read_error() {
    let err = Policy::load(Path::new("config/does-not-exist.toml")).unwrap_err();
    assert!(matches!(err, PolicyError::Read { .. }));
    assert!(err.to_string().contains("does-not-exist.toml"), "{err}");
}

/// Replaces the first occurrence of `from` in the shipped PaaS policy.
fn broken(from: &str, to: &str) -> String {
    assert!(
        PAAS.contains(from),
        "the fixture no longer contains {from:?}"
    );
    PAAS.replacen(from, to, 1)
}

fn line_of(text: &str, needle: &str) -> usize {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in file"));
    text[..offset].matches('\n').count() + 1
}

#[test]
fn broken_files_name_the_key_and_line() {
    // (file, key, the line holding this text or None, a phrase from the message)
    let cases: Vec<(String, &str, Option<&str>, &str)> = vec![
        (broken("timezone = \"Europe/London\"", "timezone = \"Europe/Londres\""), "timezone", Some("Europe/Londres"), "not an IANA time zone"),
        (broken("incident_channel = \"C0PAASINC\"", "incident_channel = \"#paas-incident\""), "incident_channel", Some("= \"#paas-incident"), "not a Slack channel ID"),
        (broken("in_hours = \"09:00-17:00\"", "in_hours = \"9am-5pm\""), "hours.in_hours", Some("9am-5pm"), "not a time of day"),
        (broken("in_hours = \"09:00-17:00\"", "in_hours = \"17:00-09:00\""), "hours.in_hours", Some("17:00-09:00"), "ends before it starts"),
        (broken("bank_holidays = \"england-and-wales\"", "bank_holidays = \"wales\""), "hours.bank_holidays", Some("\"wales\""), "unknown variant"),
        (broken("extra_holidays = []", "extra_holidays = [\"2026-13-01\"]"), "hours.extra_holidays", Some("2026-13-01"), "not a date"),
        (broken("respond_in_hours = \"20m\"", "respond_in_hours = \"20 mins\""), "priority.P1.respond_in_hours", Some("20 mins"), "not a duration"),
        (broken("update_every = \"2 business days\"", "update_every = \"two business days\""), "priority.P4.update_every", Some("two business"), "not a number of business days"),
        (broken("max_stretch = \"6h\"", "max_stretch = \"1 business day\""), "reminders.max_stretch", Some("max_stretch = \"1 business"), "not business days"),
        (broken("pause_at = \"17:00\"", "pause_at = \"5pm\""), "reminders.pause_at", Some("= \"5pm"), "not a time of day"),
        (broken("max_stretch = \"6h\"", "max_strech = \"6h\""), "reminders.max_strech", Some("max_strech"), "unknown field `max_strech`"),
        (broken("name = \"Critical\"", "name = \"Critical\"\ncolour = \"red\""), "priority.P1.colour", Some("colour"), "unknown field"),
        (broken("escalation_rota = \"escalation\"", "escalation_rota = \"escalations\""), "escalation_rota", Some("escalation_rota ="), "no rota is called `escalations`"),
        (broken("members = [\"U0PAASCM1\", \"U0PAASCM2\"]", "members = []"), "rota[2].members", Some("members = []"), "at least one member"),
        (broken("members = [\"U0PAASCM1\", \"U0PAASCM2\"]", "members = [\"U0PAASCM1\", \"amy\"]"), "rota[2].members[1]", Some("\"amy\""), "not a Slack user ID"),
        (broken("name = \"comms\"", "name = \"in-hours\""), "rota[2].name", Some("name = \"in-hours\"\nrole = \"comms\""), "already called `in-hours`"),
        (broken("handover = \"mon 09:00\"", "handover = \"09:00\""), "rota[0].handover", Some("handover = \"09:00\""), "weekly rota hands over on a day"),
        (broken("handover = \"mon 09:00\"", "handover = \"monday at nine\""), "rota[0].handover", Some("monday at nine"), "not a handover"),
        (broken("rotation = \"weekly\"", "rotation = \"fortnightly\""), "rota[0].rotation", Some("fortnightly"), "unknown variant"),
        (broken("covers = \"always\"", "covers = \"sometimes\""), "rota[3].covers", Some("sometimes"), "not a cover"),
        (
            broken(
                "covers = \"always\"",
                "covers = [ { days = \"mon-fri\", time = \"07:00-10:00\" }, { days = \"fri-sun\", time = \"09:00-12:00\" } ]",
            ),
            "rota[3].covers[1]",
            Some("covers = [ { days"),
            "overlaps window 0",
        ),
        (broken("covers = \"always\"", "covers = [ { days = \"mon-funday\", time = \"07:00-10:00\" } ]"), "rota[3].covers[0]", Some("mon-funday"), "not a day"),
        (broken("start = \"2026-11-02\"", "start = \"02/11/2026\""), "rota[0].start", Some("02/11/2026"), "not a date"),
        (broken("[priority.P3]", "[priority.P5]"), "priority.P5", Some("[priority.P1]"), "not a priority"),
        (broken("role = \"escalation\"", "role = \"boss\""), "rota[3].role", Some("\"boss\""), "unknown variant"),
        (broken("admins = [\"U0PAASDM1\"]", "admins = \"U0PAASDM1\""), "admins", Some("admins ="), "invalid type"),
        (broken("timezone = \"Europe/London\"", "timezone = Europe/London"), "policy file", Some("timezone = Europe"), "invalid"),
    ];
    let mut failures = Vec::new();
    for (text, key, line_text, phrase) in cases {
        let err = Policy::from_toml(&text).expect_err(key);
        let want_line = line_text.map(|t| line_of(&text, t));
        if !matches!(&err, PolicyError::Invalid { key: k, line, message }
            if k == key && *line == want_line && message.contains(phrase))
        {
            failures.push(format!("{key} line {want_line:?} {phrase:?}: got {err:?}"));
            continue;
        }
        let PolicyError::Invalid {
            key: got_key,
            line,
            message,
        } = &err
        else {
            panic!("{key}: not an Invalid error: {err}");
        };
        assert_eq!(got_key, key, "{err}");
        assert!(
            message.contains(phrase),
            "{key}: {message:?} lacks {phrase:?}"
        );
        assert_eq!(*line, want_line, "{key}: {err}");
        let shown = err.to_string();
        match want_line {
            Some(n) => assert!(shown.starts_with(&format!("{key} (line {n}): ")), "{shown}"),
            None => assert!(shown.starts_with(&format!("{key}: ")), "{shown}"),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn missing_sections_and_priorities_are_named() {
    let without_p2 = {
        let start = PAAS.find("[priority.P2]").unwrap();
        let end = PAAS.find("[priority.P3]").unwrap();
        format!("{}{}", &PAAS[..start], &PAAS[end..])
    };
    let err = Policy::from_toml(&without_p2).unwrap_err().to_string();
    assert!(err.starts_with("priority.P2 (line "), "{err}");
    assert!(err.contains("missing P2"), "{err}");

    let without_hours = PAAS.replacen("[hours]", "[hours_]", 1);
    let err = Policy::from_toml(&without_hours).unwrap_err().to_string();
    assert!(err.contains("hours_"), "{err}");

    let err = Policy::from_toml("timezone = \"Europe/London\"\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing field `incident_channel`"), "{err}");
}

#[test]
fn optional_sections_take_the_process_defaults() {
    let start = PAAS.find("[reminders]").unwrap();
    let end = PAAS.find("[cyber]").unwrap();
    let text = format!("{}{}", &PAAS[..start], &PAAS[end..]);
    let p = Policy::from_toml(&text).unwrap();
    assert_eq!(p.reminders, Policy::builtin().reminders);
    assert_eq!(
        p.reminders.rest_after_out_of_hours,
        chrono::Duration::hours(11)
    );
}
