//! `POST /alerts/alertmanager`, `/alerts/grafana` and `/alerts/generic`
//! (SPEC §6). Every path wants `Authorization: Bearer $ALERT_WEBHOOK_TOKEN`
//! (401 without it); with `GRAFANA_WEBHOOK_SECRET` set, Grafana's body
//! must also carry its HMAC-SHA256 signature (401). A body over 1 MiB is
//! 413, one that does not read is 400 with `{"error": …}`, and a stored
//! one 200 `{"ok": true, "alerts": N}`, answered only after the commit:
//! Alertmanager retries on 5xx, so a crash before the answer loses nothing.
//!
//! Without `ALERT_WEBHOOK_TOKEN` the paths answer 503 with the reason:
//! alerts are never taken unauthenticated, and a 5xx makes Alertmanager
//! keep retrying (a 4xx would make it drop them) until the token is set.
//! Secrets are compared, never logged.

use crate::alerts::{self, auth, Source};
use crate::bot::AlertIntake;
use crate::settings::Secret;
use axum::body::{to_bytes, Body};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use std::sync::Arc;
use tracing::{info, warn};

/// The largest body taken (SPEC §6).
pub const BODY_MAX: usize = 1024 * 1024;

/// The senders' secrets, from the environment.
#[derive(Clone, Default, Debug)]
pub struct AlertSecrets {
    /// `ALERT_WEBHOOK_TOKEN`: unset, no alert is taken.
    pub token: Option<Secret>,
    /// `GRAFANA_WEBHOOK_SECRET`: set, Grafana's bodies must be signed.
    pub grafana_secret: Option<Secret>,
}

/// What the routes need.
pub struct AlertRoutes {
    pub intake: AlertIntake,
    pub secrets: AlertSecrets,
    /// `[alerts] grafana_signature_header`.
    pub signature_header: HeaderName,
}

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn refuse(status: StatusCode, why: impl std::fmt::Display) -> Response {
    answer(status, serde_json::json!({ "error": why.to_string() }))
}

/// The three paths; join them to the health router.
pub fn router(routes: Arc<AlertRoutes>) -> Router {
    Router::new()
        .route(
            "/alerts/alertmanager",
            post(|s, h, b| receive(s, h, b, Source::Alertmanager)),
        )
        .route(
            "/alerts/grafana",
            post(|s, h, b| receive(s, h, b, Source::Grafana)),
        )
        .route(
            "/alerts/generic",
            post(|s, h, b| receive(s, h, b, Source::Generic)),
        )
        .with_state(routes)
}

async fn receive(
    State(routes): State<Arc<AlertRoutes>>,
    headers: HeaderMap,
    body: Body,
    source: Source,
) -> Response {
    let Some(token) = &routes.secrets.token else {
        return refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "alerts are not taken: ALERT_WEBHOOK_TOKEN is not set on the bot",
        );
    };
    let authorization = headers.get(header::AUTHORIZATION).map(|v| v.as_bytes());
    if !auth::bearer_ok(authorization, token.expose()) {
        info!(%source, "alert refused: missing or wrong bearer token");
        return refuse(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
    }
    let too_long = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n > BODY_MAX as u64);
    if too_long {
        return refuse(StatusCode::PAYLOAD_TOO_LARGE, "the body is over 1 MiB");
    }
    let body = match to_bytes(body, BODY_MAX).await {
        Ok(body) => body,
        Err(e) => {
            let over = std::error::Error::source(&e)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
            return if over {
                refuse(StatusCode::PAYLOAD_TOO_LARGE, "the body is over 1 MiB")
            } else {
                refuse(StatusCode::BAD_REQUEST, "the body could not be read")
            };
        }
    };
    if let (Source::Grafana, Some(secret)) = (source, &routes.secrets.grafana_secret) {
        let signature = headers.get(&routes.signature_header).map(|v| v.as_bytes());
        if !auth::signature_ok(signature, secret.expose(), &body) {
            info!(%source, "alert refused: missing or wrong signature");
            return refuse(
                StatusCode::UNAUTHORIZED,
                format!("missing or wrong {} signature", routes.signature_header),
            );
        }
    }
    let notification = match alerts::parse(source, &body) {
        Ok(n) => n,
        Err(why) => return refuse(StatusCode::BAD_REQUEST, why),
    };
    match routes.intake.receive(&notification).await {
        Ok(n) => answer(
            StatusCode::OK,
            serde_json::json!({ "ok": true, "alerts": n }),
        ),
        Err(e) => {
            warn!(%source, error = format!("{e:#}"), "could not store alerts; the sender will retry");
            refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "the alert could not be stored; retry",
            )
        }
    }
}
