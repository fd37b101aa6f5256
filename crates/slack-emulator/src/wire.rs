//! A Slack client app at the wire, for tests: raw HTTP requests to the
//! Web API and a Socket Mode connection opened as an app opens one, with
//! no client library in between. Its helpers panic when the emulator does
//! not answer as Slack would, which is the test failing.

use crate::Emulator;
use futures::{SinkExt, StreamExt};
use serde_json::Value;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// How long to wait for a frame.
const WAIT: Duration = Duration::from_secs(5);

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A raw HTTP/1.1 request; returns status, headers (lower-cased) and JSON body.
pub async fn http(
    slack: &Emulator,
    verb: &str,
    path: &str,
    token: Option<&str>,
    content_type: &str,
    body: &str,
) -> (u16, String, Value) {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", slack.port()))
        .await
        .unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "{verb} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{auth}Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head[9..12].parse().unwrap();
    let json = serde_json::from_str(body).unwrap_or(Value::Null);
    (status, head.to_lowercase(), json)
}

pub async fn api(slack: &Emulator, method: &str, body: Value) -> Value {
    let path = format!("/api/{method}");
    let token = slack.bot_token();
    http(
        slack,
        "POST",
        &path,
        Some(&token),
        "application/json; charset=utf-8",
        &body.to_string(),
    )
    .await
    .2
}

/// Opens a Socket Mode connection as a client would and reads `hello`.
pub async fn connect_socket(slack: &Emulator) -> (Ws, Value) {
    let token = slack.app_token();
    let (_, _, opened) = http(
        slack,
        "POST",
        "/api/apps.connections.open",
        Some(&token),
        "application/json",
        "{}",
    )
    .await;
    assert_eq!(opened["ok"], true, "{opened}");
    let url = opened["url"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with(&format!("ws://127.0.0.1:{}/link/?ticket=", slack.port())),
        "{url}"
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .unwrap();
    let hello = next_json(&mut ws).await;
    (ws, hello)
}

pub async fn next_json(ws: &mut Ws) -> Value {
    loop {
        let frame = tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("a frame in time")
            .expect("socket open")
            .expect("readable frame");
        if let WsMessage::Text(text) = frame {
            return serde_json::from_str(text.as_str()).unwrap();
        }
    }
}

pub async fn ack(ws: &mut Ws, frame: Value) {
    ws.send(WsMessage::text(frame.to_string())).await.unwrap();
}
