//! Where an incident is in its lifecycle.
//!
//! Pausing to document (incident process, "Long-running incidents") is not a
//! status: the incident stays open and someone keeps working it the next
//! day, so a pause is recorded as an event and in `Incident::paused_at`.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
pub enum Status {
    /// Declared and nobody has acknowledged it yet: the response clock runs.
    Declared,
    /// Someone has picked it up and it is being worked.
    Acknowledged,
    Resolved,
    /// Closed after investigation showed it was not an incident.
    NotIncident,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Declared,
        Status::Acknowledged,
        Status::Resolved,
        Status::NotIncident,
    ];

    /// Open incidents get deadlines, reminders and the card's buttons.
    pub fn is_open(self) -> bool {
        matches!(self, Status::Declared | Status::Acknowledged)
    }

    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Declared => "declared",
            Status::Acknowledged => "acknowledged",
            Status::Resolved => "resolved",
            Status::NotIncident => "not_incident",
        }
    }

    /// How the status reads in a sentence: "INC-3 is {describe}".
    pub fn describe(self) -> &'static str {
        match self {
            Status::Declared => "declared and not yet acknowledged",
            Status::Acknowledged => "acknowledged",
            Status::Resolved => "resolved",
            Status::NotIncident => "closed as not an incident",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<Status> for &'static str {
    fn from(status: Status) -> &'static str {
        status.as_str()
    }
}

impl FromStr for Status {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, String> {
        Status::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| format!("`{raw}` is not an incident status"))
    }
}

impl TryFrom<String> for Status {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        raw.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_form_round_trips() {
        for status in Status::ALL {
            assert_eq!(status.as_str().parse::<Status>(), Ok(status));
        }
        assert!("paused".parse::<Status>().is_err());
        assert!("Resolved".parse::<Status>().is_err());
    }

    #[test]
    fn only_declared_and_acknowledged_are_open() {
        let open: Vec<Status> = Status::ALL.into_iter().filter(|s| s.is_open()).collect();
        assert_eq!(open, [Status::Declared, Status::Acknowledged]);
    }
}
