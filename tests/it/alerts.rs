//! Alerts in (SPEC §6): the webhook paths with real-shaped Alertmanager,
//! Grafana and generic bodies; one Slack message per group, edited; pages,
//! acknowledgement, escalation on a moved clock, a held warning, and
//! declaring from an alert.

use crate::support::incident::{declare_form, ALICE, BOB};
use crate::support::{eventually, http_post, monday_morning, TestApp, ALERT_TOKEN, WAIT};
use chrono::{Duration, TimeZone, Utc};
use paas_incident_bot::alerts::auth::sign;
use paas_incident_bot::ids::UserId;
use paas_incident_bot::policy::{Policy, Role};
use paas_incident_bot::rota::{cover_at, people_covering};
use paas_incident_bot::settings::Secret;
use serde_json::{json, Value};

pub const AM_FIRING: &str = include_str!("fixtures/alerts/alertmanager_firing.json");
pub const AM_RESOLVED: &str = include_str!("fixtures/alerts/alertmanager_resolved.json");
pub const GRAFANA_FIRING: &str = include_str!("fixtures/alerts/grafana_firing.json");

fn bearer() -> String {
    format!("Bearer {ALERT_TOKEN}")
}

impl TestApp {
    /// POSTs `body` to `/alerts/<path>` with the right token.
    pub async fn alert(&self, path: &str, body: &str) -> (u16, Value) {
        self.alert_with(path, &[("Authorization", &bearer())], body.as_bytes())
            .await
    }

    pub async fn alert_with(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, Value) {
        let (status, text) =
            http_post(self.health, &format!("/alerts/{path}"), headers, body).await;
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub fn alert_channel(&self) -> String {
        self.policy.alerts.channel.to_string()
    }

    /// The top-level messages in the alert channel.
    pub fn alert_messages(&self) -> Vec<slack_emulator::Message> {
        self.slack
            .messages(&self.alert_channel())
            .into_iter()
            .filter(|m| m.thread_ts.is_none())
            .collect()
    }

    /// Waits for the one alert message to show `needle`; returns its ts.
    pub async fn alert_shows(&self, needle: &str) -> String {
        let channel = self.alert_channel();
        let needle = needle.to_owned();
        self.slack
            .wait_until(WAIT, |s| {
                s.messages(&channel)
                    .iter()
                    .any(|m| m.thread_ts.is_none() && m.blocks.to_string().contains(&needle))
            })
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "no alert message showed {needle:?}: {:#?}",
                    self.alert_messages()
                )
            });
        self.alert_messages()
            .into_iter()
            .find(|m| m.blocks.to_string().contains(&needle))
            .unwrap()
            .ts
    }

    pub async fn alert_thread_says(&self, ts: &str, needle: &str) {
        self.thread_in_says(&self.alert_channel(), ts, needle).await
    }

    pub fn alert_thread_count(&self, ts: &str, needle: &str) -> usize {
        self.slack
            .thread(&self.alert_channel(), ts)
            .iter()
            .filter(|m| m.text.contains(needle))
            .count()
    }

    pub async fn press_alert(&self, user: &str, ts: &str, action: &str, group: i64) {
        let id = self
            .slack
            .block_action(user, &self.alert_channel(), ts, action, &group.to_string())
            .await
            .unwrap();
        let ack = self.slack.wait_ack(&id, WAIT).await.unwrap();
        assert!(ack.latency < crate::support::ACK_WINDOW);
    }

    /// Who covers engineering now, by the policy: the person paged.
    pub fn engineering_cover(&self) -> String {
        let cal = self.policy.calendar();
        let people = people_covering(&self.policy, &cal, Role::Engineering, self.clock_now(), &[]);
        people
            .first()
            .expect("someone covers engineering")
            .to_string()
    }

    pub fn escalation_cover(&self) -> String {
        let cal = self.policy.calendar();
        let rota = self.policy.escalation().unwrap();
        cover_at(&cal, rota, self.clock_now(), &[])
            .unwrap()
            .shift
            .user
            .to_string()
    }

    fn clock_now(&self) -> chrono::DateTime<Utc> {
        use paas_incident_bot::clock::Clock;
        self.clock.now()
    }

    pub async fn alert_dm_says(&self, user: &str, needle: &str) {
        let (user, needle) = (user.to_owned(), needle.to_owned());
        self.slack
            .wait_until(WAIT, |s| {
                s.dms(&user).iter().any(|m| m.text.contains(&needle))
            })
            .await
            .unwrap_or_else(|_| panic!("{user} was never sent {needle:?}"));
    }

    pub fn dm_count(&self, user: &str, needle: &str) -> usize {
        self.slack
            .dms(user)
            .iter()
            .filter(|m| m.text.contains(needle))
            .count()
    }
}

#[tokio::test]
async fn alert_paths_refuse_bad_tokens_signatures_bodies_and_sizes_and_store_nothing() {
    let mut app = TestApp::start().await;
    let wrong = "Bearer not-the-token".to_owned();
    for headers in [
        vec![],
        vec![("Authorization", wrong.as_str())],
        vec![("Authorization", "Basic dGVzdA==")],
    ] {
        for path in ["alertmanager", "grafana", "generic"] {
            let (status, body) = app.alert_with(path, &headers, AM_FIRING.as_bytes()).await;
            assert_eq!(status, 401, "{path} {headers:?}");
            assert!(body["error"].as_str().unwrap().contains("bearer"), "{body}");
        }
    }
    let auth = bearer();
    let (status, body) = app
        .alert_with(
            "alertmanager",
            &[("Authorization", &auth)],
            b"{\"version\":",
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        body["error"].as_str().unwrap().contains("not JSON"),
        "{body}"
    );
    let generic_missing_key = br#"{"title":"Disk full","status":"firing"}"#;
    let (status, body) = app
        .alert_with("generic", &[("Authorization", &auth)], generic_missing_key)
        .await;
    assert_eq!(status, 400);
    assert!(
        body["error"].as_str().unwrap().contains("dedup_key"),
        "{body}"
    );
    let big = vec![b' '; 1024 * 1024 + 1];
    let (status, _) = app
        .alert_with("generic", &[("Authorization", &auth)], &big)
        .await;
    assert_eq!(status, 413);

    // Grafana, signing: unsigned and wrongly signed bodies are refused.
    app.alerts.grafana_secret = Some(Secret::new("grafana-hmac".to_owned()));
    app.restart().await;
    let header = app.policy.alerts.grafana_signature_header.clone();
    let wrong_sig = sign("other", GRAFANA_FIRING.as_bytes());
    for headers in [
        vec![("Authorization", auth.as_str())],
        vec![
            ("Authorization", auth.as_str()),
            (header.as_str(), wrong_sig.as_str()),
        ],
    ] {
        let (status, body) = app
            .alert_with("grafana", &headers, GRAFANA_FIRING.as_bytes())
            .await;
        assert_eq!(status, 401, "{body}");
        assert!(
            body["error"].as_str().unwrap().contains("signature"),
            "{body}"
        );
    }
    assert!(
        app.alert_messages().is_empty(),
        "nothing refused was posted"
    );
    let good_sig = sign("grafana-hmac", GRAFANA_FIRING.as_bytes());
    let (status, body) = app
        .alert_with(
            "grafana",
            &[("Authorization", &auth), (&header, &good_sig)],
            GRAFANA_FIRING.as_bytes(),
        )
        .await;
    assert_eq!((status, body), (200, json!({"ok": true, "alerts": 1})));
    app.alert_shows("HighRouterLatency").await;
    let (_, metrics) = app.get("/metrics").await;
    assert!(
        metrics.contains(r#"alerts_received_total{source="grafana"} 1"#),
        "{metrics}"
    );
    assert!(
        !metrics.contains(r#"source="alertmanager""#),
        "refused is not received: {metrics}"
    );

    // No token configured: refused with the reason, never taken.
    app.alerts.token = None;
    app.restart().await;
    let (status, body) = app
        .alert(
            "generic",
            r#"{"title":"x","status":"firing","dedup_key":"k"}"#,
        )
        .await;
    assert_eq!(status, 503);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("ALERT_WEBHOOK_TOKEN"),
        "{body}"
    );
    assert_eq!(app.alert_messages().len(), 1);
}

#[tokio::test]
async fn a_group_is_one_message_that_pages_the_cover_and_resends_post_nothing_more() {
    let app = TestApp::start().await;
    let (status, body) = app.alert("alertmanager", AM_FIRING).await;
    assert_eq!((status, body), (200, json!({"ok": true, "alerts": 2})));
    let ts = app.alert_shows("Firing: CellMemoryHigh (2 of 2)").await;
    let cover = app.engineering_cover();
    let message = app
        .alert_messages()
        .into_iter()
        .find(|m| m.ts == ts)
        .unwrap();
    assert!(
        message.text.contains(&format!("<@{cover}>")),
        "{}",
        message.text
    );
    let blocks = message.blocks.to_string();
    for needle in [
        "cell-3",
        "cell-7",
        "runbooks/cell-memory",
        "Acknowledge",
        "Declare incident",
    ] {
        assert!(blocks.contains(needle), "{needle} in {blocks}");
    }
    app.alert_dm_says(&cover, "You are paged for *CellMemoryHigh*")
        .await;
    // Alertmanager repeats the group every repeat_interval.
    for _ in 0..3 {
        assert_eq!(app.alert("alertmanager", AM_FIRING).await.0, 200);
    }
    // A later group shows that delivery has caught up past the repeats.
    let generic =
        r#"{"title":"Backups late","status":"firing","dedup_key":"backups","severity":"warning"}"#;
    assert_eq!(app.alert("generic", generic).await.0, 200);
    app.alert_shows("Backups late").await;
    assert_eq!(app.alert_messages().len(), 2);
    assert!(
        app.slack.thread(&app.alert_channel(), &ts).is_empty(),
        "repeats say nothing"
    );
    assert_eq!(app.dm_count(&cover, "CellMemoryHigh"), 1);
    let (_, metrics) = app.get("/metrics").await;
    assert!(
        metrics.contains(r#"alerts_received_total{source="alertmanager"} 8"#),
        "{metrics}"
    );
    assert!(
        metrics.contains("paas_incident_bot_alerts_firing 3"),
        "{metrics}"
    );
}

#[tokio::test]
async fn resolving_turns_the_message_green_and_flapping_edits_the_same_message() {
    let app = TestApp::start().await;
    assert_eq!(app.alert("alertmanager", AM_FIRING).await.0, 200);
    let ts = app.alert_shows("Firing: CellMemoryHigh").await;
    assert_eq!(app.alert("alertmanager", AM_RESOLVED).await.0, 200);
    app.alert_shows(":white_check_mark: Resolved: CellMemoryHigh")
        .await;
    app.alert_thread_says(&ts, "2 resolved; 0 of 2 firing now")
        .await;
    assert_eq!(app.alert("alertmanager", AM_FIRING).await.0, 200);
    app.alert_shows("Firing: CellMemoryHigh (2 of 2)").await;
    app.alert_thread_says(&ts, "2 firing; 2 of 2 firing now")
        .await;
    assert_eq!(
        app.alert_messages().len(),
        1,
        "one message per group, edited"
    );
    // Each episode pages afresh.
    let cover = app.engineering_cover();
    eventually("the second page", || {
        app.dm_count(&cover, "You are paged") == 2
    })
    .await;
    let (_, metrics) = app.get("/metrics").await;
    assert!(
        metrics.contains("paas_incident_bot_alerts_firing 2"),
        "{metrics}"
    );
}

#[tokio::test]
async fn acknowledging_shows_who_and_stops_the_escalation() {
    let app = TestApp::start().await;
    assert_eq!(app.alert("alertmanager", AM_FIRING).await.0, 200);
    let ts = app.alert_shows("Firing: CellMemoryHigh").await;
    app.press_alert(BOB, &ts, "alert.ack", 1).await;
    app.alert_shows(&format!("Acknowledged by <@{BOB}>")).await;
    app.alert_thread_says(&ts, "escalation stopped").await;
    // A second group, not acknowledged, shows when escalation has run.
    let generic = r#"{"title":"Disk nearly full","status":"firing","dedup_key":"disk","severity":"critical"}"#;
    assert_eq!(app.alert("generic", generic).await.0, 200);
    let other = app.alert_shows("Disk nearly full").await;
    app.clock.advance(Duration::minutes(31));
    app.alert_thread_says(&other, "Not acknowledged within 30 min")
        .await;
    assert_eq!(app.alert_thread_count(&ts, "Not acknowledged"), 0);
    let escalation = app.escalation_cover();
    assert_eq!(app.dm_count(&escalation, "CellMemoryHigh"), 0);
    assert_eq!(app.dm_count(&escalation, "Disk nearly full"), 1);
    let (_, metrics) = app.get("/metrics").await;
    assert!(
        metrics.contains("alert_time_to_acknowledge_seconds_count 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn unacknowledged_after_thirty_minutes_pages_the_escalation_cover_once_across_restarts() {
    let mut app = TestApp::start().await;
    assert_eq!(app.alert("alertmanager", AM_FIRING).await.0, 200);
    let ts = app.alert_shows("Firing: CellMemoryHigh").await;
    app.clock.advance(Duration::minutes(29));
    let escalation = app.escalation_cover();
    app.restart().await;
    assert_eq!(
        app.alert_thread_count(&ts, "Not acknowledged"),
        0,
        "not before 30 minutes"
    );
    app.clock.advance(Duration::minutes(1));
    app.alert_thread_says(
        &ts,
        &format!("paging <@{escalation}> on the escalation rota"),
    )
    .await;
    app.alert_dm_says(&escalation, "Not acknowledged within 30 min")
        .await;
    app.alert_shows(&format!("Escalated to <@{escalation}>"))
        .await;
    app.restart().await;
    app.clock.advance(Duration::hours(2));
    // Something later that shows the scheduler and delivery have run.
    let generic = r#"{"title":"Later","status":"firing","dedup_key":"later"}"#;
    assert_eq!(app.alert("generic", generic).await.0, 200);
    app.alert_shows("Later").await;
    app.restart().await;
    assert_eq!(app.alert_thread_count(&ts, "Not acknowledged"), 1);
    assert_eq!(app.dm_count(&escalation, "CellMemoryHigh"), 1);
}

fn held_warnings() -> Policy {
    let text = format!(
        "{}\n{}",
        include_str!("../../config/gov-uk-paas.toml"),
        r#"[alerts]
channel = "C0PAASALRT"
[[alerts.route]]
match = { severity = "critical" }
page = "engineering"
priority = "P1"
[[alerts.route]]
match = { severity = "warning" }
page = "engineering"
priority = "P3"
out_of_hours = false
"#
    );
    Policy::from_toml(&text).unwrap()
}

#[tokio::test]
async fn a_warning_out_of_hours_is_posted_but_pages_at_the_next_in_hours_start() {
    // Friday 27 November 2026, 20:00 in London.
    let friday_night = Utc.with_ymd_and_hms(2026, 11, 27, 20, 0, 0).unwrap();
    let app = TestApp::start_with(held_warnings(), friday_night).await;
    app.slack.add_channel("C0PAASALRT", "paas-alerts");
    let warning = r#"{"title":"Certificate expires in 10 days","status":"firing","dedup_key":"cert","severity":"warning"}"#;
    assert_eq!(app.alert("generic", warning).await.0, 200);
    let ts = app.alert_shows("Held until").await;
    let message = app
        .alert_messages()
        .into_iter()
        .find(|m| m.ts == ts)
        .unwrap();
    assert!(
        !message.text.contains("<@"),
        "nobody mentioned while held: {}",
        message.text
    );
    for engineer in ["U0PAASEN1", "U0PAASEN2", "U0PAASEN3", "U0PAASEN4"] {
        assert_eq!(
            app.dm_count(engineer, "You are paged"),
            0,
            "{engineer} paged while held"
        );
    }
    let monday = Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap();
    app.clock.set(monday);
    let cover = app.engineering_cover();
    app.alert_thread_says(&ts, &format!("In hours now: paging <@{cover}>"))
        .await;
    app.alert_dm_says(&cover, "Certificate expires").await;
    app.alert_shows(&format!("Paged: <@{cover}>")).await;
    // Escalation counts from the release, not from Friday night.
    app.clock.set(monday + Duration::minutes(29));
    let generic = r#"{"title":"Marker","status":"firing","dedup_key":"m","severity":"critical"}"#;
    assert_eq!(app.alert("generic", generic).await.0, 200);
    app.alert_shows("Marker").await;
    assert_eq!(app.alert_thread_count(&ts, "Not acknowledged"), 0);
    app.clock.set(monday + Duration::minutes(30));
    app.alert_thread_says(&ts, "Not acknowledged within 30 min")
        .await;
}

#[tokio::test]
async fn declaring_from_an_alert_prefills_the_modal_and_links_both_ways() {
    let app = TestApp::start_with(held_warnings(), monday_morning()).await;
    app.slack.add_channel("C0PAASALRT", "paas-alerts");
    assert_eq!(app.alert("alertmanager", AM_FIRING).await.0, 200);
    let ts = app.alert_shows("Firing: CellMemoryHigh").await;
    let before = app.slack.views().len();
    app.press_alert(ALICE, &ts, "alert.declare", 1).await;
    let slack = app.slack.clone();
    slack
        .wait_until(WAIT, |s| s.views().len() > before)
        .await
        .expect("the declare modal opens");
    let view = app.slack.views().last().cloned().unwrap();
    let shown = view.view.to_string();
    assert_eq!(view.view["private_metadata"], "alert:1", "{shown}");
    for needle in [
        "CellMemoryHigh",
        "severity=critical",
        "runbooks/cell-memory",
        "\"value\":\"P1\"",
    ] {
        assert!(shown.contains(needle), "{needle} in {shown}");
    }
    let id = app
        .slack
        .view_submission(
            ALICE,
            &view.view_id,
            declare_form("Cells out of memory", Some("P1"), Some(ALICE)),
        )
        .await
        .unwrap();
    assert_eq!(app.slack.wait_ack(&id, WAIT).await.unwrap().payload, None);
    app.alert_shows("Incident: *INC-1*").await;
    app.alert_thread_says(&ts, "Declared as *INC-1*").await;
    let card = {
        eventually("the card", || !app.cards().is_empty()).await;
        app.cards()[0].ts.clone()
    };
    app.thread_says(
        &card,
        "Declared from the alert *CellMemoryHigh* in <#C0PAASALRT>",
    )
    .await;
    let message = app
        .alert_messages()
        .into_iter()
        .find(|m| m.ts == ts)
        .unwrap();
    assert!(
        !message.blocks.to_string().contains("Declare incident"),
        "offered once"
    );
    let _ = UserId::parse(ALICE).unwrap();
}

/// A burst of `n` one-alert Alertmanager notifications over `groups`.
fn storm_notification(i: usize, groups: usize) -> String {
    let group = i % groups;
    json!({
        "version": "4", "groupKey": format!("{{}}:{{alertname=\"Storm{group}\"}}"),
        "truncatedAlerts": 0, "status": "firing", "receiver": "paas-incident-bot",
        "groupLabels": {"alertname": format!("Storm{group}")},
        "commonLabels": {"alertname": format!("Storm{group}"), "severity": "critical"},
        "commonAnnotations": {}, "externalURL": "http://alertmanager.example:9093",
        "alerts": [{"status": "firing",
            "labels": {"alertname": format!("Storm{group}"), "instance": format!("cell-{i}")},
            "annotations": {"summary": "unwell"}, "startsAt": "2026-11-23T09:58:02Z",
            "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prometheus.example/graph",
            "fingerprint": format!("{i:016x}")}]
    })
    .to_string()
}

#[tokio::test]
async fn a_storm_is_answered_at_once_and_slack_sees_one_paced_message_per_group() {
    const N: usize = 120;
    const GROUPS: usize = 3;
    let app = TestApp::start().await;
    // Senders in flight at once: the port takes at most 32 connections
    // (more are closed, and Alertmanager would retry them).
    let in_flight = std::sync::Arc::new(tokio::sync::Semaphore::new(16));
    let sends = (0..N).map(|i| {
        let (addr, body) = (app.health, storm_notification(i, GROUPS));
        let in_flight = in_flight.clone();
        tokio::spawn(async move {
            let _turn = in_flight.acquire_owned().await.unwrap();
            let bearer = bearer();
            http_post(
                addr,
                "/alerts/alertmanager",
                &[("Authorization", &bearer)],
                body.as_bytes(),
            )
            .await
            .0
        })
    });
    let mut statuses = Vec::new();
    for send in sends.collect::<Vec<_>>() {
        statuses.push(send.await.unwrap());
    }
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let channel = app.alert_channel();
    let complete = format!("({} of {})", N / GROUPS, N / GROUPS);
    app.slack
        .wait_until(std::time::Duration::from_secs(120), |s| {
            let top: Vec<_> = s
                .messages(&channel)
                .into_iter()
                .filter(|m| m.thread_ts.is_none())
                .collect();
            top.len() >= GROUPS && top.iter().all(|m| m.text.contains(&complete))
        })
        .await
        .unwrap_or_else(|_| panic!("not every group complete: {:#?}", app.alert_messages()));
    assert_eq!(app.alert_messages().len(), GROUPS, "one message per group");
    let writes: Vec<_> = app
        .slack
        .calls()
        .into_iter()
        .filter(|c| {
            matches!(c.method.as_str(), "chat.postMessage" | "chat.update")
                && c.params["channel"] == channel
        })
        .collect();
    assert!(
        writes.len() < N / 4,
        "coalesced: {} writes for {N} notifications",
        writes.len()
    );
    for pair in writes.windows(2) {
        let gap = pair[1].at.saturating_duration_since(pair[0].at);
        assert!(
            gap >= std::time::Duration::from_millis(1000),
            "two writes {gap:?} apart"
        );
    }
    let (_, metrics) = app.get("/metrics").await;
    assert!(
        metrics.contains(&format!(
            r#"alerts_received_total{{source="alertmanager"}} {N}"#
        )),
        "{metrics}"
    );
}

/// Alert posts wait on per-channel pacing; an incident card queued while
/// they do goes out at once, not after the storm (the alert channel is the
/// incident channel by default).
#[tokio::test]
async fn an_incident_card_does_not_wait_behind_paced_alert_messages() {
    const GROUPS: usize = 12;
    let app = TestApp::start().await;
    assert_eq!(app.alert_channel(), app.incident_channel());
    for i in 0..GROUPS {
        let (status, _) = app
            .alert("alertmanager", &storm_notification(i, GROUPS))
            .await;
        assert_eq!(status, 200);
    }
    let slack = app.slack.clone();
    slack
        .wait_until(WAIT, |_| !app.alert_messages().is_empty())
        .await
        .expect("the first alert message is posted");
    app.declare("Router down", "P1").await;
    // Twelve posts paced 1.1 s apart take over twelve seconds, more than
    // delivery sends side by side; the card came
    // while they were still going out.
    let shown = app.alert_messages().len();
    assert!(
        shown < GROUPS,
        "the card waited until all {shown} alert messages were posted"
    );
}

/// SPEC §6: tokens are never logged, even at trace level, whether a
/// request is taken or refused.
#[tokio::test]
async fn the_alert_token_and_grafana_secret_never_reach_a_log_line() {
    const GRAFANA_SECRET: &str = "grafana-secret-never-logged";
    const WRONG: &str = "Bearer wrong-alert-token-never-logged";
    let logs = crate::support::logs::capture("trace");
    let mut app = TestApp::start().await;
    app.alerts.grafana_secret = Some(Secret::new(GRAFANA_SECRET.to_owned()));
    app.restart().await;
    let auth = bearer();
    let header = app.policy.alerts.grafana_signature_header.clone();
    let signature = sign(GRAFANA_SECRET, GRAFANA_FIRING.as_bytes());
    let signed = [
        ("Authorization", auth.as_str()),
        (header.as_str(), signature.as_str()),
    ];
    let (status, _) = app
        .alert_with("grafana", &signed, GRAFANA_FIRING.as_bytes())
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .alert_with(
            "alertmanager",
            &[("Authorization", WRONG)],
            AM_FIRING.as_bytes(),
        )
        .await;
    assert_eq!(status, 401);
    let text = logs.text();
    assert!(!text.is_empty(), "logs were captured");
    for secret in [ALERT_TOKEN, GRAFANA_SECRET, WRONG] {
        assert!(!text.contains(secret), "{secret:?} was logged");
    }
}
