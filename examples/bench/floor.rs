//! The floor: the real bot beside a bare slack-morphism bot
//! (`examples/bare_bot.rs`), each in its own process against its own
//! emulator, so the memory figures are the bot's alone.
//!
//!     cargo build --release --bin paas-incident-bot
//!     cargo build --release --example bare_bot --example bench
//!     BENCH_ONLY=floor target/release/examples/bench
//!
//! Each run starts a fresh emulator and bot, waits for the socket, lets the
//! bot settle for 2 s, reads its resident memory (idle), sends 300 `/oncall`
//! at 50/s (open loop) and reads its peak (VmHWM). The bots take turns,
//! `FLOOR_ROUNDS` rounds (default 5), and the table gives the median of the
//! rounds. `FLOOR_BOTS=label=path,label=path` replaces the real bot with
//! other builds of it (say, before and after a change), run in the same
//! rounds; every process inherits the bench's environment.

use crate::acks;
use crate::stats::{median, ms, pid_status_kb, Summary};
use slack_emulator::Emulator;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

const RATE: u32 = 50;
const COUNT: usize = 300;
const SETTLE: Duration = Duration::from_secs(2);

struct Bot {
    label: String,
    path: PathBuf,
    /// The real bot (`serve`, a database, a health port) or the bare one.
    real: bool,
}

struct Run {
    acks: Summary,
    idle_kb: u64,
    peak_kb: u64,
    anon_kb: u64,
    file_kb: u64,
    threads: u64,
    answered: usize,
}

fn bots() -> anyhow::Result<Vec<Bot>> {
    let exe = std::env::current_exe()?;
    // target/release/examples/bench: the bare bot is a sibling, the real
    // binary one level up.
    let examples = exe.parent().unwrap_or(Path::new("."));
    let release = examples.parent().unwrap_or(Path::new("."));
    let mut bots = vec![Bot {
        label: "bare slack-morphism bot".into(),
        path: examples.join("bare_bot"),
        real: false,
    }];
    match std::env::var("FLOOR_BOTS") {
        Ok(list) if !list.trim().is_empty() => {
            for item in list.split(',') {
                let (label, path) = item
                    .split_once('=')
                    .ok_or_else(|| anyhow::anyhow!("FLOOR_BOTS item `{item}` is not label=path"))?;
                bots.push(Bot {
                    label: label.trim().into(),
                    path: path.trim().into(),
                    real: true,
                });
            }
        }
        _ => bots.push(Bot {
            label: "paas-incident-bot".into(),
            path: release.join("paas-incident-bot"),
            real: true,
        }),
    }
    for bot in &bots {
        anyhow::ensure!(
            bot.path.exists(),
            "{} not found: build it first (cargo build --release --bin paas-incident-bot, \
             then cargo build --release --example bare_bot --example bench)",
            bot.path.display()
        );
    }
    Ok(bots)
}

async fn run_one(bot: &Bot) -> anyhow::Result<Run> {
    let slack = Emulator::start().await?;
    let dir = tempfile::tempdir()?;
    let log_path = dir.path().join("bot.log");
    let mut command = tokio::process::Command::new(&bot.path);
    if bot.real {
        command.arg("serve");
    }
    command
        .env("SLACK_API_URL", slack.api_url())
        .env("SLACK_APP_TOKEN", slack.app_token())
        .env("SLACK_BOT_TOKEN", slack.bot_token())
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("floor.db").display()),
        )
        .env("PORT", "0")
        .env_remove("BOT_CONFIG")
        .env_remove("BOT_CLOCK_OFFSET_SECS")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log_path)?)
        .kill_on_drop(true);
    let mut child = command.spawn()?;
    let pid = child
        .id()
        .ok_or_else(|| anyhow::anyhow!("the bot exited at once"))?;
    if let Err(e) = slack.wait_for_socket(Duration::from_secs(20)).await {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        anyhow::bail!("{}: {e}\n{log}", bot.label);
    }
    tokio::time::sleep(SETTLE).await;
    let idle_kb = pid_status_kb(pid, "VmRSS:");
    let acks = acks::paced(&slack, RATE, COUNT, |_| {
        let slack = slack.clone();
        async move {
            slack
                .slash_command("/oncall", "", "U0ALICE", "C0PAAS")
                .await
        }
    })
    .await;
    let run = Run {
        acks,
        idle_kb,
        peak_kb: pid_status_kb(pid, "VmHWM:"),
        anon_kb: pid_status_kb(pid, "RssAnon:"),
        file_kb: pid_status_kb(pid, "RssFile:"),
        threads: pid_status_kb(pid, "Threads:"),
        answered: slack
            .acks()
            .iter()
            .filter(|a| a.payload.as_ref().is_some_and(|p| p["text"].is_string()))
            .count(),
    };
    child.start_kill()?;
    child.wait().await?;
    Ok(run)
}

fn mb(kb: u64) -> String {
    format!("{:.1} MB", kb as f64 / 1024.0)
}

pub async fn run() -> anyhow::Result<()> {
    let bots = bots()?;
    let rounds: usize = std::env::var("FLOOR_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
        .max(1);
    println!("{COUNT} `/oncall` at {RATE}/s, each bot in its own process, {rounds} rounds");
    println!();
    println!(
        "| round | bot | p50 | p99 | max | idle RSS | peak RSS | RssAnon / RssFile at end | threads |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let mut runs: Vec<Vec<Run>> = bots.iter().map(|_| Vec::new()).collect();
    for round in 0..rounds {
        // Take turns in a different order each round, so a drift in the
        // machine's load does not always fall on the same bot.
        let order: Vec<usize> = if round % 2 == 0 {
            (0..bots.len()).collect()
        } else {
            (0..bots.len()).rev().collect()
        };
        for i in order {
            let run = run_one(&bots[i]).await?;
            if run.answered < COUNT {
                println!(
                    "(warning: {} answered {} of {COUNT} with text)",
                    bots[i].label, run.answered
                );
            }
            println!(
                "| {} | {} | {} | {} | {} | {} | {} | {} / {} | {} |",
                round + 1,
                bots[i].label,
                ms(run.acks.p50),
                ms(run.acks.p99),
                ms(run.acks.max),
                mb(run.idle_kb),
                mb(run.peak_kb),
                mb(run.anon_kb),
                mb(run.file_kb),
                run.threads
            );
            runs[i].push(run);
        }
    }
    println!();
    println!("Medians of {rounds} rounds:");
    println!();
    println!("| bot | p50 | p99 | max | idle RSS | peak RSS |");
    println!("|---|---|---|---|---|---|");
    for (bot, runs) in bots.iter().zip(&runs) {
        let of = |f: fn(&Run) -> u64| median(&runs.iter().map(f).collect::<Vec<_>>());
        let at = |f: fn(&Run) -> Duration| median(&runs.iter().map(f).collect::<Vec<_>>());
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            bot.label,
            ms(at(|r| r.acks.p50)),
            ms(at(|r| r.acks.p99)),
            ms(at(|r| r.acks.max)),
            mb(of(|r| r.idle_kb)),
            mb(of(|r| r.peak_kb)),
        );
    }
    Ok(())
}
