//! SPEC §2.5 end to end, on a driven clock through the Slack emulator, with
//! the built-in GOV.UK PaaS policy: only P1 is supported out of hours, so a
//! P2–P4 waits for in-hours; reminders that fire late say how late; a
//! comms lead picked when declaring is not paged for; the card says who
//! acknowledged. Sat 28 Nov 2026 is a Saturday; Mon 23 Nov 2026 a
//! working day on which the escalation rota's person is U0PAASSC2.

use crate::support;

use chrono::{DateTime, TimeZone, Utc};
use paas_incident_bot::policy::Policy;
use support::incident::{declare_form, ALICE, BOB};
use support::{TestApp, WAIT};

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

impl TestApp {
    async fn dm_contains(&self, user: &str, needle: &str) -> String {
        let (user, needle) = (user.to_owned(), needle.to_owned());
        self.slack
            .wait_until(WAIT, |s| {
                s.dms(&user).iter().any(|m| m.text.contains(&needle))
            })
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "{user} was never sent {needle:?}: {:?}",
                    self.slack.dms(&user)
                )
            });
        self.slack
            .dms(&user)
            .into_iter()
            .find(|m| m.text.contains(&needle))
            .unwrap()
            .text
    }

    fn thread_text(&self, card: &str, needle: &str) -> String {
        self.slack
            .thread(&self.incident_channel(), card)
            .into_iter()
            .find(|m| m.text.contains(needle))
            .map(|m| m.text)
            .unwrap_or_default()
    }

    /// Declares through the modal with Alice leading and `comms` picked as
    /// comms lead; returns the card's ts.
    async fn declare_with_comms(&self, title: &str, priority: &str, comms: &str) -> String {
        let before = self.slack.views().len();
        self.command("/incident", &format!("declare {title}"), ALICE)
            .await;
        self.slack
            .wait_until(WAIT, |s| s.views().len() > before)
            .await
            .expect("the declare modal opens");
        let view = self.slack.views().last().cloned().unwrap();
        let cards_before = self.cards().len();
        let mut form = declare_form(title, Some(priority), Some(ALICE));
        form["comms"]["comms"]["selected_user"] = comms.into();
        let id = self
            .slack
            .view_submission(ALICE, &view.view_id, form)
            .await
            .unwrap();
        self.slack.wait_ack(&id, WAIT).await.unwrap();
        let channel = self.incident_channel();
        self.slack
            .wait_until(WAIT, |s| {
                s.messages(&channel)
                    .iter()
                    .filter(|m| m.thread_ts.is_none())
                    .count()
                    > cards_before
            })
            .await
            .expect("the card is posted");
        self.cards().last().unwrap().ts.clone()
    }
}

/// A P2 declared Saturday 10:00 was escalated at 10:30 and chased its
/// comms lead at 11:50 and 12:00. Now nothing fires over the weekend: the
/// first reminders come at Monday 09:30, and the escalation says the
/// incident waited 30 minutes of in-hours time.
#[tokio::test]
async fn nothing_fires_over_the_weekend_for_a_p2_declared_on_saturday() {
    let saturday = utc(2026, 11, 28, 10, 0);
    let mut app = TestApp::start_with(Policy::builtin(), saturday).await;
    let card = app.declare_led_by("Pushes failing", "P2", None).await;
    for (d, h, m) in [
        (28, 10, 30),
        (28, 11, 50),
        (28, 12, 0),
        (29, 12, 0),
        (30, 8, 59),
    ] {
        app.clock.set(utc(2026, 11, d, h, m));
    }
    // Monday 09:30: the response deadline and the escalation, once each.
    app.clock.set(utc(2026, 11, 30, 9, 30));
    app.thread_says(&card, "escalating to").await;
    app.thread_says(&card, "how is INC-1 going").await;
    let escalation = app.thread_text(&card, "escalating to");
    assert!(
        escalation.contains("unacknowledged for 1 day 23 h 30 min (30 min in hours)"),
        "{escalation}"
    );
    assert!(!escalation.contains("late"), "on time: {escalation}");
    for once in [
        "escalating to",
        "response time has passed",
        "how is INC-1 going",
    ] {
        assert_eq!(app.thread_count(&card, once), 1, "{once}");
    }
    assert_eq!(
        app.thread_count(&card, "the next update on INC-1 is due"),
        0
    );
    assert_eq!(app.thread_count(&card, "is due now"), 0);
    // The update: warned at 10:50, due at 11:00 on Monday, not Saturday 12:00.
    app.clock.set(utc(2026, 11, 30, 10, 50));
    app.thread_says(&card, "the next update on INC-1 is due")
        .await;
    let eleven = utc(2026, 11, 30, 11, 0).timestamp();
    let warning = app.thread_text(&card, "the next update on INC-1 is due");
    assert!(warning.contains(&format!("<!date^{eleven}^")), "{warning}");
    app.clock.set(utc(2026, 11, 30, 11, 0));
    app.thread_says(&card, "is due now").await;
    assert_eq!(app.thread_count(&card, "is due now"), 1);
    app.stop().await;
}

/// After three hours of downtime the escalation DM said "not acknowledged
/// for 30 minutes". It now says how long the incident has really waited
/// and how late the escalation is, in the thread and in the DM; the update
/// warning for 11:00, fired at 13:10, is not sent at all.
#[tokio::test]
async fn the_escalation_dm_after_a_late_start_says_how_long_it_really_waited() {
    let monday = utc(2026, 11, 23, 10, 0);
    let mut app = TestApp::start_with(Policy::builtin(), monday).await;
    let card = app.declare_led_by("Apps not served", "P1", None).await;
    app.stop().await;
    app.clock.set(utc(2026, 11, 23, 13, 10));
    app.boot().await;
    let dm = app
        .dm_contains("U0PAASSC2", "has not been acknowledged for 3 h 10 min")
        .await;
    assert!(!dm.contains("30 minutes"), "{dm}");
    assert!(dm.contains("late by 2 h 40 min"), "{dm}");
    app.thread_says(&card, "unacknowledged for 3 h 10 min")
        .await;
    let thread = app.thread_text(&card, "unacknowledged for 3 h 10 min");
    assert!(thread.contains("late by 2 h 40 min"), "{thread}");
    // Fired in due order: by the 11:00 deadline the 10:50 warning was seen.
    app.thread_says(&card, "is due now").await;
    assert_eq!(
        app.thread_count(&card, "the next update on INC-1 is due"),
        0
    );
    app.stop().await;
}

/// A P1 declared Saturday 10:00 and lowered to P3 five minutes later is
/// re-planned from its declaration on P3's clock: not escalated at 10:30,
/// but at Monday 11:00 (two hours of in-hours time).
#[tokio::test]
async fn lowering_to_p3_at_the_weekend_moves_every_clock_to_in_hours() {
    let saturday = utc(2026, 11, 28, 10, 0);
    let mut app = TestApp::start_with(Policy::builtin(), saturday).await;
    let card = app.declare_led_by("Slow logs", "P1", None).await;
    app.clock.set(utc(2026, 11, 28, 10, 5));
    app.command("/incident", "priority INC-1 P3 intermittent only", BOB)
        .await;
    app.thread_says(&card, "changed the priority from P1 to P3")
        .await;
    app.clock.set(utc(2026, 11, 28, 10, 30));
    app.clock.set(utc(2026, 11, 30, 10, 59));
    app.clock.set(utc(2026, 11, 30, 11, 0));
    app.thread_says(&card, "escalating to").await;
    let escalation = app.thread_text(&card, "escalating to");
    assert!(escalation.contains("(2 h in hours)"), "{escalation}");
    assert_eq!(app.thread_count(&card, "escalating to"), 1);
    assert_eq!(
        app.thread_count(&card, "how is INC-1 going"),
        0,
        "P3 is not chased"
    );
    app.stop().await;
}

/// Picking a comms lead in the declare modal means the comms rota is not
/// asked to take comms; without one, it is.
#[tokio::test]
async fn a_comms_lead_picked_when_declaring_is_not_paged_for_comms() {
    let mut app = TestApp::start().await;
    let with = app.declare_with_comms("Errors up", "P2", "U0CAROL").await;
    let without = app.declare("Errors up again", "P2").await;
    // Delivered in order: INC-2's page comes after anything INC-1 was owed.
    app.thread_says(&without, "please take comms").await;
    app.thread_says(&with, "you are on call").await;
    assert_eq!(app.thread_count(&with, "please take comms"), 0);
    app.card_shows(&with, "<@U0CAROL>").await;
    app.stop().await;
}

/// The card says who acknowledged, and when.
#[tokio::test]
async fn the_card_says_who_acknowledged_and_when() {
    let mut app = TestApp::start().await;
    let card = app.declare("Queue stuck", "P2").await;
    let at = utc(2026, 11, 23, 10, 5);
    app.clock.set(at);
    app.command("/incident", "ack INC-1", BOB).await;
    app.card_shows(&card, "*Acknowledged*\\nby <@U0BOB>").await;
    app.card_shows(&card, &format!("<!date^{}^", at.timestamp()))
        .await;
    app.stop().await;
}

/// `check` says the older escalation key is superseded, and the shipped
/// policies need no such note.
#[test]
fn check_says_the_older_escalation_key_is_superseded() {
    let bin = env!("CARGO_BIN_EXE_paas-incident-bot");
    let dir = tempfile::tempdir().unwrap();
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/config/gov-uk-paas.toml");
    let old = std::fs::read_to_string(shipped)
        .unwrap()
        .replace("escalate_after = \"30m\"\n", "")
        .replace(
            "[reminders]\n",
            "[reminders]\nescalate_unacknowledged_after = \"30m\"\n",
        );
    let path = dir.path().join("old.toml");
    std::fs::write(&path, old).unwrap();
    let run = |config: &std::path::Path| {
        let out = std::process::Command::new(bin)
            .args(["check", "--config"])
            .arg(config)
            .env_remove("BOT_CONFIG")
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let said = run(&path);
    assert!(said.contains("Policy OK."), "{said}");
    assert!(
        said.contains("escalate_unacknowledged_after = \"30m\" is superseded"),
        "{said}"
    );
    assert!(said.contains("applies only to P1"), "{said}");
    assert!(!run(std::path::Path::new(shipped)).contains("superseded"));
}

/// A P3 declared Friday 16:55 paged the out-of-hours engineer and the
/// escalation person at 18:55. Now the 17:00 pause and the office-hours
/// crossing still fire at 17:00 itself, and the response deadline falls
/// at Monday 10:55 (5 minutes on Friday, 1 h 55 min on Monday), naming
/// Monday's in-hours engineer (U0PAASEN1), not Friday night's out-of-hours
/// one (U0PAASEN2).
#[tokio::test]
async fn a_p3_declared_friday_1655_is_chased_on_monday_at_1055() {
    let friday = utc(2026, 11, 27, 16, 55);
    let mut app = TestApp::start_with(Policy::builtin(), friday).await;
    let card = app.declare_led_by("Intermittent 502s", "P3", None).await;
    app.clock.set(utc(2026, 11, 27, 17, 0));
    app.thread_says(&card, "time to pause and document").await;
    app.thread_says(&card, "office hours are ending").await;
    for (d, h, m) in [(27, 18, 55), (28, 12, 0), (30, 10, 54)] {
        app.clock.set(utc(2026, 11, d, h, m));
    }
    app.clock.set(utc(2026, 11, 30, 10, 55));
    app.thread_says(&card, "response time has passed").await;
    let response = app.thread_text(&card, "response time has passed");
    assert!(response.contains("<@U0PAASEN1>"), "{response}");
    assert!(!response.contains("<@U0PAASEN2>"), "{response}");
    assert!(!response.contains("late"), "on time: {response}");
    assert_eq!(app.thread_count(&card, "response time has passed"), 1);
    app.thread_says(&card, "escalating to").await;
    assert_eq!(app.thread_count(&card, "escalating to"), 1);
    // Four hours of in-hours time for the update: Monday 12:55, so nothing
    // was asked for over the weekend (it was Friday 20:55).
    assert_eq!(app.thread_count(&card, "is due now"), 0);
    assert_eq!(
        app.thread_count(&card, "the next update on INC-1 is due"),
        0
    );
    app.stop().await;
}

#[tokio::test]
async fn an_event_dated_before_its_incident_by_a_clock_step_is_clamped() {
    use paas_incident_bot::ids::IncidentNumber;
    use paas_incident_bot::incident::EventKind;
    let mut app = support::TestApp::start().await;
    let card = app.declare("Clock stepped", "P2").await;
    // NTP steps the host clock back ten minutes.
    app.clock.advance(chrono::Duration::minutes(-10));
    app.press(support::incident::BOB, &card, "incident.ack", "1")
        .await;
    app.card_shows(&card, "Acknowledged").await;
    let db = paas_incident_bot::store::open(&app.db_url).await.unwrap();
    let incident = paas_incident_bot::store::incidents::get(&db, IncidentNumber(1))
        .await
        .unwrap()
        .unwrap();
    let timeline = paas_incident_bot::store::incidents::timeline(&db, IncidentNumber(1))
        .await
        .unwrap();
    db.close().await;
    assert!(timeline.iter().any(|e| e.kind != EventKind::Message));
    for event in &timeline {
        assert!(
            event.at >= incident.declared_at,
            "{event:?} is dated before the declaration at {}",
            incident.declared_at
        );
    }
    app.stop().await;
}
