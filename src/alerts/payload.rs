//! The three webhook bodies as typed serde structs, and their reading into
//! a [`Notification`]. Unknown fields are ignored (Alertmanager and Grafana
//! add fields from release to release); a missing required field or a
//! wrong type is a [`PayloadError`] naming the field.
//!
//! Shapes: Alertmanager's webhook payload version 4
//! (prometheus.io/docs/alerting/latest/configuration/#webhook_config);
//! Grafana Alerting's webhook contact point, the same plus `orgId`,
//! `title`, `state`, `message` and per-alert `values`, `silenceURL`,
//! `dashboardURL`, `panelURL`, `valueString`; the generic form of SPEC §6.

use super::{clip, Alert, AlertStatus, Link, Notification, Source};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The most alerts one delivery may carry (Alertmanager's `max_alerts`
/// defaults to all; a group larger than this is a misconfiguration).
pub const MAX_ALERTS: usize = 1000;
const TITLE_MAX: usize = 150;
const SUMMARY_MAX: usize = 300;

/// Why a body was refused, for the sender (HTTP 400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("not JSON of the expected shape at `{path}`: {message}")]
    Shape { path: String, message: String },
    #[error("unsupported Alertmanager payload version `{0}`; expected \"4\"")]
    Version(String),
    #[error("`{0}` must not be empty")]
    Empty(&'static str),
    #[error("{0} alerts in one delivery; at most {MAX_ALERTS}")]
    TooMany(usize),
}

/// Alertmanager's webhook payload, version 4; Grafana's shares it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupPayload {
    #[serde(default)]
    version: Option<String>,
    group_key: String,
    #[serde(default)]
    truncated_alerts: u64,
    status: AlertStatus,
    #[serde(default)]
    receiver: String,
    #[serde(default)]
    group_labels: BTreeMap<String, String>,
    #[serde(default)]
    common_labels: BTreeMap<String, String>,
    #[serde(default)]
    common_annotations: BTreeMap<String, String>,
    #[serde(default, rename = "externalURL")]
    external_url: Option<String>,
    alerts: Vec<GroupAlert>,
    // Grafana's additions.
    #[serde(default)]
    title: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupAlert {
    status: AlertStatus,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
    #[serde(default)]
    starts_at: Option<DateTime<Utc>>,
    #[serde(default, rename = "generatorURL")]
    generator_url: Option<String>,
    #[serde(default)]
    fingerprint: Option<String>,
    // Grafana's additions.
    #[serde(default, rename = "dashboardURL")]
    dashboard_url: Option<String>,
    #[serde(default, rename = "panelURL")]
    panel_url: Option<String>,
    #[serde(default, rename = "silenceURL")]
    silence_url: Option<String>,
}

/// The generic form (SPEC §6).
#[derive(Debug, Deserialize)]
struct GenericPayload {
    title: String,
    status: AlertStatus,
    dedup_key: String,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

/// Reads `body` as `source` sends it.
pub fn parse(source: Source, body: &[u8]) -> Result<Notification, PayloadError> {
    match source {
        Source::Alertmanager => {
            let raw: GroupPayload = read(body)?;
            match raw.version.as_deref() {
                Some("4") => {}
                other => return Err(PayloadError::Version(other.unwrap_or("").to_owned())),
            }
            group(source, raw)
        }
        Source::Grafana => group(source, read(body)?),
        Source::Generic => generic(read(body)?),
    }
}

fn read<T: DeserializeOwned>(body: &[u8]) -> Result<T, PayloadError> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| PayloadError::Shape {
        path: e.path().to_string(),
        message: e.inner().to_string(),
    })
}

fn non_empty(s: Option<&String>) -> Option<&str> {
    s.map(|s| s.trim()).filter(|s| !s.is_empty())
}

fn group(source: Source, raw: GroupPayload) -> Result<Notification, PayloadError> {
    if raw.group_key.trim().is_empty() {
        return Err(PayloadError::Empty("groupKey"));
    }
    if raw.alerts.len() > MAX_ALERTS {
        return Err(PayloadError::TooMany(raw.alerts.len()));
    }
    let _ = (raw.truncated_alerts, &raw.receiver, raw.status);
    let labels = if raw.common_labels.is_empty() {
        raw.alerts
            .first()
            .map(|a| a.labels.clone())
            .unwrap_or_default()
    } else {
        raw.common_labels.clone()
    };
    let title = non_empty(raw.title.as_ref())
        .map(str::to_owned)
        .or_else(|| non_empty(labels.get("alertname")).map(str::to_owned))
        .or_else(|| non_empty(raw.group_labels.get("alertname")).map(str::to_owned))
        .unwrap_or_else(|| format!("Alerts from {source}"));
    let mut links = Vec::new();
    let mut link = |label: &str, url: Option<&String>| {
        if let Some(url) = non_empty(url).filter(|u| is_web(u)) {
            if !links.iter().any(|l: &Link| l.url == url) {
                links.push(Link {
                    label: label.to_owned(),
                    url: url.to_owned(),
                });
            }
        }
    };
    link("Runbook", raw.common_annotations.get("runbook_url"));
    if let Some(first) = raw.alerts.first() {
        link("Dashboard", first.dashboard_url.as_ref());
        link("Panel", first.panel_url.as_ref());
        link("Silence", first.silence_url.as_ref());
    }
    link(
        match source {
            Source::Grafana => "Grafana",
            _ => "Alertmanager",
        },
        raw.external_url.as_ref(),
    );
    let alerts = raw
        .alerts
        .into_iter()
        .map(|a| {
            let name = non_empty(a.labels.get("alertname"))
                .unwrap_or(&title)
                .to_owned();
            let summary = non_empty(a.annotations.get("summary"))
                .or_else(|| non_empty(a.annotations.get("description")))
                .unwrap_or("");
            Alert {
                // Alertmanager has sent fingerprints since 0.19; without
                // one, the labels are the alert's identity.
                fingerprint: non_empty(a.fingerprint.as_ref())
                    .map(str::to_owned)
                    .unwrap_or_else(|| label_identity(&a.labels)),
                status: a.status,
                name: clip(&name, TITLE_MAX),
                summary: clip(summary, SUMMARY_MAX),
                url: non_empty(a.generator_url.as_ref())
                    .filter(|u| is_web(u))
                    .map(str::to_owned),
                starts_at: a.starts_at,
                labels: a.labels,
            }
        })
        .collect();
    Ok(Notification {
        source,
        group_key: raw.group_key,
        title: clip(&title, TITLE_MAX),
        labels,
        links,
        alerts,
    })
}

fn generic(raw: GenericPayload) -> Result<Notification, PayloadError> {
    let title = raw.title.trim();
    if title.is_empty() {
        return Err(PayloadError::Empty("title"));
    }
    let key = raw.dedup_key.trim();
    if key.is_empty() {
        return Err(PayloadError::Empty("dedup_key"));
    }
    let mut labels = BTreeMap::new();
    if let Some(severity) = non_empty(raw.severity.as_ref()) {
        labels.insert("severity".to_owned(), severity.to_owned());
    }
    if let Some(source) = non_empty(raw.source.as_ref()) {
        labels.insert("source".to_owned(), source.to_owned());
    }
    let url = non_empty(raw.url.as_ref())
        .filter(|u| is_web(u))
        .map(str::to_owned);
    let links = url
        .iter()
        .map(|u| Link {
            label: "Source".to_owned(),
            url: u.clone(),
        })
        .collect();
    let title = clip(title, TITLE_MAX);
    Ok(Notification {
        source: Source::Generic,
        group_key: key.to_owned(),
        title: title.clone(),
        labels: labels.clone(),
        links,
        alerts: vec![Alert {
            fingerprint: key.to_owned(),
            status: raw.status,
            name: title,
            summary: clip(raw.description.as_deref().unwrap_or("").trim(), SUMMARY_MAX),
            labels,
            url,
            starts_at: None,
        }],
    })
}

/// Only web links are shown: a `javascript:` URL in Slack is refused, and
/// anything else is not a page a person can open.
fn is_web(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

/// A stable identity from labels, for an alert sent without a fingerprint.
fn label_identity(labels: &BTreeMap<String, String>) -> String {
    serde_json::to_string(labels).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const AM: &str = include_str!("../../tests/it/fixtures/alerts/alertmanager_firing.json");
    const GRAFANA: &str = include_str!("../../tests/it/fixtures/alerts/grafana_firing.json");

    #[test]
    fn an_alertmanager_group_reads_with_its_fingerprints_links_and_common_labels() {
        let n = parse(Source::Alertmanager, AM.as_bytes()).unwrap();
        assert_eq!(n.source, Source::Alertmanager);
        assert!(
            n.group_key.starts_with("{}:{alertname=\"CellMemoryHigh\""),
            "{}",
            n.group_key
        );
        assert_eq!(n.title, "CellMemoryHigh");
        assert_eq!(
            n.labels.get("severity").map(String::as_str),
            Some("critical")
        );
        assert_eq!(n.alerts.len(), 2);
        assert_eq!(n.alerts[0].fingerprint, "2c3e1f0a9b7d6e54");
        assert_eq!(n.alerts[0].status, AlertStatus::Firing);
        assert!(
            n.alerts[0].summary.contains("cell-3"),
            "{}",
            n.alerts[0].summary
        );
        assert!(n.alerts[0]
            .url
            .as_deref()
            .unwrap()
            .starts_with("http://prometheus"));
        let labels: Vec<&str> = n.links.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(labels, ["Runbook", "Alertmanager"]);
    }

    #[test]
    fn grafana_extras_are_read_or_ignored() {
        let n = parse(Source::Grafana, GRAFANA.as_bytes()).unwrap();
        assert_eq!(n.title, "[FIRING:1] HighRouterLatency");
        assert_eq!(n.alerts[0].fingerprint, "c6eadffa33fcdf37");
        let labels: Vec<&str> = n.links.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(
            labels,
            ["Runbook", "Dashboard", "Panel", "Silence", "Grafana"]
        );
    }

    #[test]
    fn fields_nobody_has_heard_of_yet_are_ignored() {
        let mut v: serde_json::Value = serde_json::from_str(AM).unwrap();
        v["newIn2026"] = serde_json::json!({"anything": [1, 2]});
        v["alerts"][0]["annotationsV2"] = serde_json::json!("x");
        assert!(parse(Source::Alertmanager, v.to_string().as_bytes()).is_ok());
    }

    #[test]
    fn a_bad_body_names_what_is_wrong() {
        let err = parse(Source::Alertmanager, b"{\"version\":\"4\"").unwrap_err();
        assert!(matches!(err, PayloadError::Shape { .. }), "{err}");
        let mut v: serde_json::Value = serde_json::from_str(AM).unwrap();
        v["alerts"][1]["status"] = "exploded".into();
        let err = parse(Source::Alertmanager, v.to_string().as_bytes()).unwrap_err();
        assert!(err.to_string().contains("alerts[1].status"), "{err}");
        v["alerts"][1]["status"] = "firing".into();
        v["version"] = "3".into();
        let err = parse(Source::Alertmanager, v.to_string().as_bytes()).unwrap_err();
        assert_eq!(err, PayloadError::Version("3".into()));
        let err = parse(
            Source::Generic,
            br#"{"title":" ","status":"firing","dedup_key":"k"}"#,
        )
        .unwrap_err();
        assert_eq!(err, PayloadError::Empty("title"));
    }

    #[test]
    fn a_generic_alert_is_its_own_group_keyed_by_dedup_key() {
        let body = br#"{"title":"Backups late","status":"resolved","dedup_key":"backup-db",
            "severity":"warning","source":"cron","url":"https://ci.example/job/9",
            "description":"Last backup 26h ago"}"#;
        let n = parse(Source::Generic, body).unwrap();
        assert_eq!(
            (n.group_key.as_str(), n.title.as_str()),
            ("backup-db", "Backups late")
        );
        assert_eq!(n.alerts[0].fingerprint, "backup-db");
        assert_eq!(n.alerts[0].status, AlertStatus::Resolved);
        assert_eq!(
            n.labels.get("severity").map(String::as_str),
            Some("warning")
        );
        assert_eq!(n.links[0].url, "https://ci.example/job/9");
        let js = br#"{"title":"x","status":"firing","dedup_key":"k","url":"javascript:alert(1)"}"#;
        assert!(parse(Source::Generic, js).unwrap().links.is_empty());
    }
}
