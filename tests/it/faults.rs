//! Faults Slack and the disk can throw at the bot: socket refreshes and
//! drops, failing `apps.connections.open`, redelivered envelopes, 429s,
//! channels the bot is not in or that are gone, and a locked database.
//! Each test checks that the change still happens, and happens once.

use crate::support;

use paas_incident_bot::clock::Clock;
use paas_incident_bot::ids::IncidentNumber;
use paas_incident_bot::incident::Status;
use paas_incident_bot::store;
use std::time::{Duration, Instant};
use support::incident::{ALICE, BOB};
use support::{eventually, TestApp, ACK_WINDOW, WAIT};

const TOPIC_CHANNEL: &str = "C0PAAS";
/// Covers the in-hours rota 11:00–13:00 today (Monday, built-in policy,
/// where U0PAASEN4 is on call): the first override is OVR-1.
const COVER: &str = "cover in-hours <@U0PAASEN1> today 11:00 to today 13:00";

fn text(payload: &serde_json::Value) -> String {
    payload["text"].as_str().unwrap_or_default().to_owned()
}

impl TestApp {
    /// Messages in the rota's channel mentioning `needle`.
    fn announced(&self, needle: &str) -> usize {
        self.slack
            .messages(TOPIC_CHANNEL)
            .iter()
            .filter(|m| m.text.contains(needle))
            .count()
    }

    async fn announced_once(&self, needle: &str) {
        let slack = self.slack.clone();
        eventually(&format!("{needle} announced"), || {
            slack
                .messages(TOPIC_CHANNEL)
                .iter()
                .any(|m| m.text.contains(needle))
        })
        .await;
        // A round trip through the bot lets a duplicate, if any, land.
        self.command("/oncall", "overrides", BOB).await;
        self.slack
            .wait_until(Duration::from_millis(300), |_| self.announced(needle) > 1)
            .await
            .expect_err("announced exactly once");
        assert_eq!(self.announced(needle), 1, "{needle}");
    }

    /// How many overrides `/oncall overrides` lists.
    async fn override_count(&self) -> usize {
        let list = text(&self.command("/oncall", "overrides", BOB).await);
        list.matches("OVR-").count()
    }
}

#[tokio::test]
async fn a_warning_keeps_the_socket_and_a_refresh_replaces_it_losing_nothing() {
    let mut app = TestApp::start().await;
    let opened = app.slack.connections_opened();
    app.slack.disconnect("warning").await;
    let reply = text(&app.command("/oncall", COVER, ALICE).await);
    assert!(reply.contains("OVR-1"), "{reply}");
    assert_eq!(
        app.slack.connections_opened(),
        opened,
        "a warning is not a refresh"
    );

    app.slack.disconnect("refresh_requested").await;
    let slack = app.slack.clone();
    eventually("a new connection", || slack.connections_opened() > opened).await;
    app.slack.wait_for_socket(WAIT).await.unwrap();
    let cancel = text(&app.command("/oncall", "cancel OVR-1", ALICE).await);
    assert!(cancel.contains("cancelled"), "{cancel}");
    app.announced_once("covers *in-hours*").await;
    app.announced_once("OVR-1 cancelled").await;
    app.stop().await;
}

#[tokio::test]
async fn a_command_sent_as_the_socket_drops_is_handled_once_after_reconnecting() {
    let mut app = TestApp::start().await;
    // Slack redelivers what a dead socket never acked.
    app.slack.redeliver_unacked_after(Duration::from_secs(1));
    let opened = app.slack.connections_opened();
    app.slack.drop_sockets().await;
    let id = app
        .slack
        .slash_command("/oncall", COVER, ALICE, "C0PAAS")
        .await
        .unwrap();
    let ack = app.slack.wait_ack(&id, WAIT).await.unwrap();
    assert!(text(ack.payload.as_ref().unwrap()).contains("OVR-1"));
    assert!(app.slack.connections_opened() > opened);
    app.announced_once("covers *in-hours*").await;
    assert_eq!(app.override_count().await, 1);
    app.stop().await;
}

#[tokio::test]
async fn connections_open_failing_for_a_minute_reports_disconnected_then_recovers() {
    let mut app = TestApp::start().await;
    let slack = app.slack.clone();
    slack.fail_until_recovered("apps.connections.open", "internal_error");
    slack.drop_sockets().await;
    let failures = || {
        slack
            .calls_to("apps.connections.open")
            .iter()
            .filter(|c| c.error.as_deref() == Some("internal_error"))
            .count()
    };
    // A minute by the bot's clock, in steps no longer than its longest
    // wait between attempts: each step brings one more attempt, and
    // health says disconnected throughout.
    let outage_began = app.clock.now();
    let mut attempts = 0;
    while app.clock.now() - outage_began < chrono::Duration::minutes(1) {
        eventually("another attempt to connect", || failures() > attempts).await;
        // One attempt per move of the clock: the bot waits between them.
        assert_eq!(failures(), attempts + 1);
        attempts += 1;
        let (status, body) = app.get("/healthz").await;
        assert_eq!(status, 503, "{body}");
        assert!(body.contains("disconnected"), "{body}");
        app.clock.advance(chrono::Duration::seconds(5));
    }
    assert_eq!(attempts, 12, "attempts in a minute, 5 s apart at most");
    assert_eq!(slack.live_sockets(), 0);

    slack.recover("apps.connections.open");
    app.clock.advance(chrono::Duration::seconds(5));
    eventually("a new connection", || slack.live_sockets() > 0).await;
    let reply = text(&app.command("/oncall", COVER, ALICE).await);
    assert!(reply.contains("OVR-1"), "{reply}");
    let (status, body) = app.get("/healthz").await;
    assert_eq!(status, 200, "{body}");
    app.announced_once("covers *in-hours*").await;
    app.stop().await;
}

#[tokio::test]
async fn a_redelivered_command_creates_one_override_even_across_a_restart() {
    let mut app = TestApp::start().await;
    let id = app
        .slack
        .slash_command("/oncall", COVER, ALICE, "C0PAAS")
        .await
        .unwrap();
    // Again at once (first still in hand), and again after the ack.
    app.slack.resend(&id).await.unwrap();
    app.slack.wait_ack(&id, ACK_WINDOW).await.unwrap();
    app.slack.resend(&id).await.unwrap();
    let slack = app.slack.clone();
    let id2 = id.clone();
    eventually("three acks", || {
        slack.acks().iter().filter(|a| a.envelope_id == id2).count() == 3
    })
    .await;
    app.restart().await;
    app.slack.resend(&id).await.unwrap();
    eventually("a fourth ack", || {
        slack.acks().iter().filter(|a| a.envelope_id == id).count() == 4
    })
    .await;
    assert_eq!(app.slack.envelope(&id).unwrap()["retry_attempt"], 3);
    assert_eq!(app.override_count().await, 1);
    app.announced_once("covers *in-hours*").await;
    app.stop().await;
}

#[tokio::test]
async fn a_press_is_stored_with_its_envelope_before_it_is_acked() {
    let mut app = TestApp::start().await;
    let card = app.declare("Router down", "P2").await;
    let id = app
        .slack
        .block_action(BOB, &app.incident_channel(), &card, "incident.ack", "1")
        .await
        .unwrap();
    app.slack.wait_ack(&id, ACK_WINDOW).await.unwrap();
    // Once Slack has the ack, a crash cannot lose the press, and a
    // redelivery (had the ack been lost) would find it handled.
    let db = store::open(&app.db_url).await.unwrap();
    let incident = store::incidents::get(&db, IncidentNumber(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(incident.status, Status::Acknowledged);
    assert!(store::events::seen(&db, &id).await.unwrap());
    db.close().await;
    app.stop().await;
}

#[tokio::test]
async fn a_redelivered_button_press_acts_once() {
    let mut app = TestApp::start().await;
    let card = app.declare("Router down", "P2").await;
    let id = app
        .slack
        .block_action(
            BOB,
            &app.incident_channel(),
            &card,
            "incident.take_comms",
            "1",
        )
        .await
        .unwrap();
    app.slack.resend(&id).await.unwrap();
    app.thread_says(&card, "Comms lead: <@U0BOB>").await;
    app.slack.resend(&id).await.unwrap();
    app.command("/incident", "list", BOB).await;
    assert_eq!(app.thread_count(&card, "Comms lead: <@U0BOB>"), 1);
    // A refused second press would have told Bob so, ephemerally.
    assert!(app
        .slack
        .ephemerals(&app.incident_channel(), BOB)
        .is_empty());
    app.stop().await;
}

/// Good calls of `method` made after its first 429.
fn ok_after_429(app: &TestApp, method: &str) -> Option<usize> {
    let calls = app.slack.calls_to(method);
    let limited = calls
        .iter()
        .position(|c| c.error.as_deref() == Some("ratelimited"))?;
    let channel = calls[limited].params["channel"].clone();
    Some(
        calls[limited + 1..]
            .iter()
            .filter(|c| c.ok && c.params["channel"] == channel)
            .count(),
    )
}

/// Waits for `method` to be rate limited, checks it is not tried again
/// until the bot's clock has passed Retry-After (`wait_secs`), then moves
/// the clock past it and waits for the retry to succeed.
async fn wait_out_429(app: &TestApp, method: &str, wait_secs: i64) {
    eventually(&format!("{method} rate limited"), || {
        ok_after_429(app, method).is_some()
    })
    .await;
    app.clock.advance(chrono::Duration::seconds(wait_secs - 1));
    // A round trip through the bot gives an early retry time to show.
    app.command("/oncall", "", BOB).await;
    assert_eq!(
        ok_after_429(app, method),
        Some(0),
        "{method} retried before Retry-After"
    );
    app.clock.advance(chrono::Duration::seconds(1));
    eventually(
        &format!("{method} after the wait"),
        || matches!(ok_after_429(app, method), Some(n) if n > 0),
    )
    .await;
}

#[tokio::test]
async fn a_429_on_post_message_waits_then_posts_once_while_acks_stay_fast() {
    let mut app = TestApp::start().await;
    app.slack.rate_limit_next("chat.postMessage", 2);
    app.command("/oncall", COVER, ALICE).await;
    // While delivery waits out the 429, commands are still answered fast.
    for _ in 0..5 {
        let id = app
            .slack
            .slash_command("/oncall", "", BOB, "C0PAAS")
            .await
            .unwrap();
        let ack = app.slack.wait_ack(&id, ACK_WINDOW).await.unwrap();
        assert!(
            ack.latency < Duration::from_millis(500),
            "{:?}",
            ack.latency
        );
    }
    wait_out_429(&app, "chat.postMessage", 2).await;
    app.announced_once("covers *in-hours*").await;
    app.stop().await;
}

#[tokio::test]
async fn shutdown_gives_up_a_retry_after_and_the_post_goes_after_restart() {
    let mut app = TestApp::start().await;
    // Three posts (the announcement and the DMs to the covered and the
    // covering person), each limited on its first try and again in the
    // last flush at shutdown.
    app.slack.rate_limit_next_n("chat.postMessage", 60, 6);
    app.command("/oncall", COVER, ALICE).await;
    eventually("the 429", || {
        ok_after_429(&app, "chat.postMessage").is_some()
    })
    .await;
    // The clock never reaches Retry-After: stopping must not wait for it.
    app.stop().await;
    let tries = app.slack.calls_to("chat.postMessage");
    assert!(tries.iter().all(|c| !c.ok), "{tries:?}");
    assert_eq!(app.announced("covers *in-hours*"), 0);
    app.boot().await;
    app.announced_once("covers *in-hours*").await;
    app.stop().await;
}

#[tokio::test]
async fn a_429_on_chat_update_still_refreshes_the_card_once() {
    let mut app = TestApp::start().await;
    let card = app.declare("Logs missing", "P2").await;
    let updates = app.slack.calls_to("chat.update").len();
    app.slack.rate_limit_next("chat.update", 1);
    app.press(BOB, &card, "incident.ack", "1").await;
    wait_out_429(&app, "chat.update", 1).await;
    app.card_shows(&card, "Acknowledged").await;
    let ok = app.slack.calls_to("chat.update")[updates..]
        .iter()
        .filter(|c| c.ok)
        .count();
    assert_eq!(ok, 1, "the card is updated once");
    app.stop().await;
}

#[tokio::test]
async fn a_429_on_set_topic_still_sets_it_once() {
    let mut app = TestApp::start().await;
    let slack = app.slack.clone();
    eventually("the start-up topic", || {
        slack.topic(TOPIC_CHANNEL).contains("[On call:")
    })
    .await;
    app.slack.rate_limit_next("conversations.setTopic", 1);
    app.command("/oncall", COVER, ALICE).await;
    app.clock
        .set(support::monday_morning() + chrono::Duration::hours(1));
    wait_out_429(&app, "conversations.setTopic", 1).await;
    eventually("the override in the topic", || {
        slack.topic(TOPIC_CHANNEL).contains("<@U0PAASEN1>")
    })
    .await;
    let sets = app
        .slack
        .calls_to("conversations.setTopic")
        .iter()
        .filter(|c| {
            c.ok && c.params["topic"]
                .as_str()
                .unwrap_or("")
                .contains("U0PAASEN1")
        })
        .count();
    assert_eq!(sets, 1);
    app.stop().await;
}

#[tokio::test]
async fn not_in_channel_joins_then_posts_once() {
    let mut app = TestApp::start().await;
    app.slack.set_bot_member(TOPIC_CHANNEL, false);
    app.command("/oncall", COVER, ALICE).await;
    app.announced_once("covers *in-hours*").await;
    // The post and a topic update may both meet the refusal and both join;
    // joining twice is harmless, posting twice is not.
    let joins = app.slack.calls_to("conversations.join");
    assert!(
        !joins.is_empty() && joins.len() <= 2,
        "{} joins",
        joins.len()
    );
    assert!(joins.iter().all(|j| j.params["channel"] == TOPIC_CHANNEL));
    // Whichever call met the refusal first (the post, or a topic update
    // racing it) joined; nothing was refused after the join.
    let calls = app.slack.calls();
    let join = calls
        .iter()
        .rposition(|c| c.method == "conversations.join")
        .unwrap();
    let refused: Vec<_> = calls
        .iter()
        .enumerate()
        .filter(|(_, c)| c.error.as_deref() == Some("not_in_channel"))
        .map(|(i, _)| i)
        .collect();
    assert!(!refused.is_empty(), "the bot was never refused");
    assert!(
        refused.iter().all(|&i| i < join),
        "{refused:?} vs join at {join}"
    );
    app.stop().await;
}

/// The incident channel goes bad after INC-1 is declared: the person still
/// gets an answer, the refusal is logged naming the error, and later
/// announcements elsewhere are not held up.
async fn incident_channel_gone(break_it: impl Fn(&TestApp), code: &str) {
    let logs = support::logs::capture("info");
    let mut app = TestApp::start().await;
    app.declare("Disk full", "P3").await;
    break_it(&app);
    let reply = text(
        &app.command("/incident", "update INC-1 Cleared old logs", BOB)
            .await,
    );
    assert!(reply.contains("INC-1"), "{reply}");
    app.command("/oncall", COVER, ALICE).await;
    app.announced_once("covers *in-hours*").await;
    let code = code.to_owned();
    eventually("the refusal logged", || {
        logs.text()
            .lines()
            .any(|l| l.contains("refused") && l.contains(&format!("chat.postMessage: {code}")))
    })
    .await;
    app.stop().await;
}

#[tokio::test]
async fn an_archived_incident_channel_is_logged_and_skipped() {
    incident_channel_gone(
        |app| app.slack.archive_channel(&app.incident_channel()),
        "is_archived",
    )
    .await;
}

#[tokio::test]
async fn a_missing_incident_channel_is_logged_and_skipped() {
    incident_channel_gone(
        |app| app.slack.remove_channel(&app.incident_channel()),
        "channel_not_found",
    )
    .await;
}

#[tokio::test]
async fn a_locked_database_delays_a_change_but_does_not_lose_it() {
    let mut app = TestApp::start().await;
    // The write lock, on either backend, held by another pool.
    let other_pool = paas_incident_bot::store::open(&app.db_url).await.unwrap();
    let other = paas_incident_bot::store::write(&other_pool).await.unwrap();
    let held = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(800)).await;
        other.commit().await.unwrap();
    });
    let started = Instant::now();
    let reply = text(&app.command("/oncall", COVER, ALICE).await);
    assert!(reply.contains("OVR-1"), "{reply}");
    assert!(
        started.elapsed() >= Duration::from_millis(700),
        "the write waited for the lock"
    );
    held.await.unwrap();
    app.announced_once("covers *in-hours*").await;
    assert_eq!(app.override_count().await, 1);
    app.stop().await;
}

#[tokio::test]
async fn a_failure_on_our_side_quotes_a_reference_that_is_on_the_log_line() {
    let logs = support::logs::capture("error");
    let mut app = TestApp::start().await;
    // The override table gone: storing a cover fails on the bot's side.
    let other = paas_incident_bot::store::open(&app.db_url).await.unwrap();
    sqlx::query("ALTER TABLE overrides RENAME TO overrides_gone")
        .execute(&other)
        .await
        .unwrap();
    let reply = text(&app.command("/oncall", COVER, ALICE).await);
    assert!(reply.contains("nothing was changed"), "{reply}");
    let reference = reply
        .split('`')
        .nth(1)
        .filter(|r| r.len() == 9 && r.starts_with('E'))
        .unwrap_or_else(|| panic!("no reference in {reply}"))
        .to_owned();
    eventually("the reference logged with the error", || {
        logs.text()
            .lines()
            .any(|l| l.contains(&reference) && l.contains("overrides"))
    })
    .await;
    assert_eq!(app.override_count().await, 0, "nothing was changed");
    app.stop().await;
}
