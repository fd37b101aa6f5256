use super::*;
use crate::ids::{IncidentNumber, UserId};
use crate::incident::{apply, declare, Action, Declaration, Title};
use chrono::TimeZone;

fn user(id: &str) -> UserId {
    UserId::parse(id).unwrap()
}

fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
    // November 2026: GMT, so UTC is London time. Mon 23, Fri 27, Mon 30.
    Utc.with_ymd_and_hms(2026, 11, d, h, m, 0).unwrap()
}

fn paas() -> (Policy, Calendar) {
    let p = Policy::builtin();
    let c = p.calendar();
    (p, c)
}

/// Declares at `when` with `priority`, then applies each step in order
/// (each at its instant), as the bot does: the incident and its timeline.
fn play(
    priority: Priority,
    when: DateTime<Utc>,
    steps: &[(DateTime<Utc>, Action)],
) -> (Incident, Vec<Event>) {
    let (mut incident, mut events) = declare(
        Declaration {
            title: Title::parse("Router down").unwrap(),
            description: String::new(),
            priority,
            cyber: false,
            engineering_lead: None,
            comms_lead: None,
            declared_by: user("UDECLARER"),
        },
        IncidentNumber(1),
        when,
    );
    for (now, action) in steps {
        let (next, more) = apply(&incident, &user("ULEAD"), action.clone(), *now).unwrap();
        incident = next;
        events.extend(more);
    }
    (incident, events)
}

fn update(text: &str) -> Action {
    Action::Update(text.into())
}

fn verdicts(checks: &[UpdateCheck]) -> Vec<bool> {
    checks.iter().map(UpdateCheck::on_time).collect()
}

#[test]
fn a_p1_measured_in_wall_time() {
    let (p, c) = paas();
    let (incident, timeline) = play(
        Priority::P1,
        at(23, 10, 0),
        &[
            (at(23, 10, 12), Action::Acknowledge),
            (at(23, 10, 50), update("found it")),
            (at(23, 12, 10), update("fixing")),
            (at(23, 13, 0), Action::Resolve(None)),
        ],
    );
    assert_eq!(
        time_to_acknowledge(&incident, &timeline),
        Some(Duration::minutes(12))
    );
    assert_eq!(time_to_resolve(&incident), Some(Duration::hours(3)));
    let checks = update_checks(&p, &c, &incident, &timeline);
    assert_eq!(checks[0].due, at(23, 11, 0));
    // Due an hour after the previous update, 11:50; posted 12:10.
    assert_eq!(checks[1].due, at(23, 11, 50));
    assert_eq!(verdicts(&checks), [true, false]);
}

#[test]
fn an_update_exactly_at_its_deadline_is_on_time() {
    let (p, c) = paas();
    let (incident, timeline) = play(Priority::P1, at(23, 10, 0), &[(at(23, 11, 0), update("x"))]);
    assert_eq!(
        verdicts(&update_checks(&p, &c, &incident, &timeline)),
        [true]
    );
    let (incident, timeline) = play(Priority::P1, at(23, 10, 0), &[(at(23, 11, 1), update("x"))]);
    assert_eq!(
        verdicts(&update_checks(&p, &c, &incident, &timeline)),
        [false]
    );
}

#[test]
fn an_in_hours_priority_counts_only_in_hours_time() {
    let (p, c) = paas();
    // P3 updates every 4 h of in-hours time: declared Friday 15:00, two
    // hours count on Friday, so Monday 10:30 is 3 h 30 min in: on time,
    // though 67 h have passed on the wall.
    let (incident, timeline) = play(
        Priority::P3,
        at(27, 15, 0),
        &[
            (at(30, 10, 30), update("still looking")),
            (at(30, 15, 0), update("more")),
        ],
    );
    let checks = update_checks(&p, &c, &incident, &timeline);
    assert_eq!(checks[0].due, at(30, 11, 0));
    assert_eq!(checks[1].due, at(30, 14, 30));
    assert_eq!(verdicts(&checks), [true, false]);
}

#[test]
fn raising_the_priority_brings_the_deadline_forward() {
    let (p, c) = paas();
    let (incident, timeline) = play(
        Priority::P3,
        at(23, 10, 0),
        &[
            (
                at(23, 10, 30),
                Action::Prioritise {
                    priority: Priority::P1,
                    reason: None,
                },
            ),
            (at(23, 11, 20), update("x")),
        ],
    );
    let checks = update_checks(&p, &c, &incident, &timeline);
    assert_eq!(
        checks[0].due,
        at(23, 11, 0),
        "P1's hour from the declaration"
    );
    assert_eq!(verdicts(&checks), [false]);
}

#[test]
fn a_reopening_restarts_the_update_clock() {
    let (p, c) = paas();
    let (incident, timeline) = play(
        Priority::P1,
        at(23, 10, 0),
        &[
            (at(23, 10, 5), Action::Acknowledge),
            (at(23, 11, 0), Action::Resolve(None)),
            (at(23, 15, 0), Action::Reopen),
            (at(23, 15, 30), update("back on it")),
        ],
    );
    let checks = update_checks(&p, &c, &incident, &timeline);
    assert_eq!(checks[0].due, at(23, 16, 0));
    assert_eq!(verdicts(&checks), [true]);
    assert_eq!(time_to_resolve(&incident), None, "open again");
    assert_eq!(
        time_to_acknowledge(&incident, &timeline),
        Some(Duration::minutes(5))
    );
}

#[test]
fn not_acknowledged_not_resolved_and_not_an_incident() {
    let (incident, timeline) = play(Priority::P2, at(23, 10, 0), &[]);
    assert_eq!(time_to_acknowledge(&incident, &timeline), None);
    assert_eq!(time_to_resolve(&incident), None);
    let (closed, _) = play(
        Priority::P2,
        at(23, 10, 0),
        &[(at(23, 10, 30), Action::NotIncident(None))],
    );
    assert_eq!(time_to_resolve(&closed), None);
}

#[test]
fn escalations_count_only_before_the_acknowledgement() {
    let (incident, timeline) = play(
        Priority::P1,
        at(23, 10, 0),
        &[(at(23, 10, 45), Action::Acknowledge)],
    );
    let fired = [at(23, 10, 30), at(23, 10, 50)];
    let record = Record {
        incident: &incident,
        timeline: &timeline,
        escalations_fired: &fired,
    };
    assert_eq!(escalations(&record), 1);
    let (never, timeline) = play(Priority::P1, at(23, 10, 0), &[]);
    let record = Record {
        incident: &never,
        timeline: &timeline,
        escalations_fired: &fired,
    };
    assert_eq!(escalations(&record), 2);
}

#[test]
fn spreads_take_the_median_and_the_worst() {
    let m = Duration::minutes;
    assert_eq!(Spread::of(vec![]), None);
    assert_eq!(
        Spread::of(vec![m(40), m(10), m(20)]),
        Some(Spread {
            median: m(20),
            worst: m(40)
        })
    );
    assert_eq!(
        Spread::of(vec![m(60), m(180)]),
        Some(Spread {
            median: m(120),
            worst: m(180)
        })
    );
}

#[test]
fn stats_over_a_set_of_incidents_by_priority() {
    let (p, c) = paas();
    let ack = |min| (at(23, 10, min), Action::Acknowledge);
    let p1a = play(
        Priority::P1,
        at(23, 10, 0),
        &[
            ack(10),
            (at(23, 10, 40), update("a")),
            (at(23, 11, 0), Action::Resolve(None)),
        ],
    );
    let p1b = play(
        Priority::P1,
        at(23, 10, 0),
        &[
            ack(20),
            (at(23, 11, 30), update("late")),
            (at(23, 12, 0), Action::Resolve(None)),
        ],
    );
    let p1c = play(Priority::P1, at(23, 10, 0), &[ack(40)]);
    let p1d = play(Priority::P1, at(23, 10, 0), &[]);
    let p2 = play(
        Priority::P2,
        at(23, 10, 0),
        &[ack(5), (at(23, 13, 0), Action::Resolve(None))],
    );
    let not = play(
        Priority::P3,
        at(23, 10, 0),
        &[ack(1), (at(23, 10, 2), Action::NotIncident(None))],
    );
    let fired_c = [at(23, 10, 30)];
    let fired_d = [at(23, 10, 30)];
    let records = [
        Record {
            incident: &p1a.0,
            timeline: &p1a.1,
            escalations_fired: &[],
        },
        Record {
            incident: &p1b.0,
            timeline: &p1b.1,
            escalations_fired: &[],
        },
        Record {
            incident: &p1c.0,
            timeline: &p1c.1,
            escalations_fired: &fired_c,
        },
        Record {
            incident: &p1d.0,
            timeline: &p1d.1,
            escalations_fired: &fired_d,
        },
        Record {
            incident: &p2.0,
            timeline: &p2.1,
            escalations_fired: &[],
        },
        Record {
            incident: &not.0,
            timeline: &not.1,
            escalations_fired: &[],
        },
    ];
    let stats = by_priority(&p, &c, &records);
    let m = Duration::minutes;
    assert_eq!(
        stats,
        vec![
            PriorityStats {
                priority: Priority::P1,
                incidents: 4,
                acknowledge: Some(Spread {
                    median: m(20),
                    worst: m(40)
                }),
                resolve: Some(Spread {
                    median: m(90),
                    worst: m(120)
                }),
                updates_on_time: 1,
                updates_late: 1,
                escalations: 2,
            },
            PriorityStats {
                priority: Priority::P2,
                incidents: 1,
                acknowledge: Some(Spread {
                    median: m(5),
                    worst: m(5)
                }),
                resolve: Some(Spread {
                    median: m(180),
                    worst: m(180)
                }),
                updates_on_time: 0,
                updates_late: 0,
                escalations: 0,
            },
        ],
        "P3 was not an incident; P4 had none"
    );
}

#[test]
fn observations_follow_the_same_rules_as_the_figures() {
    let (p, c) = paas();
    let (declared, _) = play(Priority::P1, at(23, 10, 0), &[]);
    let step = |from: &Incident, now, action| apply(from, &user("ULEAD"), action, now).unwrap();
    let (acked, events) = step(&declared, at(23, 10, 12), Action::Acknowledge);
    assert_eq!(
        observations(&p, &c, &declared, &acked, &events),
        [Observation::Acknowledged(
            Priority::P1,
            Duration::minutes(12)
        )]
    );
    let (updated, events) = step(&acked, at(23, 11, 0), update("on time"));
    assert_eq!(
        observations(&p, &c, &acked, &updated, &events),
        [Observation::Update { on_time: true }]
    );
    let (late, events) = step(&updated, at(23, 12, 1), update("late"));
    assert_eq!(
        observations(&p, &c, &updated, &late, &events),
        [Observation::Update { on_time: false }]
    );
    let (resolved, events) = step(&late, at(23, 13, 0), Action::Resolve(None));
    assert_eq!(
        observations(&p, &c, &late, &resolved, &events),
        [Observation::Resolved(Priority::P1, Duration::hours(3))]
    );
    let (noted, events) = step(&late, at(23, 12, 30), Action::Note("n".into()));
    assert!(observations(&p, &c, &late, &noted, &events).is_empty());
    let (closed, events) = step(&late, at(23, 12, 30), Action::NotIncident(None));
    assert!(observations(&p, &c, &late, &closed, &events).is_empty());
}
