//! PostgreSQL beside SQLite (SPEC §4): the same open-loop ack figures as
//! the main table, `/oncall` and declare submissions at 10/s and 100/s, on
//! each backend; then the take-over time of a real `serve` pair on one
//! PostgreSQL database, over 20 SIGKILLs of the lease holder.
//!
//!     cargo build --release --bin paas-incident-bot --example bench
//!     BENCH_ONLY=postgres BENCH_POSTGRES_URL=postgres://bot:bot@127.0.0.1:5432/postgres \
//!         target/release/examples/bench
//!
//! `BENCH_POSTGRES_URL` (or else `TEST_POSTGRES_URL`) is an admin URL:
//! each backend run gets a fresh database, dropped afterwards. The pair
//! runs the release binary beside the bench (as `floor.rs` does), idle but
//! for the lease, each process with its own Socket Mode connection to one
//! emulator. A take-over is from the SIGKILL until the other process's
//! `/healthz` says `leader`; kills come at a random moment (fixed seed)
//! in the 3 s renewal cycle, so the figures span it.

use crate::stats::{ms, summarise, Summary};
use crate::{
    acks, count_at, declare_form, declarer, monday_morning, open_modals, start_app, wait_for_cards,
};
use crate::{CHANNEL, PERSON};
use paas_incident_bot::database_url::DatabaseUrl;
use paas_incident_bot::policy::Policy;
use serde_json::Value;
use slack_emulator::Emulator;
use sqlx::postgres::PgConnection;
use sqlx::Connection;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, Command};

const RATES: [u32; 2] = [10, 100];
const KILLS: usize = 20;

pub async fn print() -> anyhow::Result<()> {
    let admin = ["BENCH_POSTGRES_URL", "TEST_POSTGRES_URL"]
        .iter()
        .find_map(|var| std::env::var(var).ok().filter(|v| !v.trim().is_empty()))
        .ok_or_else(|| {
            anyhow::anyhow!(
                "BENCH_ONLY=postgres needs BENCH_POSTGRES_URL (or TEST_POSTGRES_URL), an admin URL"
            )
        })?;
    println!("| backend | envelope | rate | n | p50 | p99 | max | answered with an error |");
    println!("|---|---|---|---|---|---|---|---|");
    let dir = tempfile::tempdir()?;
    let sqlite = format!("sqlite://{}", dir.path().join("bench.db").display());
    if let Err(e) = acks_on("SQLite", &sqlite).await {
        println!("| SQLite | not finished: {e:#} |");
    }
    let database = Database::create(&admin, "bench_acks").await?;
    if let Err(e) = acks_on("PostgreSQL", &database.url).await {
        println!("| PostgreSQL | not finished: {e:#} |");
    }
    database.drop().await?;

    let database = Database::create(&admin, "bench_takeover").await?;
    let takeovers = takeovers(&database.url).await;
    database.drop().await?;
    let s = takeovers?;
    println!();
    println!("| measure | value |");
    println!("|---|---|");
    println!(
        "| take-over after SIGKILL of the holder, {} kills: p50 / max | {:.2} s / {:.2} s |",
        s.n,
        s.p50.as_secs_f64(),
        s.max.as_secs_f64()
    );
    Ok(())
}

/// The ack rows for one backend, on a fresh in-process app.
async fn acks_on(backend: &str, db_url: &str) -> anyhow::Result<()> {
    let policy = Policy::builtin();
    let slack = Emulator::start().await?;
    let app = start_app(&slack, db_url, &policy, monday_morning()).await?;
    // Let start-up work (topics, user groups, planning) settle.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let row = |what: &str, rate: u32, s: &Summary, failed: usize| {
        println!(
            "| {backend} | {what} | {rate}/s | {} | {} | {} | {} | {failed} |",
            s.n,
            ms(s.p50),
            ms(s.p99),
            ms(s.max)
        );
    };
    for rate in RATES {
        let s = acks::paced(&slack, rate, count_at(rate), |_| {
            let slack = slack.clone();
            async move { slack.slash_command("/oncall", "", PERSON, CHANNEL).await }
        })
        .await;
        row("`/oncall`", rate, &s, 0);
    }
    let channel = policy.incident_channel.to_string();
    // Submissions answered with errors on the form (a failure on our side
    // shows there too): they declare nothing, so no card is waited for.
    let refused = || {
        slack
            .acks()
            .iter()
            .filter(|a| {
                a.payload
                    .as_ref()
                    .is_some_and(|p| p["response_action"] == "errors")
            })
            .count()
    };
    let mut declared = 0;
    for rate in RATES {
        let n = count_at(rate);
        let views = open_modals(&slack, n).await?;
        wait_for_cards(&slack, &channel, declared - refused()).await?;
        let before = refused();
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
        row("declare submission", rate, &s, refused() - before);
    }
    wait_for_cards(&slack, &channel, declared - refused()).await?;
    app.stop().await
}

/// A database made for one part of the run.
struct Database {
    admin: String,
    name: String,
    url: String,
}

impl Database {
    async fn create(admin: &str, stem: &str) -> anyhow::Result<Database> {
        let name = format!("{stem}_{}", std::process::id());
        let mut conn = PgConnection::connect(admin)
            .await
            .map_err(|e| anyhow::anyhow!("cannot reach {}: {e}", DatabaseUrl::new(admin)))?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .execute(&mut conn)
            .await?;
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .await?;
        conn.close().await?;
        let (base, query) = match admin.split_once('?') {
            Some((base, query)) => (base, format!("?{query}")),
            None => (admin, String::new()),
        };
        let authority = base.find("://").map_or(0, |i| i + 3);
        let path = base[authority..]
            .find('/')
            .map_or(base.len(), |i| authority + i);
        Ok(Database {
            url: format!("{}/{name}{query}", &base[..path]),
            admin: admin.to_owned(),
            name,
        })
    }

    async fn drop(self) -> anyhow::Result<()> {
        let mut conn = PgConnection::connect(&self.admin).await?;
        sqlx::query(&format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            self.name
        ))
        .execute(&mut conn)
        .await?;
        conn.close().await?;
        Ok(())
    }
}

/// One process of the pair; its health port is kept across restarts.
struct Replica {
    port: u16,
    child: Option<Child>,
}

impl Replica {
    fn start(&mut self, binary: &Path, slack: &Emulator, db_url: &str) -> anyhow::Result<()> {
        self.child = Some(
            Command::new(binary)
                .arg("serve")
                .env("SLACK_API_URL", slack.api_url())
                .env("SLACK_APP_TOKEN", slack.app_token())
                .env("SLACK_BOT_TOKEN", slack.bot_token())
                .env("DATABASE_URL", db_url)
                .env("HEALTH_BIND", "127.0.0.1")
                .env("PORT", self.port.to_string())
                .env("RUST_LOG", "error")
                .env_remove("BOT_CONFIG")
                .env_remove("BOT_CLOCK_OFFSET_SECS")
                .env_remove("VCAP_SERVICES")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .kill_on_drop(true)
                .spawn()?,
        );
        Ok(())
    }

    async fn leads(&self) -> bool {
        let ask = async {
            let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .ok()?;
            stream
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .await
                .ok()?;
            let mut raw = String::new();
            stream.read_to_string(&mut raw).await.ok()?;
            let body: Value = serde_json::from_str(raw.split_once("\r\n\r\n")?.1).ok()?;
            Some(body["role"] == "leader")
        };
        tokio::time::timeout(Duration::from_secs(1), ask)
            .await
            .ok()
            .flatten()
            .unwrap_or(false)
    }
}

/// Which of the pair leads, waiting up to `within` for one to.
async fn leader(pair: &[Replica; 2], within: Duration) -> anyhow::Result<usize> {
    let deadline = Instant::now() + within;
    loop {
        for (k, replica) in pair.iter().enumerate() {
            if replica.leads().await {
                return Ok(k);
            }
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "no replica leads within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// The release binary beside `target/release/examples/bench`.
fn binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let path = exe
        .parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("."))
        .join("paas-incident-bot");
    anyhow::ensure!(
        path.exists(),
        "{} not found: cargo build --release --bin paas-incident-bot --example bench",
        path.display()
    );
    Ok(path)
}

/// `KILLS` take-overs of a real pair on `db_url`.
async fn takeovers(db_url: &str) -> anyhow::Result<Summary> {
    let binary = binary()?;
    let slack = Emulator::start().await?;
    slack.deliver_to_random_socket(0x5EED);
    let mut pair = [
        Replica {
            port: free_port()?,
            child: None,
        },
        Replica {
            port: free_port()?,
            child: None,
        },
    ];
    for replica in &mut pair {
        replica.start(&binary, &slack, db_url)?;
    }
    slack
        .wait_until(Duration::from_secs(30), |s| s.live_sockets() == 2)
        .await?;
    let mut seed = 0x2545_F491_u64;
    let mut times = Vec::with_capacity(KILLS);
    for _ in 0..KILLS {
        leader(&pair, Duration::from_secs(30)).await?;
        // A random moment in the renewal cycle (xorshift, fixed seed).
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        tokio::time::sleep(Duration::from_millis(seed % 3000)).await;
        let holder = leader(&pair, Duration::from_secs(5)).await?;
        let killed = Instant::now();
        if let Some(mut child) = pair[holder].child.take() {
            child.kill().await?;
        }
        let other = 1 - holder;
        while !pair[other].leads().await {
            anyhow::ensure!(
                killed.elapsed() < Duration::from_secs(60),
                "no take-over within 60 s"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        times.push(killed.elapsed());
        pair[holder].start(&binary, &slack, db_url)?;
        slack
            .wait_until(Duration::from_secs(30), |s| s.live_sockets() == 2)
            .await?;
    }
    for replica in &mut pair {
        if let Some(mut child) = replica.child.take() {
            child.kill().await?;
        }
    }
    Ok(summarise(times))
}
