//! What a person submitted in the publish modal, as typed values, and the
//! marker that ties a Statuspage incident back to the intent that made it.

use crate::ids::IncidentNumber;
use crate::policy::statuspage::{ComponentStatus, Impact};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A Statuspage realtime incident status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PublicStatus {
    Investigating,
    Identified,
    Monitoring,
    Resolved,
}

impl PublicStatus {
    /// The statuses a person picks while the incident is open.
    pub const OPEN: [PublicStatus; 3] = [
        PublicStatus::Investigating,
        PublicStatus::Identified,
        PublicStatus::Monitoring,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PublicStatus::Investigating => "investigating",
            PublicStatus::Identified => "identified",
            PublicStatus::Monitoring => "monitoring",
            PublicStatus::Resolved => "resolved",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PublicStatus::Investigating => "Investigating",
            PublicStatus::Identified => "Identified",
            PublicStatus::Monitoring => "Monitoring",
            PublicStatus::Resolved => "Resolved",
        }
    }

    pub fn parse(raw: &str) -> Option<PublicStatus> {
        PublicStatus::OPEN
            .into_iter()
            .chain([PublicStatus::Resolved])
            .find(|s| s.as_str() == raw)
    }
}

impl fmt::Display for PublicStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One public update, as submitted: the first creates the Statuspage
/// incident, later ones update it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    /// The public title (Statuspage's `name`, at most 255 characters).
    pub name: String,
    pub status: PublicStatus,
    /// The plain-English public message (the update's `body`).
    pub body: String,
    /// Component id → the status to set. Only these are touched.
    pub components: BTreeMap<String, ComponentStatus>,
    /// `deliver_notifications`: whether subscribers are told.
    pub notify: bool,
    /// `impact_override`, from the incident's priority.
    pub impact: Option<Impact>,
}

/// Written into the Statuspage incident's metadata with every request, so
/// after a crash or a lost answer the bot can tell whether its request
/// landed (SPEC §5: "looked up among … unresolved before it is created
/// again"). `key` is unique per submitted modal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub incident: IncidentNumber,
    pub key: String,
}

impl Marker {
    /// A fresh marker for one submission of incident `incident`'s modal.
    pub fn new(incident: IncidentNumber) -> Marker {
        Marker {
            incident,
            key: format!("{}-{:016x}", incident.0, fastrand::u64(..)),
        }
    }
}
