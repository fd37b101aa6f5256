//! The Socket Mode side: `/link/?ticket=N` upgrades to a websocket, gets a
//! `hello`, then receives envelopes and sends acks. Each socket is one task
//! that owns the websocket and listens on a channel for what to send.

use super::state::{Ack, Outgoing, Socket};
use super::{Inner, API_APP_ID};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// How long a socket told to go away stays open before the emulator closes
/// it, like Slack does after `refresh_requested`.
const CLOSE_AFTER_DISCONNECT: Duration = Duration::from_millis(200);

pub(crate) async fn link(
    State(inner): State<Arc<Inner>>,
    Query(query): Query<HashMap<String, String>>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let ticket = query.get("ticket").cloned().unwrap_or_default();
    // Tickets are single use, as Slack's are.
    if !inner.with(|s| s.tickets.remove(&ticket)) {
        return (StatusCode::UNAUTHORIZED, "invalid ticket").into_response();
    }
    upgrade.on_upgrade(move |socket| serve(inner, socket))
}

async fn serve(inner: Arc<Inner>, mut socket: WebSocket) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let id = inner.with(|s| {
        let id = s.next();
        s.sockets.insert(
            id,
            Socket {
                tx,
                live: false,
                closing: false,
            },
        );
        id
    });
    let hello = json!({
        "type": "hello",
        "num_connections": inner.with(|s| s.sockets.len()),
        "debug_info": {"host": "applink-emulator", "build_number": 1, "approximate_connection_time": 18060},
        "connection_info": {"app_id": API_APP_ID},
    });
    if socket.send(Message::text(hello.to_string())).await.is_ok() {
        inner.with(|s| {
            if let Some(entry) = s.sockets.get_mut(&id) {
                entry.live = true;
            }
        });
        // Envelopes that came while no socket was open go out now.
        inner.flush_queue();
        run(&inner, &mut socket, &mut rx).await;
    }
    inner.with(|s| s.sockets.remove(&id));
}

async fn run(
    inner: &Arc<Inner>,
    socket: &mut WebSocket,
    rx: &mut mpsc::UnboundedReceiver<Outgoing>,
) {
    let mut close_at: Option<tokio::time::Instant> = None;
    loop {
        let closing = async {
            match close_at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = inner.stopped.cancelled() => return,
            _ = closing => {
                let _ = socket.send(Message::Close(None)).await;
                return;
            }
            outgoing = rx.recv() => match outgoing {
                Some(Outgoing::Text(text)) => {
                    if socket.send(Message::text(text)).await.is_err() {
                        return;
                    }
                }
                Some(Outgoing::TextThenClose(text)) => {
                    if socket.send(Message::text(text)).await.is_err() {
                        return;
                    }
                    close_at = Some(tokio::time::Instant::now() + CLOSE_AFTER_DISCONNECT);
                }
                // Returning drops the socket: the TCP stream closes with no close frame.
                Some(Outgoing::Drop) | None => return,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => on_ack(inner, text.as_str()),
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                // Pings are answered by the websocket layer.
                Some(Ok(_)) => {}
            },
        }
    }
}

/// Records an ack frame; anything without an envelope id is ignored, as
/// Slack ignores it.
fn on_ack(inner: &Inner, text: &str) {
    let Ok(frame) = serde_json::from_str::<Value>(text) else {
        return;
    };
    let Some(envelope_id) = frame.get("envelope_id").and_then(Value::as_str) else {
        return;
    };
    let payload = frame.get("payload").cloned();
    inner.with(|s| {
        let latency = match s.sent.get_mut(envelope_id) {
            Some(sent) => {
                sent.acked = true;
                sent.first_sent.map(|t| t.elapsed()).unwrap_or_default()
            }
            None => Duration::ZERO,
        };
        s.apply_view_response(envelope_id, payload.as_ref());
        s.acks.push(Ack {
            envelope_id: envelope_id.to_owned(),
            latency,
            payload,
        });
    });
}

/// Sends `text` to the newest live socket that is not closing; returns
/// false when there is none.
pub(crate) fn deliver(s: &mut super::state::State, text: String) -> bool {
    let target = s
        .sockets
        .iter()
        .filter(|(_, sock)| sock.live && !sock.closing)
        .map(|(id, _)| *id)
        .max();
    match target.and_then(|id| s.sockets.get(&id)) {
        Some(sock) => sock.tx.send(Outgoing::Text(text)).is_ok(),
        None => false,
    }
}

pub(crate) fn mark_sent(s: &mut super::state::State, envelope_id: &str) {
    if let Some(sent) = s.sent.get_mut(envelope_id) {
        sent.first_sent.get_or_insert_with(Instant::now);
    }
}
