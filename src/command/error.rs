//! The one error every command parser returns.

use std::fmt;

/// What was wrong, and the usage of the command it was typed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError {
    /// Slack mrkdwn; any user text in it is already escaped.
    pub message: String,
    pub usage: &'static str,
}

impl UsageError {
    pub fn new(message: impl Into<String>, usage: &'static str) -> UsageError {
        UsageError {
            message: message.into(),
            usage,
        }
    }

    /// The ephemeral reply: the message, a blank line, the usage.
    pub fn reply_text(&self) -> String {
        format!("{}\n\n{}", self.message, self.usage)
    }
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UsageError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reply_is_message_then_usage() {
        let err = UsageError::new("That was wrong.", "*/x* usage");
        assert_eq!(err.reply_text(), "That was wrong.\n\n*/x* usage");
        assert_eq!(err.to_string(), "That was wrong.");
    }
}
