//! The Socket Mode connection: open a URL with `apps.connections.open`,
//! read frames, hand envelopes to the handler, write acks, reconnect.
//!
//! Built on slack-morphism's Web API client and event models rather than its
//! listener, because the listener processes a connection's envelopes one at a
//! time (a slow handler delays every later ack), hides `retry_attempt`, says
//! nothing when a connection drops (so `/healthz` could not tell), and leaves
//! its socket tasks running after shutdown.

use super::envelope::{self, Envelope, Frame};
use super::installation::Installation;
use super::web::SlackWeb;
use crate::clock::Clock;
use crate::metrics::Metrics;
use futures::{SinkExt, StreamExt};
use serde_json::Value;
use slack_morphism::prelude::*;
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{error, info, info_span, warn, Instrument};

/// What the app does with an envelope. It must return quickly: the value is
/// the ack payload, and Slack shows an error if the ack takes over 3 s.
/// Its first step (up to its first wait) runs on the socket's task, so it
/// must not block or do long CPU work before it first awaits: that would
/// hold up reading frames and every other ack.
#[async_trait::async_trait]
pub trait EnvelopeHandler: Send + Sync + 'static {
    async fn handle(&self, envelope: Envelope) -> Option<Value>;
}

/// Reconnect pacing: quick after a routine refresh, backing off when
/// `apps.connections.open` keeps failing.
const FIRST_RETRY: Duration = Duration::from_millis(500);
const MAX_RETRY: Duration = Duration::from_secs(5);
const PING_EVERY: Duration = Duration::from_secs(15);
/// No frame, ping or pong for this long means the socket is dead.
const SILENT_LIMIT: Duration = Duration::from_secs(60);

pub struct SocketMode {
    pub client: Arc<SlackHyperClient>,
    pub app_token: SlackApiToken,
    pub handler: Arc<dyn EnvelopeHandler>,
    pub connected: Arc<AtomicBool>,
    pub metrics: Arc<Metrics>,
    /// Paces reconnection attempts, so tests move time instead of waiting.
    pub clock: Arc<dyn Clock>,
    /// Asks `auth.test` with the bot token before connecting.
    pub web: SlackWeb,
    /// Where the bot is installed, learnt before the first connection.
    pub installation: Arc<Installation>,
}

impl SocketMode {
    /// Runs until `shutdown`, then waits for in-flight envelopes to be acked.
    pub async fn run(self, shutdown: CancellationToken) {
        let in_flight = TaskTracker::new();
        let mut retry = FIRST_RETRY;
        while !shutdown.is_cancelled() {
            let attempted = self.clock.now();
            // Envelopes are checked against the installing workspace, so
            // it must be known before the first one can arrive.
            let opened = match self.installation.learn(&self.web).await {
                Ok(()) => self.open().await.map_err(|e| {
                    warn!(error = %e, "apps.connections.open failed");
                }),
                Err(e) => {
                    warn!(error = %e, "auth.test failed; cannot connect yet");
                    Err(())
                }
            };
            // Nagle off: an ack is one small frame, and holding it
            // back for the peer's delayed ACK cost up to 40 ms.
            if let Ok(url) = opened {
                match tokio_tungstenite::connect_async_with_config(url.as_str(), None, true).await {
                    Ok((socket, _)) => {
                        retry = FIRST_RETRY;
                        self.session(socket, &in_flight, &shutdown).await;
                        continue;
                    }
                    Err(e) => warn!(error = %e, "Socket Mode websocket handshake failed"),
                }
            }
            tokio::select! {
                _ = shutdown.cancelled() => {}
                _ = self.clock.sleep_since(attempted, retry) => {}
            }
            retry = (retry * 2).min(MAX_RETRY);
        }
        in_flight.close();
        in_flight.wait().await;
    }

    async fn open(&self) -> anyhow::Result<String> {
        let session = self.client.open_session(&self.app_token);
        let opened = session
            .apps_connections_open(&SlackApiAppsConnectionOpenRequest::new())
            .await;
        self.metrics.api_call(
            "apps.connections.open",
            if opened.is_ok() { "ok" } else { "error" },
        );
        Ok(opened?.url.value().to_string())
    }

    /// One connection's life: returns when Slack asks to reconnect, the
    /// socket drops or goes silent, or shutdown is requested.
    async fn session(
        &self,
        socket: tokio_tungstenite::WebSocketStream<
            tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
        >,
        in_flight: &TaskTracker,
        shutdown: &CancellationToken,
    ) {
        let (mut write, mut read) = socket.split();
        let (ack_tx, mut ack_rx) = mpsc::unbounded_channel::<(String, Instant)>();
        let mut ping = tokio::time::interval(PING_EVERY);
        let mut last_heard = Instant::now();
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                Some((frame, received)) = ack_rx.recv() => {
                    if let Err(e) = write.send(Message::text(frame)).await {
                        warn!(error = %e, "could not write an ack; reconnecting");
                        break;
                    }
                    self.metrics.ack_sent(received.elapsed());
                }
                message = read.next() => match message {
                    Some(Ok(Message::Text(text))) => {
                        last_heard = Instant::now();
                        if !self.on_frame(text.as_str(), &ack_tx, in_flight) {
                            break;
                        }
                    }
                    Some(Ok(Message::Close(_))) | None => {
                        info!("Socket Mode connection closed by Slack");
                        break;
                    }
                    Some(Ok(_)) => last_heard = Instant::now(),
                    Some(Err(e)) => {
                        warn!(error = %e, "Socket Mode connection failed");
                        break;
                    }
                },
                _ = ping.tick() => {
                    if last_heard.elapsed() > SILENT_LIMIT {
                        warn!("no frame from Slack for {}s; reconnecting", SILENT_LIMIT.as_secs());
                        break;
                    }
                    if write.send(Message::Ping(Vec::new().into())).await.is_err() {
                        break;
                    }
                }
            }
        }
        self.set_connected(false);
        if shutdown.is_cancelled() {
            // Let envelopes already read finish and ack before closing.
            drop(ack_tx);
            let drained = async {
                in_flight.close();
                in_flight.wait().await;
                while let Some((frame, received)) = ack_rx.recv().await {
                    if write.send(Message::text(frame)).await.is_ok() {
                        self.metrics.ack_sent(received.elapsed());
                    }
                }
            };
            let _ = tokio::time::timeout(Duration::from_secs(5), drained).await;
        }
        let _ = write.send(Message::Close(None)).await;
    }

    /// Returns false when the connection should be dropped.
    fn on_frame(
        &self,
        text: &str,
        ack_tx: &mpsc::UnboundedSender<(String, Instant)>,
        in_flight: &TaskTracker,
    ) -> bool {
        let received = Instant::now();
        match envelope::parse(text) {
            Frame::Hello { app_id } => {
                info!(app_id, "connected to Slack over Socket Mode");
                self.installation.connected_as(&app_id);
                self.set_connected(true);
            }
            Frame::Disconnect { reason } if reason == "warning" => {
                info!("Slack warns this connection will be refreshed soon");
            }
            Frame::Disconnect { reason } => {
                info!(reason, "Slack asked for a new connection");
                return false;
            }
            Frame::Envelope(env) => {
                self.metrics.envelope_received(&env.kind);
                let span = envelope_span(&env);
                let handler = self.handler.clone();
                let ack_tx = ack_tx.clone();
                let answer = async move {
                    let (id, accepts) = (env.id.clone(), env.accepts_response_payload);
                    let payload = handler.handle(env).await;
                    let _ = ack_tx.send((envelope::ack(&id, payload, accepts), received));
                };
                start(answer, span, in_flight);
            }
            Frame::Unreadable { envelope_id, error } => {
                error!(
                    envelope_id,
                    error, "unreadable envelope; acking so Slack does not resend it"
                );
                let _ = ack_tx.send((envelope::ack(&envelope_id, None, false), received));
            }
            Frame::Garbage(error) => warn!(error, "ignoring an unreadable frame"),
        }
        true
    }

    fn set_connected(&self, connected: bool) {
        if self.connected.swap(connected, Ordering::SeqCst) != connected {
            self.metrics.set_connected(connected);
        }
    }
}

/// Runs `answer` as far as it goes at once, on the socket's own task, and
/// spawns the rest only if it has to wait. Most answers (`/oncall`, the
/// Home tab, a list) come from memory and finish in that first step, so
/// their ack skips the hand-over to another worker thread. A slow answer
/// still runs beside the socket once it first waits.
///
/// A panic in that first step is caught, so it cannot end the connection.
/// The envelope goes unacked, as a panicking spawned task's does; Slack
/// resends it, and the handler has let go of it, so the resend is handled.
fn start(
    answer: impl Future<Output = ()> + Send + 'static,
    span: tracing::Span,
    in_flight: &TaskTracker,
) {
    let mut answer = Box::pin(answer.instrument(span.clone()));
    // The waker is never woken: a future that returns Pending here is
    // polled again by its own task at once, and a future registers the
    // waker of its latest poll (the `Future::poll` contract).
    let mut first_step = Context::from_waker(Waker::noop());
    match panic::catch_unwind(AssertUnwindSafe(|| answer.as_mut().poll(&mut first_step))) {
        Ok(Poll::Ready(())) => {}
        Ok(Poll::Pending) => {
            in_flight.spawn(answer);
        }
        Err(_) => span.in_scope(|| {
            error!("the envelope's handler panicked; left unacked for Slack to resend")
        }),
    }
}

fn envelope_span(env: &Envelope) -> tracing::Span {
    use super::envelope::Inbound;
    let (command, user) = match &env.inbound {
        Inbound::Command(c) => (c.command.0.clone(), c.user_id.0.clone()),
        Inbound::Interaction(i) => (interaction_kind(i).to_owned(), String::new()),
        Inbound::Event(_) => ("event".to_owned(), String::new()),
    };
    info_span!("envelope", id = %env.id, r#type = %env.kind, command = %command, user = %user, retry = env.retry_attempt)
}

fn interaction_kind(event: &SlackInteractionEvent) -> &'static str {
    match event {
        SlackInteractionEvent::BlockActions(_) => "block_actions",
        SlackInteractionEvent::ViewSubmission(_) => "view_submission",
        SlackInteractionEvent::ViewClosed(_) => "view_closed",
        _ => "interaction",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[tokio::test]
    async fn an_answer_that_needs_no_wait_finishes_inline_and_spawns_nothing() {
        let tracker = TaskTracker::new();
        let done = Arc::new(AtomicBool::new(false));
        let flag = done.clone();
        start(
            async move { flag.store(true, Ordering::SeqCst) },
            tracing::Span::none(),
            &tracker,
        );
        assert!(done.load(Ordering::SeqCst), "not run in the first step");
        assert_eq!(tracker.len(), 0);
    }

    #[tokio::test]
    async fn an_answer_that_waits_is_spawned_and_finishes_when_woken() {
        let tracker = TaskTracker::new();
        let steps = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let counted = steps.clone();
        start(
            async move {
                counted.fetch_add(1, Ordering::SeqCst);
                rx.await.expect("sent");
                counted.fetch_add(1, Ordering::SeqCst);
            },
            tracing::Span::none(),
            &tracker,
        );
        assert_eq!(steps.load(Ordering::SeqCst), 1, "the first step ran inline");
        assert_eq!(tracker.len(), 1, "the rest was spawned");
        tx.send(()).expect("the answer waits");
        tracker.close();
        tracker.wait().await;
        assert_eq!(steps.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_panic_in_the_first_step_is_contained() {
        let tracker = TaskTracker::new();
        start(
            async { panic!("a handler's bug") },
            tracing::Span::none(),
            &tracker,
        );
        assert_eq!(tracker.len(), 0);
    }
}
