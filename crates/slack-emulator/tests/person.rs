//! A person's gestures: what is stored, and the event the app is sent.

use serde_json::json;
use slack_emulator::Emulator;

#[tokio::test]
async fn a_reply_is_stored_as_slack_stores_it_and_heard_as_a_message_event() {
    let slack = Emulator::start().await.unwrap();
    let before = slack.version();
    let id = slack
        .say(
            "C1",
            Some("1.000100"),
            "U0BOB",
            "a < b",
            "1800000000.000001",
        )
        .await
        .unwrap();
    assert_ne!(slack.version(), before, "the page sees a change");
    let stored = slack.message("C1", "1800000000.000001").unwrap();
    assert_eq!(stored.text, "a &lt; b");
    assert_eq!(stored.thread_ts.as_deref(), Some("1.000100"));
    let event = &slack.envelope(&id).unwrap()["payload"]["event"];
    assert_eq!(event["type"], "message");
    assert_eq!(event["thread_ts"], "1.000100");
    assert_eq!(event["text"], "a &lt; b");
}

#[tokio::test]
async fn a_pin_is_stored_and_heard_as_reaction_added_naming_the_author() {
    let slack = Emulator::start().await.unwrap();
    let ts = slack.post_as_person("C1", "U0BOB", "Rebooting");
    let id = slack.react("C1", &ts, "U0ALICE", "pushpin").await.unwrap();
    let stored = slack.message("C1", &ts).unwrap();
    assert_eq!(stored.reactions.len(), 1);
    assert_eq!(stored.reactions[0].user, "U0ALICE");
    let event = &slack.envelope(&id).unwrap()["payload"]["event"];
    assert_eq!(
        *event,
        json!({"type": "reaction_added", "user": "U0ALICE", "reaction": "pushpin",
            "item_user": "U0BOB", "item": {"type": "message", "channel": "C1", "ts": ts},
            "event_ts": event["event_ts"]})
    );
}

#[tokio::test]
async fn opening_home_is_heard_as_app_home_opened() {
    let slack = Emulator::start().await.unwrap();
    let id = slack.open_home("U0ALICE").await.unwrap();
    let event = &slack.envelope(&id).unwrap()["payload"]["event"];
    assert_eq!(event["type"], "app_home_opened");
    assert_eq!(event["user"], "U0ALICE");
    assert_eq!(event["tab"], "home");
}
