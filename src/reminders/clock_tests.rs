//! SPEC §2.5 against the built-in GOV.UK PaaS policy: the support manual
//! gives P2–P4 targets only "In hours" and supports "only P1" out of hours,
//! so their response, escalation, update and news reminders run on the
//! in-hours clock. Real dates in Europe/London: Fri 27 Nov 2026, Sat 28 Nov
//! 2026, Tue 24 Nov 2026; Mon 31 Aug 2026 is the summer bank holiday.

use super::tests::{alice, declared, due, setup, utc};
use super::*;
use crate::calendar::SlaClock;
use crate::incident::{apply, Action};
use chrono::Duration;

/// The kinds SPEC §2.5 keeps inside in-hours for an in-hours priority.
const CLOCKED: [Kind; 5] = [
    Kind::Response,
    Kind::Escalate,
    Kind::UpdateWarning,
    Kind::UpdateDue,
    Kind::AskForUpdate,
];

#[test]
fn a_p2_declared_friday_1705_waits_for_monday() {
    let (policy, cal) = setup();
    let at = utc(2026, 11, 27, 17, 5);
    let plan = plan(&policy, &cal, &declared(Priority::P2, at), at);
    assert_eq!(due(&plan, Kind::Response), Some(utc(2026, 11, 30, 9, 30)));
    assert_eq!(due(&plan, Kind::Escalate), Some(utc(2026, 11, 30, 9, 30)));
    // Not 19:05 on Friday.
    assert_eq!(due(&plan, Kind::UpdateDue), Some(utc(2026, 11, 30, 11, 0)));
    assert_eq!(
        due(&plan, Kind::UpdateWarning),
        Some(utc(2026, 11, 30, 10, 50))
    );
    assert_eq!(
        due(&plan, Kind::AskForUpdate),
        Some(utc(2026, 11, 30, 9, 30))
    );
}

#[test]
fn a_p2_declared_saturday_1000_is_not_escalated_or_chased_at_the_weekend() {
    let (policy, cal) = setup();
    let at = utc(2026, 11, 28, 10, 0);
    let plan = plan(&policy, &cal, &declared(Priority::P2, at), at);
    // SPEC: due Mon 09:30 and its first update Mon 11:00, not Sat 12:00.
    assert_eq!(due(&plan, Kind::Response), Some(utc(2026, 11, 30, 9, 30)));
    // Was 10:30 on Saturday.
    assert_eq!(due(&plan, Kind::Escalate), Some(utc(2026, 11, 30, 9, 30)));
    assert_eq!(due(&plan, Kind::UpdateDue), Some(utc(2026, 11, 30, 11, 0)));
    // The comms lead was chased at 11:50 and 12:00 on Saturday.
    assert_eq!(
        due(&plan, Kind::UpdateWarning),
        Some(utc(2026, 11, 30, 10, 50))
    );
    assert_eq!(
        due(&plan, Kind::AskForUpdate),
        Some(utc(2026, 11, 30, 9, 30))
    );
}

#[test]
fn a_p3_declared_friday_1655_is_due_monday_1055() {
    let (policy, cal) = setup();
    let at = utc(2026, 11, 27, 16, 55);
    let plan = plan(&policy, &cal, &declared(Priority::P3, at), at);
    // Was 18:55 on Friday, paging the out-of-hours engineer and escalation.
    assert_eq!(due(&plan, Kind::Response), Some(utc(2026, 11, 30, 10, 55)));
    assert_eq!(due(&plan, Kind::Escalate), Some(utc(2026, 11, 30, 10, 55)));
    // 4 h of in-hours time: 5 min on Friday, 3 h 55 min on Monday.
    assert_eq!(due(&plan, Kind::UpdateDue), Some(utc(2026, 11, 30, 12, 55)));
}

#[test]
fn a_p4_escalates_at_its_response_deadline_not_after_thirty_minutes() {
    let (policy, cal) = setup();
    let at = utc(2026, 11, 24, 10, 0); // Tuesday
    let plan = plan(&policy, &cal, &declared(Priority::P4, at), at);
    assert_eq!(due(&plan, Kind::Response), Some(utc(2026, 11, 25, 10, 0)));
    assert_eq!(due(&plan, Kind::Escalate), Some(utc(2026, 11, 25, 10, 0)));
}

#[test]
fn a_p1_keeps_wall_time_and_escalates_after_thirty_minutes_day_and_night() {
    let (policy, cal) = setup();
    for at in [utc(2026, 11, 24, 10, 0), utc(2026, 11, 28, 3, 0)] {
        let plan = plan(&policy, &cal, &declared(Priority::P1, at), at);
        assert_eq!(due(&plan, Kind::Escalate), Some(at + Duration::minutes(30)));
        assert_eq!(due(&plan, Kind::UpdateDue), Some(at + Duration::hours(1)));
        assert_eq!(
            due(&plan, Kind::AskForUpdate),
            Some(at + Duration::minutes(30))
        );
    }
}

#[test]
fn the_clock_stops_over_a_bank_holiday() {
    let (policy, cal) = setup();
    // Fri 28 Aug 2026 16:45 BST; Mon 31 Aug is the summer bank holiday.
    let at = utc(2026, 8, 28, 15, 45);
    let plan = plan(&policy, &cal, &declared(Priority::P2, at), at);
    // 15 minutes on Friday, 15 on Tuesday: 09:15 BST.
    assert_eq!(due(&plan, Kind::Response), Some(utc(2026, 9, 1, 8, 15)));
    // 2 h: 15 minutes on Friday, 1 h 45 min on Tuesday.
    assert_eq!(due(&plan, Kind::UpdateDue), Some(utc(2026, 9, 1, 9, 45)));
}

#[test]
fn the_update_warning_counts_back_on_the_same_clock() {
    let (policy, cal) = setup();
    // Friday 15:05: 1 h 55 min of Friday, so the update is due Mon 09:05;
    // ten minutes of in-hours time before that is Friday 16:55.
    let at = utc(2026, 11, 27, 15, 5);
    let plan = plan(&policy, &cal, &declared(Priority::P2, at), at);
    assert_eq!(due(&plan, Kind::UpdateDue), Some(utc(2026, 11, 30, 9, 5)));
    assert_eq!(
        due(&plan, Kind::UpdateWarning),
        Some(utc(2026, 11, 27, 16, 55))
    );
}

#[test]
fn the_pause_and_the_office_hours_crossing_still_fire_at_the_boundary() {
    let (policy, cal) = setup();
    let at = utc(2026, 11, 27, 16, 30); // Friday
    for p in [Priority::P2, Priority::P3, Priority::P4] {
        let plan = plan(&policy, &cal, &declared(p, at), at);
        assert_eq!(due(&plan, Kind::PauseAt), Some(utc(2026, 11, 27, 17, 0)));
        assert_eq!(
            due(&plan, Kind::OfficeHours),
            Some(utc(2026, 11, 27, 17, 0))
        );
    }
}

#[test]
fn re_prioritising_replans_from_the_incidents_own_anchors() {
    let (policy, cal) = setup();
    // A P1 declared on Saturday, found to be a P3 twenty minutes later.
    let at = utc(2026, 11, 28, 10, 0);
    let later = at + Duration::minutes(20);
    let lower = Action::Prioritise {
        priority: Priority::P3,
        reason: None,
    };
    let (p3, _) = apply(&declared(Priority::P1, at), &alice(), lower, later).unwrap();
    let plan3 = plan(&policy, &cal, &p3, later);
    assert_eq!(due(&plan3, Kind::Response), Some(utc(2026, 11, 30, 11, 0)));
    assert_eq!(due(&plan3, Kind::Escalate), Some(utc(2026, 11, 30, 11, 0)));
    assert_eq!(due(&plan3, Kind::UpdateDue), Some(utc(2026, 11, 30, 13, 0)));
    assert_eq!(due(&plan3, Kind::AskForUpdate), None);

    // A P3 declared Monday 10:00 and raised to P1 at 10:10: P1's wall
    // clock from the declaration, not from the change.
    let monday = utc(2026, 11, 30, 10, 0);
    let raise = Action::Prioritise {
        priority: Priority::P1,
        reason: None,
    };
    let ten = monday + Duration::minutes(10);
    let (p1, _) = apply(&declared(Priority::P3, monday), &alice(), raise, ten).unwrap();
    let plan1 = plan(&policy, &cal, &p1, ten);
    assert_eq!(due(&plan1, Kind::Response), Some(utc(2026, 11, 30, 10, 20)));
    assert_eq!(due(&plan1, Kind::Escalate), Some(utc(2026, 11, 30, 10, 30)));
    assert_eq!(due(&plan1, Kind::UpdateDue), Some(utc(2026, 11, 30, 11, 0)));

    // An acknowledged P2 last updated Friday 16:00, raised to P1 at 18:00:
    // the update clock counts from that update in wall time, so 17:00 has
    // passed and the overdue reminder is at 19:00.
    let friday = utc(2026, 11, 27, 15, 0);
    let (acked, _) = apply(
        &declared(Priority::P2, friday),
        &alice(),
        Action::Acknowledge,
        friday,
    )
    .unwrap();
    let four = utc(2026, 11, 27, 16, 0);
    let (updated, _) = apply(&acked, &alice(), Action::Update("x".into()), four).unwrap();
    let six = utc(2026, 11, 27, 18, 0);
    let up = Action::Prioritise {
        priority: Priority::P1,
        reason: None,
    };
    let (raised, _) = apply(&updated, &alice(), up, six).unwrap();
    assert_eq!(
        due(&plan(&policy, &cal, &raised, six), Kind::UpdateDue),
        Some(utc(2026, 11, 27, 19, 0))
    );
    // As a P2 it was due Monday 10:00 (1 h on Friday, 1 h on Monday).
    assert_eq!(
        due(&plan(&policy, &cal, &updated, six), Kind::UpdateDue),
        Some(utc(2026, 11, 30, 10, 0))
    );
}

/// Walks each P2–P4 incident through three weeks the way the scheduler
/// does (fire the earliest reminder, re-plan at its due time), declared at
/// every hour of a week that holds Christmas and the Boxing Day substitute
/// and of a week with the clocks going back: no response, escalation,
/// update or news reminder ever falls due outside in-hours.
#[test]
fn nothing_on_the_in_hours_clock_falls_due_outside_in_hours() {
    let (policy, cal) = setup();
    for first in [utc(2026, 12, 21, 0, 0), utc(2026, 10, 19, 0, 0)] {
        for hour in 0..(7 * 24) {
            let at = first + Duration::hours(hour);
            for p in [Priority::P2, Priority::P3, Priority::P4] {
                assert_eq!(deadline::clock(&policy, p), SlaClock::InHours);
                let incident = declared(p, at);
                let mut now = at;
                for _ in 0..40 {
                    let planned = plan(&policy, &cal, &incident, now);
                    let Some(next) = planned
                        .iter()
                        // Fired one-off slots (response, escalation) stay
                        // planned; the store's unique key keeps them done.
                        .filter(|r| CLOCKED.contains(&r.kind) && r.due >= now)
                        .min_by_key(|r| r.due)
                    else {
                        break;
                    };
                    assert!(
                        cal.on_in_hours_clock(next.due),
                        "{p} declared {at}: {} due {}",
                        next.kind,
                        next.due
                    );
                    now = next.due + Duration::seconds(1);
                }
            }
        }
    }
}
