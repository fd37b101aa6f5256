//! Shared set-up for integration tests: a fresh emulator, a fresh database
//! and the real app on port 0, driven by a manual clock.
#![allow(dead_code)]

pub mod database;
pub mod incident;
pub mod kills;
pub mod logs;

use chrono::{DateTime, TimeZone, Utc};
use paas_incident_bot::app::{App, AppConfig};
use paas_incident_bot::clock::ManualClock;
use paas_incident_bot::http::alerts::AlertSecrets;
use paas_incident_bot::policy::Policy;
use paas_incident_bot::settings::Secret;
use slack_emulator::Emulator;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// The bearer token the test bot takes alerts with.
pub const ALERT_TOKEN: &str = "test-alert-token";

pub const WAIT: Duration = Duration::from_secs(10);
pub const ACK_WINDOW: Duration = Duration::from_secs(3);

/// A running bot and the Slack it talks to.
pub struct TestApp {
    pub slack: Emulator,
    pub clock: ManualClock,
    pub health: SocketAddr,
    pub shutdown: CancellationToken,
    pub running: Option<JoinHandle<anyhow::Result<()>>>,
    pub db_url: String,
    pub policy: Policy,
    /// `STATUSPAGE_API_KEY` as the bot is started with.
    pub statuspage_key: Option<String>,
    /// `ALERT_WEBHOOK_TOKEN` and `GRAFANA_WEBHOOK_SECRET` as the bot is
    /// started with: [`ALERT_TOKEN`] and none.
    pub alerts: AlertSecrets,
    _dir: Arc<TempDir>,
}

/// Monday 23 November 2026, 10:00 in London: a working day, in hours.
pub fn monday_morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
}

impl TestApp {
    pub async fn start() -> TestApp {
        Self::start_with(Policy::builtin(), monday_morning()).await
    }

    pub async fn start_with(policy: Policy, now: DateTime<Utc>) -> TestApp {
        Self::start_keyed(policy, now, None).await
    }

    /// Runs `policy` with the tests' people (Alice, Bob and Carol) added
    /// to its `admins`: they run incidents and set overrides throughout,
    /// which SPEC §2.7 leaves to responders, and admins are responders.
    /// Permission tests use people the policy does not name. The bot is
    /// given `STATUSPAGE_API_KEY` = `key`.
    pub async fn start_keyed(policy: Policy, now: DateTime<Utc>, key: Option<&str>) -> TestApp {
        Self::start_at(policy, now, key, None).await
    }

    /// The built-in policy on the database at `db_url` (made by the test).
    pub async fn start_on(db_url: String) -> TestApp {
        Self::start_at(Policy::builtin(), monday_morning(), None, Some(db_url)).await
    }

    async fn start_at(
        mut policy: Policy,
        now: DateTime<Utc>,
        key: Option<&str>,
        db_url: Option<String>,
    ) -> TestApp {
        for person in incident::TEAM {
            let id = paas_incident_bot::ids::UserId::parse(person).unwrap();
            if !policy.admins.contains(&id) {
                policy.admins.push(id);
            }
        }
        let slack = Emulator::start().await.expect("emulator starts");
        let dir = Arc::new(tempfile::tempdir().unwrap());
        let db_url = match db_url {
            Some(url) => url,
            None => database::fresh_url(dir.path()).await,
        };
        let clock = ManualClock::new(now);
        let mut app = TestApp {
            slack,
            clock,
            health: "127.0.0.1:0".parse().unwrap(),
            shutdown: CancellationToken::new(),
            running: None,
            db_url,
            policy,
            statuspage_key: key.map(str::to_owned),
            alerts: AlertSecrets {
                token: Some(Secret::new(ALERT_TOKEN.to_owned())),
                grafana_secret: None,
            },
            _dir: dir,
        };
        app.boot().await;
        app
    }

    /// What the bot is built from: this emulator, database, policy and
    /// clock, the health port on loopback at a free port.
    pub fn config(&self) -> AppConfig {
        AppConfig {
            api_url: self.slack.api_url(),
            app_token: Secret::new(self.slack.app_token()),
            bot_token: Secret::new(self.slack.bot_token()),
            database_url: self.db_url.clone(),
            policy: self.policy.clone(),
            health_bind: std::net::IpAddr::from([127, 0, 0, 1]),
            port: 0,
            clock: Arc::new(self.clock.clone()),
            statuspage_key: self.statuspage_key.clone().map(Secret::new),
            public_url: None,
            alerts: self.alerts.clone(),
        }
    }

    /// Starts (or restarts) the bot against the same emulator and database.
    pub async fn boot(&mut self) {
        let app = App::build(self.config()).await.expect("app builds");
        self.health = app.health_addr();
        self.shutdown = CancellationToken::new();
        self.running = Some(tokio::spawn(app.run(self.shutdown.clone())));
        self.slack
            .wait_for_socket(WAIT)
            .await
            .expect("bot connects");
    }

    /// Stops the bot and waits until every task it started has ended.
    pub async fn stop(&mut self) {
        self.shutdown.cancel();
        if let Some(running) = self.running.take() {
            tokio::time::timeout(WAIT, running)
                .await
                .expect("app stops within the wait")
                .expect("app task did not panic")
                .expect("app run returned Ok");
        }
    }

    pub async fn restart(&mut self) {
        self.stop().await;
        self.boot().await;
    }

    /// Sends a slash command as the person typed it (the emulator encodes
    /// it as Slack does) and returns the ack payload, which must be within
    /// Slack's limits.
    pub async fn command(&self, command: &str, text: &str, user: &str) -> serde_json::Value {
        let id = self
            .slack
            .slash_command(command, text, user, "C0PAAS")
            .await
            .expect("envelope sent");
        let ack = self
            .slack
            .wait_ack(&id, ACK_WINDOW)
            .await
            .expect("acked within 3 s");
        assert!(ack.latency < ACK_WINDOW, "ack took {:?}", ack.latency);
        // Every reply must be one Slack would show (SPEC §2.6).
        assert_eq!(
            ack.refused, None,
            "Slack refused the reply to {command} {text:.80}"
        );
        ack.payload.unwrap_or(serde_json::Value::Null)
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        http_get(self.health, path).await
    }
}

/// A tiny HTTP/1.1 GET, so tests do not need an HTTP client dependency.
pub async fn http_get(addr: SocketAddr, path: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", addr.port()))
        .await
        .unwrap();
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await
        .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.unwrap();
    let status = raw[9..12].parse().unwrap();
    let body = raw
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// A tiny HTTP/1.1 POST with extra headers; the status and body.
pub async fn http_post(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", addr.port()))
        .await
        .unwrap();
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    // A server may answer (413, 401) before reading all of a large body.
    let _ = stream.write_all(body).await;
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw).await;
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let status = raw.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = raw
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// Waits until `check` holds, polling; for state another task changes.
pub async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !check() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
