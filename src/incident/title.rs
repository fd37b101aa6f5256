//! An incident title: what the header of the card and every reminder shows.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::Deref;

/// A trimmed, one-line, non-empty title of at most [`Title::MAX_CHARS`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Title(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TitleError {
    #[error("the title is empty; say in a few words what is happening")]
    Empty,
    #[error("the title is {chars} characters long; keep it to {max} or fewer", max = Title::MAX_CHARS)]
    TooLong { chars: usize },
}

impl Title {
    /// The declare modal's limit, and what fits a Slack header block.
    pub const MAX_CHARS: usize = 150;

    pub fn parse(raw: &str) -> Result<Title, TitleError> {
        // A title is shown on one line (card header, reminders), so line
        // breaks pasted into it become spaces rather than an error.
        let one_line: String = raw
            .trim()
            .chars()
            .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
            .collect();
        let chars = one_line.chars().count();
        if chars == 0 {
            Err(TitleError::Empty)
        } else if chars > Self::MAX_CHARS {
            Err(TitleError::TooLong { chars })
        } else {
            Ok(Title(one_line))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Title {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Title {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Title {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Title {
    type Error = TitleError;
    fn try_from(raw: String) -> Result<Self, TitleError> {
        Title::parse(&raw)
    }
}

impl From<Title> for String {
    fn from(title: Title) -> String {
        title.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_keeps_one_line() {
        assert_eq!(Title::parse("  API down \n").unwrap().as_str(), "API down");
        assert_eq!(Title::parse("API\ndown").unwrap().as_str(), "API down");
    }

    #[test]
    fn rejects_empty_and_overlong() {
        assert_eq!(Title::parse(" \n\t"), Err(TitleError::Empty));
        let exactly = "é".repeat(150);
        assert!(Title::parse(&exactly).is_ok(), "150 characters, not bytes");
        assert_eq!(
            Title::parse(&"x".repeat(151)),
            Err(TitleError::TooLong { chars: 151 })
        );
        assert!(TitleError::TooLong { chars: 151 }
            .to_string()
            .contains("150"));
    }
}
