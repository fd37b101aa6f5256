//! The SPEC §2.3 table against the built-in GOV.UK PaaS policy, on ordinary
//! days, weekends, bank holidays and daylight-saving changes.

use super::*;
use crate::ids::{IncidentNumber, UserId};
use crate::incident::{apply, declare, Action, Declaration, Title};
use chrono::{Duration, TimeZone};

pub(super) fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

pub(super) fn alice() -> UserId {
    UserId::parse("U0ALICE").unwrap()
}

pub(super) fn declared(priority: Priority, at: DateTime<Utc>) -> Incident {
    let declaration = Declaration {
        title: Title::parse("Apps down").unwrap(),
        description: String::new(),
        priority,
        cyber: false,
        engineering_lead: None,
        comms_lead: None,
        declared_by: alice(),
    };
    declare(declaration, IncidentNumber(1), at).0
}

pub(super) fn due(planned: &[Planned], kind: Kind) -> Option<DateTime<Utc>> {
    planned.iter().find(|p| p.kind == kind).map(|p| p.due)
}

pub(super) fn setup() -> (Policy, Calendar) {
    let policy = Policy::builtin();
    let cal = policy.calendar();
    (policy, cal)
}

#[test]
fn a_p1_declared_in_hours_gets_every_clock() {
    let (policy, cal) = setup();
    // Monday 23 Nov 2026, 10:00 GMT (= UTC in winter).
    let at = utc(2026, 11, 23, 10, 0);
    let plan = plan(&policy, &cal, &declared(Priority::P1, at), at);
    assert_eq!(due(&plan, Kind::Response), Some(utc(2026, 11, 23, 10, 20)));
    assert_eq!(due(&plan, Kind::Escalate), Some(utc(2026, 11, 23, 10, 30)));
    assert_eq!(
        due(&plan, Kind::UpdateWarning),
        Some(utc(2026, 11, 23, 10, 50))
    );
    assert_eq!(due(&plan, Kind::UpdateDue), Some(utc(2026, 11, 23, 11, 0)));
    assert_eq!(
        due(&plan, Kind::AskForUpdate),
        Some(utc(2026, 11, 23, 10, 30))
    );
    assert_eq!(due(&plan, Kind::PauseAt), Some(utc(2026, 11, 23, 17, 0)));
    assert_eq!(due(&plan, Kind::Stretch), Some(utc(2026, 11, 23, 16, 0)));
    assert_eq!(
        due(&plan, Kind::OfficeHours),
        Some(utc(2026, 11, 23, 17, 0))
    );
    assert_eq!(due(&plan, Kind::Review), None);
}

#[test]
fn a_p1_out_of_hours_has_forty_minutes_to_respond() {
    let (policy, cal) = setup();
    let at = utc(2026, 11, 28, 3, 0); // Saturday 03:00
    let plan = plan(&policy, &cal, &declared(Priority::P1, at), at);
    assert_eq!(due(&plan, Kind::Response), Some(utc(2026, 11, 28, 3, 40)));
    // The next working day's 17:00 is Monday's.
    assert_eq!(due(&plan, Kind::PauseAt), Some(utc(2026, 11, 30, 17, 0)));
    assert_eq!(due(&plan, Kind::OfficeHours), Some(utc(2026, 11, 30, 9, 0)));
}

#[test]
fn acknowledging_stops_the_response_and_escalation_clocks() {
    let (policy, cal) = setup();
    let at = utc(2026, 11, 23, 10, 0);
    let incident = declared(Priority::P2, at);
    let later = at + Duration::minutes(5);
    let (acked, _) = apply(&incident, &alice(), Action::Acknowledge, later).unwrap();
    let plan = plan(&policy, &cal, &acked, later);
    assert_eq!(due(&plan, Kind::Response), None);
    assert_eq!(due(&plan, Kind::Escalate), None);
    assert!(due(&plan, Kind::UpdateDue).is_some());
}

#[test]
fn an_update_resets_the_update_clock_and_a_note_does_not() {
    let (policy, cal) = setup();
    let at = utc(2026, 11, 23, 10, 0);
    let incident = declared(Priority::P2, at);
    let before = due(&plan(&policy, &cal, &incident, at), Kind::UpdateDue).unwrap();
    let later = at + Duration::minutes(45);
    let (noted, _) = apply(&incident, &alice(), Action::Note("x".into()), later).unwrap();
    assert_eq!(
        due(&plan(&policy, &cal, &noted, later), Kind::UpdateDue),
        Some(before)
    );
    let (updated, _) = apply(&incident, &alice(), Action::Update("x".into()), later).unwrap();
    assert_eq!(
        due(&plan(&policy, &cal, &updated, later), Kind::UpdateDue),
        Some(later + (before - at))
    );
}

#[test]
fn asking_for_an_update_is_only_for_p1_and_p2_and_steps_every_half_hour() {
    let (policy, cal) = setup();
    let at = utc(2026, 11, 23, 10, 0);
    let p3 = declared(Priority::P3, at);
    assert_eq!(due(&plan(&policy, &cal, &p3, at), Kind::AskForUpdate), None);
    let p2 = declared(Priority::P2, at);
    // Fired at 10:30: the next slot is 11:00, not 10:30 again.
    let after_first = utc(2026, 11, 23, 10, 30);
    assert_eq!(
        due(&plan(&policy, &cal, &p2, after_first), Kind::AskForUpdate),
        Some(utc(2026, 11, 23, 11, 0))
    );
}

#[test]
fn a_p4_counts_business_days_over_a_weekend() {
    let (policy, cal) = setup();
    let at = utc(2026, 11, 27, 16, 0); // Friday 16:00
    let plan = plan(&policy, &cal, &declared(Priority::P4, at), at);
    assert_eq!(due(&plan, Kind::Response), Some(utc(2026, 11, 30, 16, 0)));
    assert_eq!(due(&plan, Kind::UpdateDue), Some(utc(2026, 12, 1, 16, 0)));
}

#[test]
fn the_pause_skips_christmas_and_the_boxing_day_substitute() {
    let (policy, cal) = setup();
    // Thursday 24 Dec 2026, 18:00. 25 Dec is Friday; 28 Dec is the
    // substitute for Boxing Day (a Saturday).
    let at = utc(2026, 12, 24, 18, 0);
    let plan = plan(&policy, &cal, &declared(Priority::P1, at), at);
    assert_eq!(due(&plan, Kind::PauseAt), Some(utc(2026, 12, 29, 17, 0)));
}

#[test]
fn seventeen_hundred_is_local_time_either_side_of_the_clocks_changing() {
    let (policy, cal) = setup();
    // Friday 23 Oct 2026 is in BST: 17:00 local is 16:00 UTC.
    let before = utc(2026, 10, 23, 9, 0);
    let plan_before = plan(&policy, &cal, &declared(Priority::P1, before), before);
    assert_eq!(
        due(&plan_before, Kind::PauseAt),
        Some(utc(2026, 10, 23, 16, 0))
    );
    // Clocks go back on Sunday 25 Oct: Monday's 17:00 is 17:00 UTC.
    let weekend = utc(2026, 10, 24, 12, 0);
    let plan_after = plan(&policy, &cal, &declared(Priority::P1, weekend), weekend);
    assert_eq!(
        due(&plan_after, Kind::PauseAt),
        Some(utc(2026, 10, 26, 17, 0))
    );
}

#[test]
fn resolving_out_of_hours_owes_rest_and_a_review_nudge() {
    let (policy, cal) = setup();
    let at = utc(2026, 11, 23, 20, 0); // Monday evening
    let incident = declared(Priority::P1, at);
    let done = at + Duration::hours(2);
    let (resolved, _) = apply(&incident, &alice(), Action::Resolve(None), done).unwrap();
    let planned = plan(&policy, &cal, &resolved, done);
    assert_eq!(due(&planned, Kind::Rest), Some(done));
    assert_eq!(due(&planned, Kind::Review), Some(done + Duration::days(7)));
    assert_eq!(
        due(&planned, Kind::UpdateDue),
        None,
        "resolve cancels the clocks"
    );
    let (reviewed, _) = apply(
        &resolved,
        &alice(),
        Action::ScheduleReview("2026-12-03".into()),
        done,
    )
    .unwrap();
    assert_eq!(
        due(&plan(&policy, &cal, &reviewed, done), Kind::Review),
        None
    );
}

#[test]
fn resolving_within_working_hours_owes_no_rest() {
    let (policy, cal) = setup();
    let at = utc(2026, 11, 23, 10, 0);
    let (resolved, _) = apply(
        &declared(Priority::P2, at),
        &alice(),
        Action::Resolve(None),
        at + Duration::hours(1),
    )
    .unwrap();
    assert_eq!(due(&plan(&policy, &cal, &resolved, at), Kind::Rest), None);
}

#[test]
fn not_an_incident_owes_nothing() {
    let (policy, cal) = setup();
    let at = utc(2026, 11, 23, 10, 0);
    let (closed, _) = apply(
        &declared(Priority::P2, at),
        &alice(),
        Action::NotIncident(None),
        at,
    )
    .unwrap();
    assert!(plan(&policy, &cal, &closed, at).is_empty());
}

#[test]
fn planning_twice_gives_the_same_slots() {
    let (policy, cal) = setup();
    let at = utc(2026, 11, 23, 10, 0);
    let incident = declared(Priority::P1, at);
    let later = at + Duration::minutes(7);
    let a = plan(&policy, &cal, &incident, later);
    let b = plan(&policy, &cal, &incident, later + Duration::minutes(3));
    for kind in [
        Kind::Response,
        Kind::Escalate,
        Kind::UpdateDue,
        Kind::AskForUpdate,
        Kind::PauseAt,
    ] {
        assert_eq!(due(&a, kind), due(&b, kind), "{kind}");
    }
}

/// (priority, declared at, response due): in hours, out of hours, either
/// side of 17:00 and 09:00, a Saturday, a bank holiday and a DST weekend.
#[test]
fn response_deadlines_table() {
    let (policy, cal) = setup();
    let table = [
        (
            Priority::P1,
            utc(2026, 11, 23, 16, 50),
            utc(2026, 11, 23, 17, 10),
        ), // in hours, runs past 17:00
        (
            Priority::P1,
            utc(2026, 11, 23, 17, 0),
            utc(2026, 11, 23, 17, 40),
        ), // 17:00 is out of hours
        (
            Priority::P1,
            utc(2026, 11, 24, 8, 59),
            utc(2026, 11, 24, 9, 39),
        ), // just before 09:00
        (
            Priority::P2,
            utc(2026, 11, 23, 10, 0),
            utc(2026, 11, 23, 10, 30),
        ),
        (
            Priority::P2,
            utc(2026, 11, 23, 20, 0),
            utc(2026, 11, 24, 9, 30),
        ), // waits for 09:00
        (
            Priority::P3,
            utc(2026, 11, 28, 11, 0),
            utc(2026, 11, 30, 11, 0),
        ), // Saturday → Monday
        (
            Priority::P2,
            utc(2026, 12, 25, 10, 0),
            utc(2026, 12, 29, 9, 30),
        ), // Christmas Day
        (
            Priority::P4,
            utc(2026, 12, 24, 10, 0),
            utc(2026, 12, 29, 10, 0),
        ), // over Christmas
        (
            Priority::P1,
            utc(2027, 3, 28, 0, 30),
            utc(2027, 3, 28, 1, 10),
        ), // the clocks go forward
        // Good Friday, across the clocks going forward, past Easter Monday:
        // Tuesday 09:00 BST (08:00 UTC) plus 2 h.
        (
            Priority::P3,
            utc(2027, 3, 26, 16, 0),
            utc(2027, 3, 30, 10, 0),
        ),
    ];
    for (priority, at, expected) in table {
        let incident = declared(priority, at);
        assert_eq!(
            due(&plan(&policy, &cal, &incident, at), Kind::Response),
            Some(expected),
            "{priority} declared {at}"
        );
    }
}

#[test]
fn p4_updates_count_business_days_over_christmas() {
    let (policy, cal) = setup();
    let at = utc(2026, 12, 23, 15, 0); // Wednesday
    let plan = plan(&policy, &cal, &declared(Priority::P4, at), at);
    // Two business days: Thu 24, then (25 and 28 are holidays) Tue 29.
    assert_eq!(due(&plan, Kind::UpdateDue), Some(utc(2026, 12, 29, 15, 0)));
}
