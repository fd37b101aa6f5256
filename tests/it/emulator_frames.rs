//! The bot's envelope parser reads every kind of Socket Mode frame the
//! emulator sends (the emulator's own behaviour is tested in its crate).

use paas_incident_bot::slack::connect;
use paas_incident_bot::slack::envelope::{self, Frame, Inbound};
use serde_json::json;
use slack_emulator::wire::{ack, api, connect_socket, http, next_json};
use slack_emulator::{Emulator, API_APP_ID, BOT_USER_ID, TEAM_ID};
use slack_morphism::prelude::*;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(5);

fn client(slack: &Emulator) -> (std::sync::Arc<SlackHyperClient>, SlackApiToken) {
    (
        connect::client(&slack.api_url()).unwrap(),
        connect::token(&slack.bot_token()),
    )
}

#[tokio::test]
async fn connections_open_gives_a_single_use_url_and_hello() {
    let slack = Emulator::start().await.unwrap();
    let (_ws, hello) = connect_socket(&slack).await;
    assert_eq!(hello["type"], "hello");
    assert_eq!(hello["connection_info"]["app_id"], API_APP_ID);
    assert!(hello["num_connections"].as_u64().is_some());
    assert!(hello["debug_info"]["host"].is_string());
    assert!(matches!(
        envelope::parse(&hello.to_string()),
        Frame::Hello { .. }
    ));
    slack.wait_for_socket(WAIT).await.unwrap();
    assert_eq!(slack.connections_opened(), 1);
    assert_eq!(slack.live_sockets(), 1);

    // A ticket works once: connecting again with the same URL fails.
    let token = slack.app_token();
    let (_, _, opened) = http(
        &slack,
        "POST",
        "/api/apps.connections.open",
        Some(&token),
        "application/json",
        "{}",
    )
    .await;
    let url = opened["url"].as_str().unwrap();
    let (_second, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    assert!(tokio_tungstenite::connect_async(url).await.is_err());
    assert_eq!(slack.calls_to("apps.connections.open").len(), 2);
}

#[tokio::test]
async fn a_slash_command_envelope_is_readable_and_its_ack_is_recorded() {
    let slack = Emulator::start().await.unwrap();
    let (mut ws, _) = connect_socket(&slack).await;
    slack.wait_for_socket(WAIT).await.unwrap();
    let id = slack
        .slash_command("/oncall", "help", "U0ALICE", "C0PAAS")
        .await
        .unwrap();
    let frame = next_json(&mut ws).await;
    assert_eq!(frame["envelope_id"], id.as_str());
    assert_eq!(frame["type"], "slash_commands");
    assert_eq!(frame["accepts_response_payload"], true);
    let payload = &frame["payload"];
    assert!(payload["response_url"]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.1:"));
    assert!(payload["trigger_id"].is_string());
    match envelope::parse(&frame.to_string()) {
        Frame::Envelope(env) => match env.inbound {
            Inbound::Command(c) => {
                assert_eq!(c.command.0, "/oncall");
                assert_eq!(c.user_id.0, "U0ALICE");
                assert_eq!(c.channel_id.0, "C0PAAS");
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    ack(
        &mut ws,
        json!({"envelope_id": id, "payload": {"text": "usage", "response_type": "ephemeral"}}),
    )
    .await;
    let acked = slack.wait_ack(&id, WAIT).await.unwrap();
    assert_eq!(acked.envelope_id, id);
    assert!(acked.latency < WAIT);
    assert_eq!(acked.payload.unwrap()["text"], "usage");
    assert_eq!(slack.acks().len(), 1);

    // POSTs to the response_url are recorded and shown to the user.
    let url = payload["response_url"].as_str().unwrap();
    let path = url.split_once(&format!("{}", slack.port())).unwrap().1;
    let (status, _, _) = http(
        &slack,
        "POST",
        path,
        None,
        "application/json",
        r#"{"text":"later"}"#,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(slack.calls_to("response_url").len(), 1);
    assert_eq!(slack.ephemerals("C0PAAS", "U0ALICE")[0].text, "later");
}

#[tokio::test]
async fn envelopes_of_every_kind_parse_as_slack_morphism_events() {
    let slack = Emulator::start().await.unwrap();
    let (mut ws, _) = connect_socket(&slack).await;
    slack.wait_for_socket(WAIT).await.unwrap();
    let (client, token) = client(&slack);
    let blocks = json!([{"type": "actions", "block_id": "b1", "elements": [
        {"type": "button", "action_id": "ack", "text": {"type": "plain_text", "text": "Acknowledge"}, "value": "INC-1"},
        {"type": "static_select", "action_id": "prio", "options": [
            {"text": {"type": "plain_text", "text": "P1"}, "value": "p1"}]}]}]);
    let posted = api(
        &slack,
        "chat.postMessage",
        json!({"channel": "C0PAAS", "text": "card", "blocks": blocks}),
    )
    .await;
    let ts = posted["ts"].as_str().unwrap();

    let mut ids = vec![
        slack.block_action("U0ALICE", "C0PAAS", ts, "ack", "INC-1").await.unwrap(),
        slack.block_action_select("U0ALICE", "C0PAAS", ts, "prio", "p1").await.unwrap(),
        slack.event(json!({"type": "app_home_opened", "user": "U0ALICE", "channel": "D0ALICE", "tab": "home"})).await.unwrap(),
        slack.event(json!({"type": "reaction_added", "user": "U0ALICE", "reaction": "eyes",
            "item": {"type": "message", "channel": "C0PAAS", "ts": ts}, "item_user": BOT_USER_ID})).await.unwrap(),
    ];
    let trigger = slack.new_trigger();
    let view = json!({"type": "modal", "callback_id": "declare", "title": {"type": "plain_text", "text": "Declare"},
        "submit": {"type": "plain_text", "text": "Declare"},
        "blocks": [{"type": "input", "block_id": "title", "label": {"type": "plain_text", "text": "Title"},
            "element": {"type": "plain_text_input", "action_id": "v"}}]});
    let view: SlackView = serde_json::from_value(view).unwrap();
    let opened = client
        .open_session(&token)
        .views_open(&SlackApiViewsOpenRequest::new(trigger.into(), view))
        .await
        .unwrap();
    let view_id = opened.view.state_params.id.0.clone();
    ids.push(
        slack
            .view_submission(
                "U0ALICE",
                &view_id,
                json!({"title": {"v": {"type": "plain_text_input", "value": "DB down"}}}),
            )
            .await
            .unwrap(),
    );
    for id in &ids {
        let frame = next_json(&mut ws).await;
        assert_eq!(frame["envelope_id"], id.as_str());
        let Frame::Envelope(env) = envelope::parse(&frame.to_string()) else {
            panic!("unreadable: {frame}");
        };
        match (&env.inbound, frame["type"].as_str().unwrap()) {
            (Inbound::Interaction(i), "interactive") => match i.as_ref() {
                SlackInteractionEvent::BlockActions(a) => {
                    let action = &a.actions.as_ref().unwrap()[0];
                    assert_eq!(action.block_id.as_ref().unwrap().0, "b1");
                    assert!(a.trigger_id.0.contains('.'));
                    assert!(a.response_url.is_some());
                    assert!(a.message.is_some(), "{frame}");
                }
                SlackInteractionEvent::ViewSubmission(v) => {
                    let values = v.view.state_params.state.as_ref().unwrap();
                    assert_eq!(values.values.len(), 1);
                }
                other => panic!("{other:?}"),
            },
            (Inbound::Event(e), "events_api") => {
                assert_eq!(frame["retry_attempt"], 0);
                assert_eq!(e.team_id.0, TEAM_ID);
            }
            other => panic!("{other:?}"),
        }
        ack(&mut ws, json!({"envelope_id": id})).await;
    }
    // A bare ack to a view_submission closes the modal.
    slack.wait_ack(&ids[4], WAIT).await.unwrap();
    assert!(!slack.views()[0].open);
}

#[tokio::test]
async fn modal_actions_and_closes_parse_and_retries_stop_at_three() {
    let slack = Emulator::start().await.unwrap();
    let (mut ws, _) = connect_socket(&slack).await;
    slack.wait_for_socket(WAIT).await.unwrap();
    let view = json!({"type": "modal", "title": {"type": "plain_text", "text": "Update"}, "notify_on_close": true,
        "blocks": [{"type": "actions", "block_id": "b", "elements": [
            {"type": "button", "action_id": "more", "text": {"type": "plain_text", "text": "More"}}]}]});
    let opened = api(
        &slack,
        "views.open",
        json!({"trigger_id": slack.new_trigger(), "view": view}),
    )
    .await;
    let view_id = opened["view"]["id"].as_str().unwrap().to_owned();
    let clicked = slack
        .block_action_in_view("U0ALICE", &view_id, "more", "x")
        .await
        .unwrap();
    let closed = slack.view_closed("U0ALICE", &view_id).await.unwrap();
    for id in [&clicked, &closed] {
        let frame = next_json(&mut ws).await;
        assert_eq!(frame["envelope_id"], id.as_str());
        let Frame::Envelope(env) = envelope::parse(&frame.to_string()) else {
            panic!("unreadable: {frame}");
        };
        assert!(matches!(env.inbound, Inbound::Interaction(_)), "{frame}");
        ack(&mut ws, json!({"envelope_id": id})).await;
    }

    slack.redeliver_unacked_after(Duration::from_millis(10));
    let id = slack
        .event(json!({"type": "app_home_opened", "user": "U0ALICE"}))
        .await
        .unwrap();
    for attempt in 0..=3 {
        let frame = next_json(&mut ws).await;
        assert_eq!(frame["envelope_id"], id.as_str());
        assert_eq!(frame["retry_attempt"], attempt);
    }
    assert_eq!(slack.envelope(&id).unwrap()["retry_attempt"], 3);
}
