//! Reminder lateness: 1,000 open P1 incidents seeded straight into a fresh
//! database, planned by the app's own scheduler at start-up, then the clock
//! moved to their shared response deadline. Lateness is the time from that
//! move to each reminder's `chat.postMessage` reaching the emulator.

use crate::stats::{summarise, Summary};
use crate::{start_app, Running};
use chrono::{DateTime, Utc};
use paas_incident_bot::ids::{IncidentNumber, UserId};
use paas_incident_bot::incident::{self, Declaration, Title};
use paas_incident_bot::policy::Policy;
use paas_incident_bot::priority::Priority;
use paas_incident_bot::reminders::{self, Kind};
use paas_incident_bot::store;
use slack_emulator::Emulator;
use std::time::{Duration, Instant};

pub struct Lateness {
    pub reminders: Summary,
    /// Start of an app over a database already holding the incidents.
    pub warm_start: Duration,
}

pub async fn run(count: usize, t0: DateTime<Utc>) -> anyhow::Result<Lateness> {
    let policy = Policy::builtin();
    let dir = tempfile::tempdir()?;
    let db_url = format!("sqlite://{}", dir.path().join("reminders.db").display());
    let due = seed(&db_url, &policy, count, t0).await?;

    let slack = Emulator::start().await?;
    let app: Running = start_app(&slack, &db_url, &policy, t0).await?;
    // The scheduler plans every open incident at start-up; wait for it.
    let pool = store::open(&db_url).await?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let planned: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM reminders WHERE kind = 'response' AND state = 'pending'",
        )
        .fetch_one(&pool)
        .await?;
        if planned as usize >= count {
            break;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "only {planned} reminders planned"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    pool.close().await;

    let channel = policy.incident_channel.to_string();
    let is_reminder = |c: &slack_emulator::Call| {
        c.params["channel"] == channel.as_str()
            && c.params["text"]
                .as_str()
                .is_some_and(|t| t.contains("response time has passed"))
    };
    let moved = Instant::now();
    app.clock.set(due);
    slack
        .wait_until(Duration::from_secs(120), |s| {
            s.count_calls("chat.postMessage", is_reminder) >= count
        })
        .await?;
    let lateness: Vec<Duration> = slack
        .calls_to("chat.postMessage")
        .iter()
        .filter(|c| is_reminder(c))
        .map(|c| c.at.duration_since(moved))
        .collect();
    let warm_start = app.started_in;
    app.stop().await?;
    Ok(Lateness {
        reminders: summarise(lateness),
        warm_start,
    })
}

/// Inserts `count` unacknowledged P1 incidents declared at `t0`; returns
/// their response deadline.
async fn seed(
    db_url: &str,
    policy: &Policy,
    count: usize,
    t0: DateTime<Utc>,
) -> anyhow::Result<DateTime<Utc>> {
    let pool = store::open(db_url).await?;
    let by = UserId::parse("U0ALICE").map_err(anyhow::Error::msg)?;
    let mut tx = pool.begin().await?;
    let mut first = None;
    for i in 0..count {
        let declaration = Declaration {
            title: Title::parse(&format!("Bench incident {i}"))?,
            description: "Seeded by the benchmark".to_owned(),
            priority: Priority::P1,
            cyber: false,
            engineering_lead: None,
            comms_lead: None,
            declared_by: by.clone(),
        };
        let (incident, _) = incident::declare(declaration, IncidentNumber(0), t0);
        store::incidents::insert(&mut tx, &incident).await?;
        first.get_or_insert(incident);
    }
    tx.commit().await?;
    pool.close().await;
    let first = first.ok_or_else(|| anyhow::anyhow!("no incidents seeded"))?;
    reminders::plan(policy, &policy.calendar(), &first, t0)
        .into_iter()
        .find(|p| p.kind == Kind::Response)
        .map(|p| p.due)
        .ok_or_else(|| anyhow::anyhow!("a new P1 is owed a response reminder"))
}
