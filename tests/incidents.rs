//! The incident lifecycle through Slack: declare modal, card, buttons,
//! subcommands, validation, escaping, concurrency and restarts.

mod support;

use serde_json::Value;
use support::incident::{declare_form, ALICE, BOB};
use support::{TestApp, WAIT};

fn text_of(payload: &Value) -> String {
    payload["text"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn declare_opens_the_modal_then_posts_the_card_and_pages_the_engineer() {
    let mut app = TestApp::start().await;
    let ts = app.declare("Apps not served", "P1").await;
    let card = app.slack.message(&app.incident_channel(), &ts).unwrap();
    let blocks = card.blocks.to_string();
    assert!(blocks.contains("INC-1: Apps not served"), "{blocks}");
    assert!(blocks.contains("P1"), "{blocks}");
    assert!(
        blocks.contains("<!date^"),
        "times use Slack date formatting: {blocks}"
    );
    assert!(blocks.contains("incident.ack"), "{blocks}");
    app.thread_says(&ts, "please acknowledge INC-1").await;
    app.stop().await;
}

#[tokio::test]
async fn a_bad_submission_answers_errors_and_stores_nothing() {
    let mut app = TestApp::start().await;
    app.command("/incident", "declare", ALICE).await;
    let slack = app.slack.clone();
    slack
        .wait_until(WAIT, |s| !s.views().is_empty())
        .await
        .unwrap();
    let view = app.slack.views()[0].clone();
    let id = app
        .slack
        .view_submission(ALICE, &view.view_id, declare_form("  ", None, Some(ALICE)))
        .await
        .unwrap();
    let ack = app.slack.wait_ack(&id, WAIT).await.unwrap();
    let payload = ack.payload.expect("errors payload");
    assert_eq!(payload["response_action"], "errors");
    assert!(payload["errors"]["title"].is_string(), "{payload}");
    assert!(payload["errors"]["priority"].is_string(), "{payload}");
    let list = text_of(&app.command("/incident", "list", ALICE).await);
    assert!(list.contains("No open incidents"), "{list}");
    app.stop().await;
}

#[tokio::test]
async fn buttons_acknowledge_take_comms_reprioritise_and_resolve() {
    let mut app = TestApp::start().await;
    let ts = app.declare("Database slow", "P2").await;
    app.press(BOB, &ts, "incident.ack", "1").await;
    app.card_shows(&ts, "Acknowledged").await;
    app.thread_says(&ts, "acknowledged").await;
    app.press(BOB, &ts, "incident.take_comms", "1").await;
    app.thread_says(&ts, "Comms lead: <@U0BOB>").await;
    let id = app
        .slack
        .block_action_select(
            BOB,
            &app.incident_channel(),
            &ts,
            "incident.priority",
            "1:P1",
        )
        .await
        .unwrap();
    app.slack.wait_ack(&id, WAIT).await.unwrap();
    app.thread_says(&ts, "from P2 to P1").await;
    app.press(ALICE, &ts, "incident.cyber", "1").await;
    app.thread_says(&ts, "Suspected cyber security incident")
        .await;
    app.press(ALICE, &ts, "incident.resolve", "1").await;
    app.thread_says(&ts, "Resolution checklist").await;
    app.card_shows(&ts, "Resolved").await;
    // A closed incident refuses further changes, and says so.
    app.press(BOB, &ts, "incident.take_comms", "1").await;
    let (slack, channel) = (app.slack.clone(), app.incident_channel());
    slack
        .wait_until(WAIT, |s| !s.ephemerals(&channel, BOB).is_empty())
        .await
        .expect("the presser is told why");
    app.stop().await;
}

#[tokio::test]
async fn subcommands_change_the_incident_and_bad_ones_change_nothing() {
    let mut app = TestApp::start().await;
    let ts = app.declare("Logs missing", "P3").await;
    let reply = text_of(&app.command("/incident", "ack INC-1", BOB).await);
    assert!(reply.contains("INC-1"), "{reply}");
    app.command(
        "/incident",
        "update 1 Found the cause <!channel> & fixed",
        BOB,
    )
    .await;
    app.thread_says(&ts, "Found the cause &lt;!channel&gt; &amp; fixed")
        .await;
    app.command("/incident", "note INC-1 restarted the collector", BOB)
        .await;
    app.thread_says(&ts, "restarted the collector").await;
    app.command("/incident", "lead INC-1 <@U0CAROL>", BOB).await;
    app.thread_says(&ts, "Engineering lead: <@U0CAROL>").await;
    app.command("/incident", "pause INC-1", BOB).await;
    app.thread_says(&ts, "Pause and document").await;
    let show = app.command("/incident", "show INC-1", BOB).await;
    assert!(show.to_string().contains("INC-1: Logs missing"), "{show}");
    let list = text_of(&app.command("/incident", "list", BOB).await);
    assert!(list.contains("INC-1"), "{list}");
    for bad in [
        "update INC-9 hello",
        "frobnicate",
        "priority INC-1 P7",
        "update INC-1",
    ] {
        let reply = text_of(&app.command("/incident", bad, BOB).await);
        assert!(reply.contains("/incident"), "{bad}: {reply}");
    }
    app.command("/incident", "resolve INC-1 collector restarted", BOB)
        .await;
    app.thread_says(&ts, "Resolution checklist").await;
    let again = text_of(&app.command("/incident", "ack INC-1", BOB).await);
    assert!(again.to_lowercase().contains("resolved"), "{again}");
    app.command("/incident", "review INC-1 2026-12-03 14:00", BOB)
        .await;
    app.thread_says(&ts, "incident review").await;
    app.stop().await;
}

#[tokio::test]
async fn two_people_taking_the_lead_at_once_one_wins_the_other_is_told() {
    let mut app = TestApp::start().await;
    let ts = app.declare_led_by("Router flapping", "P2", None).await;
    let channel = app.incident_channel();
    let a = app
        .slack
        .block_action(BOB, &channel, &ts, "incident.take_lead", "1");
    let b = app
        .slack
        .block_action("U0CAROL", &channel, &ts, "incident.take_lead", "1");
    let (a, b) = tokio::join!(a, b);
    app.slack.wait_ack(&a.unwrap(), WAIT).await.unwrap();
    app.slack.wait_ack(&b.unwrap(), WAIT).await.unwrap();
    let slack = app.slack.clone();
    slack
        .wait_until(WAIT, |s| {
            !s.ephemerals(&channel, BOB).is_empty() || !s.ephemerals(&channel, "U0CAROL").is_empty()
        })
        .await
        .expect("the loser is told the lead is taken");
    app.thread_says(&ts, "Engineering lead:").await;
    let bob = app.slack.ephemerals(&channel, BOB);
    let carol = app.slack.ephemerals(&channel, "U0CAROL");
    // Exactly one lost, and is told who won.
    let (loser_told, winner) = match (bob.len(), carol.len()) {
        (1, 0) => (&bob[0].text, "U0CAROL"),
        (0, 1) => (&carol[0].text, BOB),
        other => panic!("expected one refusal, got {other:?}"),
    };
    assert!(loser_told.contains(&format!("<@{winner}>")), "{loser_told}");
    app.card_shows(&ts, winner).await;
    app.stop().await;
}

#[tokio::test]
async fn a_late_views_open_is_refused_and_the_person_is_told() {
    let mut app = TestApp::start().await;
    app.slack.fail_next("views.open", "expired_trigger_id");
    app.command("/incident", "declare Disk full", ALICE).await;
    let slack = app.slack.clone();
    slack
        .wait_until(WAIT, |s| !s.ephemerals("C0PAAS", ALICE).is_empty())
        .await
        .expect("the person is told the form did not open");
    app.stop().await;
}

#[tokio::test]
async fn a_restart_mid_incident_loses_nothing_and_numbers_are_not_reused() {
    let mut app = TestApp::start().await;
    let ts = app.declare("Queue backlog", "P2").await;
    app.command("/incident", "update INC-1 draining the queue", ALICE)
        .await;
    app.thread_says(&ts, "draining the queue").await;
    app.restart().await;
    let list = text_of(&app.command("/incident", "list", ALICE).await);
    assert!(
        list.contains("INC-1") && list.contains("Queue backlog"),
        "{list}"
    );
    app.command("/incident", "ack INC-1", BOB).await;
    app.card_shows(&ts, "Acknowledged").await;
    let second = app.declare("Second one", "P4").await;
    let card = app.slack.message(&app.incident_channel(), &second).unwrap();
    assert!(card.blocks.to_string().contains("INC-2: Second one"));
    app.stop().await;
}
