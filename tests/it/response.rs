//! Response figures (SPEC §7): `/incident stats` and the metrics observed
//! as incidents are acknowledged, updated, resolved and escalated, read
//! through `/metrics`. Monday 23 November 2026, GMT, in hours.

use crate::support::{monday_morning, TestApp, WAIT};
use chrono::{DateTime, Duration, Utc};

fn at(h: u32, m: u32) -> DateTime<Utc> {
    monday_morning() + Duration::minutes(i64::from(h) * 60 + i64::from(m) - 600)
}

async fn says(app: &TestApp, text: &str) -> String {
    let payload = app.command("/incident", text, "U0ALICE").await;
    assert_eq!(payload["response_type"], "ephemeral", "{payload}");
    payload["text"].as_str().unwrap().to_owned()
}

/// Waits until `/metrics` has every line of `want`, returning the text.
async fn metrics_show(app: &TestApp, want: &[&str]) -> String {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let (status, body) = app.get("/metrics").await;
        assert_eq!(status, 200);
        if want.iter().all(|w| body.lines().any(|l| l == *w)) {
            return body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "/metrics never showed {want:?}:\n{body}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn stats_and_metrics_follow_what_happened() {
    let app = TestApp::start().await;
    app.declare("Router down", "P1").await;
    app.clock.set(at(10, 12));
    says(&app, "ack INC-1").await;
    // Due 11:00 (an hour after declaring): on time. Then due 11:52: late.
    app.clock.set(at(10, 52));
    says(&app, "update INC-1 found it").await;
    app.clock.set(at(12, 10));
    says(&app, "update INC-1 fixing it").await;
    app.clock.set(at(13, 0));
    says(&app, "resolve INC-1 router replaced").await;

    // A P2 nobody acknowledges escalates at its 30-minute response deadline.
    app.declare("Slow deploys", "P2").await;
    app.clock.set(at(13, 31));

    let prefix = "paas_incident_bot_incident";
    let ack = format!(r#"{prefix}_time_to_acknowledge_seconds_sum{{priority="P1"}} 720.0"#);
    let ack_count = format!(r#"{prefix}_time_to_acknowledge_seconds_count{{priority="P1"}} 1"#);
    let resolve = format!(r#"{prefix}_time_to_resolve_seconds_sum{{priority="P1"}} 10800.0"#);
    let bucket =
        format!(r#"{prefix}_time_to_acknowledge_seconds_bucket{{le="1200.0",priority="P1"}} 1"#);
    let on_time = format!(r#"{prefix}_updates_total{{on_time="true"}} 1"#);
    let late = format!(r#"{prefix}_updates_total{{on_time="false"}} 1"#);
    let escalated = format!("{prefix}_escalations_total 1");
    let text = metrics_show(
        &app,
        &[&ack, &ack_count, &resolve, &on_time, &late, &escalated],
    )
    .await;
    assert!(text.lines().any(|l| l == bucket), "{text}");
    assert!(!text.contains(r#"time_to_acknowledge_seconds_count{priority="P2"}"#));

    let stats = says(&app, "stats").await;
    assert!(
        stats.starts_with("*Incident response, incidents declared in the last 30 days*"),
        "{stats}"
    );
    assert!(
        stats.contains("• *P1 Critical*: 1 incident · acknowledge median 12m, worst 12m · resolve median 3h 00m, worst 3h 00m · updates 1 on time, 1 late · 0 escalations"),
        "{stats}"
    );
    assert!(
        stats.contains("1 incident · acknowledge: none yet · resolve: none yet · updates 0 on time, 0 late · 1 escalation\n"),
        "{stats}"
    );
    // A week later, still in 7d's window; eight days later it is not.
    app.clock.set(at(13, 31) + Duration::days(6));
    assert!(says(&app, "stats 7d")
        .await
        .contains("*P1 Critical*: 1 incident"));
    app.clock.set(at(13, 31) + Duration::days(8));
    let week = says(&app, "stats 7d").await;
    assert!(
        week.ends_with("No incidents were declared in that time."),
        "{week}"
    );
    assert!(says(&app, "stats 90d")
        .await
        .contains("*P1 Critical*: 1 incident"));
    let bad = says(&app, "stats 14d").await;
    assert!(bad.contains("`14d` is not a period"), "{bad}");
    assert!(
        bad.contains("/incident stats [7d|30d|90d]"),
        "the usage is shown: {bad}"
    );
}
