//! The team's support and incident policy, loaded from TOML (SPEC §3) and
//! validated once, so everything downstream can trust it.

pub mod alerts;
pub mod days;
pub mod duration;
mod error;
mod load;
pub mod oncall;
pub mod rota;
pub mod settings;
pub mod statuspage;

pub use alerts::{AlertRoute, AlertSettings, Page};
pub use days::{DaySet, TimeRange};
pub use duration::PolicyDuration;
pub use error::PolicyError;
pub use oncall::OncallSettings;
pub use rota::{Covers, Handover, Role, Rota, Rotation, Window};
pub use settings::{CyberSettings, Division, Hours, PrioritySettings, ReminderSettings};

use crate::ids::{ChannelId, UserId};
use crate::priority::Priority;
use std::collections::BTreeMap;
use std::path::Path;

/// The GOV.UK PaaS policy shipped with the binary.
const BUILTIN: &str = include_str!("../../config/gov-uk-paas.toml");

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub timezone: chrono_tz::Tz,
    /// Where incident cards are posted.
    pub incident_channel: ChannelId,
    /// The rota called when nobody acknowledges in time.
    pub escalation_rota: String,
    pub hours: Hours,
    /// Always holds all of P1..P4 (checked on load).
    pub priorities: BTreeMap<Priority, PrioritySettings>,
    pub reminders: ReminderSettings,
    pub rotas: Vec<Rota>,
    /// Responders beyond the rotas (SPEC §2.7): they may act on any
    /// incident, hand on the escalation rota, set overrides longer than
    /// 90 days and cancel anyone's.
    pub admins: Vec<UserId>,
    pub cyber: CyberSettings,
    /// Publishing to Atlassian Statuspage (SPEC §5); None when the file
    /// has no `[statuspage]` section.
    pub statuspage: Option<statuspage::StatuspageSettings>,
    /// Alerts from monitoring (SPEC §6); defaults when the file has no
    /// `[alerts]` section.
    pub alerts: AlertSettings,
    /// Shift reminders (SPEC §7); none when the file has no `[oncall]`.
    pub oncall: OncallSettings,
}

impl Policy {
    pub fn from_toml(text: &str) -> Result<Policy, PolicyError> {
        load::parse(text)
    }

    pub fn load(path: &Path) -> Result<Policy, PolicyError> {
        let text = std::fs::read_to_string(path).map_err(|source| PolicyError::Read {
            path: path.to_owned(),
            source,
        })?;
        Policy::from_toml(&text)
    }

    pub fn builtin() -> Policy {
        // The file is compiled in and covered by tests, so this cannot fail
        // at run time unless the shipped file is broken.
        Policy::from_toml(BUILTIN).expect("the built-in policy config/gov-uk-paas.toml is valid")
    }

    pub fn rota(&self, name: &str) -> Option<&Rota> {
        self.rotas
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(name))
    }

    /// For "no rota called `in-hour`; did you mean `in-hours`?".
    pub fn closest_rota_name(&self, name: &str) -> Option<&str> {
        self.rotas
            .iter()
            .map(|r| {
                (
                    strsim::jaro_winkler(&name.to_lowercase(), &r.name.to_lowercase()),
                    r.name.as_str(),
                )
            })
            .filter(|(score, _)| *score >= 0.7)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, n)| n)
    }

    pub fn priority(&self, p: Priority) -> &PrioritySettings {
        // Loading rejects a policy without all four priorities.
        &self.priorities[&p]
    }

    pub fn rotas_with_role(&self, role: Role) -> impl Iterator<Item = &Rota> + '_ {
        self.rotas.iter().filter(move |r| r.role == role)
    }

    pub fn escalation(&self) -> Option<&Rota> {
        self.rota(&self.escalation_rota)
    }

    /// How long an unacknowledged incident of priority `p` waits before the
    /// escalation rota is called, on that priority's clock (SPEC §2.5): its
    /// own `escalate_after`; else, for a priority with an out-of-hours
    /// response, the older `[reminders] escalate_unacknowledged_after`;
    /// else None, meaning at the response deadline.
    pub fn escalate_after(&self, p: Priority) -> Option<PolicyDuration> {
        let rule = self.priority(p);
        rule.escalate_after.or_else(|| {
            rule.respond_out_of_hours?;
            self.reminders
                .escalate_unacknowledged_after
                .map(PolicyDuration::Fixed)
        })
    }

    /// Things `check` tells the operator about a valid file: settings that
    /// still work but have been superseded.
    pub fn notices(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(after) = self.reminders.escalate_unacknowledged_after {
            let covered: Vec<&str> = Priority::ALL
                .iter()
                .filter(|p| {
                    let rule = self.priority(**p);
                    rule.respond_out_of_hours.is_some() && rule.escalate_after.is_none()
                })
                .map(|p| p.as_str())
                .collect();
            let applies = if covered.is_empty() {
                "it applies to no priority".to_owned()
            } else {
                format!("it applies only to {}", covered.join(", "))
            };
            out.push(format!(
                "[reminders] escalate_unacknowledged_after = \"{}\" is superseded by \
                 escalate_after under [priority.PN]: {applies} (priorities with \
                 respond_out_of_hours and no escalate_after of their own). Other priorities \
                 escalate at their own escalate_after, or when their response is due.",
                duration::format_fixed(after)
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_policy_has_the_paas_rotas_and_priorities() {
        let p = Policy::builtin();
        assert_eq!(p.timezone, chrono_tz::Europe::London);
        assert_eq!(p.priority(Priority::P1).name, "Critical");
        assert!(p.rota("in-hours").is_some());
        assert_eq!(p.escalation().map(|r| r.role), Some(Role::Escalation));
        assert_eq!(p.closest_rota_name("in-hour"), Some("in-hours"));
        assert_eq!(p.closest_rota_name("zzzzzz"), None);
        assert!(p.rotas_with_role(Role::Engineering).count() >= 2);
    }

    /// "If the 1st line support does not answer the alert for 30 mins,
    /// pagerduty will automatically call this rota": P1 only, since only P1
    /// is supported out of hours; P2–P4 escalate when their response is due.
    #[test]
    fn the_shipped_policies_escalate_p1_after_thirty_minutes_and_say_nothing_superseded() {
        for text in [
            BUILTIN,
            include_str!("../../config/moj-cloud-platform.toml"),
        ] {
            let p = Policy::from_toml(text).unwrap();
            let thirty = PolicyDuration::Fixed(chrono::Duration::minutes(30));
            assert_eq!(p.escalate_after(Priority::P1), Some(thirty));
            for later in [Priority::P2, Priority::P3, Priority::P4] {
                assert_eq!(p.escalate_after(later), None, "{later}");
            }
            assert!(p.notices().is_empty(), "{:?}", p.notices());
        }
    }

    fn with(priority_extra: &str, reminders: &str) -> Policy {
        let text = BUILTIN
            .replace(
                "[priority.P1]\n",
                &format!("[priority.P1]\n{priority_extra}\n"),
            )
            .replace("[reminders]\n", &format!("[reminders]\n{reminders}\n"))
            .replace("escalate_after = \"30m\"\n", "");
        Policy::from_toml(&text).unwrap()
    }

    #[test]
    fn the_older_escalation_key_covers_only_out_of_hours_priorities_and_is_reported() {
        let p = with("", "escalate_unacknowledged_after = \"45m\"");
        let legacy = PolicyDuration::Fixed(chrono::Duration::minutes(45));
        assert_eq!(p.escalate_after(Priority::P1), Some(legacy));
        assert_eq!(p.escalate_after(Priority::P2), None);
        let notices = p.notices();
        assert_eq!(notices.len(), 1);
        assert!(notices[0].contains("superseded"), "{}", notices[0]);
        assert!(notices[0].contains("applies only to P1"), "{}", notices[0]);
        // A priority's own setting wins over it.
        let own = with(
            "escalate_after = \"15m\"",
            "escalate_unacknowledged_after = \"45m\"",
        );
        assert_eq!(
            own.escalate_after(Priority::P1),
            Some(PolicyDuration::Fixed(chrono::Duration::minutes(15)))
        );
        assert!(own.notices()[0].contains("applies to no priority"));
    }

    #[test]
    fn escalate_after_may_be_business_days_and_is_validated() {
        let text = BUILTIN.replace(
            "[priority.P4]\n",
            "[priority.P4]\nescalate_after = \"2 business days\"\n",
        );
        let p = Policy::from_toml(&text).unwrap();
        assert_eq!(
            p.escalate_after(Priority::P4),
            Some(PolicyDuration::BusinessDays(2))
        );
        let bad = BUILTIN.replace(
            "[priority.P3]\n",
            "[priority.P3]\nescalate_after = \"soon\"\n",
        );
        let err = Policy::from_toml(&bad).unwrap_err().to_string();
        assert!(err.starts_with("priority.P3.escalate_after"), "{err}");
    }
}
