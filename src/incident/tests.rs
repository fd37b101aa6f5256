//! Lifecycle tests: every action against every status, then the details.

use super::*;
use chrono::{Duration, TimeZone};

fn user(id: &str) -> UserId {
    UserId::parse(id).unwrap()
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
}

fn declared() -> Incident {
    let (incident, _) = declare(
        Declaration {
            title: Title::parse("Apps not being served").unwrap(),
            description: "  Pingdom says the router is down  ".into(),
            priority: Priority::P1,
            cyber: false,
            engineering_lead: None,
            comms_lead: None,
            declared_by: user("UDECLARER"),
        },
        IncidentNumber(7),
        t0(),
    );
    incident
}

fn with_status(status: Status) -> Incident {
    let mut incident = declared();
    incident.status = status;
    if status == Status::Acknowledged {
        incident.engineering_lead = Some(user("ULEAD"));
    }
    if !status.is_open() {
        incident.resolved_at = Some(t0());
    }
    incident
}

fn every_action() -> Vec<(&'static str, Action)> {
    vec![
        ("ack", Action::Acknowledge),
        ("take lead", Action::TakeLead),
        ("take comms", Action::TakeComms),
        ("set lead", Action::SetLead(user("UOTHER"))),
        ("set comms", Action::SetComms(user("UOTHER"))),
        (
            "prioritise",
            Action::Prioritise {
                priority: Priority::P2,
                reason: None,
            },
        ),
        ("update", Action::Update("Restarted the routers".into())),
        ("note", Action::Note("Someone checked the logs".into())),
        ("cyber", Action::FlagCyber),
        ("pause", Action::Pause),
        ("resolve", Action::Resolve(None)),
        ("not incident", Action::NotIncident(None)),
        ("review", Action::ScheduleReview("Thu 3 Dec".into())),
        ("reopen", Action::Reopen),
    ]
}

/// Outcome names, so the table reads as a table.
fn outcome(result: &Result<(Incident, Vec<Event>), TransitionError>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(TransitionError::Closed { .. }) => "closed",
        Err(TransitionError::AlreadyTaken { .. }) => "taken",
        Err(TransitionError::AlreadyAcknowledged { .. }) => "acked",
        Err(TransitionError::Unchanged { .. }) => "unchanged",
        Err(TransitionError::EmptyText { .. }) => "empty",
        Err(TransitionError::NotResolved { .. }) => "open",
        Err(TransitionError::NotClosed { .. }) => "not closed",
    }
}

#[test]
fn every_action_against_every_status() {
    // Columns: Declared, Acknowledged (led by ULEAD), Resolved, NotIncident.
    // The actor is UACTOR, who holds no role.
    let expected: [(&str, [&str; 4]); 14] = [
        ("ack", ["ok", "acked", "closed", "closed"]),
        ("take lead", ["ok", "taken", "closed", "closed"]),
        ("take comms", ["ok", "ok", "closed", "closed"]),
        ("set lead", ["ok", "ok", "closed", "closed"]),
        ("set comms", ["ok", "ok", "closed", "closed"]),
        ("prioritise", ["ok", "ok", "closed", "closed"]),
        ("update", ["ok", "ok", "closed", "closed"]),
        ("note", ["ok", "ok", "ok", "ok"]),
        ("cyber", ["ok", "ok", "closed", "closed"]),
        ("pause", ["ok", "ok", "closed", "closed"]),
        ("resolve", ["ok", "ok", "closed", "closed"]),
        ("not incident", ["ok", "ok", "closed", "closed"]),
        ("review", ["open", "open", "ok", "closed"]),
        ("reopen", ["not closed", "not closed", "ok", "ok"]),
    ];
    let actions = every_action();
    assert_eq!(actions.len(), expected.len());
    for ((name, action), (row_name, row)) in actions.into_iter().zip(expected) {
        assert_eq!(name, row_name);
        for (status, want) in Status::ALL.into_iter().zip(row) {
            let before = with_status(status);
            let result = apply(
                &before,
                &user("UACTOR"),
                action.clone(),
                t0() + Duration::minutes(5),
            );
            assert_eq!(outcome(&result), want, "{name} on {status}");
            if let Ok((after, events)) = result {
                assert_eq!(
                    after.version,
                    before.version + 1,
                    "{name} on {status} bumps the version"
                );
                assert!(!events.is_empty(), "{name} on {status} records an event");
                assert!(events.iter().all(|e| e.actor == user("UACTOR")));
            }
        }
    }
}

#[test]
fn declaring_records_the_roles_and_starts_the_update_clock() {
    let (incident, events) = declare(
        Declaration {
            title: Title::parse("Router down").unwrap(),
            description: "\nall apps 502\n".into(),
            priority: Priority::P2,
            cyber: true,
            engineering_lead: Some(user("ULEAD")),
            comms_lead: Some(user("UCOMMS")),
            declared_by: user("UDECLARER"),
        },
        IncidentNumber(3),
        t0(),
    );
    assert_eq!(
        incident.status,
        Status::Declared,
        "naming a lead is not acknowledging"
    );
    assert_eq!(incident.acknowledged_at, None);
    assert_eq!(incident.last_update_at, t0());
    assert_eq!(incident.description, "all apps 502");
    assert_eq!(incident.version, 1);
    let kinds: Vec<EventKind> = events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::Declared,
            EventKind::EngineeringLead,
            EventKind::CommsLead,
            EventKind::Cyber
        ]
    );
    assert_eq!(events[0].after.as_deref(), Some("P2"));
    assert_eq!(events[0].text.as_deref(), Some("Router down"));
    assert_eq!(events[1].after.as_deref(), Some("ULEAD"));
    assert_eq!(events[2].after.as_deref(), Some("UCOMMS"));
}

#[test]
fn acknowledging_makes_the_actor_lead_only_if_nobody_is() {
    let (acked, events) = apply(&declared(), &user("UENG"), Action::Acknowledge, t0()).unwrap();
    assert_eq!(acked.status, Status::Acknowledged);
    assert_eq!(acked.acknowledged_at, Some(t0()));
    assert_eq!(acked.engineering_lead, Some(user("UENG")));
    assert_eq!(events.len(), 2);

    let mut led = declared();
    led.engineering_lead = Some(user("ULEAD"));
    let (acked, events) = apply(&led, &user("UENG"), Action::Acknowledge, t0()).unwrap();
    assert_eq!(
        acked.engineering_lead,
        Some(user("ULEAD")),
        "an existing lead stays"
    );
    assert_eq!(events.len(), 1);
}

#[test]
fn taking_the_lead_acknowledges_a_declared_incident() {
    let (taken, events) = apply(&declared(), &user("UENG"), Action::TakeLead, t0()).unwrap();
    assert_eq!(taken.status, Status::Acknowledged);
    assert_eq!(taken.engineering_lead, Some(user("UENG")));
    assert_eq!(
        events
            .iter()
            .filter(|e| e.kind == EventKind::EngineeringLead)
            .count(),
        1
    );
}

#[test]
fn taking_a_role_someone_holds_names_them() {
    let incident = with_status(Status::Acknowledged);
    let err = apply(&incident, &user("UACTOR"), Action::TakeLead, t0()).unwrap_err();
    assert_eq!(
        err,
        TransitionError::AlreadyTaken {
            number: IncidentNumber(7),
            role: Role::Engineering,
            by: user("ULEAD")
        }
    );
    assert!(
        err.to_string()
            .contains("<@ULEAD> is already the engineering lead"),
        "{err}"
    );
    assert!(err.to_string().contains("/incident lead INC-7"), "{err}");

    let own = apply(&incident, &user("ULEAD"), Action::TakeLead, t0()).unwrap_err();
    assert!(matches!(own, TransitionError::Unchanged { .. }), "{own:?}");

    let (with_comms, _) = apply(&incident, &user("UCOMMS"), Action::TakeComms, t0()).unwrap();
    let err = apply(&with_comms, &user("UACTOR"), Action::TakeComms, t0()).unwrap_err();
    assert!(
        matches!(
            err,
            TransitionError::AlreadyTaken {
                role: Role::Comms,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn assigning_a_lead_replaces_and_records_who_it_was() {
    let incident = with_status(Status::Acknowledged);
    let (changed, events) = apply(
        &incident,
        &user("UACTOR"),
        Action::SetLead(user("UNEW")),
        t0(),
    )
    .unwrap();
    assert_eq!(changed.engineering_lead, Some(user("UNEW")));
    assert_eq!(events[0].before.as_deref(), Some("ULEAD"));
    assert_eq!(events[0].after.as_deref(), Some("UNEW"));
    let same = apply(
        &changed,
        &user("UACTOR"),
        Action::SetLead(user("UNEW")),
        t0(),
    );
    assert!(matches!(same, Err(TransitionError::Unchanged { .. })));
    let (comms, _) = apply(
        &changed,
        &user("UACTOR"),
        Action::SetComms(user("UC")),
        t0(),
    )
    .unwrap();
    let same = apply(&comms, &user("UACTOR"), Action::SetComms(user("UC")), t0());
    assert!(matches!(same, Err(TransitionError::Unchanged { .. })));
}

#[test]
fn reprioritising_records_before_after_and_reason_and_refuses_the_same() {
    let incident = declared();
    let action = Action::Prioritise {
        priority: Priority::P3,
        reason: Some(" only one tenant ".into()),
    };
    let (changed, events) = apply(&incident, &user("UACTOR"), action, t0()).unwrap();
    assert_eq!(changed.priority, Priority::P3);
    assert_eq!(events[0].before.as_deref(), Some("P1"));
    assert_eq!(events[0].after.as_deref(), Some("P3"));
    assert_eq!(events[0].text.as_deref(), Some("only one tenant"));
    let same = apply(
        &changed,
        &user("UACTOR"),
        Action::Prioritise {
            priority: Priority::P3,
            reason: None,
        },
        t0(),
    )
    .unwrap_err();
    assert_eq!(same.to_string(), "Nothing changed: INC-7 is already P3.");
}

#[test]
fn an_update_resets_the_update_clock_and_a_note_does_not() {
    let incident = declared();
    let later = t0() + Duration::minutes(50);
    let (updated, _) = apply(
        &incident,
        &user("UACTOR"),
        Action::Update("Fixed DNS".into()),
        later,
    )
    .unwrap();
    assert_eq!(updated.last_update_at, later);
    let (noted, events) = apply(
        &incident,
        &user("UACTOR"),
        Action::Note("Checked DNS".into()),
        later,
    )
    .unwrap();
    assert_eq!(noted.last_update_at, t0());
    assert_eq!(events[0].text.as_deref(), Some("Checked DNS"));
}

#[test]
fn empty_text_is_refused() {
    let incident = declared();
    for action in [Action::Update("  ".into()), Action::Note("\n".into())] {
        let err = apply(&incident, &user("UACTOR"), action, t0()).unwrap_err();
        assert!(matches!(err, TransitionError::EmptyText { .. }), "{err:?}");
    }
    let resolved = with_status(Status::Resolved);
    let err = apply(
        &resolved,
        &user("UACTOR"),
        Action::ScheduleReview(" ".into()),
        t0(),
    )
    .unwrap_err();
    assert!(matches!(err, TransitionError::EmptyText { .. }), "{err:?}");
}

#[test]
fn cyber_is_flagged_once() {
    let (flagged, _) = apply(&declared(), &user("UACTOR"), Action::FlagCyber, t0()).unwrap();
    assert!(flagged.cyber);
    assert!(matches!(
        apply(&flagged, &user("UACTOR"), Action::FlagCyber, t0()),
        Err(TransitionError::Unchanged { .. })
    ));
}

#[test]
fn pausing_keeps_the_incident_open_and_can_repeat() {
    let first = t0() + Duration::hours(7);
    let (paused, _) = apply(&declared(), &user("UACTOR"), Action::Pause, first).unwrap();
    assert!(paused.is_open());
    assert_eq!(paused.status, Status::Declared);
    assert_eq!(paused.paused_at, Some(first));
    let next_day = first + Duration::hours(24);
    let (again, _) = apply(&paused, &user("UACTOR"), Action::Pause, next_day).unwrap();
    assert_eq!(again.paused_at, Some(next_day));
    assert_eq!(again.version, paused.version + 1);
}

#[test]
fn closing_records_when_and_why() {
    let at = t0() + Duration::hours(2);
    let (resolved, events) = apply(
        &declared(),
        &user("UACTOR"),
        Action::Resolve(Some("Router replaced".into())),
        at,
    )
    .unwrap();
    assert_eq!(resolved.status, Status::Resolved);
    assert_eq!(resolved.resolved_at, Some(at));
    assert_eq!(resolved.summary.as_deref(), Some("Router replaced"));
    assert_eq!(events[0].text.as_deref(), Some("Router replaced"));

    let (not, _) = apply(
        &declared(),
        &user("UACTOR"),
        Action::NotIncident(Some("  ".into())),
        at,
    )
    .unwrap();
    assert_eq!(not.status, Status::NotIncident);
    assert_eq!(not.resolved_at, Some(at));
    assert_eq!(not.summary, None, "blank reason is no reason");
}

#[test]
fn closed_incidents_explain_what_is_still_possible() {
    let resolved = with_status(Status::Resolved);
    let err = apply(
        &resolved,
        &user("UACTOR"),
        Action::Update("more".into()),
        t0(),
    )
    .unwrap_err();
    assert_eq!(
        err,
        TransitionError::Closed {
            number: IncidentNumber(7),
            status: Status::Resolved
        }
    );
    assert_eq!(
        err.to_string(),
        "INC-7 is resolved: only notes and the review date can be added now, or `/incident reopen` opens it again."
    );
    let not = with_status(Status::NotIncident);
    let err = apply(
        &not,
        &user("UACTOR"),
        Action::ScheduleReview("Friday".into()),
        t0(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "INC-7 is closed as not an incident: only notes can be added now, or `/incident reopen` opens it again."
    );
}

#[test]
fn the_review_can_be_rescheduled_but_not_to_the_same_date() {
    let resolved = with_status(Status::Resolved);
    let (scheduled, events) = apply(
        &resolved,
        &user("UACTOR"),
        Action::ScheduleReview("2026-12-03 14:00".into()),
        t0(),
    )
    .unwrap();
    assert_eq!(scheduled.review.as_deref(), Some("2026-12-03 14:00"));
    assert_eq!(events[0].before, None);
    let (moved, events) = apply(
        &scheduled,
        &user("UACTOR"),
        Action::ScheduleReview("2026-12-04 14:00".into()),
        t0(),
    )
    .unwrap();
    assert_eq!(events[0].before.as_deref(), Some("2026-12-03 14:00"));
    assert_eq!(moved.review.as_deref(), Some("2026-12-04 14:00"));
    assert!(matches!(
        apply(
            &moved,
            &user("UACTOR"),
            Action::ScheduleReview("2026-12-04 14:00".into()),
            t0()
        ),
        Err(TransitionError::Unchanged { .. })
    ));
}

#[test]
fn the_acknowledger_is_remembered_whether_by_ack_or_by_taking_the_lead() {
    let incident = declared();
    assert_eq!(incident.acknowledged_by, None);
    let (acked, _) = apply(&incident, &user("UENG"), Action::Acknowledge, t0()).unwrap();
    assert_eq!(acked.acknowledged_by, Some(user("UENG")));
    let (took, _) = apply(&incident, &user("UENG"), Action::TakeLead, t0()).unwrap();
    assert_eq!(took.acknowledged_by, Some(user("UENG")));
    assert_eq!(took.acknowledged_at, Some(t0()));
}

/// Reopening (SPEC §2.7) puts a closed incident back to work: acknowledged
/// (by the reopener if nobody had), no longer closed, and its update clock
/// counting from the reopening.
#[test]
fn reopening_a_closed_incident_restarts_its_clocks_from_now() {
    let at = t0() + Duration::hours(3);
    for closed in [Status::Resolved, Status::NotIncident] {
        let before = with_status(closed);
        let (after, events) = apply(&before, &user("UACTOR"), Action::Reopen, at).unwrap();
        assert_eq!(after.status, Status::Acknowledged, "{closed}");
        assert_eq!(after.resolved_at, None);
        assert_eq!(after.summary, None);
        assert_eq!(after.last_update_at, at);
        assert!(after.acknowledged_at.is_some());
        assert_eq!(events[0].kind, EventKind::Reopened);
        assert_eq!(events[0].before.as_deref(), Some(closed.as_str()));
    }
}
