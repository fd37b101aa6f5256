//! The incident report for a scripted incident, built through the pure core
//! with fixed times, must match `tests/golden/report.md` byte for byte.
//! After a deliberate change to the report, regenerate the file with
//! `UPDATE_GOLDEN=1 cargo test --test report_golden` and read the diff.

use chrono::{DateTime, TimeZone, Utc};
use paas_incident_bot::ids::{IncidentNumber, UserId};
use paas_incident_bot::incident::{
    apply, declare, Action, Declaration, Event, EventKind, Incident, Title,
};
use paas_incident_bot::policy::Policy;
use paas_incident_bot::priority::Priority;
use paas_incident_bot::views::report::markdown;

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/report.md");

/// Tuesday 16 June 2026 (British Summer Time, so UTC and London differ).
fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 16, h, m, 0).unwrap()
}

fn user(id: &str) -> UserId {
    UserId::parse(id).unwrap()
}

fn step(
    incident: &mut Incident,
    timeline: &mut Vec<Event>,
    who: &str,
    action: Action,
    when: DateTime<Utc>,
) {
    let (next, events) = apply(incident, &user(who), action, when).expect("allowed");
    *incident = next;
    timeline.extend(events);
}

fn scripted() -> (Incident, Vec<Event>) {
    let declaration = Declaration {
        title: Title::parse("Apps return 502 <errors> & time out").unwrap(),
        description: "About 20% of requests to tenant apps fail with 502.".to_owned(),
        priority: Priority::P2,
        cyber: false,
        engineering_lead: None,
        comms_lead: None,
        declared_by: user("U0ALICE"),
    };
    let (mut incident, mut timeline) = declare(declaration, IncidentNumber(7), at(14, 20));
    let t = &mut timeline;
    let i = &mut incident;
    step(i, t, "U0BOB", Action::Acknowledge, at(14, 32));
    // A thread reply captured from Slack.
    t.push(
        Event::new(&user("U0BOB"), EventKind::Message, at(14, 40))
            .with_text(Some("rtr-2 is dropping connections".to_owned())),
    );
    step(i, t, "U0CAROL", Action::TakeComms, at(14, 45));
    step(
        i,
        t,
        "U0BOB",
        Action::Prioritise {
            priority: Priority::P1,
            reason: Some("every tenant affected".to_owned()),
        },
        at(15, 0),
    );
    step(
        i,
        t,
        "U0CAROL",
        Action::Update("Routers restarted; watching error rates".to_owned()),
        at(15, 30),
    );
    step(i, t, "U0BOB", Action::Pause, at(16, 0));
    step(
        i,
        t,
        "U0CAROL",
        Action::Update("Error rate back to normal".to_owned()),
        at(16, 45),
    );
    step(
        i,
        t,
        "U0BOB",
        Action::Resolve(Some("Faulty router replaced".to_owned())),
        at(17, 10),
    );
    step(
        i,
        t,
        "U0ALICE",
        Action::ScheduleReview("2026-06-23 10:00".to_owned()),
        at(17, 20),
    );
    timeline.sort_by_key(|e| e.at);
    (incident, timeline)
}

#[test]
fn the_report_matches_the_golden_file() {
    let (incident, timeline) = scripted();
    let report = markdown(&Policy::builtin(), &incident, &timeline);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(GOLDEN, &report).unwrap();
        return;
    }
    let golden = std::fs::read_to_string(GOLDEN).unwrap_or_default();
    if report != golden {
        let line = report
            .lines()
            .zip(golden.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| report.lines().count().min(golden.lines().count()));
        panic!(
            "the report differs from {GOLDEN} from line {}:\n  got:  {:?}\n  want: {:?}\n\
             If the change is deliberate, run `UPDATE_GOLDEN=1 cargo test --test report_golden` \
             and review the diff.\n\nFull report:\n{report}",
            line + 1,
            report.lines().nth(line),
            golden.lines().nth(line),
        );
    }
}
