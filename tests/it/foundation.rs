//! The whole path Slack → bot → ack works: help for both commands within
//! Slack's 3 s window, health, reconnection after a refresh, clean shutdown.

use crate::support;

use support::{eventually, TestApp};

fn reply_text(payload: &serde_json::Value) -> String {
    assert_eq!(payload["response_type"], "ephemeral", "{payload}");
    payload["text"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn help_for_both_commands_is_acked_with_usage_inside_the_window() {
    let mut app = TestApp::start().await;
    let incident = reply_text(&app.command("/incident", "help", "U0ALICE").await);
    assert!(incident.contains("/incident declare"), "{incident}");
    let oncall = reply_text(&app.command("/oncall", "help", "U0ALICE").await);
    assert!(oncall.contains("/oncall cover"), "{oncall}");
    app.stop().await;
}

#[tokio::test]
async fn healthz_reports_connected_and_metrics_count_envelopes() {
    let mut app = TestApp::start().await;
    let (status, body) = app.get("/healthz").await;
    assert_eq!(status, 200, "{body}");
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        health,
        serde_json::json!({"db": "ok", "slack": "connected", "role": "leader"})
    );

    app.command("/oncall", "help", "U0ALICE").await;
    let (status, metrics) = app.get("/metrics").await;
    assert_eq!(status, 200);
    assert!(
        metrics.contains(r#"envelopes_received_total{type="slash_commands"} 1"#),
        "{metrics}"
    );
    assert!(metrics.contains("ack_latency_seconds_count 1"), "{metrics}");
    assert!(metrics.contains("open_incidents"), "{metrics}");
    assert!(
        metrics.contains(r#"method="apps.connections.open""#),
        "{metrics}"
    );
    app.stop().await;
}

#[tokio::test]
async fn refresh_requested_leads_to_a_new_connection_and_commands_still_work() {
    let mut app = TestApp::start().await;
    let before = app.slack.connections_opened();
    app.slack.disconnect("refresh_requested").await;
    let slack = app.slack.clone();
    eventually("a new apps.connections.open", || {
        slack.connections_opened() > before
    })
    .await;
    app.slack.wait_for_socket(support::WAIT).await.unwrap();
    let text = reply_text(&app.command("/incident", "help", "U0BOB").await);
    assert!(text.contains("/incident declare"));
    app.stop().await;
}

#[tokio::test]
async fn a_dropped_socket_is_noticed_and_replaced() {
    let mut app = TestApp::start().await;
    let before = app.slack.connections_opened();
    app.slack.drop_sockets().await;
    let slack = app.slack.clone();
    eventually("a reconnect after the drop", || {
        slack.connections_opened() > before
    })
    .await;
    app.slack.wait_for_socket(support::WAIT).await.unwrap();
    reply_text(&app.command("/oncall", "help", "U0BOB").await);
    app.stop().await;
}

#[tokio::test]
async fn shutdown_ends_every_task_and_closes_the_socket() {
    let mut app = TestApp::start().await;
    app.command("/oncall", "help", "U0ALICE").await;
    app.stop().await; // asserts the run future completed
    let slack = app.slack.clone();
    eventually("the socket to close", || slack.live_sockets() == 0).await;
    // The health port is closed.
    assert!(tokio::net::TcpStream::connect(app.health).await.is_err());
}
