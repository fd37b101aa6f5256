//! `playground`: the real bot, started as `serve` starts it, against the
//! built-in Slack emulator on a clock the page moves, with a web page on
//! loopback where a person plays every part (SPEC §8). No tokens, no
//! network; a temporary database unless one is named.
//!
//! The page reads the emulator's workspace and sends what a person does
//! (commands, presses, submissions, replies, 📌) as the emulator's
//! envelopes, so the bot cannot tell it from Slack.

mod calendar;
mod page;
mod routes;
mod style;

use crate::app::{App, AppConfig};
use crate::clock::{Clock, ManualClock};
use crate::policy::Policy;
use crate::settings::Secret;
use chrono::{DateTime, Utc};
use serde_json::Value;
use slack_emulator::{Emulator, StatusPage};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

/// What the playground is started with.
pub struct Options {
    pub policy: Policy,
    /// Where the page listens; port 0 picks a free one.
    pub bind: SocketAddr,
    /// `--database`; a temporary file (removed on stop) when `None`.
    pub database_url: Option<String>,
    /// Where the bot's clock starts; it moves only when the page says.
    pub start: DateTime<Utc>,
}

/// The reply a slash command's ack carried, shown only to who ran it.
#[derive(Clone)]
pub(crate) struct Reply {
    pub user: String,
    pub text: String,
    pub blocks: Value,
}

/// Everything the page's handlers share.
pub(crate) struct Shared {
    pub slack: Emulator,
    pub clock: ManualClock,
    pub policy: Policy,
    pub reads: sqlx::AnyPool,
    /// The person the page acts as (one person at a time, as at a desk).
    pub acting_as: Mutex<String>,
    pub reply: Mutex<Option<Reply>>,
    /// A modal's field errors from the bot's last ack, by view id.
    pub errors: Mutex<HashMap<String, Value>>,
    /// Makes each message a person posts a distinct ts at the same minute.
    pub posts: AtomicU64,
}

impl Shared {
    pub fn acting_as(&self) -> String {
        self.acting_as.lock().expect("lock").clone()
    }

    /// Everyone the policy names, in the order it names them: admins,
    /// then each rota's members.
    pub fn people(&self) -> Vec<String> {
        people(&self.policy)
    }
}

pub(crate) fn people(policy: &Policy) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let all = policy
        .admins
        .iter()
        .chain(policy.rotas.iter().flat_map(|r| r.members.iter()));
    for id in all {
        let id = id.to_string();
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// A running playground: its page's address, and the way to stop it.
pub struct Running {
    pub addr: SocketAddr,
    pub clock: ManualClock,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Running {
    /// Runs until `stop` fires (or the bot stops), then stops everything.
    pub async fn wait(self, stop: CancellationToken) -> anyhow::Result<()> {
        let shutdown = self.shutdown.clone();
        tokio::spawn(async move {
            stop.cancelled().await;
            shutdown.cancel();
        });
        self.task.await?
    }

    pub async fn stop(self) -> anyhow::Result<()> {
        self.shutdown.cancel();
        self.task.await?
    }
}

/// Starts the emulator, the bot and the page; returns once all three
/// listen and the bot is connected.
pub async fn start(options: Options) -> anyhow::Result<Running> {
    let slack = Emulator::start().await?;
    let temp = match options.database_url {
        Some(_) => None,
        None => Some(crate::demo::TempDb::new("playground")),
    };
    let database_url = options
        .database_url
        .clone()
        .or_else(|| temp.as_ref().map(|t| t.url()))
        .unwrap_or_default();
    for id in people(&options.policy) {
        slack.add_user(&id, &id, options.policy.timezone.name());
    }
    let clock = ManualClock::new(options.start);
    let mut policy = options.policy;
    let statuspage = emulated_statuspage(&mut policy, &clock).await?;
    let app = App::build(AppConfig {
        api_url: slack.api_url(),
        app_token: Secret::new(slack.app_token()),
        bot_token: Secret::new(slack.bot_token()),
        database_url: database_url.clone(),
        policy: policy.clone(),
        health_bind: IpAddr::from([127, 0, 0, 1]),
        port: 0,
        clock: Arc::new(clock.clone()),
        statuspage_key: Some(Secret::new(STATUSPAGE_KEY.to_owned())),
        public_url: None,
        alerts: Default::default(),
    })
    .await?;
    let reads = crate::store::open_reads(&database_url).await?;
    let listener = tokio::net::TcpListener::bind(options.bind)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {} for the page: {e}", options.bind))?;
    let addr = listener.local_addr()?;
    let first = people(&policy).into_iter().next().unwrap_or_default();
    let shared = Arc::new(Shared {
        slack: slack.clone(),
        clock: clock.clone(),
        policy,
        reads: reads.clone(),
        acting_as: Mutex::new(first),
        reply: Mutex::new(None),
        errors: Mutex::new(HashMap::new()),
        posts: AtomicU64::new(0),
    });
    let shutdown = CancellationToken::new();
    let bot = tokio::spawn(app.run(shutdown.clone()));
    slack
        .wait_for_socket(std::time::Duration::from_secs(10))
        .await?;
    let page_stop = shutdown.clone();
    let page = tokio::spawn(async move {
        axum::serve(listener, routes::router(shared))
            .with_graceful_shutdown(async move { page_stop.cancelled().await })
            .await
    });
    let task = tokio::spawn(async move {
        let ran = bot.await;
        let _ = page.await;
        reads.close().await;
        drop(temp);
        drop(slack);
        drop(statuspage);
        ran?
    });
    Ok(Running {
        addr,
        clock,
        shutdown,
        task,
    })
}

/// The emulated status page's API key.
const STATUSPAGE_KEY: &str = "playground-statuspage-key";

/// For a policy with `[statuspage]`, an emulated page with its page id and
/// components, on the bot's clock, and the policy pointed at it: nothing
/// reaches the real Statuspage.
async fn emulated_statuspage(
    policy: &mut Policy,
    clock: &ManualClock,
) -> anyhow::Result<Option<StatusPage>> {
    let Some(settings) = policy.statuspage.as_mut() else {
        return Ok(None);
    };
    // The policy maps names to ids; the emulator takes (id, name).
    let components: Vec<(&str, &str)> = settings
        .components
        .iter()
        .map(|(name, id)| (id.as_str(), name.as_str()))
        .collect();
    let page = StatusPage::start(&settings.page_id, STATUSPAGE_KEY, &components).await?;
    let page_clock = clock.clone();
    page.use_clock(move || page_clock.now());
    settings.api_url = page.api_url();
    Ok(Some(page))
}

/// The whole minute the host clock reads: where the CLI starts the clock.
pub fn start_now() -> DateTime<Utc> {
    crate::clock::this_minute(crate::clock::SystemClock::new().now())
}
