//! `GET /calendar/TOKEN.ics` (SPEC §7): a calendar feed of on-call shifts.
//!
//! The token is the only credential, so it never reaches a log line: this
//! module logs no request, the health port has no request-logging layer,
//! and a failure is logged with its cause but not the path. A token is
//! looked up by its SHA-256 digest. One never issued is 404; one revoked by
//! `/oncall calendar reset` serves a valid empty calendar, so a subscribed
//! application clears the old shifts instead of showing an error.

use crate::calendar::Calendar;
use crate::clock::Clock;
use crate::feed::{self, FeedScope, FeedToken};
use crate::policy::Policy;
use crate::store::{feeds, overrides};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use sqlx::AnyPool;
use std::sync::Arc;

/// What serving a feed needs: the policy and its calendar, read-only
/// storage (links and overrides) and the app's clock.
pub struct Feeds {
    policy: Policy,
    calendar: Calendar,
    reads: AnyPool,
    clock: Arc<dyn Clock>,
}

impl Feeds {
    pub fn new(policy: &Policy, reads: AnyPool, clock: Arc<dyn Clock>) -> Arc<Feeds> {
        Arc::new(Feeds {
            calendar: policy.calendar(),
            policy: policy.clone(),
            reads,
            clock,
        })
    }
}

/// The feed routes, to merge into the health port's router.
pub fn router(feeds: Arc<Feeds>) -> Router {
    Router::new()
        .route(
            "/calendar/{file}",
            any(not_found).get(serve).head(not_found),
        )
        .with_state(feeds)
}

fn not_found_response() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain")],
        "not found\n",
    )
        .into_response()
}

async fn not_found() -> Response {
    not_found_response()
}

fn calendar(body: String) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            // Each link is one person's: no shared cache may keep it.
            (header::CACHE_CONTROL, "private"),
        ],
        body,
    )
        .into_response()
}

async fn serve(State(feeds): State<Arc<Feeds>>, Path(file): Path<String>) -> Response {
    let Some(token) = FeedToken::from_file_name(&file) else {
        return not_found_response();
    };
    match answer(&feeds, &token).await {
        Ok(Some(body)) => calendar(body),
        Ok(None) => not_found_response(),
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "cannot serve a calendar feed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::CONTENT_TYPE, "text/plain")],
                "calendar feed unavailable, try again later\n",
            )
                .into_response()
        }
    }
}

/// The feed's text; None for a token never issued.
async fn answer(feeds: &Feeds, token: &FeedToken) -> anyhow::Result<Option<String>> {
    let Some(link) = feeds::lookup(&feeds.reads, &token.hash()).await? else {
        return Ok(None);
    };
    if link.revoked {
        return Ok(Some(feed::empty_calendar()));
    }
    let now = feeds.clock.now();
    let live = overrides::live(&feeds.reads).await?;
    let (from, to) = feed::window(now);
    let scope: FeedScope = link.scope;
    let shifts = feed::feed_shifts(&feeds.policy, &feeds.calendar, &scope, from, to, &live);
    Ok(Some(feed::ics(&feeds.calendar, &scope, &shifts, now)))
}
