//! The command line: `serve` (default), `check`, `oncall`, `report`, `demo`,
//! `playground`.

use crate::app::{App, AppConfig};
use crate::clock::{Clock, SystemClock};
use crate::command::parse_when;
use crate::ids::IncidentNumber;
use crate::policy::Policy;
use crate::rota;
use crate::settings::{self, Settings};
use crate::store::incidents;
use crate::views::oncall::{self as view, Style};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

#[derive(Debug, Parser)]
#[command(
    name = "paas-incident-bot",
    version,
    about = "Runs a platform team's support and incident process in Slack"
)]
pub struct Cli {
    /// Policy file (TOML); wins over BOT_CONFIG. Default: the built-in GOV.UK PaaS policy.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Connect to Slack over Socket Mode and run (the default).
    Serve,
    /// Validate the policy and print who is on call for the next 14 days.
    Check,
    /// Who is on call, as `/oncall` would answer, from the policy and the database.
    Oncall {
        /// One rota (with its next shifts); every rota when absent.
        rota: Option<String>,
        /// A moment instead of now: `18:00`, `tomorrow 09:00`, `2026-12-24 18:00`.
        #[arg(long, value_name = "WHEN")]
        at: Option<String>,
    },

    /// Play a whole P1 incident against the built-in Slack emulator and print
    /// what Slack sees: no tokens, no network.
    Demo,

    /// The real bot against the built-in Slack emulator, with a web page on
    /// 127.0.0.1 where you play every part: no tokens, no network.
    Playground {
        /// The page's port on 127.0.0.1.
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Keep the playground's state here (`sqlite://FILE`); a temporary
        /// database when absent.
        #[arg(long, value_name = "URL")]
        database: Option<String>,
    },

    /// Print an incident's report as Markdown.
    Report {
        /// `INC-N` or `N`.
        incident: String,
    },
}

/// Days of rota `check` prints.
const CHECK_DAYS: u32 = 14;

/// Exit status 2: the operator must fix configuration before anything runs.
pub const CONFIG_ERROR: u8 = 2;

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

pub fn load_policy(flag: Option<PathBuf>) -> Result<Policy, String> {
    match settings::config_path(&env, flag) {
        None => Ok(Policy::builtin()),
        Some(path) => Policy::load(&path).map_err(|e| e.to_string()),
    }
}

pub async fn run(cli: Cli) -> ExitCode {
    // The demo's output is its transcript; logs would bury it.
    if matches!(cli.command, Some(Command::Demo)) {
        return demo().await;
    }
    crate::telemetry::init(settings::log_format(&env));
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(cli.config).await,
        Command::Check => check(cli.config),
        Command::Oncall { rota, at } => oncall(cli.config, rota, at).await,
        Command::Report { incident } => report(cli.config, &incident).await,
        Command::Demo => demo().await,
        Command::Playground { port, database } => playground(cli.config, port, database).await,
    }
}

async fn demo() -> ExitCode {
    let mut out = std::io::stdout();
    match crate::demo::run(&mut out).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("paas-incident-bot: the demo failed: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn playground(config_flag: Option<PathBuf>, port: u16, database: Option<String>) -> ExitCode {
    let policy = match load_policy(config_flag) {
        Ok(p) => p,
        Err(e) => return config_error(e),
    };
    let options = crate::playground::Options {
        policy,
        bind: std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        database_url: database,
        start: crate::playground::start_now(),
    };
    let running = match crate::playground::start(options).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("paas-incident-bot: the playground did not start: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    out(&format!(
        "The playground is at http://{}/ (Ctrl-C stops it).\n",
        running.addr
    ));
    let shutdown = CancellationToken::new();
    tokio::spawn(stop_on_signal(shutdown.clone()));
    match running.wait(shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("paas-incident-bot: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config_flag: Option<PathBuf>) -> ExitCode {
    let settings = match Settings::from_lookup(env, config_flag.clone()) {
        Ok(s) => s,
        Err(e) => return config_error(e),
    };
    let policy = match load_policy(config_flag) {
        Ok(p) => p,
        Err(e) => return config_error(e),
    };
    if !settings.clock_offset.is_zero() {
        tracing::warn!(
            offset_s = settings.clock_offset.num_seconds(),
            "BOT_CLOCK_OFFSET_SECS is set: the bot's clock is not the host's; for rehearsals only"
        );
    }
    if policy.statuspage.is_some() && settings.statuspage_key.is_none() {
        eprintln!(
            "paas-incident-bot: STATUSPAGE_API_KEY is not set: the policy's [statuspage] section needs the page's API key (Statuspage: your avatar > API info)"
        );
        return ExitCode::from(2);
    }
    let ready_requires_leader = settings.ready_requires_leader;
    let app = App::build(AppConfig {
        api_url: settings.api_url,
        app_token: settings.app_token,
        bot_token: settings.bot_token,
        database_url: settings.database_url.expose().to_owned(),
        policy,
        health_bind: settings.health_bind,
        port: settings.port,
        clock: Arc::new(SystemClock::shifted(settings.clock_offset)),
        statuspage_key: settings.statuspage_key,
        public_url: settings.public_url,
        alerts: settings.alerts,
    })
    .await;
    let app = match app {
        Ok(app) => app.ready_requires_leader(ready_requires_leader),
        // SPEC §4: a database that cannot be reached at start exits 2.
        Err(e) if e.chain().any(|c| c.is::<crate::store::Unreachable>()) => {
            return config_error(format!("{e:#}"))
        }
        Err(e) => {
            eprintln!("paas-incident-bot: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let shutdown = CancellationToken::new();
    tokio::spawn(stop_on_signal(shutdown.clone()));
    match app.run(shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("paas-incident-bot: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn check(config_flag: Option<PathBuf>) -> ExitCode {
    let policy = match load_policy(config_flag) {
        Ok(policy) => policy,
        Err(e) => return config_error(e),
    };
    let now = SystemClock::new().now();
    let calendar = policy.calendar();
    let table = rota::schedule_table(&policy, &calendar, now, CHECK_DAYS, &[]);
    let warning = calendar
        .holiday_data_warning(calendar.local(now).date_naive())
        .map(|w| format!("Warning: {w}\n\n"))
        .unwrap_or_default();
    let notices: String = policy
        .notices()
        .iter()
        .map(|n| format!("Note: {n}\n\n"))
        .collect();
    out(&format!("Policy OK.\n\n{notices}{warning}{table}\n"));
    ExitCode::SUCCESS
}

async fn oncall(
    config_flag: Option<PathBuf>,
    rota: Option<String>,
    at: Option<String>,
) -> ExitCode {
    let policy = match load_policy(config_flag) {
        Ok(policy) => policy,
        Err(e) => return config_error(e),
    };
    let now = SystemClock::new().now();
    let at = match at.map(|w| parse_when(&w, now, policy.timezone)).transpose() {
        Ok(at) => at.unwrap_or(now),
        Err(e) => return config_error(format!("--at: {e}")),
    };
    let live = match live_overrides().await {
        Ok(live) => live,
        Err(e) => {
            eprintln!("paas-incident-bot: cannot read overrides: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let cal = policy.calendar();
    let text = match rota {
        None => view::every_rota(&policy, &cal, at, &live, Style::Terminal),
        Some(name) => match policy.rota(&name) {
            Some(r) => view::one_rota(&policy, &cal, r, at, &live, 7, Style::Terminal),
            None => {
                let hint = policy
                    .closest_rota_name(&name)
                    .map(|n| format!(" (did you mean {n}?)"))
                    .unwrap_or_default();
                return config_error(format!("there is no rota called {name}{hint}"));
            }
        },
    };
    out(&format!("{text}\n"));
    ExitCode::SUCCESS
}

async fn report(config_flag: Option<PathBuf>, incident: &str) -> ExitCode {
    let policy = match load_policy(config_flag) {
        Ok(policy) => policy,
        Err(e) => return config_error(e),
    };
    let number = match IncidentNumber::parse(incident) {
        Ok(n) => n,
        Err(e) => return config_error(e),
    };
    let url = match settings::database_url(&env) {
        Ok(url) => url,
        Err(e) => return config_error(e),
    };
    let db = match crate::store::open_existing(url.expose()).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("paas-incident-bot: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let found = incidents::get(&db, number).await;
    let timeline = incidents::timeline(&db, number).await;
    db.close().await;
    match (found, timeline) {
        (Ok(Some(incident)), Ok(timeline)) => {
            out(&crate::views::report::markdown(
                &policy, &incident, &timeline,
            ));
            ExitCode::SUCCESS
        }
        (Ok(None), _) => {
            eprintln!("paas-incident-bot: there is no incident {number}");
            ExitCode::FAILURE
        }
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("paas-incident-bot: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn live_overrides() -> anyhow::Result<Vec<crate::rota::Override>> {
    let url = settings::database_url(&env)?;
    let db = crate::store::open_existing(url.expose()).await?;
    let live = crate::store::overrides::live(&db).await;
    db.close().await;
    live
}

/// Writes to stdout; a closed pipe (`| head`) is not an error worth a panic.
fn out(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn config_error(e: impl std::fmt::Display) -> ExitCode {
    eprintln!("paas-incident-bot: {e}");
    ExitCode::from(CONFIG_ERROR)
}

/// SIGTERM (Cloud Foundry, systemd) or SIGINT (Ctrl-C) starts a clean stop.
async fn stop_on_signal(shutdown: CancellationToken) {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    tracing::info!("signal received; stopping");
    shutdown.cancel();
}
