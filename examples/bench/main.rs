//! Benchmark: the real app driven through the in-process Slack emulator.
//!
//!     cargo run --release --example bench
//!
//! Measures ack latency for `/oncall` and for declare-modal submissions at
//! 10, 100 and 500 envelopes/s (open loop), memory, start-up time and
//! reminder lateness, and prints a table (`BENCH_ONLY=oncall` or
//! `BENCH_ONLY=reminders` runs one part). `BENCH_ONLY=statuspage` runs only
//! publishing to an emulated Statuspage: requests per publish and the time
//! from the publish modal's submission to the card's status-page link
//! (see `statuspage.rs`). `BENCH_ONLY=feed` times calendar feed
//! generation (see `feed.rs`). `BENCH_ONLY=alerts` runs only an alert
//! storm: 1,000 Alertmanager notifications in 10 s over 20 groups, answer
//! latency, Slack calls made and the time until Slack shows every group
//! (see `alerts.rs`). `BENCH_ONLY=postgres` runs the `/oncall` and
//! declare figures at 10/s and 100/s on SQLite and on PostgreSQL
//! (`BENCH_POSTGRES_URL`), and the take-over time of a real `serve` pair
//! over 20 kills (see `postgres.rs`). The emulator runs in the same
//! process and on the same two cores as the bot, so every figure includes
//! its cost too. `BENCH_ONLY=floor` is different: it runs the release
//! binary and a bare slack-morphism bot as processes of their own and
//! compares them (see `floor.rs`). See docs/PERFORMANCE.md for the results
//! and targets.

mod acks;
mod alerts;
mod feed;
mod floor;
mod postgres;
mod reminders;
mod stats;
mod statuspage;

use chrono::{DateTime, TimeZone, Utc};
use paas_incident_bot::app::{App, AppConfig};
use paas_incident_bot::clock::ManualClock;
use paas_incident_bot::http::alerts::AlertSecrets;
use paas_incident_bot::policy::Policy;
use paas_incident_bot::settings::Secret;
use serde_json::{json, Value};
use slack_emulator::Emulator;
use stats::{ms, proc_status_kb, Summary};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

const RATES: [u32; 3] = [10, 100, 500];
/// Long enough at each rate for a stable p99 without making the run slow.
fn count_at(rate: u32) -> usize {
    match rate {
        10 => 50,
        100 => 500,
        _ => 1500,
    }
}
const REMINDERS: usize = 1000;
const PERSON: &str = "U0ALICE";
const CHANNEL: &str = "C0PAAS";

/// An app running against an emulator.
pub struct Running {
    pub clock: ManualClock,
    /// Where `/healthz`, `/metrics` and `/alerts/*` are served.
    pub health: std::net::SocketAddr,
    pub started_in: Duration,
    shutdown: CancellationToken,
    task: JoinHandle<anyhow::Result<()>>,
}

impl Running {
    pub async fn stop(self) -> anyhow::Result<()> {
        self.shutdown.cancel();
        self.task.await?
    }
}

/// Builds and runs the app; `started_in` is from `App::build` to the
/// emulator sending `hello` on the new socket.
pub async fn start_app(
    slack: &Emulator,
    db_url: &str,
    policy: &Policy,
    now: DateTime<Utc>,
) -> anyhow::Result<Running> {
    start_app_keyed(slack, db_url, policy, now, None).await
}

/// As [`start_app`], with `STATUSPAGE_API_KEY` = `statuspage_key`.
pub async fn start_app_keyed(
    slack: &Emulator,
    db_url: &str,
    policy: &Policy,
    now: DateTime<Utc>,
    statuspage_key: Option<&str>,
) -> anyhow::Result<Running> {
    let clock = ManualClock::new(now);
    let started = Instant::now();
    let app = App::build(AppConfig {
        api_url: slack.api_url(),
        app_token: Secret::new(slack.app_token()),
        bot_token: Secret::new(slack.bot_token()),
        database_url: db_url.to_owned(),
        policy: policy.clone(),
        health_bind: std::net::IpAddr::from([127, 0, 0, 1]),
        port: 0,
        clock: Arc::new(clock.clone()),
        statuspage_key: statuspage_key.map(|k| Secret::new(k.to_owned())),
        public_url: None,
        alerts: AlertSecrets {
            token: Some(Secret::new(alerts::TOKEN.to_owned())),
            grafana_secret: None,
        },
    })
    .await?;
    let health = app.health_addr();
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(app.run(shutdown.clone()));
    slack.wait_for_socket(Duration::from_secs(10)).await?;
    Ok(Running {
        clock,
        health,
        started_in: started.elapsed(),
        shutdown,
        task,
    })
}

/// Monday 23 November 2026, 10:00 in London: in hours, nothing due.
fn monday_morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
}

fn declare_form(title: &str) -> Value {
    json!({
        "title": {"title": {"type": "plain_text_input", "value": title}},
        "description": {"description": {"type": "plain_text_input", "value": "Benchmark"}},
        "cyber": {"cyber": {"type": "checkboxes", "selected_options": []}},
        "lead": {"lead": {"type": "users_select", "selected_user": PERSON}},
        "comms": {"comms": {"type": "users_select", "selected_user": null}},
        "priority": {"priority": {"type": "static_select", "selected_option": {
            "text": {"type": "plain_text", "text": "P3"}, "value": "P3"}}},
    })
}

/// Who submits the `i`th declaration: a different person each time, as
/// each person's declarations are rate limited (SPEC §2.7, 30 at once) and
/// the benchmark measures the bot, not the limit. Anyone may declare.
fn declarer(i: usize) -> String {
    format!("U0BENCH{i:04}")
}

/// Opens `n` declare modals (paced, so no trigger outlives Slack's 3 s)
/// and returns their view ids.
async fn open_modals(slack: &Emulator, n: usize) -> anyhow::Result<Vec<String>> {
    let before = slack.views().len();
    acks::paced(slack, 200, n, |i| {
        let slack = slack.clone();
        async move {
            slack
                .slash_command("/incident", &format!("declare Bench {i}"), PERSON, CHANNEL)
                .await
        }
    })
    .await;
    slack
        .wait_until(Duration::from_secs(60), |s| s.views().len() >= before + n)
        .await?;
    Ok(slack.views()[before..]
        .iter()
        .map(|v| v.view_id.clone())
        .collect())
}

/// Waits for the outbox to drain: one card per declared incident.
async fn wait_for_cards(slack: &Emulator, channel: &str, n: usize) -> anyhow::Result<()> {
    slack
        .wait_until(Duration::from_secs(300), |s| {
            s.count_calls("chat.postMessage", |c| {
                c.ok && c.params["channel"] == channel && c.params["thread_ts"].is_null()
            }) >= n
        })
        .await
}

fn row(what: &str, rate: u32, s: &Summary) {
    println!(
        "| {what} | {rate}/s | {} | {} | {} | {} |",
        s.n,
        ms(s.p50),
        ms(s.p99),
        ms(s.max)
    );
}

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|text| text.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::ERROR));
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(filter)
        .init();
    match std::env::var("BENCH_ONLY").as_deref() {
        Ok("reminders") => return print_reminders().await,
        Ok("floor") => return floor::run().await,
        Ok("statuspage") => return statuspage::print().await,
        Ok("feed") => return feed::print(),
        Ok("alerts") => return alerts::print().await,
        Ok("postgres") => return postgres::print().await,
        _ => {}
    }
    let policy = Policy::builtin();
    let dir = tempfile::tempdir()?;
    let db_url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let slack = Emulator::start().await?;
    let app = start_app(&slack, &db_url, &policy, monday_morning()).await?;
    // Let start-up work (topics, user groups, planning) settle before idling.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle_rss = proc_status_kb("VmRSS:");

    println!("| envelope | rate | n | p50 | p99 | max |");
    println!("|---|---|---|---|---|---|");
    for rate in RATES {
        let s = acks::paced(&slack, rate, count_at(rate), |_| {
            let slack = slack.clone();
            async move { slack.slash_command("/oncall", "", PERSON, CHANNEL).await }
        })
        .await;
        row("`/oncall`", rate, &s);
    }
    if std::env::var("BENCH_ONLY").as_deref() == Ok("oncall") {
        return app.stop().await;
    }
    let channel = policy.incident_channel.to_string();
    let mut declared = 0;
    for rate in RATES {
        let n = count_at(rate);
        let views = open_modals(&slack, n).await?;
        wait_for_cards(&slack, &channel, declared).await?;
        let s = acks::paced(&slack, rate, n, |i| {
            let (slack, view) = (slack.clone(), views[i].clone());
            async move {
                slack
                    .view_submission(&declarer(i), &view, declare_form(&format!("Bench {i}")))
                    .await
            }
        })
        .await;
        declared += n;
        row("declare submission", rate, &s);
    }
    let drained = Instant::now();
    wait_for_cards(&slack, &channel, declared).await?;
    let drain_time = drained.elapsed();
    let cold_start = app.started_in;
    app.stop().await?;

    println!();
    println!("| measure | value |");
    println!("|---|---|");
    println!(
        "| idle RSS after start | {:.1} MB |",
        idle_rss as f64 / 1024.0
    );
    println!("| start to connected, new database | {} |", ms(cold_start));
    println!(
        "| outbox drain after the last submission ({declared} incidents) | {} |",
        ms(drain_time)
    );
    print_reminders().await
}

/// Reminder lateness and warm start, then peak memory for the whole run.
async fn print_reminders() -> anyhow::Result<()> {
    match reminders::run(REMINDERS, monday_morning()).await {
        Ok(late) => {
            println!(
                "| start to connected, {REMINDERS} open incidents | {} |",
                ms(late.warm_start)
            );
            println!(
                "| reminder lateness, {} reminders: p50 / p99 / max | {} / {} / {} |",
                late.reminders.n,
                ms(late.reminders.p50),
                ms(late.reminders.p99),
                ms(late.reminders.max)
            );
        }
        Err(e) => println!("| reminder lateness | not measured: {e:#} |"),
    }
    let peak = proc_status_kb("VmHWM:");
    println!("| peak RSS (VmHWM) | {:.1} MB |", peak as f64 / 1024.0);
    Ok(())
}
