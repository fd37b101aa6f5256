//! What must not leak or be done by the wrong person: tokens in logs,
//! incident content on the unauthenticated health port, overrides cancelled
//! by strangers, and changes nobody is named for.

use crate::support;

use paas_incident_bot::ids::IncidentNumber;
use paas_incident_bot::store;
use support::incident::{ALICE, BOB};
use support::{eventually, TestApp};

fn text(payload: &serde_json::Value) -> String {
    payload["text"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn tokens_never_reach_the_logs_at_any_level() {
    let logs = support::logs::capture("trace");
    let mut app = TestApp::start().await;
    let (app_token, bot_token) = (app.slack.app_token(), app.slack.bot_token());
    app.command("/oncall", "", ALICE).await;
    app.declare("Token check", "P3").await;
    let opened = app.slack.connections_opened();
    app.slack.disconnect("refresh_requested").await;
    let slack = app.slack.clone();
    eventually("a reconnect", || slack.connections_opened() > opened).await;
    app.slack.wait_for_socket(support::WAIT).await.unwrap();
    app.command("/incident", "list", BOB).await;
    app.stop().await;

    let logged = logs.text();
    // The capture saw the traffic, so its silence about tokens means something.
    assert!(
        logged.contains("connected to Slack"),
        "nothing was captured"
    );
    assert!(logged.contains("TRACE"), "TRACE output was not captured");
    for secret in [app_token.as_str(), bot_token.as_str(), "xoxb-", "xapp-"] {
        assert!(!logged.contains(secret), "{secret} appears in the logs");
    }
}

#[tokio::test]
async fn health_and_metrics_show_no_incident_content() {
    let mut app = TestApp::start().await;
    app.declare("Zebra quokka outage 7391", "P2").await;
    app.command(
        "/incident",
        "update INC-1 Vendor ticket 55821 opened",
        ALICE,
    )
    .await;
    for path in ["/healthz", "/metrics"] {
        let (status, body) = app.get(path).await;
        assert_eq!(status, 200, "{path}: {body}");
        for secret in ["Zebra", "quokka", "7391", "55821", "Apps return 502", ALICE] {
            assert!(!body.contains(secret), "{path} shows {secret}: {body}");
        }
    }
    let (_, metrics) = app.get("/metrics").await;
    assert!(metrics.contains("open_incidents 1"), "{metrics}");
    app.stop().await;
}

/// Sets OVR-`n` (U0PAASEN1 covering U0PAASEN4's in-hours shift), by Alice.
async fn override_by_alice(app: &TestApp, n: u32) {
    let day = ["mon", "tue", "wed", "thu"][n as usize - 1];
    let reply = text(
        &app.command(
            "/oncall",
            &format!("cover in-hours <@U0PAASEN1> {day} 11:00 to {day} 12:00"),
            ALICE,
        )
        .await,
    );
    assert!(reply.contains(&format!("OVR-{n}")), "{reply}");
}

#[tokio::test]
async fn only_creator_covering_covered_or_admin_may_cancel_an_override() {
    let mut app = TestApp::start().await;
    let allowed = [ALICE, "U0PAASEN1", "U0PAASEN4", "U0PAASDM1"];
    for n in 1..=4 {
        override_by_alice(&app, n).await;
    }
    for (i, who) in allowed.iter().enumerate() {
        let label = format!("OVR-{}", i + 1);
        // Bob is a test admin now (see `TestApp::start_with`); a comms
        // responder not involved in the override stands in for him.
        for stranger in ["U0PAASCM1", "U0STRANGER"] {
            let refused = text(
                &app.command("/oncall", &format!("cancel {label}"), stranger)
                    .await,
            );
            assert!(refused.contains("Only"), "{stranger}: {refused}");
        }
        let listed = text(&app.command("/oncall", "overrides", BOB).await);
        assert!(listed.contains(&label), "a refusal kept {label}: {listed}");
        let done = text(
            &app.command("/oncall", &format!("cancel {label}"), who)
                .await,
        );
        assert!(done.contains("cancelled"), "{who}: {done}");
    }
    let listed = text(&app.command("/oncall", "overrides", BOB).await);
    assert!(!listed.contains("OVR-"), "{listed}");
    app.stop().await;
}

#[tokio::test]
async fn every_incident_change_is_attributed_on_the_timeline() {
    let mut app = TestApp::start().await;
    let card = app.declare("Attribution", "P2").await;
    app.press(BOB, &card, "incident.ack", "1").await;
    app.thread_says(&card, "acknowledged").await;
    app.command("/incident", "comms INC-1 <@U0CAROL>", BOB)
        .await;
    app.command("/incident", "priority INC-1 P1", "U0CAROL")
        .await;
    app.command("/incident", "update INC-1 Failing over", BOB)
        .await;
    app.command("/incident", "resolve INC-1 Failed over", ALICE)
        .await;
    app.thread_says(&card, "Resolution checklist").await;

    let pool = store::open(&app.db_url).await.unwrap();
    let unattributed: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM timeline WHERE actor IS NULL OR actor = ''")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(unattributed, 0);
    let timeline = store::incidents::timeline(&pool, IncidentNumber(1))
        .await
        .unwrap();
    let by = |kind: &str| -> Vec<String> {
        timeline
            .iter()
            .filter(|e| e.kind.as_str() == kind)
            .map(|e| e.actor.to_string())
            .collect()
    };
    assert_eq!(by("declared"), [ALICE]);
    assert_eq!(by("acknowledged"), [BOB]);
    assert_eq!(by("comms_lead"), [BOB]);
    assert_eq!(by("priority"), ["U0CAROL"]);
    assert_eq!(by("update"), [BOB]);
    assert_eq!(by("resolved"), [ALICE]);
    pool.close().await;
    app.stop().await;
}

#[tokio::test]
async fn the_socket_mode_ticket_url_never_reaches_the_logs_at_trace() {
    let logs = support::logs::capture("trace");
    let mut app = TestApp::start().await;
    app.command("/oncall", "", ALICE).await;
    app.stop().await;
    let logged = logs.text();
    assert!(logged.contains("TRACE"), "TRACE output was not captured");
    let leaks: Vec<&str> = logged.lines().filter(|l| l.contains("ticket=")).collect();
    assert!(leaks.is_empty(), "the ticket URL is logged: {leaks:#?}");
}

/// SPEC §4: no log line carries the database password, whatever the
/// level, through a start, commands, notices between replicas' tables and
/// a clean stop on PostgreSQL.
#[tokio::test]
async fn the_database_password_never_reaches_the_logs_at_any_level() {
    let test = "the_database_password_never_reaches_the_logs_at_any_level";
    let password = format!("pw{:016x}", std::process::id() as u64 * 0x9e37_79b9);
    let Some(url) = support::database::postgres_with_password_or_skip(test, &password).await else {
        return;
    };
    let logs = support::logs::capture("trace");
    let mut app = TestApp::start_on(url).await;
    // Listening before the changes, so that their notices are heard.
    eventually("the notice listener connects", || {
        logs.text()
            .contains("listening for other replicas' changes")
    })
    .await;
    app.command("/oncall", "", ALICE).await;
    app.declare("Password check", "P3").await;
    eventually("a notice heard", || logs.text().contains("heard changes")).await;
    app.stop().await;
    let logged = logs.text();
    assert!(logged.contains("TRACE"), "TRACE output was not captured");
    assert!(
        !logged.contains(&password),
        "the database password is in the logs"
    );
}
