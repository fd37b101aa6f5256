//! A post whose response never comes back may or may not have reached
//! Slack. The bot looks for it (by the metadata every message carries)
//! before posting again, so each announcement appears once: cards, thread
//! replies and direct messages alike.

use crate::support;

use support::incident::{ALICE, BOB};
use support::{TestApp, WAIT};

fn lost_responses(app: &TestApp) -> usize {
    app.slack
        .calls_to("chat.postMessage")
        .iter()
        .filter(|c| c.error.as_deref() == Some("response_lost"))
        .count()
}

/// Waits until every queued announcement has been settled: nothing more
/// will be posted after this.
async fn drained(app: &TestApp) {
    let pool = paas_incident_bot::store::open(&app.db_url).await.unwrap();
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
            .fetch_one(&pool)
            .await
            .unwrap();
        if left == 0 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{left} rows unsent");
        tokio::task::yield_now().await;
    }
    pool.close().await;
}

/// Whether a lookup asked Slack for message metadata.
fn looked_up(app: &TestApp, method: &str) -> bool {
    app.slack
        .calls_to(method)
        .iter()
        .any(|c| c.ok && c.params["include_all_metadata"] == "true")
}

#[tokio::test]
async fn a_thread_reply_whose_response_was_lost_appears_once() {
    let mut app = TestApp::start().await;
    let card = app.declare("Router flapping", "P2").await;
    app.slack.lose_response_next("chat.postMessage");
    app.command("/incident", "note INC-1 restarted the collector", BOB)
        .await;
    app.thread_says(&card, "restarted the collector").await;
    drained(&app).await;
    assert_eq!(lost_responses(&app), 1);
    assert!(looked_up(&app, "conversations.replies"));
    assert_eq!(app.thread_count(&card, "restarted the collector"), 1);
    app.stop().await;
}

#[tokio::test]
async fn a_lookup_that_fails_leaves_the_reply_in_doubt_until_one_succeeds() {
    let mut app = TestApp::start().await;
    let card = app.declare("Disk full", "P2").await;
    app.slack.lose_response_next("chat.postMessage");
    // The first look for the lost reply fails: the row must still be
    // looked for, not posted blindly, on the next try.
    app.slack
        .fail_next("conversations.replies", "internal_error");
    app.command("/incident", "note INC-1 cleared the logs", BOB)
        .await;
    app.thread_says(&card, "cleared the logs").await;
    drained(&app).await;
    let lookups = app.slack.calls_to("conversations.replies");
    assert_eq!(lookups.iter().filter(|c| !c.ok).count(), 1);
    assert!(looked_up(&app, "conversations.replies"));
    assert_eq!(app.thread_count(&card, "cleared the logs"), 1);
    app.stop().await;
}

#[tokio::test]
async fn a_lost_reply_deep_in_a_busy_thread_beside_another_apps_metadata_is_found() {
    let mut app = TestApp::start().await;
    let card = app.declare("Queue backlog", "P2").await;
    let channel = app.incident_channel();
    // Another app's metadata whose payload is not all strings, then more
    // than a page of replies before the lost one.
    let odd =
        serde_json::json!({"event_type": "deploy", "event_payload": {"build": 7, "ok": true}});
    app.slack
        .post_as_other_app(&channel, Some(&card), "deploy 7 done", odd);
    for i in 0..450 {
        let text = format!("alert {i} firing");
        app.slack
            .post_as_other_app(&channel, Some(&card), &text, serde_json::Value::Null);
    }
    app.slack.lose_response_next("chat.postMessage");
    app.command("/incident", "note INC-1 drained the queue", BOB)
        .await;
    app.thread_says(&card, "drained the queue").await;
    drained(&app).await;
    let pages = app
        .slack
        .calls_to("conversations.replies")
        .iter()
        .filter(|c| c.ok)
        .count();
    assert!(pages >= 3, "read {pages} pages of the thread");
    assert_eq!(app.thread_count(&card, "drained the queue"), 1);
    app.stop().await;
}

#[tokio::test]
async fn after_internal_error_a_reply_is_looked_for_before_it_is_posted_again() {
    let mut app = TestApp::start().await;
    let card = app.declare("Login errors", "P2").await;
    // Slack documents that internal_error can follow a post that went out.
    app.slack.fail_next("chat.postMessage", "internal_error");
    app.command("/incident", "note INC-1 rolled back the release", BOB)
        .await;
    app.thread_says(&card, "rolled back the release").await;
    drained(&app).await;
    assert!(looked_up(&app, "conversations.replies"));
    assert_eq!(app.thread_count(&card, "rolled back the release"), 1);
    app.stop().await;
}

#[tokio::test]
async fn a_card_whose_response_was_lost_is_posted_once_and_kept_current() {
    let mut app = TestApp::start().await;
    app.slack.lose_response_next("chat.postMessage");
    let card = app.declare("Builds failing", "P2").await;
    // The ack refreshes the card: only possible once its ts was found.
    app.press(BOB, &card, "incident.ack", "1").await;
    app.card_shows(&card, "Acknowledged").await;
    drained(&app).await;
    assert_eq!(lost_responses(&app), 1);
    assert!(looked_up(&app, "conversations.history"));
    assert_eq!(app.cards().len(), 1, "one card");
    app.stop().await;
}

#[tokio::test]
async fn an_override_whose_post_response_was_lost_is_announced_and_told_once() {
    let mut app = TestApp::start().await;
    // The channel announcement and the DM go out side by side; whichever
    // loses its response, each must still arrive exactly once.
    app.slack.lose_response_next("chat.postMessage");
    app.command(
        "/oncall",
        "cover in-hours <@U0PAASEN1> today 11:00 to today 13:00",
        ALICE,
    )
    .await;
    drained(&app).await;
    assert_eq!(lost_responses(&app), 1);
    assert!(looked_up(&app, "conversations.history"));
    let announced = app.slack.messages("C0PAAS");
    assert_eq!(
        announced
            .iter()
            .filter(|m| m.text.contains("OVR-1"))
            .count(),
        1
    );
    assert_eq!(app.slack.dms("U0PAASEN4").len(), 1);
    app.stop().await;
}

/// After a crash, many rows may be in doubt in one channel or thread: one
/// pass reads each only once, and only as far back as it must.
#[tokio::test]
async fn one_pass_reads_a_channel_once_for_all_its_rows_in_doubt() {
    use paas_incident_bot::clock::ManualClock;
    use paas_incident_bot::metrics::Metrics;
    use paas_incident_bot::slack::{connect, Lookups, SlackWeb};
    use slack_emulator::Emulator;
    use slack_morphism::prelude::*;
    use std::sync::Arc;

    let slack = Emulator::start().await.unwrap();
    let web = SlackWeb::new(
        connect::client(&slack.api_url()).unwrap(),
        connect::token(&slack.bot_token()),
        Arc::new(Metrics::new()),
        Arc::new(ManualClock::new(support::monday_morning())),
    );
    let channel = SlackChannelId("C0PAAS".into());
    let marker = |row: usize| SlackMessageMetadata {
        event_type: "outbox_message".to_owned(),
        event_payload: Some([("row".to_owned(), row.to_string())].into()),
    };
    // Rows 1–5 reached Slack before the crash, with 250 other messages
    // after them (more than a page); row 6 did not.
    for row in 1..=5 {
        let content = SlackMessageContent::new()
            .with_text(format!("row {row}"))
            .with_metadata(marker(row));
        web.post(&channel, content, None).await.unwrap();
    }
    for _ in 0..250 {
        slack.post_as_person("C0PAAS", BOB, "chatter");
    }
    let reads = || slack.calls_to("conversations.history").len();

    let lookups = Lookups::new(&web);
    let mut found = Vec::new();
    for row in 1..=5 {
        found.push(lookups.find(&channel, None, &marker(row)).await.unwrap());
    }
    assert!(found.iter().all(Option::is_some), "{found:?}");
    assert_eq!(reads(), 2, "two pages, read once for all five rows");
    assert_eq!(
        lookups.find(&channel, None, &marker(6)).await.unwrap(),
        None
    );
    assert_eq!(reads(), 2, "the channel's whole history was already read");

    // The next pass reads afresh: what it looks for may be newer.
    let next_pass = Lookups::new(&web);
    assert!(next_pass
        .find(&channel, None, &marker(3))
        .await
        .unwrap()
        .is_some());
    assert_eq!(reads(), 4);
}
