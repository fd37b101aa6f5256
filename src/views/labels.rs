//! Short labels for an incident's status and priority, shared by the card,
//! the App Home tab and the text replies.

use crate::incident::Status;
use crate::mrkdwn::escape_within;
use crate::policy::Policy;
use crate::priority::Priority;

pub fn status_label(status: Status) -> &'static str {
    match status {
        Status::Declared => ":red_circle: Declared, not acknowledged",
        Status::Acknowledged => ":large_orange_circle: Acknowledged, being worked",
        Status::Resolved => ":white_check_mark: Resolved",
        Status::NotIncident => ":heavy_minus_sign: Not an incident",
    }
}

pub fn priority_label(policy: &Policy, priority: Priority) -> String {
    match policy.priorities.get(&priority) {
        Some(rule) => format!("{priority} {}", escape_within(&rule.name, 40)),
        None => priority.to_string(),
    }
}
