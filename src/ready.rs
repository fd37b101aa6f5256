//! `GET /readyz` (SPEC §4): whether this replica should be sent traffic.
//! 200 when its database takes reads and writes and its Slack socket is
//! up; 503 naming each failing part otherwise. With
//! `READY_REQUIRES_LEADER=true` a standby is not ready either, for
//! platforms that should route only to the replica doing the work.
//!
//! Liveness stays `/healthz`: a standby is alive, and a replica whose
//! socket is reconnecting should be taken out of rotation, not restarted.

use crate::health::{db_problem, HealthState};
use axum::extract::State;
use axum::http::{header, StatusCode};
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// A part of the replica that is not ready, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotReady {
    Database(String),
    Slack,
    Standby,
}

impl NotReady {
    /// The part's name in the response.
    pub fn part(&self) -> &'static str {
        match self {
            NotReady::Database(_) => "database",
            NotReady::Slack => "slack",
            NotReady::Standby => "lease",
        }
    }

    pub fn why(&self) -> String {
        match self {
            NotReady::Database(problem) => problem.clone(),
            NotReady::Slack => "the Slack socket is not connected".to_owned(),
            NotReady::Standby => {
                "standby: another replica holds the lease (READY_REQUIRES_LEADER=true)".to_owned()
            }
        }
    }
}

/// Every reason this replica is not ready, from what the probes found.
pub fn not_ready(
    db: Option<String>,
    slack_connected: bool,
    leader: bool,
    requires_leader: bool,
) -> Vec<NotReady> {
    let mut failing = Vec::new();
    if let Some(problem) = db {
        failing.push(NotReady::Database(problem));
    }
    if !slack_connected {
        failing.push(NotReady::Slack);
    }
    if requires_leader && !leader {
        failing.push(NotReady::Standby);
    }
    failing
}

/// The response: `{"ready":true,"role":…}`, or 503 with
/// `{"ready":false,"failing":{part: why, …},"role":…}`.
pub async fn readyz(
    State(state): State<Arc<HealthState>>,
) -> (StatusCode, [(header::HeaderName, &'static str); 1], String) {
    let leader = state.leadership.is_leader();
    let failing = not_ready(
        db_problem(&state).await,
        state.slack_connected.load(Ordering::SeqCst),
        leader,
        state.ready_requires_leader,
    );
    let role = if leader { "leader" } else { "standby" };
    let (status, body) = if failing.is_empty() {
        (
            StatusCode::OK,
            serde_json::json!({ "ready": true, "role": role }),
        )
    } else {
        let parts: serde_json::Map<String, serde_json::Value> = failing
            .iter()
            .map(|f| (f.part().to_owned(), f.why().into()))
            .collect();
        (
            StatusCode::SERVICE_UNAVAILABLE,
            serde_json::json!({ "ready": false, "failing": parts, "role": role }),
        )
    };
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_when_every_part_is_up() {
        assert_eq!(not_ready(None, true, true, false), vec![]);
        assert_eq!(
            not_ready(None, true, false, false),
            vec![],
            "a standby is ready by default"
        );
        assert_eq!(not_ready(None, true, true, true), vec![]);
    }

    #[test]
    fn each_failing_part_is_named() {
        let failing = not_ready(Some("cannot write: disk full".into()), false, false, true);
        let parts: Vec<_> = failing.iter().map(NotReady::part).collect();
        assert_eq!(parts, ["database", "slack", "lease"]);
        assert_eq!(failing[0].why(), "cannot write: disk full");
        assert!(failing[2].why().contains("READY_REQUIRES_LEADER"));
    }

    #[test]
    fn a_standby_is_unready_only_when_the_leader_is_required() {
        assert_eq!(not_ready(None, true, false, true), vec![NotReady::Standby]);
    }
}
