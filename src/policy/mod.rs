//! The team's support and incident policy, loaded from TOML (SPEC §3) and
//! validated once, so everything downstream can trust it.

pub mod days;
pub mod duration;
mod error;
mod load;
pub mod rota;
pub mod settings;

pub use days::{DaySet, TimeRange};
pub use duration::PolicyDuration;
pub use error::PolicyError;
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
    /// People allowed to manage other people's overrides.
    pub admins: Vec<UserId>,
    pub cyber: CyberSettings,
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
}
