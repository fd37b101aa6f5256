//! What reminders say when they fire late, and the update warning that
//! is no longer worth sending (SPEC §2.5), on the built-in policy.

use super::*;
use crate::ids::IncidentNumber;
use crate::incident::{apply, declare, Action, Declaration, Title};
use crate::priority::Priority;
use chrono::TimeZone;

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

fn user(id: &str) -> UserId {
    UserId::parse(id).unwrap()
}

fn declared(priority: Priority, at: DateTime<Utc>) -> Incident {
    let declaration = Declaration {
        title: Title::parse("Apps down").unwrap(),
        description: String::new(),
        priority,
        cyber: false,
        engineering_lead: Some(user("U0ALICE")),
        comms_lead: None,
        declared_by: user("U0ALICE"),
    };
    declare(declaration, IncidentNumber(1), at).0
}

fn people() -> People {
    People {
        engineering: vec![user("U0ENG")],
        escalation: Some(user("U0ESC")),
    }
}

fn texts(says: &[Says]) -> Vec<String> {
    says.iter()
        .map(|s| match s {
            Says::Thread(text, _) | Says::Direct(_, text) => text.clone(),
        })
        .collect()
}

#[test]
fn an_escalation_after_three_hours_down_says_how_long_it_really_waited() {
    let policy = Policy::builtin();
    let cal = policy.calendar();
    // A P1 declared Monday 10:00; escalation due 10:30; the bot was down
    // until 13:10.
    let at = utc(2026, 11, 23, 10, 0);
    let firing = Firing {
        kind: Kind::Escalate,
        due: utc(2026, 11, 23, 10, 30),
        now: utc(2026, 11, 23, 13, 10),
        while_down: true,
    };
    let says = incident(
        &policy,
        &cal,
        &declared(Priority::P1, at),
        firing,
        &people(),
    );
    let texts = texts(&says);
    assert_eq!(texts.len(), 2, "thread and DM: {texts:?}");
    assert!(matches!(&says[1], Says::Direct(u, _) if *u == user("U0ESC")));
    for text in &texts {
        assert!(!text.contains("30 minutes"), "{text}");
        assert!(text.contains("late by 2 h 40 min"), "{text}");
        assert!(text.contains("while the bot was not running"), "{text}");
    }
    assert!(
        texts[0].contains("unacknowledged for 3 h 10 min"),
        "{}",
        texts[0]
    );
    assert!(
        texts[1].contains("has not been acknowledged for 3 h 10 min"),
        "{}",
        texts[1]
    );
}

#[test]
fn an_escalation_on_time_is_not_marked_late() {
    let policy = Policy::builtin();
    let cal = policy.calendar();
    let at = utc(2026, 11, 23, 10, 0);
    let firing = Firing {
        kind: Kind::Escalate,
        due: utc(2026, 11, 23, 10, 30),
        now: utc(2026, 11, 23, 10, 30),
        while_down: false,
    };
    let texts = texts(&incident(
        &policy,
        &cal,
        &declared(Priority::P1, at),
        firing,
        &people(),
    ));
    for text in &texts {
        assert!(!text.contains("late"), "{text}");
        assert!(text.contains("for 30 min"), "{text}");
    }
}

#[test]
fn an_in_hours_priority_says_how_much_of_the_wait_was_in_hours() {
    let policy = Policy::builtin();
    let cal = policy.calendar();
    // A P3 declared Fri 27 Nov 2026 16:55, escalated Mon 10:55.
    let at = utc(2026, 11, 27, 16, 55);
    let firing = Firing {
        kind: Kind::Escalate,
        due: utc(2026, 11, 30, 10, 55),
        now: utc(2026, 11, 30, 10, 55),
        while_down: false,
    };
    let texts = texts(&incident(
        &policy,
        &cal,
        &declared(Priority::P3, at),
        firing,
        &people(),
    ));
    assert!(
        texts[1].contains("for 2 days 18 h (2 h in hours)"),
        "{}",
        texts[1]
    );
}

#[test]
fn a_slot_re_planned_into_the_past_is_late_but_not_blamed_on_downtime() {
    let policy = Policy::builtin();
    let cal = policy.calendar();
    let at = utc(2026, 11, 23, 10, 0);
    let firing = Firing {
        kind: Kind::Response,
        due: utc(2026, 11, 23, 10, 30),
        now: utc(2026, 11, 23, 13, 0),
        while_down: false,
    };
    let texts = texts(&incident(
        &policy,
        &cal,
        &declared(Priority::P2, at),
        firing,
        &people(),
    ));
    assert!(texts[0].contains("late by 2 h 30 min"), "{}", texts[0]);
    assert!(!texts[0].contains("not running"), "{}", texts[0]);
}

#[test]
fn every_dm_of_a_late_reminder_says_it_is_late() {
    let policy = Policy::builtin();
    let cal = policy.calendar();
    let at = utc(2026, 11, 23, 20, 0);
    let resolved_at = utc(2026, 11, 23, 22, 0);
    let (resolved, _) = apply(
        &declared(Priority::P1, at),
        &user("U0ALICE"),
        Action::Resolve(None),
        resolved_at,
    )
    .unwrap();
    let firing = Firing {
        kind: Kind::Rest,
        due: resolved_at,
        now: resolved_at + Duration::hours(1),
        while_down: true,
    };
    let says = incident(&policy, &cal, &resolved, firing, &people());
    assert!(!says.is_empty());
    for text in texts(&says) {
        assert!(text.contains("late by 1 h"), "{text}");
    }
}

#[test]
fn a_due_soon_warning_whose_deadline_has_passed_is_not_sent() {
    let policy = Policy::builtin();
    let cal = policy.calendar();
    // A P1 declared 10:00: update due 11:00, warning 10:50.
    let at = utc(2026, 11, 23, 10, 0);
    let p1 = declared(Priority::P1, at);
    let warning = utc(2026, 11, 23, 10, 50);
    let fire = |now| Firing {
        kind: Kind::UpdateWarning,
        due: warning,
        now,
        while_down: true,
    };
    let in_time = incident(
        &policy,
        &cal,
        &p1,
        fire(utc(2026, 11, 23, 10, 55)),
        &people(),
    );
    assert_eq!(in_time.len(), 1, "five minutes late, still before 11:00");
    assert!(texts(&in_time)[0].contains("late by 5 min"));
    assert!(incident(
        &policy,
        &cal,
        &p1,
        fire(utc(2026, 11, 23, 11, 0)),
        &people()
    )
    .is_empty());
    assert!(incident(
        &policy,
        &cal,
        &p1,
        fire(utc(2026, 11, 23, 13, 0)),
        &people()
    )
    .is_empty());
}

#[test]
fn the_warning_names_the_deadline_it_warns_of() {
    let policy = Policy::builtin();
    let cal = policy.calendar();
    // Overdue since 11:00: the next warning, 11:50, is for 12:00.
    let at = utc(2026, 11, 23, 10, 0);
    let firing = Firing {
        kind: Kind::UpdateWarning,
        due: utc(2026, 11, 23, 11, 50),
        now: utc(2026, 11, 23, 11, 50),
        while_down: false,
    };
    let texts = texts(&incident(
        &policy,
        &cal,
        &declared(Priority::P1, at),
        firing,
        &people(),
    ));
    let noon = utc(2026, 11, 23, 12, 0).timestamp();
    assert!(
        texts[0].contains(&format!("<!date^{noon}^")),
        "{}",
        texts[0]
    );
}
