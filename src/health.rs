//! `GET /healthz` and `GET /metrics` on `PORT`. Neither exposes incident
//! content: health is two words, metrics are counts.

use crate::metrics::Metrics;
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use sqlx::SqlitePool;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// What `/healthz` reports on.
pub struct HealthState {
    pub db: SqlitePool,
    pub slack_connected: Arc<AtomicBool>,
    pub metrics: Arc<Metrics>,
}

impl HealthState {
    async fn healthz(&self) -> (StatusCode, String) {
        let db_ok = sqlx::query("SELECT 1").execute(&self.db).await.is_ok();
        let slack_ok = self.slack_connected.load(Ordering::SeqCst);
        let body = serde_json::json!({
            "db": if db_ok { "ok" } else { "error" },
            "slack": if slack_ok { "connected" } else { "disconnected" },
        });
        let status = if db_ok && slack_ok {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        };
        (status, body.to_string())
    }

    async fn route(&self, req: Request<Incoming>) -> Response<Full<Bytes>> {
        let (status, content_type, body) = match (req.method(), req.uri().path()) {
            (&Method::GET, "/healthz") => {
                let (status, body) = self.healthz().await;
                (status, "application/json", body)
            }
            (&Method::GET, "/metrics") => (
                StatusCode::OK,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
                self.metrics.render(),
            ),
            _ => (
                StatusCode::NOT_FOUND,
                "text/plain",
                "not found\n".to_owned(),
            ),
        };
        Response::builder()
            .status(status)
            .header("content-type", content_type)
            .body(Full::new(Bytes::from(body)))
            .expect("static response parts are valid")
    }
}

/// Binds the health listener; `port` 0 picks a free one (tests).
pub async fn bind(port: u16) -> std::io::Result<TcpListener> {
    TcpListener::bind(SocketAddr::from(([0, 0, 0, 0], port))).await
}

/// Serves until `shutdown` fires, then waits for open requests to finish.
pub async fn serve(listener: TcpListener, state: Arc<HealthState>, shutdown: CancellationToken) {
    let connections = TaskTracker::new();
    loop {
        let accepted = tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, _)) = accepted else { continue };
        let state = state.clone();
        let shutdown = shutdown.clone();
        connections.spawn(async move {
            let service = service_fn(move |req| {
                let state = state.clone();
                async move { Ok::<_, std::convert::Infallible>(state.route(req).await) }
            });
            let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = shutdown.cancelled() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
    connections.close();
    connections.wait().await;
}
