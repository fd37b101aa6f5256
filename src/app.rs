//! Assembles the running bot from its parts and runs it until shutdown:
//! storage, the Slack connection, the health server and background work.
//! The caller passes the port and the shutdown signal, so tests can run the
//! real app on port 0 against the emulator.

use crate::bot::{
    lead, Bot, Changes, Context, Delivery, Dispatch, LeaseLoop, Publisher, Scheduler, Topics,
};

use crate::clock::Clock;
use crate::database_url::Backend;
use crate::health::{self, HealthState};
use crate::metrics::Metrics;
use crate::policy::Policy;
use crate::settings::Secret;
use crate::slack::{self, SlackWeb, SocketMode};
use crate::statuspage::StatusPageApi;
use crate::store;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

/// What the app needs to start; `Settings` supplies it in production.
pub struct AppConfig {
    pub api_url: String,
    pub app_token: Secret,
    pub bot_token: Secret,
    pub database_url: String,
    pub policy: Policy,
    /// `HEALTH_BIND` and `PORT`: where `/healthz` and `/metrics` listen.
    pub health_bind: IpAddr,
    pub port: u16,
    pub clock: Arc<dyn Clock>,
    /// `STATUSPAGE_API_KEY`; needed when the policy has `[statuspage]`.
    pub statuspage_key: Option<Secret>,
    /// `PUBLIC_URL`: the base of calendar feed links; None for
    /// `http://localhost:PORT` (the port bound).
    pub public_url: Option<String>,
    /// `ALERT_WEBHOOK_TOKEN` and `GRAFANA_WEBHOOK_SECRET` (SPEC §6).
    pub alerts: crate::http::alerts::AlertSecrets,
}

/// A built app: storage open, health port bound, not yet connected.
pub struct App {
    health_listener: TcpListener,
    health: Arc<HealthState>,
    /// `/alerts/*`, served beside `/healthz`.
    routes: axum::Router,
    socket: SocketMode,
    context: Arc<Context>,
    web: SlackWeb,
    db: sqlx::AnyPool,
    reads: sqlx::AnyPool,
    loops: (Delivery, Scheduler, Topics, Publisher),
    /// Which replica runs the loops (SPEC §4).
    lease: LeaseLoop,
    /// Other replicas' commits, heard on PostgreSQL (`loops::changes`).
    changes: Option<Changes>,
    statuspage: Option<Arc<StatusPageApi>>,
    /// The policy's incident channel, checked at start.
    incident_channel: crate::ids::ChannelId,
    /// Held until `run` returns: one bot per database file.
    _lock: Option<store::file::Lock>,
}

impl App {
    pub async fn build(config: AppConfig) -> anyhow::Result<App> {
        let metrics = Arc::new(Metrics::new());
        let path = store::file::path_of(&config.database_url);
        // Before opening: a second bot must not even run migrations.
        let lock = path.as_deref().map(store::file::lock).transpose();
        // Taken by another bot is its own error; anything else means the
        // file's directory cannot be used: the database is unreachable.
        let lock = lock.map_err(|e| {
            if e.is::<store::file::AlreadyServing>() {
                e
            } else {
                store::Unreachable::at(&config.database_url, e)
            }
        })?;
        let db = store::open(&config.database_url).await?;
        if let Some(lock) = &lock {
            lock.mark_served()
                .map_err(|e| anyhow::anyhow!("cannot write the database's lock file: {e}"))?;
        }
        let file = path
            .as_deref()
            .map(store::file::Identity::of)
            .transpose()
            .map_err(|e| anyhow::anyhow!("cannot read the database file: {e}"))?;
        let reads = store::open_reads(&config.database_url).await?;
        let client = slack::connect::client(&config.api_url)?;
        let web = SlackWeb::new(
            client.clone(),
            slack::connect::token(config.bot_token.expose()),
            metrics.clone(),
            config.clock.clone(),
        );
        let statuspage = match (&config.policy.statuspage, config.statuspage_key) {
            (None, _) => None,
            (Some(settings), Some(key)) => Some(Arc::new(StatusPageApi::new(
                settings,
                key,
                config.clock.clone(),
            )?)),
            (Some(_), None) => anyhow::bail!(
                "STATUSPAGE_API_KEY is not set: the policy's [statuspage] section needs the page's API key"
            ),
        };
        let health_listener = health::bind(config.health_bind, config.port)
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "cannot listen on HEALTH_BIND {} PORT {} for /healthz: {e}",
                    config.health_bind,
                    config.port
                )
            })?;
        // Links name the port actually bound (tests bind port 0).
        let feed_base = config.public_url.clone().unwrap_or_else(|| {
            format!(
                "http://localhost:{}",
                health_listener
                    .local_addr()
                    .map_or(config.port, |a| a.port())
            )
        });
        let feeds =
            crate::http::calendar::Feeds::new(&config.policy, reads.clone(), config.clock.clone());
        let incident_channel = config.policy.incident_channel.clone();
        let signature_header = config.policy.alerts.grafana_signature_header.clone();
        let Bot {
            context,
            delivery,
            scheduler,
            topics,
            publisher,
            alerts,
        } = Bot::new(
            config.policy,
            db.clone(),
            reads.clone(),
            web.clone(),
            statuspage.clone(),
            config.clock.clone(),
            metrics.clone(),
            feed_base,
        )
        .await?;
        let changes = (store::backend_of(&db) == Backend::Postgres)
            .then(|| Changes::new(config.database_url.clone(), context.clone()));
        // Real time, not the business clock: see `bot::loops::lease`.
        let (lease, leadership) =
            LeaseLoop::new(db.clone(), crate::lease::Timing::PRODUCTION, lock.is_some());
        let alert_routes = crate::http::alerts::AlertRoutes {
            intake: alerts,
            secrets: config.alerts,
            // Checked when the policy was loaded.
            signature_header: axum::http::HeaderName::from_bytes(signature_header.as_bytes())?,
        };
        let routes = crate::http::alerts::router(Arc::new(alert_routes))
            .merge(crate::http::calendar::router(feeds));
        let connected = Arc::new(AtomicBool::new(false));
        let socket = SocketMode {
            client,
            app_token: slack::connect::token(config.app_token.expose()),
            handler: Arc::new(Dispatch(context.clone())),
            connected: connected.clone(),
            metrics: metrics.clone(),
            clock: config.clock,
            web: web.clone(),
            installation: context.installation(),
        };
        Ok(App {
            health_listener,
            health: Arc::new(HealthState {
                // Read-only: a probe must not queue behind writers.
                db: reads.clone(),
                writer: db.clone(),
                file,
                slack_connected: connected,
                leadership,
                ready_requires_leader: false,
                metrics,
            }),
            routes,
            socket,
            context,
            web,
            db,
            reads,
            loops: (delivery, scheduler, topics, publisher),
            lease,
            changes,
            statuspage,
            incident_channel,
            _lock: lock,
        })
    }

    /// `READY_REQUIRES_LEADER`: `/readyz` answers 503 while this replica
    /// stands by (SPEC §4).
    pub fn ready_requires_leader(mut self, requires: bool) -> App {
        Arc::get_mut(&mut self.health)
            .expect("health is shared only once the app runs")
            .ready_requires_leader = requires;
        self
    }

    /// The address `/healthz` and `/metrics` are served on.
    pub fn health_addr(&self) -> SocketAddr {
        self.health_listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Runs until `shutdown` fires; returns once every task has finished.
    pub async fn run(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        let App {
            health_listener,
            health,
            routes,
            socket,
            context,
            web,
            db,
            reads,
            loops: (delivery, scheduler, topics, publisher),
            lease,
            changes,
            statuspage,
            incident_channel,
            _lock,
        } = self;
        info!(addr = %health_listener.local_addr()?, "serving /healthz and /metrics");
        tokio::spawn({
            let (web, shutdown) = (web.clone(), shutdown.clone());
            async move {
                shutdown.cancelled().await;
                web.stop_waiting();
                if let Some(api) = statuspage {
                    api.stop_waiting();
                }
            }
        });
        let health_task = tokio::spawn(health::serve(
            health_listener,
            health.clone(),
            routes,
            shutdown.clone(),
        ));
        // Background loops stop on a token of their own, cancelled only once
        // the socket has stopped and in-flight work has finished, so what
        // that work queued is still delivered. They run only while this
        // replica holds the lease, which is released after they end.
        let background = CancellationToken::new();
        let release = CancellationToken::new();
        let leadership = health.leadership.clone();
        let mut lease = lease;
        lease.ask_once().await;
        let lease = tokio::spawn(lease.run(release.clone()));
        let delivery = lead("delivery", delivery, &leadership, &background);
        let topics = lead("topics", topics, &leadership, &background);
        let scheduler = lead("scheduler", scheduler, &leadership, &background);
        let publisher = lead("publisher", publisher, &leadership, &background);
        // Every replica hears the others, leader or not.
        let changes = changes.map(|changes| tokio::spawn(changes.run(background.clone())));
        let channel_check = tokio::spawn(check_incident_channel(
            web.clone(),
            incident_channel,
            health.metrics.clone(),
        ));
        socket.run(shutdown.clone()).await;
        channel_check.abort();
        // The socket has stopped taking events; let spawned work finish.
        context.finish_work().await;
        background.cancel();
        delivery.await?;
        topics.await?;
        scheduler.await?;
        publisher.await?;
        if let Some(changes) = changes {
            changes.await?;
        }
        release.cancel();
        lease.await?;
        health_task.await?;
        // Closing checkpoints the WAL into the database file.
        db.close().await;
        reads.close().await;
        info!("stopped cleanly");
        Ok(())
    }
}

/// Asks Slack whether the bot can post in the incident channel, and says so
/// loudly (an error line, and the `incident_channel_usable` metric) if it
/// cannot: otherwise the first sign is a declared incident that nobody
/// sees.
async fn check_incident_channel(
    web: SlackWeb,
    channel: crate::ids::ChannelId,
    metrics: Arc<Metrics>,
) {
    let id = slack_morphism::prelude::SlackChannelId(channel.to_string());
    match web.channel_problem(&id).await {
        Ok(None) => {
            metrics.set_incident_channel_usable(true);
            info!(%channel, "the incident channel takes posts");
        }
        Ok(Some(problem)) => {
            metrics.set_incident_channel_usable(false);
            error!(
                %channel,
                %problem,
                "the incident channel cannot take posts: cards will not be seen; \
                 declarers and the engineering cover will be told by DM instead. \
                 Unarchive it, invite the bot, or change incident_channel in the policy"
            );
        }
        Err(e) => warn!(%channel, error = %e, "could not check the incident channel"),
    }
}
