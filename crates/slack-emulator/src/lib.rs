//! An in-process Slack for tests, benchmarks and the `demo` command: the Web
//! API under `/api/<method>` and Socket Mode on `/link/`, on one loopback
//! port, with the workspace state, call log, scripted faults and Slack's
//! limits (3 s triggers, Block Kit sizes, message lengths, 250-char topics)
//! kept in memory. Text people type reaches the app encoded as Slack
//! encodes it (`encode`).
//!
//! `Emulator` is a cheap handle; clones share one workspace. The server
//! stops when the last handle is dropped.

mod blockkit;
mod delivery;
mod encode;
mod envelopes;
mod faults;
mod files;
mod history;
mod inspect;
mod methods;
mod person;
pub mod render;
mod socket;
mod state;
pub mod statuspage;
mod views;
mod web;
pub mod wire;

pub use encode::slack_encode;
pub use envelopes::Origin;
pub use inspect::PERSON;
pub use state::{Ack, Call, Ephemeral, File, Message, Reaction, Topic, User, View};
pub use statuspage::{StatusPage, StatusPageFault, StatusPageRequest};

use anyhow::{anyhow, Context};
use axum::serve::ListenerExt;
use serde_json::json;
use state::{Outgoing, State};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

pub const TEAM_ID: &str = "T0EMULATE";
pub const TEAM_DOMAIN: &str = "emulator";
pub const APP_ID: &str = "A0EMUAPP";
/// The app id envelopes carry in `api_app_id`; the same app.
pub const API_APP_ID: &str = APP_ID;
pub const BOT_USER_ID: &str = "U0EMUBOT";
pub const BOT_ID: &str = "B0EMUBOT";
/// Another app installed in the workspace, whose messages carry its own
/// bot id and metadata.
pub const OTHER_APP_USER_ID: &str = "U0OTHERAPP";
pub const OTHER_APP_BOT_ID: &str = "B0OTHERAPP";
const APP_TOKEN: &str = "xapp-1-A0EMUAPP-1-emulator";
const BOT_TOKEN: &str = "xoxb-1-emulator";
/// Slack retries an unacknowledged delivery three times, then gives up.
const MAX_RETRIES: u64 = 3;

/// A running emulated Slack workspace.
#[derive(Clone)]
pub struct Emulator {
    inner: Arc<Inner>,
    _stop: Arc<StopOnDrop>,
}

pub(crate) struct Inner {
    port: u16,
    app_token: String,
    bot_token: String,
    state: Mutex<State>,
    /// Bumped on every change so waiters can re-check without polling.
    changed: watch::Sender<u64>,
    stopped: CancellationToken,
}

struct StopOnDrop(CancellationToken);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

impl Inner {
    /// Runs `f` on the state and wakes waiters.
    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let out = {
            // A panic elsewhere must not take the emulator down with it.
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            f(&mut state)
        };
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
        out
    }

    /// Reads the state without waking anyone.
    fn read<T>(&self, f: impl FnOnce(&State) -> T) -> T {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        f(&state)
    }

    /// Waits until `check` holds or `timeout` passes.
    async fn wait<T>(
        &self,
        timeout: Duration,
        mut check: impl FnMut(&State) -> Option<T>,
    ) -> Option<T> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut changes = self.changed.subscribe();
        loop {
            if let Some(found) = self.read(&mut check) {
                return Some(found);
            }
            match tokio::time::timeout_at(deadline, changes.changed()).await {
                Ok(Ok(())) => {}
                _ => return None,
            }
        }
    }

    /// Sends a recorded envelope to a socket, or queues it until one
    /// connects; arms redelivery if that is switched on.
    fn dispatch(self: &Arc<Self>, envelope_id: &str) {
        let delivered = self.with(|s| {
            let Some(text) = s.sent.get(envelope_id).map(|e| e.frame.to_string()) else {
                return false;
            };
            if socket::deliver(s, text) {
                socket::mark_sent(s, envelope_id);
                true
            } else {
                if !s.queued.iter().any(|q| q == envelope_id) {
                    s.queued.push(envelope_id.to_owned());
                }
                false
            }
        });
        if delivered {
            self.arm_redelivery(envelope_id);
        }
    }

    fn flush_queue(self: &Arc<Self>) {
        let queued = self.with(|s| std::mem::take(&mut s.queued));
        for id in queued {
            self.dispatch(&id);
        }
    }

    fn arm_redelivery(self: &Arc<Self>, envelope_id: &str) {
        let Some(after) = self.read(|s| s.redeliver_after) else {
            return;
        };
        let inner = self.clone();
        let id = envelope_id.to_owned();
        tokio::spawn(async move {
            tokio::select! {
                _ = inner.stopped.cancelled() => {}
                _ = tokio::time::sleep(after) => {
                    let retry = inner.read(|s| {
                        s.sent.get(&id).is_some_and(|e| {
                            !e.acked && e.frame["retry_attempt"].as_u64().unwrap_or(0) < MAX_RETRIES
                        })
                    });
                    if retry {
                        inner.bump_retry(&id, "timeout");
                        inner.dispatch(&id);
                    }
                }
            }
        });
    }

    fn bump_retry(&self, envelope_id: &str, reason: &str) -> bool {
        self.with(|s| match s.sent.get_mut(envelope_id) {
            Some(sent) => {
                let attempt = sent.frame["retry_attempt"].as_u64().unwrap_or(0) + 1;
                sent.frame["retry_attempt"] = json!(attempt);
                sent.frame["retry_reason"] = json!(reason);
                true
            }
            None => false,
        })
    }
}

impl Emulator {
    /// Binds 127.0.0.1 on a free port and serves until the last handle drops.
    pub async fn start() -> anyhow::Result<Emulator> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .context("binding the emulator port")?;
        let port = listener.local_addr()?.port();
        let stopped = CancellationToken::new();
        let inner = Arc::new(Inner {
            port,
            app_token: APP_TOKEN.to_owned(),
            bot_token: BOT_TOKEN.to_owned(),
            state: Mutex::new(State::default()),
            changed: watch::channel(0).0,
            stopped: stopped.clone(),
        });
        let router = axum::Router::new()
            .route("/link", axum::routing::get(socket::link))
            .route("/link/", axum::routing::get(socket::link))
            .fallback(web::route)
            .with_state(inner.clone());
        let server_stop = stopped.clone();
        tokio::spawn(async move {
            // Nagle off, as Slack's edge answers small frames promptly.
            let listener = listener.tap_io(|tcp| {
                let _ = tcp.set_nodelay(true);
            });
            let serve = axum::serve(listener, router).with_graceful_shutdown(async move {
                server_stop.cancelled().await;
            });
            if let Err(e) = serve.await {
                tracing::warn!(error = %e, "emulator server stopped");
            }
        });
        Ok(Emulator {
            inner,
            _stop: Arc::new(StopOnDrop(stopped)),
        })
    }

    pub fn port(&self) -> u16 {
        self.inner.port
    }

    /// The Web API base URL, without a trailing slash because slack-morphism
    /// appends "/<method>" (a trailing slash is accepted too).
    pub fn api_url(&self) -> String {
        format!("http://127.0.0.1:{}/api", self.inner.port)
    }

    pub fn app_token(&self) -> String {
        self.inner.app_token.clone()
    }

    pub fn bot_token(&self) -> String {
        self.inner.bot_token.clone()
    }

    /// How many times apps.connections.open succeeded.
    pub fn connections_opened(&self) -> usize {
        self.inner.read(|s| s.connections_opened)
    }

    /// Sockets that got `hello` and were not told to go away.
    pub fn live_sockets(&self) -> usize {
        self.inner
            .read(|s| s.sockets.values().filter(|k| k.live && !k.closing).count())
    }

    pub async fn wait_for_socket(&self, timeout: Duration) -> anyhow::Result<()> {
        self.inner
            .wait(timeout, |s| {
                s.sockets
                    .values()
                    .any(|k| k.live && !k.closing)
                    .then_some(())
            })
            .await
            .ok_or_else(|| anyhow!("no Socket Mode connection within {timeout:?}"))
    }

    /// Sends `{"type":"disconnect","reason":…}` to every live socket. Except
    /// for "warning", the emulator then closes them shortly after, as Slack does.
    pub async fn disconnect(&self, reason: &str) {
        let frame = json!({"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-emulator"}})
            .to_string();
        let closes = reason != "warning";
        self.inner.with(|s| {
            for sock in s.sockets.values_mut().filter(|k| !k.closing) {
                let out = if closes {
                    sock.closing = true;
                    Outgoing::TextThenClose(frame.clone())
                } else {
                    Outgoing::Text(frame.clone())
                };
                let _ = sock.tx.send(out);
            }
        });
    }

    /// Closes every socket's TCP connection with no close frame.
    pub async fn drop_sockets(&self) {
        self.inner.with(|s| {
            for sock in s.sockets.values_mut() {
                sock.closing = true;
                let _ = sock.tx.send(Outgoing::Drop);
            }
        });
    }

    /// Every Web API call so far, oldest first.
    pub fn calls(&self) -> Vec<Call> {
        self.inner.read(|s| s.calls.clone())
    }

    /// How many calls to `method` satisfy `matches`, without copying the
    /// call log: cheap enough to poll on every change under load.
    pub fn count_calls(&self, method: &str, matches: impl Fn(&Call) -> bool) -> usize {
        self.inner.read(|s| {
            s.calls
                .iter()
                .filter(|c| c.method == method && matches(c))
                .count()
        })
    }

    pub fn calls_to(&self, method: &str) -> Vec<Call> {
        self.inner.read(|s| {
            s.calls
                .iter()
                .filter(|c| c.method == method)
                .cloned()
                .collect()
        })
    }

    /// Waits until `method` has been called at least `n` times; returns those calls.
    pub async fn wait_for_calls(
        &self,
        method: &str,
        n: usize,
        timeout: Duration,
    ) -> anyhow::Result<Vec<Call>> {
        self.inner
            .wait(timeout, |s| {
                let calls: Vec<Call> = s
                    .calls
                    .iter()
                    .filter(|c| c.method == method)
                    .cloned()
                    .collect();
                (calls.len() >= n).then_some(calls)
            })
            .await
            .ok_or_else(|| anyhow!("{method} not called {n} times within {timeout:?}"))
    }

    /// Waits for a call to `method` that satisfies `matches`.
    pub async fn wait_for_call(
        &self,
        method: &str,
        mut matches: impl FnMut(&Call) -> bool,
        timeout: Duration,
    ) -> anyhow::Result<Call> {
        self.inner
            .wait(timeout, |s| {
                s.calls
                    .iter()
                    .find(|c| c.method == method && matches(c))
                    .cloned()
            })
            .await
            .ok_or_else(|| anyhow!("no matching {method} call within {timeout:?}"))
    }

    /// Waits until `check` holds for the emulator's state.
    pub async fn wait_until(
        &self,
        timeout: Duration,
        mut check: impl FnMut(&Emulator) -> bool,
    ) -> anyhow::Result<()> {
        let this = self.clone();
        let deadline = Instant::now() + timeout;
        let mut changes = self.inner.changed.subscribe();
        loop {
            if check(&this) {
                return Ok(());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, changes.changed()).await {
                Ok(Ok(())) => {}
                _ => return Err(anyhow!("condition not met within {timeout:?}")),
            }
        }
    }
}
