//! The `[alerts]` section (SPEC §6): where alerts from monitoring are
//! posted, how long a page waits for an acknowledgement before the
//! escalation rota is called, and the routes that decide whom an alert
//! pages. Absent, alerts go to the incident channel and page engineering.

use super::duration;
use super::rota::Role;
use super::PolicyError;
use crate::ids::ChannelId;
use crate::priority::Priority;
use chrono::Duration;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// Grafana's default header for its HMAC-SHA256 signature.
pub const DEFAULT_SIGNATURE_HEADER: &str = "X-Grafana-Alerting-Signature";

/// "If the 1st line support does not answer the alert for 30 mins …
/// automatically call this rota" (GOV.UK PaaS support roles).
pub const DEFAULT_ACKNOWLEDGE_WITHIN: Duration = Duration::minutes(30);

/// Whom a route pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// Whoever covers a rota with this role when the alert comes in.
    Role(Role),
    /// Posted; nobody mentioned or sent a DM.
    Nobody,
}

/// One `[[alerts.route]]`: alerts whose labels include every pair of
/// `matchers` (compared exactly) take it; the first route that matches wins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertRoute {
    pub matchers: BTreeMap<String, String>,
    pub page: Page,
    /// Suggested when an incident is declared from the alert.
    pub priority: Option<Priority>,
    /// False: out of hours the page is held until the next in-hours start.
    pub out_of_hours: bool,
}

impl AlertRoute {
    /// True when every matcher is among `labels` with the same value.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.matchers
            .iter()
            .all(|(k, v)| labels.get(k).is_some_and(|l| l == v))
    }
}

/// The validated section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertSettings {
    /// Where alert messages are posted; the incident channel by default.
    pub channel: ChannelId,
    pub acknowledge_within: Duration,
    /// The header Grafana's HMAC signature comes in.
    pub grafana_signature_header: String,
    pub routes: Vec<AlertRoute>,
}

impl AlertSettings {
    /// The section's defaults: everything pages engineering, always.
    pub fn defaults(incident_channel: &ChannelId) -> AlertSettings {
        AlertSettings {
            channel: incident_channel.clone(),
            acknowledge_within: DEFAULT_ACKNOWLEDGE_WITHIN,
            grafana_signature_header: DEFAULT_SIGNATURE_HEADER.to_owned(),
            routes: vec![AlertRoute {
                matchers: BTreeMap::new(),
                page: Page::Role(Role::Engineering),
                priority: None,
                out_of_hours: true,
            }],
        }
    }

    /// The first route whose matchers all hold for `labels`; None when no
    /// route matches (the alert is posted and nobody is paged).
    pub fn route(&self, labels: &BTreeMap<String, String>) -> Option<(usize, &AlertRoute)> {
        self.routes
            .iter()
            .enumerate()
            .find(|(_, r)| r.matches(labels))
    }
}

/// The section as written; checked by [`validate`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAlerts {
    #[serde(default)]
    channel: Option<ChannelId>,
    #[serde(default, deserialize_with = "duration::fixed_opt")]
    acknowledge_within: Option<Duration>,
    #[serde(default)]
    grafana_signature_header: Option<Spanned<String>>,
    #[serde(default)]
    route: Vec<RawRoute>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoute {
    #[serde(rename = "match", default)]
    matchers: BTreeMap<String, String>,
    page: Spanned<String>,
    #[serde(default)]
    priority: Option<Spanned<String>>,
    #[serde(default = "yes")]
    out_of_hours: bool,
}

fn yes() -> bool {
    true
}

/// Whole-section rules: a page names a role some rota has (or "none"), a
/// priority is P1..P4, a header name is a header name, and the
/// acknowledgement window is positive. `roles` are those the rotas have.
pub(super) fn validate(
    raw: RawAlerts,
    incident_channel: &ChannelId,
    roles: &[Role],
    at: &impl Fn(std::ops::Range<usize>) -> Option<usize>,
    section_line: Option<usize>,
) -> Result<AlertSettings, PolicyError> {
    let mut out = AlertSettings::defaults(incident_channel);
    if let Some(channel) = raw.channel {
        out.channel = channel;
    }
    if let Some(within) = raw.acknowledge_within {
        if within <= Duration::zero() {
            return Err(PolicyError::invalid(
                "alerts.acknowledge_within",
                section_line,
                "must be longer than nothing, e.g. \"30m\"",
            ));
        }
        out.acknowledge_within = within;
    }
    if let Some(header) = raw.grafana_signature_header {
        let name = header.get_ref().trim();
        if axum::http::HeaderName::from_bytes(name.as_bytes()).is_err() {
            return Err(PolicyError::invalid(
                "alerts.grafana_signature_header",
                at(header.span()),
                format!("`{name}` is not an HTTP header name, e.g. \"{DEFAULT_SIGNATURE_HEADER}\""),
            ));
        }
        out.grafana_signature_header = name.to_owned();
    }
    if !raw.route.is_empty() {
        out.routes = raw
            .route
            .into_iter()
            .enumerate()
            .map(|(i, r)| route(i, r, roles, at))
            .collect::<Result<_, _>>()?;
    }
    Ok(out)
}

fn route(
    i: usize,
    raw: RawRoute,
    roles: &[Role],
    at: &impl Fn(std::ops::Range<usize>) -> Option<usize>,
) -> Result<AlertRoute, PolicyError> {
    let key = |field: &str| format!("alerts.route[{i}].{field}");
    let page = match raw.page.get_ref().trim() {
        "none" => Page::Nobody,
        name => {
            let role = match name {
                "engineering" => Role::Engineering,
                "comms" => Role::Comms,
                "escalation" => Role::Escalation,
                _ => {
                    return Err(PolicyError::invalid(
                        key("page"),
                        at(raw.page.span()),
                        format!(
                            "`{name}` is not a rota role: use engineering, comms, escalation or \"none\""
                        ),
                    ))
                }
            };
            if !roles.contains(&role) {
                return Err(PolicyError::invalid(
                    key("page"),
                    at(raw.page.span()),
                    format!("no rota has the role `{name}`, so nobody could be paged"),
                ));
            }
            Page::Role(role)
        }
    };
    let priority = raw
        .priority
        .map(|p| {
            p.get_ref()
                .parse::<Priority>()
                .map_err(|why| PolicyError::invalid(key("priority"), at(p.span()), why))
        })
        .transpose()?;
    Ok(AlertRoute {
        matchers: raw.matchers,
        page,
        priority,
        out_of_hours: raw.out_of_hours,
    })
}

#[cfg(test)]
mod tests {
    use crate::policy::{Page, Policy, Role};
    use crate::priority::Priority;

    const BUILTIN: &str = include_str!("../../config/gov-uk-paas.toml");

    fn with(section: &str) -> Result<Policy, String> {
        Policy::from_toml(&format!("{BUILTIN}\n{section}")).map_err(|e| e.to_string())
    }

    #[test]
    fn without_a_section_alerts_go_to_the_incident_channel_and_page_engineering() {
        let p = Policy::builtin();
        assert_eq!(p.alerts.channel, p.incident_channel);
        assert_eq!(p.alerts.acknowledge_within, chrono::Duration::minutes(30));
        assert_eq!(
            p.alerts.grafana_signature_header,
            "X-Grafana-Alerting-Signature"
        );
        let labels = [("severity".to_owned(), "warning".to_owned())].into();
        let (_, route) = p.alerts.route(&labels).unwrap();
        assert_eq!(route.page, Page::Role(Role::Engineering));
    }

    #[test]
    fn the_first_route_whose_labels_all_match_exactly_wins() {
        let p = with(
            r#"[alerts]
channel = "C0PAASALRT"
acknowledge_within = "15m"
[[alerts.route]]
match = { severity = "critical", team = "paas" }
page = "engineering"
priority = "P1"
[[alerts.route]]
match = { severity = "critical" }
page = "escalation"
out_of_hours = false
[[alerts.route]]
match = {}
page = "none"
"#,
        )
        .unwrap();
        assert_eq!(p.alerts.channel.as_str(), "C0PAASALRT");
        assert_eq!(p.alerts.acknowledge_within, chrono::Duration::minutes(15));
        let labels = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let both = labels(&[("severity", "critical"), ("team", "paas"), ("x", "y")]);
        let (i, r) = p.alerts.route(&both).unwrap();
        assert_eq!(
            (i, r.priority, r.out_of_hours),
            (0, Some(Priority::P1), true)
        );
        let (i, r) = p
            .alerts
            .route(&labels(&[("severity", "critical")]))
            .unwrap();
        assert_eq!(
            (i, r.page, r.out_of_hours),
            (1, Page::Role(Role::Escalation), false)
        );
        // Exact: "Critical" is not "critical".
        let (i, r) = p
            .alerts
            .route(&labels(&[("severity", "Critical")]))
            .unwrap();
        assert_eq!((i, r.page), (2, Page::Nobody));
    }

    #[test]
    fn check_names_the_route_key_that_is_wrong() {
        let cases = [
            (
                "[[alerts.route]]\npage = \"sre\"\n",
                "alerts.route[0].page",
                "not a rota role",
            ),
            (
                "[[alerts.route]]\npage = \"engineering\"\npriority = \"P9\"\n",
                "alerts.route[0].priority",
                "not a priority",
            ),
            (
                "[alerts]\nacknowledge_within = \"soon\"\n",
                "alerts.acknowledge_within",
                "",
            ),
            (
                "[alerts]\ngrafana_signature_header = \"bad header\"\n",
                "alerts.grafana_signature_header",
                "not an HTTP header",
            ),
            (
                "[[alerts.route]]\npage = \"none\"\nmtach = {}\n",
                "alerts.route",
                "unknown field",
            ),
        ];
        for (section, key, says) in cases {
            let err = with(section).unwrap_err();
            assert!(err.starts_with(key), "{section}: {err}");
            assert!(err.contains(says), "{section}: {err}");
            assert!(err.contains("(line "), "{section}: {err}");
        }
    }

    #[test]
    fn a_role_no_rota_has_cannot_be_paged() {
        let text = include_str!("../../config/moj-cloud-platform.toml")
            .replace("role = \"comms\"", "role = \"engineering\"");
        let err = Policy::from_toml(&format!("{text}\n[[alerts.route]]\npage = \"comms\"\n"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("no rota has the role `comms`"), "{err}");
    }
}
