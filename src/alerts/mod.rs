//! Alerts from monitoring (SPEC §6): Prometheus Alertmanager, Grafana
//! Alerting and a generic JSON form, read into one shape; the rules for
//! whom a group pages and when, and when the escalation rota is called.
//! Pure: no I/O, `now` passed in. The HTTP routes are in `crate::http`,
//! storage in `crate::store::alerts`, Slack in `crate::views::alert` and
//! the bot's alert handler.

pub mod auth;
pub mod escalation;
pub mod payload;

pub use payload::{parse, PayloadError};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Which kind of sender an alert came from; part of its identity, so two
/// senders' fingerprints never collide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Alertmanager,
    Grafana,
    Generic,
}

impl Source {
    pub const ALL: [Source; 3] = [Source::Alertmanager, Source::Grafana, Source::Generic];

    pub fn as_str(self) -> &'static str {
        match self {
            Source::Alertmanager => "alertmanager",
            Source::Grafana => "grafana",
            Source::Generic => "generic",
        }
    }

    pub fn parse(raw: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An alert's state as its sender reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertStatus {
    Firing,
    Resolved,
}

impl AlertStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertStatus::Firing => "firing",
            AlertStatus::Resolved => "resolved",
        }
    }

    pub fn parse(raw: &str) -> Option<AlertStatus> {
        match raw {
            "firing" => Some(AlertStatus::Firing),
            "resolved" => Some(AlertStatus::Resolved),
            _ => None,
        }
    }
}

/// The id of a stored alert group: one Slack message each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AlertGroupId(pub i64);

impl fmt::Display for AlertGroupId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ALR-{}", self.0)
    }
}

/// A link shown with an alert: the sender's page, a runbook, a dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub label: String,
    pub url: String,
}

/// One alert, whatever sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// The sender's identity for the alert (Alertmanager and Grafana's
    /// `fingerprint`, the generic `dedup_key`): one stored row each.
    pub fingerprint: String,
    pub status: AlertStatus,
    /// `alertname`, or the generic `title`.
    pub name: String,
    /// The `summary` (else `description`) annotation.
    pub summary: String,
    pub labels: BTreeMap<String, String>,
    /// The page that shows it (`generatorURL`, the generic `url`).
    pub url: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
}

/// One webhook delivery: a group of alerts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub source: Source,
    /// Alertmanager's and Grafana's `groupKey`, the generic `dedup_key`:
    /// one Slack message per group.
    pub group_key: String,
    /// What the message is headed with: the group's `alertname`, the
    /// Grafana title, the generic title.
    pub title: String,
    /// The labels the group's alerts share, which routing reads.
    pub labels: BTreeMap<String, String>,
    pub links: Vec<Link>,
    pub alerts: Vec<Alert>,
}

/// Text longer than `max` characters, cut with an ellipsis: senders put
/// whole log lines in annotations.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}
