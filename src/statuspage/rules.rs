//! Who may publish, and what the modal starts from: pure functions over
//! the policy and the incident.

use super::publication::PublicStatus;
use crate::ids::UserId;
use crate::incident::Incident;
use crate::policy::statuspage::{ComponentStatus, StatuspageSettings};
use crate::policy::Policy;
use std::collections::BTreeMap;

/// SPEC §2.7: `publishers`; when that list is empty, the incident's leads
/// and the policy's `admins`. Err carries who may, for the refusal.
pub fn may_publish(
    policy: &Policy,
    settings: &StatuspageSettings,
    incident: &Incident,
    who: &UserId,
) -> Result<(), Vec<UserId>> {
    let allowed: Vec<UserId> = if settings.publishers.is_empty() {
        let leads = [&incident.engineering_lead, &incident.comms_lead];
        leads
            .into_iter()
            .flatten()
            .chain(&policy.admins)
            .cloned()
            .collect()
    } else {
        settings.publishers.clone()
    };
    if allowed.contains(who) {
        Ok(())
    } else {
        Err(allowed)
    }
}

/// What the public incident looks like after the last publication, for
/// the modal's prefill and the restore on resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicState {
    pub statuspage_id: String,
    pub shortlink: Option<String>,
    pub status: PublicStatus,
    pub name: String,
    /// Each component this incident has set, and to what, last time.
    pub components: BTreeMap<String, ComponentStatus>,
    pub last_public_at: chrono::DateTime<chrono::Utc>,
}

/// The status each component starts at in the modal: what this incident
/// set last time, else the priority's `component_status`.
pub fn prefill(
    settings: &StatuspageSettings,
    incident: &Incident,
    public: Option<&PublicState>,
) -> BTreeMap<String, ComponentStatus> {
    let default = settings
        .impact
        .get(&incident.priority)
        .map_or(ComponentStatus::MajorOutage, |i| i.component_status);
    settings
        .components
        .values()
        .map(|id| {
            let last = public.and_then(|p| p.components.get(id)).copied();
            let status = last
                .filter(|s| *s != ComponentStatus::Operational)
                .unwrap_or(default);
            (id.clone(), status)
        })
        .collect()
}

/// On resolve: every component this incident changed goes back to
/// `operational`; others are left as they are (SPEC §5).
pub fn restore(public: &PublicState) -> BTreeMap<String, ComponentStatus> {
    public
        .components
        .keys()
        .map(|id| (id.clone(), ComponentStatus::Operational))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::IncidentNumber;
    use crate::incident::{declare, Declaration, Title};
    use crate::priority::Priority;

    fn settings(publishers: &[&str]) -> (Policy, StatuspageSettings) {
        let text = format!(
            "{}\n[statuspage]\npage_id = \"p1\"\ncomponents = {{ Apps = \"cmp1\", API = \"cmp2\" }}\npublish_priorities = [\"P1\"]\npublishers = [{}]\n[statuspage.impact]\nP1 = {{ impact = \"critical\", component_status = \"major_outage\" }}\n",
            include_str!("../../config/gov-uk-paas.toml"),
            publishers.iter().map(|p| format!("\"{p}\"")).collect::<Vec<_>>().join(",")
        );
        let policy = Policy::from_toml(&text).unwrap();
        let sp = policy.statuspage.clone().unwrap();
        (policy, sp)
    }

    fn incident() -> Incident {
        let u = |s: &str| UserId::parse(s).unwrap();
        declare(
            Declaration {
                title: Title::parse("Apps down").unwrap(),
                description: String::new(),
                priority: Priority::P1,
                cyber: false,
                engineering_lead: Some(u("U0LEAD")),
                comms_lead: Some(u("U0COMMS")),
                declared_by: u("U0DECL"),
            },
            IncidentNumber(1),
            chrono::Utc::now(),
        )
        .0
    }

    #[test]
    fn without_publishers_the_leads_and_admins_may_publish() {
        let (policy, sp) = settings(&[]);
        let i = incident();
        for ok in ["U0LEAD", "U0COMMS", "U0PAASDM1"] {
            assert!(
                may_publish(&policy, &sp, &i, &UserId::parse(ok).unwrap()).is_ok(),
                "{ok}"
            );
        }
        let who = may_publish(&policy, &sp, &i, &UserId::parse("U0DECL").unwrap()).unwrap_err();
        assert_eq!(who.len(), 3);
    }

    #[test]
    fn a_publishers_list_is_the_only_list() {
        let (policy, sp) = settings(&["U0PUB"]);
        let i = incident();
        assert!(may_publish(&policy, &sp, &i, &UserId::parse("U0PUB").unwrap()).is_ok());
        assert!(may_publish(&policy, &sp, &i, &UserId::parse("U0LEAD").unwrap()).is_err());
    }

    #[test]
    fn the_prefill_follows_the_priority_then_what_was_published() {
        let (_, sp) = settings(&[]);
        let i = incident();
        let first = prefill(&sp, &i, None);
        assert_eq!(first["cmp1"], ComponentStatus::MajorOutage);
        let public = PublicState {
            statuspage_id: "x".into(),
            shortlink: None,
            status: PublicStatus::Identified,
            name: "Apps".into(),
            components: [("cmp2".to_owned(), ComponentStatus::PartialOutage)].into(),
            last_public_at: chrono::Utc::now(),
        };
        assert_eq!(
            prefill(&sp, &i, Some(&public))["cmp2"],
            ComponentStatus::PartialOutage
        );
        assert_eq!(
            restore(&public),
            [("cmp2".to_owned(), ComponentStatus::Operational)].into()
        );
    }
}
