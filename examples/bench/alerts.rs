//! An alert storm (SPEC §6): 1,000 Alertmanager notifications in 10 s,
//! open loop, spread over 20 groups of 50 alerts. Measures how fast each
//! is answered (the bot commits and answers without waiting on Slack), how
//! many Slack calls the storm cost, the smallest gap between two messages
//! or edits in the alert channel, and how long after the storm began Slack
//! showed every group complete.

use crate::stats::{ms, summarise};
use crate::{monday_morning, start_app};
use paas_incident_bot::policy::Policy;
use slack_emulator::Emulator;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Semaphore;

pub const TOKEN: &str = "bench-alert-token";
const NOTIFICATIONS: usize = 1000;
const GROUPS: usize = 20;
const OVER: Duration = Duration::from_secs(10);

fn notification(i: usize) -> String {
    let group = i % GROUPS;
    serde_json::json!({
        "version": "4",
        "groupKey": format!("{{}}:{{alertname=\"Storm{group}\"}}"),
        "truncatedAlerts": 0,
        "status": "firing",
        "receiver": "paas-incident-bot",
        "groupLabels": {"alertname": format!("Storm{group}")},
        "commonLabels": {"alertname": format!("Storm{group}"), "severity": "critical"},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.example:9093",
        "alerts": [{
            "status": "firing",
            "labels": {"alertname": format!("Storm{group}"), "severity": "critical",
                       "instance": format!("cell-{i}:9100")},
            "annotations": {"summary": format!("cell-{i} is unwell")},
            "startsAt": "2026-11-23T09:58:02.116Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus.example:9090/graph",
            "fingerprint": format!("{i:016x}")
        }]
    })
    .to_string()
}

/// Senders in flight at once: the port takes 32 connections and closes
/// the rest (Alertmanager would retry those).
const IN_FLIGHT: usize = 24;

/// One POST; the time is from its place in the schedule, so waiting for a
/// free connection counts.
async fn post(addr: SocketAddr, body: String, turns: Arc<Semaphore>) -> (u16, Duration) {
    let started = Instant::now();
    let _turn = turns.acquire_owned().await.expect("never closed");
    let Ok(mut stream) = tokio::net::TcpStream::connect(addr).await else {
        return (0, started.elapsed());
    };
    let head = format!(
        "POST /alerts/alertmanager HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\
         Authorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body.as_bytes()).await;
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw).await;
    let status = std::str::from_utf8(raw.get(9..12).unwrap_or_default())
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, started.elapsed())
}

pub async fn print() -> anyhow::Result<()> {
    let policy = Policy::builtin();
    let dir = tempfile::tempdir()?;
    let db_url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let slack = Emulator::start().await?;
    let app = start_app(&slack, &db_url, &policy, monday_morning()).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let channel = policy.alerts.channel.to_string();
    let calls_before = slack.calls().len();
    let began = Instant::now();
    let mut tick = tokio::time::interval(OVER / NOTIFICATIONS as u32);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut sent = Vec::with_capacity(NOTIFICATIONS);
    let turns = Arc::new(Semaphore::new(IN_FLIGHT));
    for i in 0..NOTIFICATIONS {
        tick.tick().await;
        sent.push(tokio::spawn(post(
            app.health,
            notification(i),
            turns.clone(),
        )));
    }
    let mut latencies = Vec::new();
    let mut refused = 0;
    for answer in sent {
        let (status, took) = answer.await?;
        if status != 200 {
            refused += 1;
        }
        latencies.push(took);
    }
    let answered = began.elapsed();
    let per_group = NOTIFICATIONS / GROUPS;
    let complete = format!("({per_group} of {per_group})");
    slack
        .wait_until(Duration::from_secs(600), |s| {
            let top: Vec<_> = s
                .messages(&channel)
                .into_iter()
                .filter(|m| m.thread_ts.is_none() && m.text.contains("Storm"))
                .collect();
            top.len() >= GROUPS && top.iter().all(|m| m.text.contains(&complete))
        })
        .await?;
    let shown = began.elapsed();
    let messages = slack
        .messages(&channel)
        .into_iter()
        .filter(|m| m.thread_ts.is_none() && m.text.contains("Storm"))
        .count();
    let calls: Vec<_> = slack.calls().into_iter().skip(calls_before).collect();
    let in_channel: Vec<_> = calls
        .iter()
        .filter(|c| {
            matches!(c.method.as_str(), "chat.postMessage" | "chat.update")
                && c.params["channel"] == channel
        })
        .collect();
    let count = |method: &str, thread: bool| {
        in_channel
            .iter()
            .filter(|c| c.method == method && c.params["thread_ts"].is_null() != thread)
            .count()
    };
    let min_gap = in_channel
        .windows(2)
        .map(|w| w[1].at.saturating_duration_since(w[0].at))
        .min()
        .unwrap_or_default();
    let s = summarise(latencies);
    app.stop().await?;
    println!(
        "| alert storm: {NOTIFICATIONS} notifications in {OVER:?} over {GROUPS} groups | value |"
    );
    println!("|---|---|");
    println!(
        "| answered 200 | {} of {NOTIFICATIONS} |",
        NOTIFICATIONS - refused
    );
    println!(
        "| answer latency p50 / p99 / max | {} / {} / {} |",
        ms(s.p50),
        ms(s.p99),
        ms(s.max)
    );
    println!("| every answer in | {} |", ms(answered));
    println!("| top-level messages in the alert channel | {messages} |");
    println!(
        "| Slack calls in the alert channel: posts / thread replies / edits | {} / {} / {} |",
        count("chat.postMessage", false),
        count("chat.postMessage", true),
        count("chat.update", false)
    );
    println!(
        "| Slack calls in all (DMs, lookups included) | {} |",
        calls.len()
    );
    println!(
        "| smallest gap between two calls in the alert channel | {} |",
        ms(min_gap)
    );
    println!(
        "| storm start until Slack shows every group complete | {} |",
        ms(shown)
    );
    Ok(())
}
