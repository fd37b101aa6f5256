//! Thread replies under a card and 📌 messages join the incident's
//! timeline at their own time, once; edits and deletions follow them.

use crate::support;

use chrono::{DateTime, Duration, Utc};
use paas_incident_bot::ids::IncidentNumber;
use paas_incident_bot::incident::{Event, EventKind};
use paas_incident_bot::store;
use serde_json::json;
use support::incident::{ALICE, BOB};
use support::{monday_morning, TestApp, WAIT};

/// A Slack ts for an instant, so captured rows can be checked against it.
fn ts_at(at: DateTime<Utc>) -> String {
    format!("{}.000100", at.timestamp())
}

async fn messages(app: &TestApp) -> Vec<Event> {
    let db = store::open(&app.db_url).await.unwrap();
    let rows = store::incidents::timeline(&db, IncidentNumber(1))
        .await
        .unwrap();
    db.close().await;
    rows.into_iter()
        .filter(|e| e.kind == EventKind::Message)
        .collect()
}

/// Waits for the bot's async handling of an event to show in the timeline.
async fn until_timeline(app: &TestApp, what: &str, check: impl Fn(&[Event]) -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let rows = messages(app).await;
        if check(&rows) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}: {rows:#?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// The bot stores a card's ts just after Slack takes the card; its first
/// thread reply shows that has happened, so replies can be matched to it.
async fn card_known(app: &TestApp, card: &str) {
    app.thread_says(card, "please acknowledge INC-1").await;
}

fn reply_event(channel: &str, card: &str, ts: &str, user: &str, text: &str) -> serde_json::Value {
    json!({"type": "message", "channel": channel, "channel_type": "channel",
           "user": user, "text": text, "ts": ts, "thread_ts": card})
}

fn pin_event(channel: &str, ts: &str, by: &str) -> serde_json::Value {
    json!({"type": "reaction_added", "user": by, "reaction": "pushpin", "item_user": BOB,
           "item": {"type": "message", "channel": channel, "ts": ts}})
}

/// `by` pins (`on`) or unpins the message in the client, and Slack says
/// so; returns once the bot has handled the event.
async fn pin(app: &TestApp, channel: &str, ts: &str, by: &str, on: bool) {
    app.slack.react_as_person(channel, ts, by, "pushpin", on);
    let mut event = pin_event(channel, ts, by);
    if !on {
        event["type"] = json!("reaction_removed");
    }
    let envelope = app.slack.event(event).await.unwrap();
    let frame = app.slack.envelope(&envelope).unwrap();
    let event_id = frame["payload"]["event_id"].as_str().unwrap().to_owned();
    let db = store::open(&app.db_url).await.unwrap();
    let deadline = tokio::time::Instant::now() + WAIT;
    while !store::events::seen(&db, &event_id).await.unwrap() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{event_id} never handled"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    db.close().await;
}

#[tokio::test]
async fn a_thread_reply_joins_the_timeline_once_at_its_own_time() {
    let mut app = TestApp::start().await;
    let card = app.declare("Router down", "P1").await;
    card_known(&app, &card).await;
    let channel = app.incident_channel();
    let sent_at = monday_morning() + Duration::minutes(3);
    let ts = ts_at(sent_at);
    app.slack
        .post_as_person_at(&channel, Some(&card), BOB, "Restarting the routers", &ts);
    let id = app
        .slack
        .event(reply_event(
            &channel,
            &card,
            &ts,
            BOB,
            "Restarting the routers",
        ))
        .await
        .unwrap();
    let ack = app.slack.wait_ack(&id, WAIT).await.unwrap();
    assert!(ack.latency < support::ACK_WINDOW);
    assert_eq!(ack.payload, None);
    until_timeline(&app, "the reply", |rows| rows.len() == 1).await;

    // Slack redelivers the same envelope; a second reply is a marker that
    // the bot has caught up.
    app.slack.resend(&id).await.unwrap();
    let later = ts_at(sent_at + Duration::minutes(1));
    app.slack
        .post_as_person_at(&channel, Some(&card), ALICE, "Routers back", &later);
    app.slack
        .event(reply_event(&channel, &card, &later, ALICE, "Routers back"))
        .await
        .unwrap();
    until_timeline(&app, "the second reply", |rows| rows.len() == 2).await;

    let rows = messages(&app).await;
    assert_eq!(rows[0].at, sent_at + chrono::Duration::microseconds(100));
    assert_eq!(rows[0].actor.as_str(), BOB);
    assert_eq!(rows[0].text.as_deref(), Some("Restarting the routers"));
    assert_eq!(rows[1].text.as_deref(), Some("Routers back"));

    // The report shows it, with its date.
    let report = app.command("/incident", "report INC-1", ALICE).await;
    assert!(report["text"].as_str().unwrap().contains("in its thread"));
    app.thread_says(&card, "Restarting the routers").await;
    app.thread_says(&card, "2026-11-23 10:03").await;
    app.stop().await;
}

#[tokio::test]
async fn bot_replies_and_other_threads_are_not_captured() {
    let mut app = TestApp::start().await;
    let card = app.declare("Router down", "P1").await;
    card_known(&app, &card).await;
    let channel = app.incident_channel();
    let ts = ts_at(monday_morning() + Duration::minutes(1));
    let mut from_bot = reply_event(&channel, &card, &ts, "U0EMUBOT", "INC-1 acknowledged");
    from_bot["bot_id"] = json!("B0EMUBOT");
    app.slack.event(from_bot).await.unwrap();
    let elsewhere = ts_at(monday_morning() + Duration::minutes(2));
    app.slack
        .event(reply_event(
            &channel,
            "1700000000.999999",
            &elsewhere,
            BOB,
            "lunch?",
        ))
        .await
        .unwrap();
    // A pinned message is the marker that both events above were handled.
    let pinned = ts_at(monday_morning() + Duration::minutes(4));
    app.slack
        .post_as_person_at(&channel, None, BOB, "Status page updated", &pinned);
    pin(&app, &channel, &pinned, ALICE, true).await;
    until_timeline(&app, "the pinned message", |rows| !rows.is_empty()).await;
    let rows = messages(&app).await;
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert_eq!(rows[0].text.as_deref(), Some("Status page updated"));
    app.stop().await;
}

#[tokio::test]
async fn a_pinned_message_joins_the_latest_open_incident_once() {
    let mut app = TestApp::start().await;
    app.declare("Router down", "P2").await;
    app.declare("Database slow", "P3").await;
    let channel = app.incident_channel();
    let sent_at = monday_morning() - Duration::minutes(5);
    let ts = ts_at(sent_at);
    app.slack
        .post_as_person_at(&channel, None, BOB, "Saw 502s from the router", &ts);
    pin(&app, &channel, &ts, ALICE, true).await;
    // Pinned twice (two people, or a redelivery): still one row.
    pin(&app, &channel, &ts, BOB, true).await;
    let db = store::open(&app.db_url).await.unwrap();
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let on_two = store::incidents::timeline(&db, IncidentNumber(2))
            .await
            .unwrap();
        if on_two.iter().any(|e| e.kind == EventKind::Message) {
            let pinned: Vec<_> = on_two
                .iter()
                .filter(|e| e.kind == EventKind::Message)
                .collect();
            assert_eq!(pinned.len(), 1);
            assert_eq!(pinned[0].actor.as_str(), BOB, "the author, not the pinner");
            assert_eq!(pinned[0].at.timestamp(), sent_at.timestamp());
            // Earlier than the declaration, so it sorts first.
            assert_eq!(on_two[0].kind, EventKind::Message);
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "never pinned");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let on_one = store::incidents::timeline(&db, IncidentNumber(1))
        .await
        .unwrap();
    assert!(on_one.iter().all(|e| e.kind != EventKind::Message));
    db.close().await;
    assert!(app
        .slack
        .calls_to("conversations.history")
        .iter()
        .all(|c| c.params["inclusive"].to_string().contains("true")));
    app.stop().await;
}

#[tokio::test]
async fn edits_and_deletions_follow_the_captured_message() {
    let mut app = TestApp::start().await;
    let card = app.declare("Router down", "P1").await;
    card_known(&app, &card).await;
    let channel = app.incident_channel();
    let ts = ts_at(monday_morning() + Duration::minutes(2));
    app.slack
        .post_as_person_at(&channel, Some(&card), BOB, "Rebooting rtr-1", &ts);
    app.slack
        .event(reply_event(&channel, &card, &ts, BOB, "Rebooting rtr-1"))
        .await
        .unwrap();
    until_timeline(&app, "the reply", |rows| rows.len() == 1).await;

    app.slack.edit_as_person(&channel, &ts, "Rebooting rtr-2");
    let edit_ts = ts_at(monday_morning() + Duration::minutes(6));
    app.slack
        .event(
            json!({"type": "message", "subtype": "message_changed", "hidden": true,
            "channel": channel, "ts": edit_ts,
            "message": {"type": "message", "user": BOB, "text": "Rebooting rtr-2", "ts": ts,
                        "thread_ts": card, "edited": {"user": BOB, "ts": edit_ts}},
            "previous_message": {"type": "message", "user": BOB, "text": "Rebooting rtr-1",
                                 "ts": ts, "thread_ts": card}}),
        )
        .await
        .unwrap();
    until_timeline(&app, "the edit", |rows| {
        rows.len() == 1 && rows[0].text.as_deref() == Some("Rebooting rtr-2")
    })
    .await;
    // The row keeps the time the message was first sent.
    let rows = messages(&app).await;
    assert_eq!(
        rows[0].at.timestamp(),
        (monday_morning() + Duration::minutes(2)).timestamp()
    );

    app.slack.delete_as_person(&channel, &ts);
    app.slack
        .event(
            json!({"type": "message", "subtype": "message_deleted", "hidden": true,
            "channel": channel, "ts": ts_at(monday_morning() + Duration::minutes(7)),
            "deleted_ts": ts,
            "previous_message": {"type": "message", "user": BOB, "text": "Rebooting rtr-2",
                                 "ts": ts, "thread_ts": card}}),
        )
        .await
        .unwrap();
    until_timeline(&app, "the deletion", |rows| rows.is_empty()).await;
    app.stop().await;
}

#[tokio::test]
async fn a_message_leaves_the_timeline_when_its_last_pin_is_taken_off() {
    let mut app = TestApp::start().await;
    let card = app.declare("Router down", "P2").await;
    card_known(&app, &card).await;
    let channel = app.incident_channel();
    let pinned = ts_at(monday_morning() + Duration::minutes(1));
    app.slack
        .post_as_person_at(&channel, None, BOB, "Saw 502s from the router", &pinned);
    pin(&app, &channel, &pinned, ALICE, true).await;
    pin(&app, &channel, &pinned, BOB, true).await;
    until_timeline(&app, "the pinned message", |rows| rows.len() == 1).await;

    // A reply under the card is on the timeline as a reply: pinning and
    // unpinning it leaves it there.
    let reply = ts_at(monday_morning() + Duration::minutes(2));
    app.slack
        .post_as_person_at(&channel, Some(&card), BOB, "Rebooting rtr-1", &reply);
    app.slack
        .event(reply_event(&channel, &card, &reply, BOB, "Rebooting rtr-1"))
        .await
        .unwrap();
    until_timeline(&app, "the reply", |rows| rows.len() == 2).await;
    pin(&app, &channel, &reply, ALICE, true).await;
    pin(&app, &channel, &reply, ALICE, false).await;
    assert_eq!(messages(&app).await.len(), 2);

    // Another app's reply under the card is there only because it was
    // pinned, so unpinning takes it off again.
    let alert = app
        .slack
        .post_as_other_app(&channel, Some(&card), "5xx rate high", json!(null));
    pin(&app, &channel, &alert, ALICE, true).await;
    assert_eq!(messages(&app).await.len(), 3);
    pin(&app, &channel, &alert, ALICE, false).await;
    assert_eq!(messages(&app).await.len(), 2);

    // Bob still pins the first message: it stays until he unpins it too.
    pin(&app, &channel, &pinned, ALICE, false).await;
    assert_eq!(messages(&app).await.len(), 2);
    pin(&app, &channel, &pinned, BOB, false).await;
    let left = messages(&app).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].text.as_deref(), Some("Rebooting rtr-1"));
    app.stop().await;
}

/// A burst of 📌 while Slack rate-limits `conversations.history` (one call
/// a window, then 429 with Retry-After): each read-back waits its
/// turn and every pinned message reaches the timeline.
#[tokio::test]
async fn sixty_pins_under_rate_limiting_all_reach_the_timeline() {
    const PINS: usize = 60;
    const RETRY_AFTER: i64 = 30;
    let mut app = TestApp::start().await;
    app.declare("Router down", "P2").await;
    let channel = app.incident_channel();
    let pinned: Vec<String> = (0..PINS)
        .map(|i| {
            let ts = ts_at(monday_morning() + Duration::seconds(i as i64 + 1));
            let text = format!("Observation {i}");
            app.slack.post_as_person_at(&channel, None, BOB, &text, &ts);
            ts
        })
        .collect();
    app.slack
        .rate_limit_per_window("conversations.history", 1, RETRY_AFTER as u64);
    for ts in &pinned {
        app.slack
            .react_as_person(&channel, ts, ALICE, "pushpin", true);
        app.slack
            .event(pin_event(&channel, ts, ALICE))
            .await
            .unwrap();
    }
    let calls = |app: &TestApp| app.slack.count_calls("conversations.history", |_| true);
    let limited = |app: &TestApp| {
        app.slack.count_calls("conversations.history", |c| {
            c.error.as_deref() == Some("ratelimited")
        })
    };
    // A new window opens, as Slack's clock would open it, only once every
    // read-back still to go has met the limit and is waiting out its
    // Retry-After: when no call has come for a while.
    let quiet = std::time::Duration::from_millis(150);
    let deadline = tokio::time::Instant::now() + WAIT * 6;
    let (mut last, mut since) = (calls(&app), tokio::time::Instant::now());
    loop {
        let on_timeline = messages(&app).await.len();
        if on_timeline == PINS {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{on_timeline} of {PINS} pins on the timeline"
        );
        if calls(&app) != last {
            (last, since) = (calls(&app), tokio::time::Instant::now());
        } else if since.elapsed() > quiet {
            app.slack.next_rate_window();
            app.clock.advance(Duration::seconds(RETRY_AFTER));
            since = tokio::time::Instant::now();
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let seen = limited(&app);
    assert!(seen > 0, "the read-backs never met the limit");
    app.slack.lift_rate_limit("conversations.history");
    app.stop().await;
}
