//! The `[statuspage]` section (SPEC §5): which Atlassian Statuspage page the
//! comms lead publishes to, its components, and what a priority means in
//! public. Absent, the bot offers no publishing at all.

use crate::ids::UserId;
use crate::priority::Priority;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use toml::Spanned;

/// Statuspage's own API, used when the file names none.
pub const DEFAULT_API_URL: &str = "https://api.statuspage.io/v1";

/// An incident's impact as Statuspage names it (`impact_override`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Impact {
    None,
    Minor,
    Major,
    Critical,
}

/// A component's status as Statuspage names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComponentStatus {
    Operational,
    DegradedPerformance,
    PartialOutage,
    MajorOutage,
    UnderMaintenance,
}

impl ComponentStatus {
    /// The statuses a person may pick for an affected component, worst last.
    pub const AFFECTED: [ComponentStatus; 3] = [
        ComponentStatus::DegradedPerformance,
        ComponentStatus::PartialOutage,
        ComponentStatus::MajorOutage,
    ];

    /// The wire form, e.g. `major_outage`.
    pub fn as_str(self) -> &'static str {
        match self {
            ComponentStatus::Operational => "operational",
            ComponentStatus::DegradedPerformance => "degraded_performance",
            ComponentStatus::PartialOutage => "partial_outage",
            ComponentStatus::MajorOutage => "major_outage",
            ComponentStatus::UnderMaintenance => "under_maintenance",
        }
    }

    /// As people read it: "Partial outage".
    pub fn label(self) -> &'static str {
        match self {
            ComponentStatus::Operational => "Operational",
            ComponentStatus::DegradedPerformance => "Degraded performance",
            ComponentStatus::PartialOutage => "Partial outage",
            ComponentStatus::MajorOutage => "Major outage",
            ComponentStatus::UnderMaintenance => "Under maintenance",
        }
    }

    pub fn parse(raw: &str) -> Option<ComponentStatus> {
        [
            ComponentStatus::Operational,
            ComponentStatus::UnderMaintenance,
        ]
        .into_iter()
        .chain(ComponentStatus::AFFECTED)
        .find(|s| s.as_str() == raw)
    }
}

/// What one priority means on the status page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicImpact {
    pub impact: Impact,
    /// Prefilled for each affected component in the publish modal.
    pub component_status: ComponentStatus,
}

/// The validated section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatuspageSettings {
    pub page_id: String,
    /// Without a trailing slash, e.g. `https://api.statuspage.io/v1`.
    pub api_url: String,
    /// Name shown in Slack → Statuspage component id, in name order.
    pub components: BTreeMap<String, String>,
    /// The default of the modal's "notify subscribers" box.
    pub notify_subscribers: bool,
    /// Only these priorities are offered publishing.
    pub publish_priorities: Vec<Priority>,
    /// Who may publish; empty means the incident's leads and `admins`
    /// (SPEC §2.7).
    pub publishers: Vec<UserId>,
    pub impact: BTreeMap<Priority, PublicImpact>,
}

impl StatuspageSettings {
    pub fn publishes(&self, p: Priority) -> bool {
        self.publish_priorities.contains(&p)
    }

    /// The component's name in Slack, from its Statuspage id.
    pub fn component_name(&self, id: &str) -> Option<&str> {
        self.components
            .iter()
            .find(|(_, v)| v.as_str() == id)
            .map(|(k, _)| k.as_str())
    }
}

/// The section as written; checked by [`validate`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStatuspage {
    page_id: Spanned<String>,
    #[serde(default)]
    api_url: Option<Spanned<String>>,
    components: Spanned<BTreeMap<String, String>>,
    #[serde(default = "yes")]
    notify_subscribers: bool,
    publish_priorities: Spanned<Vec<Priority>>,
    #[serde(default)]
    publishers: Vec<UserId>,
    // Keyed by text, not `Priority`: serde's key path shows `?` for an
    // enum key, and the operator needs to see which row is wrong.
    impact: BTreeMap<String, PublicImpact>,
}

fn yes() -> bool {
    true
}

/// Whole-section rules serde cannot express: a page id and components to
/// publish to, an http(s) API URL, and an impact for each priority that may
/// publish. `at` turns a span into its line.
pub(super) fn validate(
    raw: RawStatuspage,
    at: &impl Fn(std::ops::Range<usize>) -> Option<usize>,
    section_line: Option<usize>,
) -> Result<StatuspageSettings, super::PolicyError> {
    use super::PolicyError as E;
    let page_id = raw.page_id.get_ref().trim().to_owned();
    if page_id.is_empty() || !page_id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(E::invalid(
            "statuspage.page_id",
            at(raw.page_id.span()),
            "the page id is the letters and digits in the page's API URL, e.g. \"kctbh9vrtdwd\"",
        ));
    }
    let api_url = match &raw.api_url {
        None => DEFAULT_API_URL.to_owned(),
        Some(url) => {
            let trimmed = url.get_ref().trim().trim_end_matches('/').to_owned();
            if !(trimmed.starts_with("https://") || trimmed.starts_with("http://")) {
                return Err(E::invalid(
                    "statuspage.api_url",
                    at(url.span()),
                    format!(
                        "`{trimmed}` is not an http(s) URL; the default is \"{DEFAULT_API_URL}\""
                    ),
                ));
            }
            trimmed
        }
    };
    let components = raw.components.get_ref();
    if components.is_empty() {
        return Err(E::invalid(
            "statuspage.components",
            at(raw.components.span()),
            "name at least one component, e.g. { \"Apps\" = \"cmp1\" }",
        ));
    }
    if let Some((name, _)) = components.iter().find(|(_, id)| id.trim().is_empty()) {
        return Err(E::invalid(
            format!("statuspage.components.{name}"),
            at(raw.components.span()),
            "a component needs its Statuspage id",
        ));
    }
    let mut impact = BTreeMap::new();
    for (key, row) in &raw.impact {
        let Ok(p) = key.parse::<Priority>() else {
            return Err(E::invalid(
                format!("statuspage.impact.{key}"),
                section_line,
                format!("`{key}` is not a priority: the rows are P1 to P4"),
            ));
        };
        impact.insert(p, *row);
    }
    for p in raw.publish_priorities.get_ref() {
        if !impact.contains_key(p) {
            return Err(E::invalid(
                format!("statuspage.impact.{p}"),
                section_line,
                format!("{p} may publish (publish_priorities) but has no impact: add {p} = {{ impact = \"…\", component_status = \"…\" }}"),
            ));
        }
    }
    Ok(StatuspageSettings {
        page_id,
        api_url,
        components: raw.components.into_inner(),
        notify_subscribers: raw.notify_subscribers,
        publish_priorities: raw.publish_priorities.into_inner(),
        publishers: raw.publishers,
        impact,
    })
}

#[cfg(test)]
mod tests {
    use crate::policy::Policy;
    use crate::priority::Priority;

    const BUILTIN: &str = include_str!("../../config/gov-uk-paas.toml");

    const SECTION: &str = r#"
[statuspage]
page_id = "kctbh9vrtdwd"
components = { "Apps" = "cmp1", "API" = "cmp2" }
publish_priorities = ["P1", "P2", "P3"]
publishers = []
[statuspage.impact]
P1 = { impact = "critical", component_status = "major_outage" }
P2 = { impact = "major", component_status = "partial_outage" }
P3 = { impact = "minor", component_status = "degraded_performance" }
"#;

    fn with(section: &str) -> Result<Policy, String> {
        Policy::from_toml(&format!("{BUILTIN}\n{section}")).map_err(|e| e.to_string())
    }

    #[test]
    fn the_spec_example_loads_with_defaults() {
        let sp = with(SECTION).unwrap().statuspage.unwrap();
        assert_eq!(sp.api_url, super::DEFAULT_API_URL);
        assert!(sp.notify_subscribers);
        assert_eq!(sp.components["Apps"], "cmp1");
        assert!(sp.publishes(Priority::P3) && !sp.publishes(Priority::P4));
        assert_eq!(
            sp.impact[&Priority::P1].component_status,
            super::ComponentStatus::MajorOutage
        );
        assert!(Policy::builtin().statuspage.is_none());
    }

    #[test]
    fn mistakes_name_the_key_and_its_line() {
        let cases = [
            (
                SECTION.replace("kctbh9vrtdwd", ""),
                "statuspage.page_id (line",
            ),
            (
                SECTION.replace("page_id", "api_url = \"ftp://x\"\npage_id"),
                "statuspage.api_url (line",
            ),
            (
                SECTION.replace("{ \"Apps\" = \"cmp1\", \"API\" = \"cmp2\" }", "{}"),
                "statuspage.components (line",
            ),
            (
                SECTION.replace("major_outage", "down"),
                "statuspage.impact.P1.component_status (line",
            ),
            (
                SECTION.replace("\"P3\"]", "\"P4\"]"),
                "statuspage.impact.P4",
            ),
            (
                SECTION.replace("publishers = []", "publishers = [\"C1\"]"),
                "statuspage.publishers[0]",
            ),
            (
                SECTION.replace("publishers", "publishors"),
                "statuspage.publishors (line",
            ),
        ];
        for (text, want) in cases {
            let err = with(&text).unwrap_err();
            assert!(err.starts_with(want), "{want}: {err}");
        }
        let bad = SECTION.replace("kctbh9vrtdwd", "");
        let full = format!("{BUILTIN}\n{bad}");
        let line = full[..full.find("page_id = \"\"").unwrap()]
            .matches('\n')
            .count()
            + 1;
        let err = with(&bad).unwrap_err();
        assert!(err.contains(&format!("(line {line})")), "{err}");
    }
}
