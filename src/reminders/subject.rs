//! What a reminder is about: an incident, a rota's handovers or an alert
//! group's page. Stored in the `reminders.subject` column as `incident:N`,
//! `rota:NAME` or `alert:N`.

use crate::alerts::AlertGroupId;
use crate::ids::IncidentNumber;
use std::fmt;
use std::str::FromStr;

/// The subject of a reminder row.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Subject {
    /// An incident's deadlines and nudges.
    Incident(IncidentNumber),
    /// A rota's handover posts; the rota's configured name.
    Rota(String),
    /// An alert group's held page and its escalation (SPEC §6).
    Alert(AlertGroupId),
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Incident(number) => write!(f, "incident:{}", number.0),
            Subject::Rota(name) => write!(f, "rota:{name}"),
            Subject::Alert(group) => write!(f, "alert:{}", group.0),
        }
    }
}

/// A stored subject that is neither form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a reminder subject (incident:N, rota:NAME or alert:N)")]
pub struct BadSubject(String);

impl FromStr for Subject {
    type Err = BadSubject;

    fn from_str(raw: &str) -> Result<Self, BadSubject> {
        let bad = || BadSubject(raw.to_owned());
        match raw.split_once(':') {
            Some(("incident", n)) => match n.parse::<i64>() {
                Ok(n) if n > 0 => Ok(Subject::Incident(IncidentNumber(n))),
                _ => Err(bad()),
            },
            Some(("alert", n)) => match n.parse::<i64>() {
                Ok(n) if n > 0 => Ok(Subject::Alert(AlertGroupId(n))),
                _ => Err(bad()),
            },
            Some(("rota", name)) if !name.is_empty() => Ok(Subject::Rota(name.to_owned())),
            _ => Err(bad()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_read_back_as_they_were_stored() {
        for subject in [
            Subject::Incident(IncidentNumber(12)),
            Subject::Rota("in-hours".to_owned()),
            Subject::Rota("a:b".to_owned()),
            Subject::Alert(AlertGroupId(4)),
        ] {
            assert_eq!(subject.to_string().parse::<Subject>(), Ok(subject));
        }
        assert_eq!(
            Subject::Incident(IncidentNumber(3)).to_string(),
            "incident:3"
        );
    }

    #[test]
    fn other_text_is_not_a_subject() {
        for bad in [
            "incident:x",
            "incident:0",
            "rota:",
            "team:a",
            "incident",
            "alert:0",
            "alert:x",
            "",
        ] {
            assert!(bad.parse::<Subject>().is_err(), "{bad}");
        }
    }
}
