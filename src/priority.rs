//! Incident priority, P1 (critical) to P4 (minor), as in the support manual's
//! severity table.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Priority {
    P1,
    P2,
    P3,
    P4,
}

impl Priority {
    pub const ALL: [Priority; 4] = [Priority::P1, Priority::P2, Priority::P3, Priority::P4];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::P1 => "P1",
            Priority::P2 => "P2",
            Priority::P3 => "P3",
            Priority::P4 => "P4",
        }
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Priority {
    type Err = String;

    /// Accepts `P1`..`P4` in either case, or a bare `1`..`4`.
    fn from_str(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        let digits = trimmed
            .strip_prefix('P')
            .or_else(|| trimmed.strip_prefix('p'))
            .unwrap_or(trimmed);
        match digits {
            "1" => Ok(Priority::P1),
            "2" => Ok(Priority::P2),
            "3" => Ok(Priority::P3),
            "4" => Ok(Priority::P4),
            _ => Err(format!("`{raw}` is not a priority: use P1, P2, P3 or P4")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_people_type() {
        assert_eq!("P1".parse::<Priority>(), Ok(Priority::P1));
        assert_eq!("p3".parse::<Priority>(), Ok(Priority::P3));
        assert_eq!("4".parse::<Priority>(), Ok(Priority::P4));
        assert!("P5".parse::<Priority>().is_err());
        assert!("".parse::<Priority>().is_err());
        assert!(Priority::P1 < Priority::P4);
    }
}
