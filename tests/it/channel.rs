//! An archived or missing incident channel: said loudly at start, and a
//! declared incident whose card Slack refuses is told by DM to whoever
//! declared it and to the engineering cover, so it is not lost in silence.

use crate::support;

use support::incident::{declare_form, ALICE};
use support::{eventually, TestApp, WAIT};

/// The built-in policy's in-hours engineering rota.
const ENGINEERS: [&str; 4] = ["U0PAASEN1", "U0PAASEN2", "U0PAASEN3", "U0PAASEN4"];

/// Declares through the modal without waiting for a card (there is none).
async fn declare_unseen(app: &TestApp, title: &str) {
    let before = app.slack.views().len();
    app.command("/incident", &format!("declare {title}"), ALICE)
        .await;
    app.slack
        .wait_until(WAIT, |s| s.views().len() > before)
        .await
        .expect("the declare modal opens");
    let view = app.slack.views().last().cloned().unwrap();
    let id = app
        .slack
        .view_submission(ALICE, &view.view_id, declare_form(title, Some("P1"), None))
        .await
        .unwrap();
    let ack = app.slack.wait_ack(&id, WAIT).await.unwrap();
    assert_eq!(ack.payload, None, "the modal closes");
}

#[tokio::test]
async fn an_archived_incident_channel_is_reported_at_start() {
    let logs = support::logs::capture("error");
    let mut app = TestApp::start().await;
    app.stop().await;
    let channel = app.incident_channel();
    app.slack.archive_channel(&channel);
    app.boot().await;
    eventually("the error line", || {
        logs.text()
            .lines()
            .any(|l| l.contains("ERROR") && l.contains(&channel) && l.contains("archived"))
    })
    .await;
    let (_, metrics) = app.get("/metrics").await;
    assert!(
        metrics.contains("paas_incident_bot_incident_channel_usable 0"),
        "{metrics}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_usable_incident_channel_says_so_in_the_metrics() {
    let mut app = TestApp::start().await;
    eventually("the check", || {
        app.slack.count_calls("conversations.info", |_| true) > 0
    })
    .await;
    let mut metrics = String::new();
    for _ in 0..100 {
        metrics = app.get("/metrics").await.1;
        if metrics.contains("incident_channel_usable 1") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(metrics.contains("incident_channel_usable 1"), "{metrics}");
    app.stop().await;
}

#[tokio::test]
async fn a_card_refused_by_an_archived_channel_is_told_to_the_declarer_and_the_cover() {
    let mut app = TestApp::start().await;
    let channel = app.incident_channel();
    app.slack.archive_channel(&channel);
    declare_unseen(&app, "Vault sealed 4417").await;
    let slack = app.slack.clone();
    // Alice is an admin too, and is also told of the refused channel.
    let told = || {
        slack
            .dms(ALICE)
            .into_iter()
            .find(|m| m.text.contains("INC-1"))
            .map(|m| m.text)
    };
    eventually("the declarer told", || told().is_some()).await;
    let told = told().unwrap();
    assert!(told.contains("Vault sealed 4417"), "{told}");
    assert!(told.contains("is_archived"), "{told}");
    eventually("the engineering cover paged", || {
        ENGINEERS.iter().any(|e| {
            slack
                .dms(e)
                .iter()
                .any(|m| m.text.contains("INC-1") && m.text.contains("Vault sealed 4417"))
        })
    })
    .await;
    assert!(app.slack.messages(&channel).is_empty());
    app.stop().await;
}

#[tokio::test]
async fn a_card_refused_by_a_missing_channel_is_told_to_the_declarer() {
    let mut app = TestApp::start().await;
    let channel = app.incident_channel();
    app.slack.remove_channel(&channel);
    declare_unseen(&app, "Disk full").await;
    let slack = app.slack.clone();
    eventually("the declarer told", || {
        slack
            .dms(ALICE)
            .iter()
            .any(|m| m.text.contains("INC-1") && m.text.contains("channel_not_found"))
    })
    .await;
    app.stop().await;
}
