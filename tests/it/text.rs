//! SPEC §2.6: text reads back as it was typed. The emulator encodes what
//! people type as Slack does (`&amp;`, `&lt;`, `&gt;`, picked people as
//! `<@U…|name>`); the bot decodes once, escapes once, keeps mentions,
//! neutralises broadcasts, splits what is long and keeps replies within
//! Slack's limits.

use crate::support;

use chrono::Duration;
use paas_incident_bot::ids::{IncidentNumber, UserId};
use paas_incident_bot::incident::{declare, Declaration, EventKind, Title};
use paas_incident_bot::priority::Priority;
use paas_incident_bot::store;
use serde_json::{json, Value};
use support::incident::{ALICE, BOB};
use support::{monday_morning, TestApp, WAIT};

fn text_of(payload: &Value) -> String {
    payload["text"].as_str().unwrap_or_default().to_owned()
}

/// Every message and reply the bot wrote in the incident channel.
fn everything_said(app: &TestApp, card: &str) -> Vec<String> {
    let channel = app.incident_channel();
    let mut all: Vec<String> = app
        .slack
        .thread(&channel, card)
        .into_iter()
        .map(|m| m.text)
        .collect();
    all.extend(
        app.slack
            .messages(&channel)
            .into_iter()
            .map(|m| m.text + &m.blocks.to_string()),
    );
    all
}

/// Slack notifies a whole channel or group only through this markup.
fn broadcasts(text: &str) -> bool {
    ["<!here", "<!channel", "<!everyone", "<!subteam"]
        .iter()
        .any(|b| text.contains(b))
}

#[tokio::test]
async fn an_update_with_ampersands_and_brackets_reads_back_as_typed() {
    let mut app = TestApp::start().await;
    let card = app.declare("Database slow", "P2").await;
    app.command(
        "/incident",
        "update INC-1 DB & cache down; errors > 5%",
        BOB,
    )
    .await;
    // Escaped exactly once: Slack shows "DB & cache down; errors > 5%".
    app.thread_says(&card, "DB &amp; cache down; errors &gt; 5%")
        .await;
    assert!(everything_said(&app, &card)
        .iter()
        .all(|t| !t.contains("&amp;amp;") && !t.contains("&amp;gt;")));
    let db = store::open(&app.db_url).await.unwrap();
    let timeline = store::incidents::timeline(&db, IncidentNumber(1))
        .await
        .unwrap();
    let update = timeline
        .iter()
        .find(|e| e.kind == EventKind::Update)
        .unwrap();
    assert_eq!(update.text.as_deref(), Some("DB & cache down; errors > 5%"));
    db.close().await;
    app.stop().await;
}

#[tokio::test]
async fn declare_prefills_the_title_as_typed() {
    let mut app = TestApp::start().await;
    app.command("/incident", "declare Disk > 90% & rising", ALICE)
        .await;
    let slack = app.slack.clone();
    slack
        .wait_until(WAIT, |s| !s.views().is_empty())
        .await
        .unwrap();
    let view = &app.slack.views()[0].view;
    assert_eq!(
        view["blocks"][0]["element"]["initial_value"],
        "Disk > 90% & rising"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_picked_person_stays_a_mention_and_broadcasts_ping_nobody() {
    let mut app = TestApp::start().await;
    let card = app.declare("Router down", "P2").await;
    app.command(
        "/incident",
        "update INC-1 handed to <@U0BOB|bob>; <!here> <!channel> <!everyone> <!subteam^S0SRE|@sre> stand by",
        ALICE,
    )
    .await;
    app.thread_says(
        &card,
        "handed to <@U0BOB>; @here @channel @everyone @sre stand by",
    )
    .await;
    let said = everything_said(&app, &card);
    assert!(
        said.iter().all(|t| !t.contains("<@U0BOB|bob>")),
        "raw markup shown"
    );
    assert!(said.iter().all(|t| !broadcasts(t)), "{said:#?}");
    app.stop().await;
}

#[tokio::test]
async fn a_3490_character_update_arrives_whole() {
    let mut app = TestApp::start().await;
    let card = app.declare("Long story", "P2").await;
    let mut update: String = (0..69)
        .map(|i| format!("step {i:02}: {}\n", "x".repeat(40)))
        .collect();
    update.push_str("LAST LINE: all routers back and serving.");
    assert_eq!(update.chars().count(), 3490);
    app.command("/incident", &format!("update INC-1 {update}"), ALICE)
        .await;
    app.thread_says(&card, "LAST LINE: all routers back and serving.")
        .await;
    let channel = app.incident_channel();
    let reply = app
        .slack
        .thread(&channel, &card)
        .into_iter()
        .find(|m| m.text.contains("*Update*"))
        .unwrap();
    assert!(reply.text.ends_with(&update), "the whole update, uncut");
    assert!(!reply.text.contains('…'));
    app.stop().await;
}

#[tokio::test]
async fn a_very_long_update_is_split_across_messages_not_cut() {
    let mut app = TestApp::start().await;
    let card = app.declare("Longer story", "P2").await;
    let words: Vec<String> = (0..2000).map(|i| format!("w{i:04}")).collect();
    let update = words.join(" ");
    app.command("/incident", &format!("update INC-1 {update}"), ALICE)
        .await;
    app.thread_says(&card, "w1999").await;
    let channel = app.incident_channel();
    let pieces: Vec<String> = app
        .slack
        .thread(&channel, &card)
        .into_iter()
        .map(|m| m.text)
        .skip_while(|t| !t.contains("*Update*"))
        .collect();
    assert!(pieces.len() >= 3, "{}", pieces.len());
    assert!(pieces.iter().all(|p| p.chars().count() <= 4000));
    let joined = pieces
        .iter()
        .map(|p| p.trim_start_matches("_(continued)_\n"))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(joined.ends_with(&update), "every word, in order");
    app.stop().await;
}

#[tokio::test]
async fn thread_replies_join_the_timeline_decoded() {
    let mut app = TestApp::start().await;
    let card = app.declare("Router down", "P1").await;
    app.thread_says(&card, "please acknowledge INC-1").await;
    let channel = app.incident_channel();
    let ts = format!(
        "{}.000100",
        (monday_morning() + Duration::minutes(2)).timestamp()
    );
    let typed = "DB & cache <@U0ALICE|alice> <!here>";
    app.slack
        .post_as_person_at(&channel, Some(&card), BOB, typed, &ts);
    app.slack
        .event(
            json!({"type": "message", "channel": channel, "channel_type": "channel",
                      "user": BOB, "text": typed, "ts": ts, "thread_ts": card}),
        )
        .await
        .unwrap();
    let db = store::open(&app.db_url).await.unwrap();
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let rows = store::incidents::timeline(&db, IncidentNumber(1))
            .await
            .unwrap();
        if let Some(m) = rows.iter().find(|e| e.kind == EventKind::Message) {
            assert_eq!(m.text.as_deref(), Some("DB & cache <@U0ALICE> @here"));
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "never captured");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    db.close().await;
    app.stop().await;
}

#[tokio::test]
async fn the_report_code_block_survives_backticks_and_markdown() {
    let mut app = TestApp::start().await;
    let card = app.declare("Odd text", "P3").await;
    app.command(
        "/incident",
        "update INC-1 ``` # Heading <b>x</b> [link](https://evil.example) | cell",
        ALICE,
    )
    .await;
    app.command("/incident", "report INC-1", ALICE).await;
    app.thread_says(&card, "Incident report").await;
    let channel = app.incident_channel();
    let pieces: Vec<String> = app
        .slack
        .thread(&channel, &card)
        .into_iter()
        .map(|m| m.text)
        .filter(|t| t.starts_with("Incident report") || t.starts_with("```\n"))
        .collect();
    assert!(!pieces.is_empty());
    for piece in &pieces {
        assert_eq!(piece.matches("```").count(), 2, "{piece}");
        assert!(piece.trim_end().ends_with("```"));
    }
    let all = pieces.join("\n");
    assert!(
        all.contains(
            r"\`\`\` # Heading \&lt;b\&gt;x\&lt;/b\&gt; \[link\](https\[:\]//evil.example) \| cell"
        ),
        "{all}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_40_kb_paste_is_echoed_as_a_short_excerpt() {
    let mut app = TestApp::start().await;
    let pasted = "x".repeat(40_000);
    let reply = text_of(
        &app.command("/incident", &format!("show {pasted}"), ALICE)
            .await,
    );
    assert!(reply.contains("is not an incident number"), "{reply:.200}");
    assert!(reply.len() < 3000, "{} bytes", reply.len());
    let reply = text_of(&app.command("/oncall", &format!("at {pasted}"), ALICE).await);
    assert!(reply.len() < 3000, "{} bytes", reply.len());
    app.stop().await;
}

#[tokio::test]
async fn a_thousand_open_incidents_list_within_one_message() {
    let mut app = TestApp::start().await;
    app.stop().await;
    let db = store::open(&app.db_url).await.unwrap();
    let mut tx = db.begin().await.unwrap();
    for i in 0..1000 {
        let declaration = Declaration {
            title: Title::parse(&format!(
                "Incident number {i} with a fairly long title to fill the line"
            ))
            .unwrap(),
            description: String::new(),
            priority: Priority::P3,
            cyber: false,
            engineering_lead: None,
            comms_lead: None,
            declared_by: UserId::parse(ALICE).unwrap(),
        };
        let (incident, _) = declare(declaration, IncidentNumber(0), monday_morning());
        store::incidents::insert(&mut tx, &incident).await.unwrap();
    }
    tx.commit().await.unwrap();
    db.close().await;
    app.boot().await;
    // The support asserts Slack would show it (text ≤ 40,000; here ≤ 4,000).
    let list = text_of(&app.command("/incident", "list", ALICE).await);
    assert!(list.chars().count() <= 4000, "{}", list.chars().count());
    assert!(list.contains("more open incidents"), "{list}");
    app.stop().await;
}

#[tokio::test]
async fn three_thousand_overrides_list_within_one_message() {
    let mut app = TestApp::start().await;
    app.stop().await;
    let db = store::open(&app.db_url).await.unwrap();
    let mut tx = db.begin().await.unwrap();
    let (bob, alice) = (UserId::parse(BOB).unwrap(), UserId::parse(ALICE).unwrap());
    for i in 0..3000 {
        let from = monday_morning() + Duration::hours(i + 1);
        let new = store::overrides::NewOverride {
            rota: "in-hours",
            user: &bob,
            covered: None,
            from,
            to: from + Duration::minutes(30),
            created_by: &alice,
        };
        store::overrides::create(&mut tx, new, monday_morning())
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    db.close().await;
    app.boot().await;
    let list = text_of(&app.command("/oncall", "overrides", ALICE).await);
    assert!(list.chars().count() <= 4000, "{}", list.chars().count());
    assert!(
        list.starts_with("OVR-1 in-hours"),
        "soonest first: {list:.100}"
    );
    assert!(list.contains("more, later"), "{list}");
    app.stop().await;
}
