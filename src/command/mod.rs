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
pub use oncall::{override_label, parse_oncall, parse_override_id, OncallCommand};
pub use usage::{INCIDENT_USAGE, ONCALL_USAGE};
pub use when::{parse_range, parse_when, WhenError};

/// Slack's escaping of `&`, `<` and `>`, for user text echoed in messages.
// `slack::blocks::text::escape` does the same but `slack::blocks` is not in
// the module tree on this branch; switch to it once it is.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
