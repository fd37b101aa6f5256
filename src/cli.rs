//! The command line: `serve` (default), `check`, `oncall`, `report`, `demo`.

use crate::app::{App, AppConfig};
use crate::clock::SystemClock;
use crate::policy::Policy;
use crate::settings::{self, Settings};
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
}

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
    crate::telemetry::init(settings::log_format(&env));
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(cli.config).await,
        Command::Check => check(cli.config),
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
    let app = App::build(AppConfig {
        api_url: settings.api_url,
        app_token: settings.app_token,
        bot_token: settings.bot_token,
        database_url: settings.database_url,
        policy,
        port: settings.port,
        clock: Arc::new(SystemClock::new()),
    })
    .await;
    let app = match app {
        Ok(app) => app,
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
    match load_policy(config_flag) {
        Ok(_) => {
            println!("policy OK");
            ExitCode::SUCCESS
        }
        Err(e) => config_error(e),
    }
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
