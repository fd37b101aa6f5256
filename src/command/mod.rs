//! Slash commands parsed into typed values before anything acts on them.
//! A parse error is a message saying what was wrong plus the usage.

mod args;
mod error;
pub mod incident;
pub mod oncall;
pub mod usage;
pub mod when;

pub use error::UsageError;
pub use incident::{parse_incident, IncidentCommand};
pub use oncall::{parse_oncall, parse_override_id, OncallCommand};
pub use usage::{INCIDENT_USAGE, ONCALL_USAGE};
pub use when::{parse_range, parse_when, WhenError};
