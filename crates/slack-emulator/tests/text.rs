//! Text the way Slack hands it over and takes it back: what people type
//! reaches the app encoded (`&amp;`, `&lt;`, `&gt;`; picked people and
//! links as markup), and a command reply over Slack's message limits is
//! refused, not shown.

use serde_json::{json, Value};
use slack_emulator::wire::{ack, api, connect_socket, next_json};
use slack_emulator::Emulator;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(5);

#[tokio::test]
async fn command_text_arrives_encoded_with_picked_people_as_markup() {
    let slack = Emulator::start().await.unwrap();
    let (mut ws, _) = connect_socket(&slack).await;
    slack.wait_for_socket(WAIT).await.unwrap();
    slack
        .slash_command(
            "/incident",
            "update INC-1 DB & cache down; errors > 5% <@U0BOB|bob>",
            "U0ALICE",
            "C0PAAS",
        )
        .await
        .unwrap();
    let frame = next_json(&mut ws).await;
    assert_eq!(
        frame["payload"]["text"],
        "update INC-1 DB &amp; cache down; errors &gt; 5% <@U0BOB|bob>"
    );
}

#[tokio::test]
async fn message_events_and_history_carry_encoded_text() {
    let slack = Emulator::start().await.unwrap();
    let (mut ws, _) = connect_socket(&slack).await;
    slack.wait_for_socket(WAIT).await.unwrap();
    let typed = "Disk > 90% & rising <!here>";
    let ts = slack.post_as_person("C0PAAS", "U0BOB", typed);
    slack
        .event(
            json!({"type": "message", "channel": "C0PAAS", "user": "U0BOB",
                      "text": typed, "ts": ts}),
        )
        .await
        .unwrap();
    let frame = next_json(&mut ws).await;
    let sent = "Disk &gt; 90% &amp; rising <!here>";
    assert_eq!(frame["payload"]["event"]["text"], sent);
    let history = api(
        &slack,
        "conversations.history",
        json!({"channel": "C0PAAS"}),
    )
    .await;
    assert_eq!(history["messages"][0]["text"], sent);
    slack
        .event(
            json!({"type": "message", "subtype": "message_changed", "channel": "C0PAAS",
                      "message": {"type": "message", "user": "U0BOB", "text": "a < b", "ts": ts}}),
        )
        .await
        .unwrap();
    let frame = next_json(&mut ws).await;
    assert_eq!(frame["payload"]["event"]["message"]["text"], "a &lt; b");
}

/// Acks a slash command with `payload` and returns why Slack refused it.
async fn reply_with(payload: Value) -> Option<String> {
    let slack = Emulator::start().await.unwrap();
    let (mut ws, _) = connect_socket(&slack).await;
    slack.wait_for_socket(WAIT).await.unwrap();
    let id = slack
        .slash_command("/oncall", "overrides", "U0ALICE", "C0PAAS")
        .await
        .unwrap();
    next_json(&mut ws).await;
    ack(&mut ws, json!({"envelope_id": id, "payload": payload})).await;
    slack.wait_ack(&id, WAIT).await.unwrap().refused
}

#[tokio::test]
async fn command_replies_over_slacks_limits_are_refused() {
    let fits = json!({"response_type": "ephemeral", "text": "x".repeat(40_000)});
    assert_eq!(reply_with(fits).await, None);
    let long = json!({"response_type": "ephemeral", "text": "x".repeat(40_001)});
    assert_eq!(reply_with(long).await.as_deref(), Some("msg_too_long"));
    let section = json!({"type": "section", "text": {"type": "mrkdwn", "text": "x".repeat(3001)}});
    let wide = json!({"text": "t", "blocks": [section]});
    assert_eq!(reply_with(wide).await.as_deref(), Some("invalid_blocks"));
    let small = json!({"type": "section", "text": {"type": "mrkdwn", "text": "x"}});
    let many = json!({"text": "t", "blocks": vec![small; 51]});
    assert_eq!(reply_with(many).await.as_deref(), Some("invalid_blocks"));
}
