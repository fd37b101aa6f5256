//! `GET /healthz` and `GET /metrics` on `PORT`. Neither exposes incident
//! content: health is two words, metrics are counts.

use crate::metrics::Metrics;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::any;
use axum::Router;
use sqlx::SqlitePool;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// What `/healthz` reports on.
pub struct HealthState {
    pub db: SqlitePool,
    pub slack_connected: Arc<AtomicBool>,
    pub metrics: Arc<Metrics>,
}

type Reply = (StatusCode, [(header::HeaderName, &'static str); 1], String);

async fn healthz(State(state): State<Arc<HealthState>>) -> Reply {
    let db_ok = sqlx::query("SELECT 1").execute(&state.db).await.is_ok();
    let slack_ok = state.slack_connected.load(Ordering::SeqCst);
    let body = serde_json::json!({
        "db": if db_ok { "ok" } else { "error" },
        "slack": if slack_ok { "connected" } else { "disconnected" },
    });
    let status = if db_ok && slack_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
}

async fn metrics(State(state): State<Arc<HealthState>>) -> Reply {
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
}

/// Any other path, and any method but GET on these two.
async fn not_found() -> impl IntoResponse {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain")],
        "not found\n",
    )
}

fn router(state: Arc<HealthState>) -> Router {
    // GET only, as not found otherwise: axum would answer HEAD from the GET
    // handler, and other methods with 405.
    Router::new()
        .route("/healthz", any(not_found).get(healthz).head(not_found))
        .route("/metrics", any(not_found).get(metrics).head(not_found))
        .fallback(not_found)
        .with_state(state)
}

/// Binds the health listener; `port` 0 picks a free one (tests).
pub async fn bind(port: u16) -> std::io::Result<TcpListener> {
    TcpListener::bind(SocketAddr::from(([0, 0, 0, 0], port))).await
}

/// Serves until `shutdown` fires, then stops listening and waits for open
/// requests to finish.
pub async fn serve(listener: TcpListener, state: Arc<HealthState>, shutdown: CancellationToken) {
    let served = axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await;
    if let Err(e) = served {
        tracing::warn!(error = %e, "health server stopped");
    }
}
