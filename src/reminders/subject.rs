//! What a reminder is about: an incident, a rota's handovers, a cover
//! request, one person's shift, or an alert group's page. Stored in the
//! `reminders.subject` column as `incident:N`, `rota:NAME`,
//! `cover_request:N`, `shift:UNIX_SECONDS:USER:ROTA` (the rota last: its
//! name may hold `:`) or `alert:N`.

use crate::alerts::AlertGroupId;
use crate::cover_request::CoverRequestId;
use crate::ids::{IncidentNumber, UserId};
use chrono::{DateTime, Utc};
use std::fmt;
use std::str::FromStr;

/// The subject of a reminder row.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Subject {
    /// An incident's deadlines and nudges.
    Incident(IncidentNumber),
    /// A rota's handover posts; the rota's configured name.
    Rota(String),
    /// A cover request: it lapses at its start if nobody took it.
    CoverRequest(CoverRequestId),
    /// One person's shift on a rota, by its start: reminders ahead of it.
    Shift {
        rota: String,
        user: UserId,
        start: DateTime<Utc>,
    },
    /// An alert group's held page and its escalation (SPEC §6).
    Alert(AlertGroupId),
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Incident(number) => write!(f, "incident:{}", number.0),
            Subject::Rota(name) => write!(f, "rota:{name}"),
            Subject::CoverRequest(id) => write!(f, "cover_request:{}", id.0),
            Subject::Shift { rota, user, start } => {
                write!(f, "shift:{}:{user}:{rota}", start.timestamp())
            }
            Subject::Alert(group) => write!(f, "alert:{}", group.0),
        }
    }
}

/// A stored subject that is neither form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a reminder subject (incident:N, rota:NAME, cover_request:N, shift:T:USER:ROTA or alert:N)"
)]
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
            Some(("cover_request", n)) => match n.parse::<i64>() {
                Ok(n) if n > 0 => Ok(Subject::CoverRequest(CoverRequestId(n))),
                _ => Err(bad()),
            },
            Some(("shift", rest)) => {
                let mut parts = rest.splitn(3, ':');
                let (Some(start), Some(user), Some(rota)) =
                    (parts.next(), parts.next(), parts.next())
                else {
                    return Err(bad());
                };
                let start = start
                    .parse::<i64>()
                    .ok()
                    .and_then(|s| DateTime::from_timestamp(s, 0))
                    .ok_or_else(bad)?;
                let user = UserId::parse(user).map_err(|_| bad())?;
                if rota.is_empty() {
                    return Err(bad());
                }
                Ok(Subject::Shift {
                    rota: rota.to_owned(),
                    user,
                    start,
                })
            }
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
            Subject::CoverRequest(CoverRequestId(4)),
            Subject::Shift {
                rota: "in:hours".to_owned(),
                user: UserId::parse("U0PAASEN1").unwrap(),
                start: DateTime::from_timestamp(1_795_000_000, 0).unwrap(),
            },
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
            "cover_request:0",
            "shift:1795000000:U0PAASEN1:",
            "shift:soon:U0PAASEN1:in-hours",
            "shift:1795000000:bob:in-hours",
        ] {
            assert!(bad.parse::<Subject>().is_err(), "{bad}");
        }
    }
}
