//! Newtypes for the Slack identifiers the bot passes around, so a channel can
//! never be handed where a user is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! slack_id {
    ($name:ident, $what:literal, $($prefix:literal)|+) => {
        #[doc = concat!("A Slack ", $what, " ID.")]
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Accepts an ID with the expected prefix, upper-case letters and digits.
            pub fn parse(raw: &str) -> Result<Self, BadId> {
                let ok_prefix = [$($prefix),+].iter().any(|p| raw.starts_with(p));
                let ok_chars = raw.len() >= 2
                    && raw.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
                if ok_prefix && ok_chars {
                    Ok(Self(raw.to_owned()))
                } else {
                    Err(BadId {
                        raw: raw.to_owned(),
                        what: $what,
                        prefixes: &[$($prefix),+],
                    })
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = BadId;
            fn try_from(raw: String) -> Result<Self, BadId> {
                Self::parse(&raw)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

/// Text that is not a Slack ID of the kind expected. Its message quotes
/// the text as it was: escape it before showing it in Slack.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{raw}` is not a Slack {what} ID (expected {} followed by capitals and digits)", prefixes.join(" or "))]
pub struct BadId {
    raw: String,
    what: &'static str,
    prefixes: &'static [&'static str],
}

slack_id!(UserId, "user", "U" | "W");
slack_id!(ChannelId, "channel", "C" | "G" | "D");
slack_id!(UserGroupId, "user group", "S");

impl UserId {
    /// `<@U123>`: a mention Slack renders as the person's name.
    pub fn mention(&self) -> String {
        format!("<@{}>", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_shaped_ids_and_rejects_others() {
        assert!(UserId::parse("U01AAAA").is_ok());
        assert!(UserId::parse("W012").is_ok());
        assert!(UserId::parse("C01AAAA").is_err());
        assert!(UserId::parse("u01aaaa").is_err());
        assert!(UserId::parse("U").is_err());
        assert!(ChannelId::parse("C0PAASINC").is_ok());
        assert!(ChannelId::parse("#paas").is_err());
        assert!(UserGroupId::parse("S0123").is_ok());
    }

    #[test]
    fn mention_uses_slack_syntax() {
        assert_eq!(UserId::parse("U1").unwrap().mention(), "<@U1>");
    }
}

/// An incident's number: shown as `INC-N`, typed as `INC-N`, `inc-N` or `N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct IncidentNumber(pub i64);

impl IncidentNumber {
    pub fn parse(raw: &str) -> Result<Self, NotAnIncidentNumber> {
        let t = raw.trim();
        let digits = t
            .get(..4)
            .filter(|p| p.eq_ignore_ascii_case("INC-"))
            .map_or(t, |_| &t[4..]);
        match digits.parse::<i64>() {
            Ok(n) if n > 0 && !digits.starts_with('+') => Ok(Self(n)),
            _ => Err(NotAnIncidentNumber(raw.to_owned())),
        }
    }
}

/// Text that is not `INC-N` or `N`; the message quotes it as it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an incident number: use INC-N or N, e.g. INC-3")]
pub struct NotAnIncidentNumber(String);

impl fmt::Display for IncidentNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "INC-{}", self.0)
    }
}

#[cfg(test)]
mod incident_number_tests {
    use super::IncidentNumber;

    #[test]
    fn parses_both_forms_and_rejects_nonsense() {
        assert_eq!(IncidentNumber::parse("INC-12"), Ok(IncidentNumber(12)));
        assert_eq!(IncidentNumber::parse("inc-3"), Ok(IncidentNumber(3)));
        assert_eq!(IncidentNumber::parse("7"), Ok(IncidentNumber(7)));
        for bad in ["INC-", "INC-0", "-1", "+4", "INC-x", "", "INC-1.5"] {
            assert!(IncidentNumber::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(IncidentNumber(4).to_string(), "INC-4");
    }
}

/// A rota override's id: shown as `OVR-N`, typed as `OVR-N`, `ovr-N` or `N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OverrideId(pub i64);

impl OverrideId {
    /// Parses what a person typed; the error names what was wrong but does
    /// not echo the text (callers escape and quote it themselves).
    pub fn parse(raw: &str) -> Result<Self, NotAnOverrideId> {
        let t = raw.trim();
        let digits = t
            .get(..4)
            .filter(|p| p.eq_ignore_ascii_case("OVR-"))
            .map_or(t, |_| &t[4..]);
        match digits.parse::<i64>() {
            Ok(id) if id > 0 && digits.bytes().all(|b| b.is_ascii_digit()) => Ok(Self(id)),
            _ => Err(NotAnOverrideId),
        }
    }
}

impl fmt::Display for OverrideId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OVR-{}", self.0)
    }
}

/// Text that is not `OVR-N` or `N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not an override ID: use OVR-N, e.g. OVR-12")]
pub struct NotAnOverrideId;

#[cfg(test)]
mod override_id_tests {
    use super::OverrideId;

    #[test]
    fn parses_both_forms_and_shows_the_label() {
        assert_eq!(OverrideId::parse("OVR-12"), Ok(OverrideId(12)));
        assert_eq!(OverrideId::parse("ovr-3"), Ok(OverrideId(3)));
        assert_eq!(OverrideId::parse(" 7 "), Ok(OverrideId(7)));
        for bad in ["OVR-", "OVR-0", "-1", "+4", "x", ""] {
            assert!(OverrideId::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(OverrideId(4).to_string(), "OVR-4");
    }
}
