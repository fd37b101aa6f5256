//! `GET /healthz`, `GET /readyz` (in `ready`) and `GET /metrics` on `PORT` (at `HEALTH_BIND`). Neither
//! exposes incident content: health is a few words, metrics are counts.
//!
//! The port is open to whatever can reach it, so it is served with limits:
//! a request's head must arrive within `HEADER_TIMEOUT`, a connection lives
//! at most `CONNECTION_TIMEOUT` and carries one request, at most
//! `MAX_CONNECTIONS` are open (more are closed at once), and shutdown gives
//! open connections `SHUTDOWN_GRACE`, not as long as a client cares to
//! dawdle. Without them one half-sent request held up a clean stop for over
//! 30 s, and 154 idle connections made `/healthz` unreachable.

use crate::bot::Leadership;
use crate::database_url::Backend;
use crate::metrics::Metrics;
use crate::store::file::Identity;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::any;
use axum::Router;
use sqlx::AnyPool;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_CONNECTIONS: usize = 32;
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);
/// A write probe that takes longer than this means the writer is wedged
/// (a connection held, a lock never released).
const WRITE_PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// What `/healthz` reports on.
pub struct HealthState {
    /// The read pool: a read probe must not queue behind writers.
    pub db: AnyPool,
    /// The write pool, probed with an empty write transaction.
    pub writer: AnyPool,
    /// The file the bot opened, to notice it deleted or made read-only.
    pub file: Option<Identity>,
    pub slack_connected: Arc<AtomicBool>,
    /// Whether this replica holds the lease on the once-only work.
    pub leadership: Leadership,
    /// `READY_REQUIRES_LEADER`: `/readyz` is 503 on a standby.
    pub ready_requires_leader: bool,
    pub metrics: Arc<Metrics>,
}

type Reply = (StatusCode, [(header::HeaderName, &'static str); 1], String);

/// Why the database cannot take writes that last, if it cannot: the file
/// gone or read-only (writes would succeed and be lost on restart, or
/// fail), or the writer unable to begin a write transaction in time.
async fn write_problem(state: &HealthState) -> Option<String> {
    if let Some(problem) = state.file.as_ref().and_then(Identity::problem) {
        return Some(problem.to_owned());
    }
    let probe = async {
        match crate::store::backend_of(&state.writer) {
            // The file's write lock: free unless a writer is wedged.
            Backend::Sqlite => crate::store::write(&state.writer).await?.rollback().await,
            // Not the shared write lock, which is held in turn by every
            // replica's writes: one busy replica must not fail every
            // replica's probe. A server that takes no writes says so.
            Backend::Postgres => {
                let read_only: String = sqlx::query_scalar("SHOW transaction_read_only")
                    .fetch_one(&state.writer)
                    .await?;
                if read_only == "on" {
                    return Err(sqlx::Error::Protocol("the server is read-only".into()));
                }
                Ok(())
            }
        }
    };
    match tokio::time::timeout(WRITE_PROBE_TIMEOUT, probe).await {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(format!("cannot write: {e}")),
        Err(_) => Some(format!(
            "writer stuck: no write began within {WRITE_PROBE_TIMEOUT:?}"
        )),
    }
}

/// Why the database is not usable, if it is not: unreadable, or not
/// taking writes that last (see `write_problem`).
pub(crate) async fn db_problem(state: &HealthState) -> Option<String> {
    if sqlx::query("SELECT 1").execute(&state.db).await.is_err() {
        return Some("cannot read".to_owned());
    }
    write_problem(state).await
}

async fn healthz(State(state): State<Arc<HealthState>>) -> Reply {
    let read_ok = sqlx::query("SELECT 1").execute(&state.db).await.is_ok();
    let write = write_problem(&state).await;
    let db_ok = read_ok && write.is_none();
    let slack_ok = state.slack_connected.load(Ordering::SeqCst);
    let mut body = serde_json::json!({
        "db": if db_ok { "ok" } else { "error" },
        "slack": if slack_ok { "connected" } else { "disconnected" },
        "role": if state.leadership.is_leader() { "leader" } else { "standby" },
    });
    if let Some(problem) = write {
        body["db_error"] = problem.into();
    } else if !read_ok {
        body["db_error"] = "cannot read".into();
    }
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
        .route(
            "/readyz",
            any(not_found).get(crate::ready::readyz).head(not_found),
        )
        .fallback(not_found)
        .with_state(state.clone())
}

/// Binds the health listener on `address`; `port` 0 picks a free one
/// (tests).
pub async fn bind(address: IpAddr, port: u16) -> std::io::Result<TcpListener> {
    TcpListener::bind(SocketAddr::new(address, port)).await
}

/// Serves until `shutdown` fires, then stops listening and gives open
/// connections `SHUTDOWN_GRACE` to finish before closing them.
/// `routes` (the alert webhooks, the calendar feeds) are served beside them, with the same
/// limits.
pub async fn serve(
    listener: TcpListener,
    state: Arc<HealthState>,
    routes: Router,
    shutdown: CancellationToken,
) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;
    let app = routes.merge(router(state));
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut connections = JoinSet::new();
    loop {
        let stream = tokio::select! {
            _ = shutdown.cancelled() => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, most likely: retrying at
                    // once would spin; connections closing will free some.
                    tracing::warn!(error = %e, "health port cannot accept");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            continue; // dropped: closed at once
        };
        let service = TowerToHyperService::new(app.clone());
        connections.spawn(async move {
            let _permit = permit;
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .keep_alive(false)
                .serve_connection(TokioIo::new(stream), service);
            let _ = tokio::time::timeout(CONNECTION_TIMEOUT, connection).await;
        });
    }
    drop(listener);
    let drained = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(SHUTDOWN_GRACE, drained).await.is_err() {
        connections.abort_all();
    }
}
