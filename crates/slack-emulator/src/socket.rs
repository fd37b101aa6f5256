//! The Socket Mode side: `/link/?ticket=N` upgrades to a websocket, gets a
//! `hello`, then receives envelopes and sends acks. Each socket is one task
//! that owns the websocket and listens on a channel for what to send.
//!
//! The upgrade is done here on tokio-tungstenite, the websocket library the
//! bot's own Socket Mode client uses, rather than through axum's `ws`
//! feature, which would bring a second tungstenite version.

use super::state::{Ack, Outgoing, Socket};
use super::{Inner, API_APP_ID};
use axum::body::Body;
use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

type WebSocket = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

/// How long a socket told to go away stays open before the emulator closes
/// it, like Slack does after `refresh_requested`.
const CLOSE_AFTER_DISCONNECT: Duration = Duration::from_millis(200);

pub(crate) async fn link(
    State(inner): State<Arc<Inner>>,
    Query(query): Query<HashMap<String, String>>,
    mut request: Request,
) -> Response {
    // A request that is not a websocket handshake is refused before its
    // ticket is looked at, so it does not use the ticket up.
    let upgrade = request.extensions_mut().remove::<OnUpgrade>();
    let (accept, upgrade) = match (handshake(request.method(), request.headers()), upgrade) {
        (Ok(accept), Some(upgrade)) => (accept, upgrade),
        (Err(refusal), _) => return refusal.into_response(),
        (Ok(_), None) => {
            return (StatusCode::UPGRADE_REQUIRED, "not an upgradable connection").into_response()
        }
    };
    let ticket = query.get("ticket").cloned().unwrap_or_default();
    // Tickets are single use, as Slack's are.
    if !inner.with(|s| s.tickets.remove(&ticket)) {
        return (StatusCode::UNAUTHORIZED, "invalid ticket").into_response();
    }
    tokio::spawn(async move {
        let Ok(upgraded) = upgrade.await else { return };
        let socket =
            WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
        serve(inner, socket).await;
    });
    Response::builder()
        .status(StatusCode::SWITCHING_PROTOCOLS)
        .header(header::CONNECTION, "upgrade")
        .header(header::UPGRADE, "websocket")
        .header(header::SEC_WEBSOCKET_ACCEPT, accept)
        .body(Body::empty())
        .expect("static response parts are valid")
}

/// Checks a websocket handshake (RFC 6455 §4.2.1) and returns the
/// `Sec-WebSocket-Accept` value, or the refusal to answer with.
fn handshake(method: &Method, headers: &HeaderMap) -> Result<String, (StatusCode, &'static str)> {
    let has_token = |name: header::HeaderName, token: &str| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|v| v.trim().eq_ignore_ascii_case(token))
    };
    if method != Method::GET {
        return Err((
            StatusCode::METHOD_NOT_ALLOWED,
            "Request method must be `GET`",
        ));
    }
    if !has_token(header::CONNECTION, "upgrade") {
        return Err((
            StatusCode::UPGRADE_REQUIRED,
            "Connection header did not include 'upgrade'",
        ));
    }
    if !has_token(header::UPGRADE, "websocket") {
        return Err((
            StatusCode::BAD_REQUEST,
            "`Upgrade` header did not include 'websocket'",
        ));
    }
    if headers.get(header::SEC_WEBSOCKET_VERSION) != Some(&HeaderValue::from_static("13")) {
        return Err((
            StatusCode::BAD_REQUEST,
            "`Sec-WebSocket-Version` header did not include '13'",
        ));
    }
    match headers.get(header::SEC_WEBSOCKET_KEY) {
        Some(key) => Ok(derive_accept_key(key.as_bytes())),
        None => Err((
            StatusCode::BAD_REQUEST,
            "`Sec-WebSocket-Key` header missing",
        )),
    }
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
            incoming = socket.next() => match incoming {
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
        let command = s
            .sent
            .get(envelope_id)
            .is_some_and(|e| e.frame["type"] == "slash_commands");
        let refused = payload
            .as_ref()
            .filter(|_| command)
            .and_then(super::methods::refused_reply);
        s.acks.push(Ack {
            envelope_id: envelope_id.to_owned(),
            latency,
            payload,
            refused,
        });
    });
}

/// Sends `text` to one live socket that is not closing (the newest, or a
/// random one after `Emulator::deliver_to_random_socket`); returns false
/// when there is none.
pub(crate) fn deliver(s: &mut super::state::State, text: String) -> bool {
    let mut live: Vec<u64> = s
        .sockets
        .iter()
        .filter(|(_, sock)| sock.live && !sock.closing)
        .map(|(id, _)| *id)
        .collect();
    // Sorted, so a seeded pick is the same pick on a replay.
    live.sort_unstable();
    let target = match s.socket_pick.as_mut() {
        Some(rng) if !live.is_empty() => Some(live[rng.usize(..live.len())]),
        _ => live.last().copied(),
    };
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
