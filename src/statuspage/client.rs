//! The Statuspage HTTP adapter over the hyper/hyper-rustls stack the Slack
//! client already uses. It owns Statuspage's limits: requests are paced to
//! one per second per key (on the bot's clock, so tests move time instead
//! of waiting), a 420 or 429 is waited out for its Retry-After and tried
//! again (it was not processed, so a retry cannot duplicate anything). A
//! 5xx, a dropped connection or a timeout is returned to the caller, who
//! knows whether the request may have landed (see `bot::loops::publish`).
//! The key travels only in the `Authorization: OAuth …` header, marked
//! sensitive, and is never logged.

use super::publication::{Marker, Publication};
use super::wire::{self, PublicIncident};
use crate::clock::Clock;
use crate::policy::statuspage::StatuspageSettings;
use crate::settings::Secret;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

/// One request per this long per key (Statuspage's documented limit).
pub const PACE: Duration = Duration::from_secs(1);
/// A request unanswered this long is given up as failed.
const TIMEOUT: Duration = Duration::from_secs(30);
/// How many 420/429 answers are waited out before giving up.
const MAX_RATE_LIMIT_WAITS: u32 = 5;

/// Why a request did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// A 4xx (other than 420/429): Statuspage refused it and changed
    /// nothing. `message` is Statuspage's own, shown to the person.
    #[error("Statuspage refused it ({status}): {message}")]
    Refused { status: u16, message: String },
    /// A 5xx, a lost connection, a timeout, or rate limiting that did not
    /// end: the request may or may not have landed.
    #[error("Statuspage did not answer properly: {detail}")]
    Failed { detail: String },
}

impl ApiError {
    /// Whether a retry of the same write could have been processed already.
    pub fn is_refusal(&self) -> bool {
        matches!(self, ApiError::Refused { .. })
    }
}

type Https = hyper_rustls::HttpsConnector<HttpConnector>;

/// A client for one page with one key.
pub struct StatusPageApi {
    http: Client<Https, Full<Bytes>>,
    base: String,
    page_id: String,
    key: Secret,
    clock: Arc<dyn Clock>,
    /// When the last request was sent; held across a request, so there is
    /// one in flight per key and the next waits its turn.
    last: Mutex<Option<DateTime<Utc>>>,
    stopping: CancellationToken,
    /// Requests sent, for the figures (requests per publish).
    sent: std::sync::atomic::AtomicU64,
}

impl StatusPageApi {
    pub fn new(
        settings: &StatuspageSettings,
        key: Secret,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<StatusPageApi> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()?
            .https_or_http()
            .enable_http1()
            .build();
        Ok(StatusPageApi {
            http: Client::builder(TokioExecutor::new()).build(https),
            base: settings.api_url.clone(),
            page_id: settings.page_id.clone(),
            key,
            clock,
            last: Mutex::new(None),
            stopping: CancellationToken::new(),
            sent: Default::default(),
        })
    }

    /// Stops waiting out pacing and rate limits, now and for later calls.
    pub fn stop_waiting(&self) {
        self.stopping.cancel();
    }

    /// How many requests have been sent so far.
    pub fn requests_sent(&self) -> u64 {
        self.sent.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// `POST /pages/{page_id}/incidents`: a new public incident.
    pub async fn create(
        &self,
        p: &Publication,
        marker: &Marker,
    ) -> Result<PublicIncident, ApiError> {
        let path = format!("/pages/{}/incidents", self.page_id);
        let body = wire::incident_body(p, marker);
        self.incident(Method::POST, &path, Some(body)).await
    }

    /// `PATCH /pages/{page_id}/incidents/{id}`: an update to it.
    pub async fn update(
        &self,
        id: &str,
        p: &Publication,
        marker: &Marker,
    ) -> Result<PublicIncident, ApiError> {
        let path = format!("/pages/{}/incidents/{id}", self.page_id);
        let body = wire::incident_body(p, marker);
        self.incident(Method::PATCH, &path, Some(body)).await
    }

    /// `GET /pages/{page_id}/incidents/unresolved`.
    pub async fn unresolved(&self) -> Result<Vec<PublicIncident>, ApiError> {
        let path = format!("/pages/{}/incidents/unresolved", self.page_id);
        let text = self.send(Method::GET, &path, None).await?;
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| ApiError::Failed {
            detail: format!("unreadable list of incidents: {e}"),
        })?;
        Ok(v.as_array()
            .map(|a| a.iter().filter_map(PublicIncident::from_json).collect())
            .unwrap_or_default())
    }

    async fn incident(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<PublicIncident, ApiError> {
        let text = self.send(method, path, body).await?;
        serde_json::from_str(&text)
            .ok()
            .as_ref()
            .and_then(PublicIncident::from_json)
            .ok_or_else(|| ApiError::Failed {
                detail: "an answer without an incident id".to_owned(),
            })
    }

    /// One request, paced, with 420/429 waited out; the answer's body.
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<String, ApiError> {
        let mut last = self.last.lock().await;
        let mut waits = 0;
        loop {
            if let Some(at) = *last {
                self.wait(at, PACE).await?;
            }
            let started = self.clock.now();
            *last = Some(started);
            self.sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let (status, retry_after, text) = self.once(&method, path, body.as_ref()).await?;
            if status.is_success() {
                info!(%method, path, status = status.as_u16(), "statuspage request");
                return Ok(text);
            }
            let code = status.as_u16();
            warn!(%method, path, status = code, "statuspage answered with an error");
            match code {
                420 | 429 => {
                    waits += 1;
                    if waits > MAX_RATE_LIMIT_WAITS {
                        return Err(ApiError::Failed {
                            detail: format!(
                                "still rate limited ({code}) after {MAX_RATE_LIMIT_WAITS} waits"
                            ),
                        });
                    }
                    self.wait(started, retry_after.unwrap_or(PACE)).await?;
                }
                400..=499 => {
                    return Err(ApiError::Refused {
                        status: code,
                        message: wire::error_message(&text),
                    })
                }
                _ => {
                    return Err(ApiError::Failed {
                        detail: format!("{code}: {}", wire::error_message(&text)),
                    })
                }
            }
        }
    }

    async fn wait(&self, since: DateTime<Utc>, wait: Duration) -> Result<(), ApiError> {
        tokio::select! {
            _ = self.stopping.cancelled() => Err(ApiError::Failed { detail: "shutting down".to_owned() }),
            _ = self.clock.sleep_since(since, wait) => Ok(()),
        }
    }

    /// Sends once: the status, its Retry-After (seconds) and the body.
    async fn once(
        &self,
        method: &Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<(StatusCode, Option<Duration>, String), ApiError> {
        let mut auth =
            hyper::header::HeaderValue::from_str(&format!("OAuth {}", self.key.expose())).map_err(
                |_| ApiError::Failed {
                    detail: "STATUSPAGE_API_KEY holds characters a header cannot carry".to_owned(),
                },
            )?;
        auth.set_sensitive(true);
        let payload = body.map(|b| b.to_string()).unwrap_or_default();
        let request = Request::builder()
            .method(method.clone())
            .uri(format!("{}{path}", self.base))
            .header(hyper::header::AUTHORIZATION, auth)
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(payload)))
            .map_err(|e| ApiError::Failed {
                detail: format!("cannot build the request: {e}"),
            })?;
        let failed = |detail: String| ApiError::Failed { detail };
        let answer = tokio::time::timeout(TIMEOUT, async {
            let response = self
                .http
                .request(request)
                .await
                .map_err(|e| failed(format!("no answer: {e}")))?;
            let status = response.status();
            let retry_after = response
                .headers()
                .get(hyper::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let bytes = response
                .into_body()
                .collect()
                .await
                .map_err(|e| failed(format!("answer cut short: {e}")))?
                .to_bytes();
            Ok((
                status,
                retry_after,
                String::from_utf8_lossy(&bytes).into_owned(),
            ))
        })
        .await;
        answer.unwrap_or_else(|_| Err(failed(format!("no answer within {TIMEOUT:?}"))))
    }
}
