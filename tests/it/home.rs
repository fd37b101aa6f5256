//! The App Home tab: published when opened, with open incidents, who is on
//! call, the viewer's shifts and a button that opens the declare modal.

use crate::support;

use serde_json::json;
use support::incident::{declare_form, ALICE};
use support::{TestApp, WAIT};

/// On the built-in in-hours rota: not this week (U0PAASEN4 is), next week.
const ENGINEER: &str = "U0PAASEN1";

async fn open_home(app: &TestApp, user: &str) -> serde_json::Value {
    let before = app.slack.home(user).map(|h| h["hash"].clone());
    let id = app
        .slack
        .event(json!({"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"}))
        .await
        .unwrap();
    let ack = app.slack.wait_ack(&id, WAIT).await.unwrap();
    assert!(ack.latency < support::ACK_WINDOW);
    let slack = app.slack.clone();
    let user = user.to_owned();
    slack
        .wait_until(WAIT, |s| {
            s.home(&user).map(|h| h["hash"].clone()) != before && s.home(&user).is_some()
        })
        .await
        .unwrap_or_else(|_| {
            let calls: Vec<_> = app
                .slack
                .calls()
                .into_iter()
                .map(|c| (c.method, c.error))
                .collect();
            panic!("the Home tab for {user} is not published; calls: {calls:?}")
        });
    app.slack.home(&user).unwrap()
}

#[tokio::test]
async fn opening_home_shows_incidents_on_call_and_your_shifts() {
    let mut app = TestApp::start().await;
    let empty = open_home(&app, ENGINEER).await;
    assert!(empty.to_string().contains("No open incidents"), "{empty}");

    app.declare("Apps <!channel> down", "P1").await;
    let home = open_home(&app, ENGINEER).await;
    let text = home.to_string();
    assert_eq!(home["type"], "home");
    assert!(home["blocks"].as_array().unwrap().len() <= 100);
    assert!(text.contains("INC-1: Apps &lt;!channel&gt; down"), "{text}");
    assert!(text.contains("Response due"), "{text}");
    assert!(text.contains("P1 Critical"), "{text}");
    // Who is on call now on every rota.
    for rota in ["in-hours", "out-of-hours", "comms", "escalation"] {
        assert!(text.contains(&format!("*{rota}*")), "{rota}: {text}");
    }
    assert!(text.contains("<@U0PAASEN4> until"), "{text}");
    // The viewer's own next shifts.
    assert!(!text.contains("You have no shifts"), "{text}");
    assert!(text.contains("home.declare"), "{text}");

    // An override the viewer takes shows as their shift, their cover now
    // and in their overrides.
    app.command(
        "/oncall",
        "cover in-hours <@U0PAASEN1> today 11:00 to today 13:00",
        ENGINEER,
    )
    .await;
    let covered = open_home(&app, ENGINEER).await.to_string();
    assert!(covered.contains("covers *in-hours*"), "{covered}");
    assert!(
        covered.contains("Mon 23 Nov 2026 11:00 GMT> to"),
        "{covered}"
    );
    app.clock
        .set(support::monday_morning() + chrono::Duration::hours(1));
    let during = open_home(&app, ENGINEER).await.to_string();
    assert!(
        during.contains("*in-hours*: <@U0PAASEN1> until"),
        "{during}"
    );

    let other = open_home(&app, "U0NOBODY").await;
    assert!(other.to_string().contains("You have no shifts"));
    app.stop().await;
}

#[tokio::test]
async fn the_declare_button_opens_the_declare_modal() {
    let mut app = TestApp::start().await;
    let home = open_home(&app, ALICE).await;
    let view_id = home["id"].as_str().unwrap().to_owned();
    let id = app
        .slack
        .block_action_in_view(ALICE, &view_id, "home.declare", "declare")
        .await
        .unwrap();
    let ack = app.slack.wait_ack(&id, WAIT).await.unwrap();
    assert!(ack.latency < support::ACK_WINDOW);
    let slack = app.slack.clone();
    slack
        .wait_until(WAIT, |s| !s.views().is_empty())
        .await
        .expect("the declare modal opens");
    let modal = app.slack.views()[0].clone();
    assert_eq!(modal.view["callback_id"], "incident.declare");
    // And it declares like the slash command's modal does.
    let id = app
        .slack
        .view_submission(
            ALICE,
            &modal.view_id,
            declare_form("From home", Some("P3"), Some(ALICE)),
        )
        .await
        .unwrap();
    assert_eq!(app.slack.wait_ack(&id, WAIT).await.unwrap().payload, None);
    let channel = app.incident_channel();
    slack
        .wait_until(WAIT, |s| !s.messages(&channel).is_empty())
        .await
        .expect("the card is posted");
    app.stop().await;
}
