//! Running as one of several replicas (SPEC §4): `/readyz`, the role
//! `/healthz` reports, and the once-only work stopping while another
//! replica holds the lease.

use crate::support;

use paas_incident_bot::app::App;
use std::time::Duration;
use support::incident::{ALICE, BOB};
use support::{TestApp, WAIT};

const CHANNEL: &str = "C0PAAS";
/// The first override, covering the in-hours rota this Monday.
const COVER: &str = "cover in-hours <@U0PAASEN1> today 11:00 to today 13:00";

async fn json(app: &TestApp, path: &str) -> (u16, serde_json::Value) {
    let (status, body) = app.get(path).await;
    (status, serde_json::from_str(&body).expect(&body))
}

/// Polls `path` until its JSON satisfies `check`; returns it.
async fn until(
    app: &TestApp,
    path: &str,
    check: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let (_, body) = json(app, path).await;
        if check(&body) {
            return body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{path} never: {body}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn covers_posted(app: &TestApp) -> usize {
    app.slack
        .messages(CHANNEL)
        .iter()
        .filter(|m| m.text.contains("covers *in-hours*"))
        .count()
}

#[tokio::test]
async fn readyz_is_200_when_the_database_and_socket_are_up() {
    let mut app = TestApp::start().await;
    let (status, body) = json(&app, "/readyz").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, serde_json::json!({"ready": true, "role": "leader"}));
    let (_, health) = json(&app, "/healthz").await;
    assert_eq!(health["role"], "leader");
    app.stop().await;
}

#[tokio::test]
async fn readyz_is_503_naming_the_slack_socket_while_it_is_down() {
    let mut app = TestApp::start().await;
    app.slack
        .fail_until_recovered("apps.connections.open", "internal_error");
    app.slack.drop_sockets().await;
    let body = until(&app, "/readyz", |b| b["ready"] == false).await;
    assert_eq!(
        body["failing"]["slack"], "the Slack socket is not connected",
        "{body}"
    );
    assert!(body["failing"].get("database").is_none(), "{body}");
    assert_eq!(app.get("/readyz").await.0, 503);
    app.slack.recover("apps.connections.open");
    app.clock.advance(chrono::Duration::seconds(5));
    until(&app, "/readyz", |b| b["ready"] == true).await;
    app.stop().await;
}

#[tokio::test]
async fn readyz_is_503_naming_the_database_once_its_file_is_deleted() {
    if crate::support::database::sqlite_only(
        "readyz_is_503_naming_the_database_once_its_file_is_deleted",
        "it is about the database file",
    ) {
        return;
    }
    let mut app = TestApp::start().await;
    let path = app.db_url.trim_start_matches("sqlite://").to_owned();
    std::fs::remove_file(path).unwrap();
    let (status, body) = json(&app, "/readyz").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(
        body["failing"]["database"], "database file deleted",
        "{body}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_leader_is_ready_when_readiness_requires_the_leader() {
    let mut app = TestApp::start().await;
    app.stop().await;
    let built = App::build(app.config())
        .await
        .unwrap()
        .ready_requires_leader(true);
    app.health = built.health_addr();
    app.shutdown = tokio_util::sync::CancellationToken::new();
    app.running = Some(tokio::spawn(built.run(app.shutdown.clone())));
    app.slack.wait_for_socket(WAIT).await.unwrap();
    let (status, body) = json(&app, "/readyz").await;
    assert_eq!(status, 200, "{body}");
    app.stop().await;
}

/// Another replica takes the lease (written as it would write it): this
/// one stands by, delivers nothing while it does, and carries on once
/// the lease is its own again, posting what it owed once.
#[tokio::test]
async fn a_replica_that_loses_the_lease_stops_delivering_until_it_is_back() {
    let mut app = TestApp::start().await;
    let db = paas_incident_bot::store::open(&app.db_url).await.unwrap();
    sqlx::query(
        "UPDATE leases SET holder = 'another-replica', term = term + 1,
         expires_at = '2999-01-01T00:00:00.000000Z'",
    )
    .execute(&db)
    .await
    .unwrap();
    let health = until(&app, "/healthz", |b| b["role"] == "standby").await;
    assert_eq!(health["db"], "ok");
    let ack = app.command("/oncall", COVER, ALICE).await;
    assert!(ack["text"].as_str().unwrap().contains("OVR-1"), "{ack}");
    // The override is committed and acknowledged here; its announcement
    // waits for the lease.
    let (_, health) = json(&app, "/healthz").await;
    if health["role"] == "standby" {
        assert_eq!(covers_posted(&app), 0, "posted by a standby");
    }
    // On SQLite this is the only process on the file, so the row names a
    // replica that cannot be running: the bot takes the lease back. On
    // PostgreSQL other replicas may be running, so the row is believed
    // until it expires: the other replica dies here.
    if support::database::on_postgres() {
        sqlx::query("UPDATE leases SET expires_at = '2000-01-01T00:00:00.000000Z'")
            .execute(&db)
            .await
            .unwrap();
    }
    until(&app, "/healthz", |b| b["role"] == "leader").await;
    app.slack
        .wait_until(WAIT, |_| covers_posted(&app) > 0)
        .await
        .expect("announced once leading again");
    let (term,): (i64,) = sqlx::query_as("SELECT term FROM leases")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(term, 3, "taken back under a new term");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(covers_posted(&app), 1);
    app.stop().await;
    // Stopped cleanly: the lease is handed over.
    let (expires_at,): (String,) = sqlx::query_as("SELECT expires_at FROM leases")
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(expires_at.starts_with("1970-"), "{expires_at}");
}

/// A reply whose post response was lost stays in doubt while Slack
/// cannot be asked about it; the lease then passes to another holder (a
/// new process, under the next term), which looks for the reply before
/// posting: it appears once.
#[tokio::test]
async fn a_reply_left_in_doubt_by_one_holder_is_looked_up_by_the_next() {
    let mut app = TestApp::start().await;
    let db = paas_incident_bot::store::open(&app.db_url).await.unwrap();
    let card = app.declare("Router flapping", "P2").await;
    // What the declaration queued goes first.
    drained(&db).await;
    app.slack.lose_response_next("chat.postMessage");
    app.slack
        .fail_until_recovered("conversations.replies", "internal_error");
    app.command("/incident", "note INC-1 restarted the collector", BOB)
        .await;
    app.thread_says(&card, "restarted the collector").await;
    let failed_lookups = || {
        app.slack
            .calls_to("conversations.replies")
            .iter()
            .filter(|c| !c.ok)
            .count()
    };
    app.slack
        .wait_until(WAIT, |_| failed_lookups() > 0)
        .await
        .expect("the first holder tried to look the reply up");
    let (in_doubt,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND in_doubt = 1")
            .fetch_one(&db)
            .await
            .unwrap();
    assert!(in_doubt >= 1, "left in doubt by the first holder");
    app.restart().await;
    app.slack.recover("conversations.replies");
    drained(&db).await;
    let (term,): (i64,) = sqlx::query_as("SELECT term FROM leases")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(term, 2, "a second holder delivered it");
    assert!(app
        .slack
        .calls_to("conversations.replies")
        .iter()
        .any(|c| c.ok && c.params["include_all_metadata"] == "true"));
    assert_eq!(app.thread_count(&card, "restarted the collector"), 1);
    app.stop().await;
}

/// Waits until every queued announcement has been settled.
async fn drained(db: &sqlx::AnyPool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let unsent: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
            .fetch_one(db)
            .await
            .unwrap();
        if unsent == 0 {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{unsent} rows unsent"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Two replicas on one PostgreSQL database and one Slack: what one commits
/// reaches the other's acks and loops through the database's notices,
/// without the clock moving. The emulator hands envelopes to the newest
/// socket, so the second replica takes every command while it runs, and
/// the first (the lease holder) every command once it stops.
#[tokio::test]
async fn a_replica_hears_what_another_committed_and_delivers_it() {
    let test = "a_replica_hears_what_another_committed_and_delivers_it";
    let Some(url) = support::database::postgres_or_skip(test).await else {
        return;
    };
    let mut first = TestApp::start_on(url).await;
    let (status, _) = json(&first, "/healthz").await;
    assert_eq!(status, 200);
    let second = App::build(first.config()).await.unwrap();
    let second_health = second.health_addr();
    let stop_second = tokio_util::sync::CancellationToken::new();
    let opened = first.slack.connections_opened();
    let running = tokio::spawn(second.run(stop_second.clone()));
    first
        .slack
        .wait_until(WAIT, |s| {
            s.connections_opened() > opened && s.live_sockets() == 2
        })
        .await
        .expect("the second replica connects");
    let (_, health) = support::http_get(second_health, "/healthz").await;
    assert!(health.contains("\"role\":\"standby\""), "{health}");

    // Taken by the second replica, a standby: the leader delivers.
    let ack = first.command("/oncall", COVER, ALICE).await;
    assert!(ack["text"].as_str().unwrap().contains("OVR-1"), "{ack}");
    first
        .slack
        .wait_until(WAIT, |_| covers_posted(&first) == 1)
        .await
        .expect("the leader announces the standby's override");
    let card = first.declare("Database replica lag", "P2").await;
    assert!(!card.is_empty());

    stop_second.cancel();
    running.await.unwrap().unwrap();
    // Now the first replica answers, from memory it was told to reload.
    let overrides = first.command("/oncall", "overrides", BOB).await;
    assert!(
        overrides["text"].as_str().unwrap().contains("OVR-1"),
        "{overrides}"
    );
    let list = first.command("/incident", "list", BOB).await;
    assert!(list.to_string().contains("Database replica lag"), "{list}");
    assert_eq!(covers_posted(&first), 1, "announced once");
    first.stop().await;
}
