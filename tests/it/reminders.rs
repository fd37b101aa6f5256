//! Reminders on a driven clock, through Slack: a P1 walked through an
//! afternoon and a week, a restart between reminders, and a reminder that
//! falls due while the bot is down. Built-in GOV.UK PaaS policy: on Monday
//! 23 Nov 2026 the in-hours engineer is U0PAASEN4 and the escalation rota's
//! person U0PAASSC2.

use crate::support;

use chrono::{DateTime, Duration, TimeZone, Utc};
use paas_incident_bot::policy::Policy;
use support::incident::BOB;
use support::{TestApp, WAIT};

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, h, m, 0).unwrap()
}

impl TestApp {
    async fn advance_to(&self, to: DateTime<Utc>) {
        self.clock.set(to);
    }

    async fn dm_says(&self, user: &str, needle: &str) {
        let (user, needle) = (user.to_owned(), needle.to_owned());
        self.slack
            .wait_until(WAIT, |s| {
                s.dms(&user).iter().any(|m| m.text.contains(&needle))
            })
            .await
            .unwrap_or_else(|_| panic!("{user} was never sent {needle:?}"));
    }
}

#[tokio::test]
async fn a_p1_afternoon_gets_each_reminder_once_with_the_right_people() {
    let mut app = TestApp::start_with(Policy::builtin(), at(16, 30)).await;
    let card = app.declare_led_by("Apps not served", "P1", None).await;

    // 20 minutes in hours with no acknowledgement.
    app.advance_to(at(16, 50)).await;
    app.thread_says(
        &card,
        "has not been acknowledged and its response time has passed",
    )
    .await;
    let response = app
        .slack
        .thread(&app.incident_channel(), &card)
        .into_iter()
        .find(|m| m.text.contains("response time has passed"))
        .unwrap();
    assert!(response.text.contains("<@U0PAASEN4>"), "{}", response.text);
    assert!(
        response.blocks.to_string().contains("incident.ack"),
        "carries Acknowledge"
    );

    // 30 minutes: escalate, in the thread and by DM; 17:00 also brings the
    // pause and the office-hours boundary.
    app.advance_to(at(17, 0)).await;
    app.thread_says(&card, "escalating to <@U0PAASSC2>").await;
    app.dm_says("U0PAASSC2", "has not been acknowledged").await;
    app.thread_says(&card, "time to pause and document").await;
    app.thread_says(&card, "office hours are ending").await;

    app.command("/incident", "ack INC-1", "U0PAASEN4").await;
    app.advance_to(at(17, 20)).await;
    app.thread_says(&card, "the next update on INC-1 is due")
        .await;
    app.advance_to(at(17, 30)).await;
    app.thread_says(&card, "an update on INC-1 is due now")
        .await;
    let due = app
        .slack
        .thread(&app.incident_channel(), &card)
        .into_iter()
        .find(|m| m.text.contains("is due now"))
        .unwrap();
    assert!(
        due.text.contains("<@U0PAASEN4>"),
        "names the lead: {}",
        due.text
    );
    assert!(due.blocks.to_string().contains("incident.post_update"));

    app.advance_to(at(17, 35)).await;
    app.command(
        "/incident",
        "update INC-1 Traffic restored for most apps",
        "U0PAASEN4",
    )
    .await;
    app.advance_to(at(18, 0)).await;
    app.command("/incident", "resolve INC-1 Router fixed", "U0PAASEN4")
        .await;
    app.thread_says(&card, "Resolution checklist").await;
    // Worked past 17:00: the lead may rest until 11 hours after the end.
    app.dm_says("U0PAASEN4", "not required to work until").await;

    app.advance_to(at(18, 0) + Duration::days(7)).await;
    app.thread_says(&card, "no incident review is recorded")
        .await;

    for once in [
        "response time has passed",
        "escalating to",
        "time to pause and document",
        "office hours are ending",
        "the next update on INC-1 is due",
        "is due now",
        "no incident review is recorded",
    ] {
        assert_eq!(app.thread_count(&card, once), 1, "{once}");
    }
    assert_eq!(app.slack.dms("U0PAASSC2").len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn an_update_resets_the_clock_so_the_old_deadline_never_fires() {
    let mut app = TestApp::start_with(Policy::builtin(), at(10, 0)).await;
    let card = app.declare("Slow deploys", "P2").await;
    app.command("/incident", "ack INC-1", BOB).await;
    app.advance_to(at(11, 0)).await;
    app.command("/incident", "update INC-1 Found it", BOB).await;
    // P2 updates every 2 h: due 12:00 originally, 13:00 after the update.
    app.advance_to(at(12, 5)).await;
    app.advance_to(at(12, 55)).await;
    app.thread_says(&card, "the next update on INC-1 is due")
        .await;
    assert_eq!(app.thread_count(&card, "is due now"), 0);
    app.advance_to(at(13, 0)).await;
    app.thread_says(&card, "is due now").await;
    // Overdue: the next interval brings it up again.
    app.advance_to(at(15, 0)).await;
    app.slack
        .wait_until(WAIT, |_| app.thread_count(&card, "is due now") == 2)
        .await
        .expect("overdue reminder at the next interval");
    app.stop().await;
}

#[tokio::test]
async fn a_restart_between_reminders_fires_each_once() {
    let mut app = TestApp::start_with(Policy::builtin(), at(10, 0)).await;
    let card = app.declare("Queue stuck", "P1").await;
    app.command("/incident", "ack INC-1", BOB).await;
    app.advance_to(at(10, 50)).await;
    app.thread_says(&card, "the next update on INC-1 is due")
        .await;
    app.restart().await;
    app.advance_to(at(11, 0)).await;
    app.thread_says(&card, "is due now").await;
    app.restart().await;
    app.advance_to(at(11, 5)).await;
    // A command round trip: by its answer the bot has settled.
    app.command("/incident", "list", BOB).await;
    assert_eq!(
        app.thread_count(&card, "the next update on INC-1 is due"),
        1
    );
    assert_eq!(app.thread_count(&card, "is due now"), 1);
    app.stop().await;
}

#[tokio::test]
async fn a_reminder_due_while_the_bot_was_down_fires_late_once() {
    let mut app = TestApp::start_with(Policy::builtin(), at(10, 0)).await;
    let card = app.declare("Metrics gap", "P1").await;
    app.command("/incident", "ack INC-1", BOB).await;
    app.stop().await;
    app.clock.set(at(11, 20)); // the 10:50 warning and 11:00 deadline passed
    app.boot().await;
    app.thread_says(&card, "is due now").await;
    let late = app
        .slack
        .thread(&app.incident_channel(), &card)
        .into_iter()
        .find(|m| m.text.contains("is due now"))
        .unwrap();
    assert!(late.text.contains("late"), "{}", late.text);
    app.restart().await;
    app.command("/incident", "list", BOB).await;
    assert_eq!(app.thread_count(&card, "is due now"), 1);
    app.stop().await;
}
