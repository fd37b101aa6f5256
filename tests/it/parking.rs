//! A destination Slack will not take must not hold up the rest of the
//! outbox: it is skipped (refused for good) or parked (failing for now),
//! reported once, and every other card, page and DM keeps flowing.

use crate::support;

use paas_incident_bot::store;
use std::time::{Duration, Instant};
use support::TestApp;

/// A private channel the bot was removed from: it cannot join it back.
const GONE: &str = "G0GONE";
/// The built-in policy's admin.
const ADMIN: &str = "U0PAASDM1";

#[tokio::test]
async fn two_hundred_posts_to_a_channel_the_bot_was_removed_from_hold_up_no_card() {
    let logs = support::logs::capture("info");
    let mut app = TestApp::start().await;
    app.stop().await;
    let db = store::open(&app.db_url).await.unwrap();
    for n in 0..200 {
        let payload = serde_json::json!({
            "type": "post", "channel": GONE, "thread": null, "card_of": null,
            "content": {"text": format!("announcement {n}")},
        });
        sqlx::query("INSERT INTO outbox (created_at, kind, payload) VALUES ($1, 'post', $2)")
            .bind("2026-11-23T09:59:00.000000Z")
            .bind(payload.to_string())
            .execute(&db)
            .await
            .unwrap();
    }
    db.close().await;
    app.slack.set_bot_member(GONE, false);
    app.boot().await;

    let started = Instant::now();
    app.declare("Router down", "P2").await; // returns once the card is up
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the card took {:?}",
        started.elapsed()
    );
    // Reported once: one log line, one DM to the admin, naming the channel.
    let slack = app.slack.clone();
    support::eventually("the admin told", || !slack.dms(ADMIN).is_empty()).await;
    let dms = app.slack.dms(ADMIN);
    assert_eq!(dms.len(), 1, "{dms:?}");
    assert!(dms[0].text.contains(GONE), "{}", dms[0].text);
    let reported = logs
        .text()
        .lines()
        .filter(|l| l.contains("refused") && l.contains(&format!("channel:{GONE}")))
        .filter(|l| l.contains("WARN"))
        .count();
    assert_eq!(reported, 1, "{}", logs.text());
    // Each queued post was tried at most once, and never posted.
    let tries = app
        .slack
        .calls_to("chat.postMessage")
        .iter()
        .filter(|c| c.params["channel"] == GONE)
        .count();
    assert!(tries <= 1, "{tries} posts tried to {GONE}");
    assert!(app.slack.messages(GONE).is_empty());
    app.stop().await;
}
