//! Storage tests for the table modules, each on a fresh database.

mod cover_requests;
mod incidents;
mod lease;
mod overrides;
mod reminders;

use crate::ids::{IncidentNumber, UserId};
use crate::incident::{declare, Declaration, Incident, Title};
use crate::priority::Priority;
use chrono::{DateTime, Utc};

pub(super) fn user(id: &str) -> UserId {
    UserId::parse(id).unwrap()
}

/// A P2 declared by U0ALICE at `at`, not yet numbered.
pub(super) fn declared(title: &str, at: DateTime<Utc>) -> Incident {
    let declaration = Declaration {
        title: Title::parse(title).unwrap(),
        description: "Apps return 502".to_owned(),
        priority: Priority::P2,
        cyber: false,
        engineering_lead: None,
        comms_lead: None,
        declared_by: user("U0ALICE"),
    };
    declare(declaration, IncidentNumber(0), at).0
}
