//! The emulator behaves like Slack where the bot can tell: Socket Mode
//! frames, acks, reconnects, redelivery, rate limits, errors, trigger and
//! Block Kit limits, and responses slack-morphism can read.

use futures::StreamExt;
use serde_json::{json, Value};
use slack_emulator::wire::{ack, api, connect_socket, http, next_json};
use slack_emulator::{Emulator, BOT_USER_ID, TEAM_ID};
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message as WsMessage;

const WAIT: Duration = Duration::from_secs(5);

/// slack-morphism's client for the emulator's plain-http base URL, built
/// as the bot builds its own.
fn client(slack: &Emulator) -> (std::sync::Arc<SlackHyperClient>, SlackApiToken) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()
        .unwrap()
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .build();
    let connector = SlackClientHyperConnector::from(https).with_slack_api_url(&slack.api_url());
    (
        std::sync::Arc::new(SlackClient::new(connector)),
        SlackApiToken::new(SlackApiTokenValue::new(slack.bot_token())),
    )
}

fn api_error_code<T: std::fmt::Debug>(result: Result<T, SlackClientError>) -> String {
    match result {
        Err(SlackClientError::ApiError(e)) => e.code,
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn tokens_are_checked() {
    let slack = Emulator::start().await.unwrap();
    let bot = slack.bot_token();
    let (_, _, body) = http(
        &slack,
        "POST",
        "/api/apps.connections.open",
        Some(&bot),
        "application/json",
        "{}",
    )
    .await;
    assert_eq!(
        body,
        json!({"ok": false, "error": "not_allowed_token_type"})
    );
    let (_, _, body) = http(
        &slack,
        "POST",
        "/api/chat.postMessage",
        None,
        "application/json",
        r#"{"channel":"C1","text":"x"}"#,
    )
    .await;
    assert_eq!(body["error"], "invalid_auth");
    let (_, _, body) = http(
        &slack,
        "POST",
        "/api/chat.postMessage",
        Some("xoxb-wrong"),
        "application/json",
        "{}",
    )
    .await;
    assert_eq!(body["error"], "invalid_auth");
    let (_, _, body) = http(
        &slack,
        "GET",
        "/api/auth.test",
        Some(&bot),
        "text/plain",
        "",
    )
    .await;
    assert_eq!(body["user_id"], BOT_USER_ID);
    assert_eq!(body["team_id"], TEAM_ID);
    assert_eq!(slack.connections_opened(), 0);
}

#[tokio::test]
async fn view_submission_ack_with_errors_keeps_the_modal_open() {
    let slack = Emulator::start().await.unwrap();
    let (mut ws, _) = connect_socket(&slack).await;
    slack.wait_for_socket(WAIT).await.unwrap();
    let trigger = slack.new_trigger();
    let view =
        json!({"type": "modal", "title": {"type": "plain_text", "text": "Declare"}, "blocks": []});
    let opened = api(
        &slack,
        "views.open",
        json!({"trigger_id": trigger, "view": view}),
    )
    .await;
    let view_id = opened["view"]["id"].as_str().unwrap().to_owned();
    let id = slack
        .view_submission("U0ALICE", &view_id, json!({}))
        .await
        .unwrap();
    next_json(&mut ws).await;
    ack(&mut ws, json!({"envelope_id": id, "payload": {"response_action": "errors", "errors": {"title": "Too long"}}})).await;
    let acked = slack.wait_ack(&id, WAIT).await.unwrap();
    assert_eq!(acked.payload.unwrap()["response_action"], "errors");
    assert!(slack.views()[0].open);
}

#[tokio::test]
async fn refresh_requested_closes_the_socket_but_warning_does_not() {
    let slack = Emulator::start().await.unwrap();
    let (mut ws, _) = connect_socket(&slack).await;
    slack.wait_for_socket(WAIT).await.unwrap();

    slack.disconnect("warning").await;
    let warning = next_json(&mut ws).await;
    assert_eq!(warning["reason"], "warning");
    assert!(warning["debug_info"]["host"].is_string());
    assert_eq!(slack.live_sockets(), 1);

    slack.disconnect("refresh_requested").await;
    let frame = next_json(&mut ws).await;
    assert_eq!(frame["type"], "disconnect");
    assert_eq!(frame["reason"], "refresh_requested");
    assert_eq!(slack.live_sockets(), 0);
    // The emulator closes the socket without the client doing anything.
    let end = tokio::time::timeout(WAIT, ws.next())
        .await
        .expect("socket closes");
    assert!(
        matches!(end, Some(Ok(WsMessage::Close(_))) | None),
        "{end:?}"
    );
}

#[tokio::test]
async fn drop_sockets_cuts_the_connection_without_a_close_frame() {
    let slack = Emulator::start().await.unwrap();
    let (mut ws, _) = connect_socket(&slack).await;
    slack.wait_for_socket(WAIT).await.unwrap();
    slack.drop_sockets().await;
    let end = tokio::time::timeout(WAIT, ws.next())
        .await
        .expect("socket ends");
    assert!(!matches!(end, Some(Ok(WsMessage::Close(_)))), "{end:?}");
    assert!(matches!(end, None | Some(Err(_))), "{end:?}");
    slack
        .wait_until(WAIT, |s| s.live_sockets() == 0)
        .await
        .unwrap();

    // Envelopes sent while nothing is connected wait for the next socket.
    let id = slack
        .event(json!({"type": "app_home_opened", "user": "U0ALICE"}))
        .await
        .unwrap();
    let (mut ws, _) = connect_socket(&slack).await;
    assert_eq!(next_json(&mut ws).await["envelope_id"], id.as_str());
}

#[tokio::test]
async fn unacked_envelopes_are_redelivered_with_retry_attempt() {
    let slack = Emulator::start().await.unwrap();
    let (mut ws, _) = connect_socket(&slack).await;
    slack.wait_for_socket(WAIT).await.unwrap();
    slack.redeliver_unacked_after(Duration::from_millis(50));
    let id = slack
        .event(json!({"type": "app_home_opened", "user": "U0ALICE"}))
        .await
        .unwrap();
    let first = next_json(&mut ws).await;
    assert_eq!(first["retry_attempt"], 0);
    assert_eq!(first["retry_reason"], "");
    let second = next_json(&mut ws).await;
    assert_eq!(second["envelope_id"], id.as_str());
    assert_eq!(second["retry_attempt"], 1);
    assert_eq!(second["retry_reason"], "timeout");
    ack(&mut ws, json!({"envelope_id": id})).await;
    slack.wait_ack(&id, WAIT).await.unwrap();

    slack.resend(&id).await.unwrap();
    let third = next_json(&mut ws).await;
    assert_eq!(third["retry_attempt"], 2);
    assert!(slack.resend("no-such-envelope").await.is_err());
}

/// Without a pick the newest socket gets everything; with one, each
/// envelope goes to one socket or the other, and both get some.
#[tokio::test]
async fn envelopes_go_to_a_random_live_socket_once_asked() {
    let slack = Emulator::start().await.unwrap();
    let (mut first, _) = connect_socket(&slack).await;
    let (mut second, _) = connect_socket(&slack).await;
    slack
        .wait_until(WAIT, |s| s.live_sockets() == 2)
        .await
        .unwrap();
    let home = || slack.event(json!({"type": "app_home_opened", "user": "U0ALICE"}));
    let id = home().await.unwrap();
    assert_eq!(next_json(&mut second).await["envelope_id"], id.as_str());

    slack.deliver_to_random_socket(7);
    let mut sent = Vec::new();
    for _ in 0..40 {
        sent.push(home().await.unwrap());
    }
    let mut got = [Vec::new(), Vec::new()];
    for (k, ws) in [&mut first, &mut second].into_iter().enumerate() {
        while let Ok(frame) = tokio::time::timeout(Duration::from_millis(200), next_json(ws)).await
        {
            got[k].push(frame["envelope_id"].as_str().unwrap().to_owned());
        }
    }
    assert!(!got[0].is_empty() && !got[1].is_empty(), "{got:?}");
    let mut all: Vec<String> = got.concat();
    all.sort();
    sent.sort();
    assert_eq!(all, sent, "each envelope went to exactly one socket");
}

#[tokio::test]
async fn rate_limits_answer_429_with_retry_after() {
    let slack = Emulator::start().await.unwrap();
    slack.rate_limit_next("chat.postMessage", 7);
    let token = slack.bot_token();
    let (status, head, body) = http(
        &slack,
        "POST",
        "/api/chat.postMessage",
        Some(&token),
        "application/json",
        r#"{"channel":"C1","text":"x"}"#,
    )
    .await;
    assert_eq!(status, 429);
    assert!(head.contains("retry-after: 7"), "{head}");
    assert_eq!(body, json!({"ok": false, "error": "ratelimited"}));

    slack.rate_limit_next("chat.postMessage", 3);
    let (client, token) = client(&slack);
    let req = SlackApiChatPostMessageRequest::new(
        "C1".into(),
        SlackMessageContent::new().with_text("x".into()),
    );
    match client.open_session(&token).chat_post_message(&req).await {
        Err(SlackClientError::RateLimitError(e)) => {
            assert_eq!(e.retry_after, Some(Duration::from_secs(3)))
        }
        other => panic!("{other:?}"),
    }
    client
        .open_session(&token)
        .chat_post_message(&req)
        .await
        .unwrap();
    let calls = slack.calls_to("chat.postMessage");
    assert_eq!(
        calls.iter().map(|c| c.ok).collect::<Vec<_>>(),
        [false, false, true]
    );
    assert_eq!(calls[0].error.as_deref(), Some("ratelimited"));
}

#[tokio::test]
async fn scripted_and_natural_errors() {
    let slack = Emulator::start().await.unwrap();
    let (client, token) = client(&slack);
    let session = client.open_session(&token);
    let post = |channel: &str| {
        SlackApiChatPostMessageRequest::new(
            channel.into(),
            SlackMessageContent::new().with_text("hi".into()),
        )
    };
    slack.fail_next_n("chat.postMessage", "internal_error", 2);
    assert_eq!(
        api_error_code(session.chat_post_message(&post("C1")).await),
        "internal_error"
    );
    assert_eq!(
        api_error_code(session.chat_post_message(&post("C1")).await),
        "internal_error"
    );
    session.chat_post_message(&post("C1")).await.unwrap();

    // An outage lasts until lifted; a scripted blip goes first.
    slack.fail_until_recovered("chat.postMessage", "fatal_error");
    slack.fail_next("chat.postMessage", "internal_error");
    for expected in ["internal_error", "fatal_error", "fatal_error"] {
        assert_eq!(
            api_error_code(session.chat_post_message(&post("C1")).await),
            expected
        );
    }
    slack.recover("chat.postMessage");
    session.chat_post_message(&post("C1")).await.unwrap();

    slack.archive_channel("C2");
    assert_eq!(
        api_error_code(session.chat_post_message(&post("C2")).await),
        "is_archived"
    );
    slack.remove_channel("C3");
    assert_eq!(
        api_error_code(session.chat_post_message(&post("C3")).await),
        "channel_not_found"
    );
    assert_eq!(
        api_error_code(session.chat_post_message(&post("nope")).await),
        "channel_not_found"
    );

    slack.set_bot_member("C4", false);
    assert_eq!(
        api_error_code(session.chat_post_message(&post("C4")).await),
        "not_in_channel"
    );
    session
        .conversations_join(&SlackApiConversationsJoinRequest::new("C4".into()))
        .await
        .unwrap();
    session.chat_post_message(&post("C4")).await.unwrap();
    assert_eq!(slack.messages("C4").len(), 1);
    let errors: Vec<_> = slack
        .calls()
        .iter()
        .filter_map(|c| c.error.clone())
        .collect();
    assert_eq!(errors.len(), 9, "{errors:?}");
}

#[tokio::test]
async fn triggers_work_once_and_expire_after_three_seconds() {
    let slack = Emulator::start().await.unwrap();
    let (mut ws, _) = connect_socket(&slack).await;
    slack.wait_for_socket(WAIT).await.unwrap();
    let id = slack
        .slash_command("/incident", "declare", "U0ALICE", "C0PAAS")
        .await
        .unwrap();
    let trigger = next_json(&mut ws).await["payload"]["trigger_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(slack.trigger_of(&id).as_deref(), Some(trigger.as_str()));
    let view =
        json!({"type": "modal", "title": {"type": "plain_text", "text": "Declare"}, "blocks": []});

    let opened = api(
        &slack,
        "views.open",
        json!({"trigger_id": trigger, "view": view}),
    )
    .await;
    assert_eq!(opened["ok"], true, "{opened}");
    assert!(opened["view"]["hash"].is_string());
    assert_eq!(
        slack.views()[0].trigger_id.as_deref(),
        Some(trigger.as_str())
    );
    let reused = api(
        &slack,
        "views.open",
        json!({"trigger_id": trigger, "view": view}),
    )
    .await;
    assert_eq!(reused["error"], "exchanged_trigger_id");

    let late = slack.new_trigger();
    slack.expire_triggers();
    let expired = api(
        &slack,
        "views.open",
        json!({"trigger_id": late, "view": view}),
    )
    .await;
    assert_eq!(expired["error"], "expired_trigger_id");
    let unknown = api(
        &slack,
        "views.open",
        json!({"trigger_id": "1.2.3", "view": view}),
    )
    .await;
    assert_eq!(unknown["error"], "invalid_trigger_id");
    assert_eq!(slack.views().len(), 1);
}

#[tokio::test]
async fn block_kit_limits_are_enforced() {
    let slack = Emulator::start().await.unwrap();
    let section =
        |text: String| json!({"type": "section", "text": {"type": "mrkdwn", "text": text}});
    let too_many: Vec<Value> = (0..51).map(|i| section(format!("{i}"))).collect();
    let r = api(
        &slack,
        "chat.postMessage",
        json!({"channel": "C1", "blocks": too_many}),
    )
    .await;
    assert_eq!(r["error"], "invalid_blocks", "{r}");
    let fifty: Vec<Value> = (0..50).map(|i| section(format!("{i}"))).collect();
    assert_eq!(
        api(
            &slack,
            "chat.postMessage",
            json!({"channel": "C1", "blocks": fifty})
        )
        .await["ok"],
        true
    );

    let r = api(
        &slack,
        "chat.postMessage",
        json!({"channel": "C1", "blocks": [section("x".repeat(3001))]}),
    )
    .await;
    assert_eq!(r["error"], "invalid_blocks");
    assert!(
        r["errors"][0]
            .as_str()
            .unwrap()
            .contains("/blocks/0/text/text"),
        "{r}"
    );
    assert_eq!(
        api(
            &slack,
            "chat.postMessage",
            json!({"channel": "C1", "blocks": [section("x".repeat(3000))]})
        )
        .await["ok"],
        true
    );

    let header =
        json!([{"type": "header", "text": {"type": "plain_text", "text": "h".repeat(151)}}]);
    assert_eq!(
        api(
            &slack,
            "chat.postMessage",
            json!({"channel": "C1", "blocks": header})
        )
        .await["error"],
        "invalid_blocks"
    );
    let button = json!([{"type": "actions", "elements": [{"type": "button", "action_id": "a",
        "text": {"type": "plain_text", "text": "b".repeat(76)}}]}]);
    assert_eq!(
        api(
            &slack,
            "chat.postMessage",
            json!({"channel": "C1", "blocks": button})
        )
        .await["error"],
        "invalid_blocks"
    );
    let long_id = json!([{"type": "divider", "block_id": "i".repeat(256)}]);
    assert_eq!(
        api(
            &slack,
            "chat.postMessage",
            json!({"channel": "C1", "blocks": long_id})
        )
        .await["error"],
        "invalid_blocks"
    );
    let r = api(
        &slack,
        "chat.postMessage",
        json!({"channel": "C1", "text": "t".repeat(40_001)}),
    )
    .await;
    assert_eq!(r["error"], "msg_too_long");
    assert_eq!(
        api(&slack, "chat.postMessage", json!({"channel": "C1"})).await["error"],
        "no_text"
    );

    let title = json!({"type": "modal", "title": {"type": "plain_text", "text": "t".repeat(25)}, "blocks": []});
    let r = api(
        &slack,
        "views.open",
        json!({"trigger_id": slack.new_trigger(), "view": title}),
    )
    .await;
    assert_eq!(r["error"], "invalid_arguments");
    assert!(
        r["response_metadata"]["messages"][0]
            .as_str()
            .unwrap()
            .contains("/view/title/text"),
        "{r}"
    );
    let many: Vec<Value> = (0..101).map(|_| json!({"type": "divider"})).collect();
    let home = json!({"type": "home", "blocks": many});
    assert_eq!(
        api(
            &slack,
            "views.publish",
            json!({"user_id": "U0ALICE", "view": home})
        )
        .await["error"],
        "invalid_arguments"
    );
    assert!(slack.home("U0ALICE").is_none());
}

#[tokio::test]
async fn topics_are_limited_to_250_characters_and_read_back() {
    let slack = Emulator::start().await.unwrap();
    let (client, token) = client(&slack);
    let session = client.open_session(&token);
    let long = SlackApiConversationsSetTopicRequest::new("C0PAAS".into(), "x".repeat(251));
    assert_eq!(
        api_error_code(session.conversations_set_topic(&long).await),
        "too_long"
    );
    let topic = format!("On call: <@U0ALICE> {}", "é".repeat(200));
    session
        .conversations_set_topic(&SlackApiConversationsSetTopicRequest::new(
            "C0PAAS".into(),
            topic.clone(),
        ))
        .await
        .unwrap();
    assert_eq!(slack.topic("C0PAAS"), topic);
    let info = session
        .conversations_info(&SlackApiConversationsInfoRequest::new("C0PAAS".into()))
        .await
        .unwrap();
    let shown = info.channel.topic.unwrap();
    assert_eq!(shown.value, topic);
    assert_eq!(shown.creator.unwrap().0, BOT_USER_ID);
    assert_eq!(slack.calls_to("conversations.setTopic").len(), 2);

    slack.set_topic_by_person("C0PAAS", "hands off");
    let info = session
        .conversations_info(&SlackApiConversationsInfoRequest::new("C0PAAS".into()))
        .await
        .unwrap();
    let shown = info.channel.topic.unwrap();
    assert_eq!(shown.value, "hands off");
    assert_ne!(shown.creator.unwrap().0, BOT_USER_ID);
}

#[tokio::test]
async fn typed_web_api_responses_deserialise() {
    let slack = Emulator::start().await.unwrap();
    slack.add_user("U0ALICE", "alice", "America/New_York");
    let (client, token) = client(&slack);
    let session = client.open_session(&token);
    let content = SlackMessageContent::new().with_text("INC-1 declared".into());
    let posted = session
        .chat_post_message(&SlackApiChatPostMessageRequest::new(
            "C0PAAS".into(),
            content.clone(),
        ))
        .await
        .unwrap();
    assert_eq!(posted.channel.0, "C0PAAS");
    assert_eq!(posted.message.origin.ts, posted.ts);

    let mut reply = SlackApiChatPostMessageRequest::new("C0PAAS".into(), content.clone());
    reply.thread_ts = Some(posted.ts.clone());
    let reply = session.chat_post_message(&reply).await.unwrap();
    assert!(reply.ts.0 > posted.ts.0, "ts increase");
    assert_eq!(slack.thread("C0PAAS", &posted.ts.0).len(), 1);
    assert_eq!(slack.messages("C0PAAS").len(), 1);

    let edit = SlackMessageContent::new().with_text("INC-1 resolved".into());
    session
        .chat_update(&SlackApiChatUpdateRequest::new(
            "C0PAAS".into(),
            edit,
            posted.ts.clone(),
        ))
        .await
        .unwrap();
    let stored = slack.message("C0PAAS", &posted.ts.0).unwrap();
    assert!(stored.edited);
    assert_eq!(stored.text, "INC-1 resolved");

    session
        .chat_post_ephemeral(&SlackApiChatPostEphemeralRequest::new(
            "C0PAAS".into(),
            "U0ALICE".into(),
            content.clone(),
        ))
        .await
        .unwrap();
    assert_eq!(slack.ephemerals("C0PAAS", "U0ALICE").len(), 1);
    let link = session
        .chat_get_permalink(&SlackApiChatGetPermalinkRequest::new(
            "C0PAAS".into(),
            posted.ts.clone(),
        ))
        .await
        .unwrap();
    assert!(link.permalink.to_string().contains("/archives/C0PAAS/p"));

    let dm = session
        .chat_post_message(&SlackApiChatPostMessageRequest::new(
            "U0ALICE".into(),
            content,
        ))
        .await
        .unwrap();
    assert!(dm.channel.0.starts_with('D'));
    assert_eq!(slack.dms("U0ALICE").len(), 1);

    let user = session
        .users_info(&SlackApiUsersInfoRequest::new("U0ALICE".into()))
        .await
        .unwrap();
    assert_eq!(user.user.tz.as_deref(), Some("America/New_York"));
    let auth = session.auth_test().await.unwrap();
    assert_eq!(auth.user_id.0, BOT_USER_ID);

    let home: SlackView = serde_json::from_value(json!({"type": "home", "blocks": []})).unwrap();
    session
        .views_publish(&SlackApiViewsPublishRequest::new("U0ALICE".into(), home))
        .await
        .unwrap();
    assert!(slack.home("U0ALICE").is_some());
    session
        .reactions_add(&SlackApiReactionsAddRequest::new(
            "C0PAAS".into(),
            SlackReactionName("eyes".into()),
            posted.ts.clone(),
        ))
        .await
        .unwrap();
    slack.react_as_person("C0PAAS", &posted.ts.0, "U0BOB", "eyes", true);
    let reacted = session
        .conversations_history(
            &SlackApiConversationsHistoryRequest::new()
                .with_channel("C0PAAS".into())
                .with_latest(posted.ts.clone())
                .with_inclusive(true)
                .with_limit(1),
        )
        .await
        .unwrap();
    let reactions = reacted.messages[0].content.reactions.clone().unwrap();
    assert_eq!(reactions.len(), 1);
    assert_eq!(reactions[0].name.0, "eyes");
    assert_eq!(reactions[0].count, 2);
    let users: Vec<_> = reactions[0].users.iter().map(|u| u.0.as_str()).collect();
    assert_eq!(users, [BOT_USER_ID, "U0BOB"]);
}

#[tokio::test]
async fn form_query_and_malformed_requests() {
    let slack = Emulator::start().await.unwrap();
    let token = slack.bot_token();
    let form = "channel=C1&text=hello&blocks=%5B%7B%22type%22%3A%22divider%22%7D%5D";
    let (_, _, body) = http(
        &slack,
        "POST",
        "/api/chat.postMessage",
        Some(&token),
        "application/x-www-form-urlencoded",
        form,
    )
    .await;
    assert_eq!(body["ok"], true, "{body}");
    assert_eq!(slack.messages("C1")[0].blocks, json!([{"type": "divider"}]));
    let (_, _, body) = http(
        &slack,
        "GET",
        "/api/conversations.info?channel=C1",
        Some(&token),
        "text/plain",
        "",
    )
    .await;
    assert_eq!(body["channel"]["id"], "C1");
    let (status, _, body) = http(
        &slack,
        "POST",
        "/api/chat.postMessage",
        Some(&token),
        "application/json",
        "{not json",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["error"], "invalid_arguments");
    let (_, _, body) = http(
        &slack,
        "POST",
        "/api//chat.postMessage",
        Some(&token),
        "application/json",
        r#"{"channel":"C1","text":"x"}"#,
    )
    .await;
    assert_eq!(
        body["ok"], true,
        "a trailing slash on the base URL still works"
    );

    let (_, _, group) = http(
        &slack,
        "POST",
        "/api/usergroups.users.update",
        Some(&token),
        "application/json",
        r#"{"usergroup":"S0ONCALL","users":"U0ALICE,U0BOB"}"#,
    )
    .await;
    assert_eq!(group["usergroup"]["users"], json!(["U0ALICE", "U0BOB"]));
    assert_eq!(slack.usergroup_members("S0ONCALL"), ["U0ALICE", "U0BOB"]);

    let (_, _, url) = http(
        &slack,
        "POST",
        "/api/files.getUploadURLExternal",
        Some(&token),
        "application/x-www-form-urlencoded",
        "filename=report.md&length=5",
    )
    .await;
    let upload = url["upload_url"].as_str().unwrap();
    let path = upload.split_once(&format!("{}", slack.port())).unwrap().1;
    http(
        &slack,
        "POST",
        path,
        None,
        "application/octet-stream",
        "# INC",
    )
    .await;
    let done = api(
        &slack,
        "files.completeUploadExternal",
        json!({"files": [{"id": url["file_id"], "title": "Report"}], "channel_id": "C1"}),
    )
    .await;
    assert_eq!(done["ok"], true, "{done}");
    let files = slack.files();
    assert_eq!(
        (files[0].content.as_slice(), files[0].title.as_str()),
        (b"# INC".as_slice(), "Report")
    );
    assert_eq!(files[0].channels, ["C1"]);
}

#[tokio::test]
async fn message_metadata_is_kept_and_read_back_only_when_asked_for() {
    let slack = Emulator::start().await.unwrap();
    let metadata = json!({"event_type": "outbox_message", "event_payload": {"row": "7"}});
    let posted = api(
        &slack,
        "chat.postMessage",
        json!({"channel": "C1", "text": "hello", "metadata": metadata}),
    )
    .await;
    let ts = posted["ts"].as_str().unwrap().to_owned();
    let reply = api(
        &slack,
        "chat.postMessage",
        json!({"channel": "C1", "text": "in thread", "thread_ts": ts, "metadata": metadata}),
    )
    .await;
    assert_eq!(reply["ok"], true);
    let plain = api(&slack, "conversations.history", json!({"channel": "C1"})).await;
    assert!(plain["messages"][0].get("metadata").is_none());
    let asked = json!({"channel": "C1", "include_all_metadata": true});
    let history = api(&slack, "conversations.history", asked).await;
    assert_eq!(history["messages"][0]["metadata"], metadata);
    let replies = api(
        &slack,
        "conversations.replies",
        json!({"channel": "C1", "ts": ts, "include_all_metadata": "true"}),
    )
    .await;
    assert_eq!(replies["messages"][1]["metadata"], metadata);
    // Slack insists on an event_type.
    let bad = api(
        &slack,
        "chat.postMessage",
        json!({"channel": "C1", "text": "x", "metadata": {"event_payload": {}}}),
    )
    .await;
    assert_eq!(bad["error"], "invalid_metadata_schema");
    // conversations.open takes users as a JSON array or a string.
    for users in [json!(["U0ALICE"]), json!("U0ALICE")] {
        let open = api(&slack, "conversations.open", json!({"users": users})).await;
        assert_eq!(open["channel"]["id"], "D0ALICE", "{users}");
    }
}

#[tokio::test]
async fn a_lost_response_still_takes_effect() {
    let slack = Emulator::start().await.unwrap();
    slack.lose_response_next("chat.postMessage");
    let (status, _, body) = http(
        &slack,
        "POST",
        "/api/chat.postMessage",
        Some(&slack.bot_token()),
        "application/json; charset=utf-8",
        &json!({"channel": "C1", "text": "hello"}).to_string(),
    )
    .await;
    assert_eq!((status, body), (502, Value::Null));
    assert_eq!(slack.messages("C1").len(), 1);
    assert_eq!(
        slack.calls_to("chat.postMessage")[0].error.as_deref(),
        Some("response_lost")
    );
}

#[tokio::test]
async fn history_and_replies_page_with_cursors() {
    let slack = Emulator::start().await.unwrap();
    let first = api(
        &slack,
        "chat.postMessage",
        json!({"channel": "C1", "text": "m0"}),
    )
    .await;
    let parent = first["ts"].as_str().unwrap().to_owned();
    for i in 1..5 {
        api(
            &slack,
            "chat.postMessage",
            json!({"channel": "C1", "text": format!("m{i}")}),
        )
        .await;
        let reply = json!({"channel": "C1", "text": format!("r{i}"), "thread_ts": parent});
        api(&slack, "chat.postMessage", reply).await;
    }
    for (method, extra, want) in [
        (
            "conversations.history",
            json!({}),
            ["m4", "m3", "m2", "m1", "m0"],
        ),
        (
            "conversations.replies",
            json!({"ts": parent}),
            ["m0", "r1", "r2", "r3", "r4"],
        ),
    ] {
        let mut seen = Vec::new();
        let mut cursor = String::new();
        loop {
            let mut req = json!({"channel": "C1", "limit": 2, "cursor": cursor});
            for (k, v) in extra.as_object().unwrap() {
                req[k] = v.clone();
            }
            let page = api(&slack, method, req).await;
            for m in page["messages"].as_array().unwrap() {
                seen.push(m["text"].as_str().unwrap().to_owned());
            }
            cursor = page["response_metadata"]["next_cursor"]
                .as_str()
                .unwrap()
                .to_owned();
            assert_eq!(page["has_more"], !cursor.is_empty());
            if cursor.is_empty() {
                break;
            }
        }
        assert_eq!(seen, want, "{method}");
    }
}
