//! The incident lifecycle through Slack: declare modal, card, buttons,
//! subcommands, validation, escaping, concurrency and restarts.

use crate::support;

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
    // Slack sends `<!channel>` as markup and `&` as `&amp;`: read back as
    // typed, escaped once, the broadcast as a word that pings nobody.
    app.thread_says(&ts, "Found the cause @channel &amp; fixed")
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

#[tokio::test]
async fn post_update_opens_a_modal_whose_submission_is_the_update() {
    let mut app = TestApp::start().await;
    let ts = app.declare("Router flapping", "P2").await;
    let views_before = app.slack.views().len();
    app.press(BOB, &ts, "incident.post_update", "1").await;
    let slack = app.slack.clone();
    slack
        .wait_until(WAIT, |s| s.views().len() > views_before)
        .await
        .expect("the update modal opens");
    let view = app.slack.views().last().cloned().unwrap();
    assert!(
        view.view.to_string().contains("incident.update"),
        "{}",
        view.view
    );
    // An empty update keeps the modal open with an error.
    let empty =
        serde_json::json!({"update": {"update": {"type": "plain_text_input", "value": " "}}});
    let id = app
        .slack
        .view_submission(BOB, &view.view_id, empty)
        .await
        .unwrap();
    let ack = app.slack.wait_ack(&id, WAIT).await.unwrap();
    assert_eq!(ack.payload.unwrap()["response_action"], "errors");
    let update = serde_json::json!({"update": {"update": {"type": "plain_text_input",
        "value": "Rolled back the router config"}}});
    let id = app
        .slack
        .view_submission(BOB, &view.view_id, update)
        .await
        .unwrap();
    assert_eq!(app.slack.wait_ack(&id, WAIT).await.unwrap().payload, None);
    app.thread_says(&ts, "Rolled back the router config").await;
    app.stop().await;
}

#[tokio::test]
async fn not_an_incident_closes_without_the_resolution_checklist() {
    let mut app = TestApp::start().await;
    let ts = app.declare("Smoke test blip", "P4").await;
    app.press(BOB, &ts, "incident.not_incident", "1").await;
    app.thread_says(&ts, "not an incident").await;
    app.card_shows(&ts, "Not an incident").await;
    assert_eq!(app.thread_count(&ts, "Resolution checklist"), 0);
    app.stop().await;
}

#[tokio::test]
async fn titles_and_updates_cannot_ping_or_link() {
    let mut app = TestApp::start().await;
    let ts = app.declare("<!channel> <@U0BOB> & friends", "P3").await;
    let card = app.slack.message(&app.incident_channel(), &ts).unwrap();
    // The fallback text is mrkdwn: escaped. The header is plain text, which
    // Slack never turns into mentions.
    assert!(
        card.text
            .contains("&lt;!channel&gt; &lt;@U0BOB&gt; &amp; friends"),
        "{}",
        card.text
    );
    assert!(!card.text.contains("<!channel>"));
    let list = text_of(&app.command("/incident", "list", ALICE).await);
    assert!(list.contains("&lt;!channel&gt;"), "{list}");
    assert!(!list.contains("<!channel>"), "{list}");
    app.command(
        "/incident",
        "note INC-1 ping <!here> and <https://evil.example|click>",
        ALICE,
    )
    .await;
    // The broadcast is a word; the link shows where it points.
    app.thread_says(&ts, "ping @here and click (https://evil.example)")
        .await;
    app.stop().await;
}

#[tokio::test]
async fn priority_comms_cyber_and_not_incident_subcommands() {
    let mut app = TestApp::start().await;
    let ts = app.declare("Elevated errors", "P3").await;
    app.command("/incident", "priority INC-1 P2 errors spreading", ALICE)
        .await;
    app.thread_says(&ts, "from P3 to P2. Reason: errors spreading")
        .await;
    app.command("/incident", "comms 1 <@U0CAROL>", ALICE).await;
    app.thread_says(&ts, "Comms lead: <@U0CAROL>").await;
    app.command("/incident", "cyber INC-1", ALICE).await;
    app.thread_says(&ts, "Suspected cyber security incident")
        .await;
    app.card_shows(&ts, "cyber security incident").await;
    app.command("/incident", "not-incident INC-1 test traffic", ALICE)
        .await;
    app.thread_says(&ts, "Why: test traffic").await;
    let refused = text_of(&app.command("/incident", "update INC-1 more", ALICE).await);
    assert!(refused.contains("INC-1"), "{refused}");
    app.stop().await;
}

#[tokio::test]
async fn the_declare_modal_offers_the_policys_priorities_and_triage_questions() {
    let mut app = TestApp::start().await;
    app.command("/incident", "declare Apps down in London", ALICE)
        .await;
    let slack = app.slack.clone();
    slack
        .wait_until(WAIT, |s| !s.views().is_empty())
        .await
        .unwrap();
    let view = app.slack.views()[0].clone();
    let json = view.view.to_string();
    for needle in [
        "Apps down in London",
        "P1 Critical",
        "Apps no longer being served",
        "P4 Minor",
        "Triage",
        "Suspected cyber security incident",
        "users_select",
        ALICE,
    ] {
        assert!(json.contains(needle), "{needle} missing from {json}");
    }
    let long = "x".repeat(151);
    let id = app
        .slack
        .view_submission(
            ALICE,
            &view.view_id,
            declare_form(&long, Some("P2"), Some(ALICE)),
        )
        .await
        .unwrap();
    let payload = app
        .slack
        .wait_ack(&id, WAIT)
        .await
        .unwrap()
        .payload
        .unwrap();
    assert!(payload["errors"]["title"].is_string(), "{payload}");
    app.stop().await;
}
