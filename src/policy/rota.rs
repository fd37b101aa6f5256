//! How a rota is described: who is on it, how it rotates, when it hands
//! over, and which hours it covers.

use super::days::{self, DaySet, TimeRange};
use crate::ids::{ChannelId, UserGroupId, UserId};
use chrono::{NaiveDate, NaiveTime, Weekday};
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Engineering,
    Comms,
    Escalation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rotation {
    Weekly,
    Daily,
}

/// When the next member takes over: wall-clock time in the policy zone, on
/// `weekday` for weekly rotas (None for daily).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handover {
    pub weekday: Option<Weekday>,
    pub time: NaiveTime,
}

impl Handover {
    /// `mon 09:00` or `09:00`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut words = raw.split_whitespace();
        let (first, second) = (words.next(), words.next());
        if words.next().is_some() {
            return Err(format!(
                "`{raw}` is not a handover: use \"mon 09:00\" (weekly) or \"09:00\" (daily)"
            ));
        }
        match (first, second) {
            (Some(day), Some(time)) => Ok(Handover {
                weekday: Some(days::parse_weekday(day)?),
                time: days::parse_time(time)?,
            }),
            (Some(time), None) => Ok(Handover {
                weekday: None,
                time: days::parse_time(time)?,
            }),
            _ => Err(format!(
                "`{raw}` is not a handover: use \"mon 09:00\" (weekly) or \"09:00\" (daily)"
            )),
        }
    }
}

impl<'de> Deserialize<'de> for Handover {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Handover::parse(&String::deserialize(d)?).map_err(de::Error::custom)
    }
}

/// A span of the day on some days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub days: DaySet,
    pub start: NaiveTime,
    /// 00:00 means midnight at the end of the day.
    pub end: NaiveTime,
}

impl Window {
    pub fn range(&self) -> TimeRange {
        TimeRange {
            start: self.start,
            end: self.end,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWindow {
    days: String,
    time: TimeRange,
}

impl<'de> Deserialize<'de> for Window {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawWindow::deserialize(d)?;
        let days = DaySet::parse(&raw.days).map_err(de::Error::custom)?;
        Ok(Window {
            days,
            start: raw.time.start,
            end: raw.time.end,
        })
    }
}

/// Which hours a rota is responsible for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Covers {
    /// Working days (not holidays) within `hours.in_hours`.
    InHours,
    /// Everything else: evenings, nights, weekends and whole holidays.
    OutOfHours,
    Always,
    Windows(Vec<Window>),
}

impl<'de> Deserialize<'de> for Covers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct CoversVisitor;
        impl<'de> Visitor<'de> for CoversVisitor {
            type Value = Covers;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("\"in-hours\", \"out-of-hours\", \"always\" or a list of { days, time } windows")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Covers, E> {
                match v {
                    "in-hours" => Ok(Covers::InHours),
                    "out-of-hours" => Ok(Covers::OutOfHours),
                    "always" => Ok(Covers::Always),
                    other => Err(E::custom(format!(
                        "`{other}` is not a cover: use \"in-hours\", \"out-of-hours\", \"always\" or a list of {{ days, time }} windows"
                    ))),
                }
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Covers, A::Error> {
                let mut windows = Vec::new();
                while let Some(w) = seq.next_element::<Window>()? {
                    windows.push(w);
                }
                if windows.is_empty() {
                    return Err(de::Error::custom("a list of cover windows cannot be empty"));
                }
                Ok(Covers::Windows(windows))
            }
        }
        d.deserialize_any(CoversVisitor)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rota {
    pub name: String,
    pub role: Role,
    /// In rotation order.
    pub members: Vec<UserId>,
    pub rotation: Rotation,
    pub handover: Handover,
    /// The first member's first shift begins at the first handover on or
    /// after this date.
    pub start: NaiveDate,
    pub covers: Covers,
    /// Channels whose topic shows who covers now.
    pub topic_channels: Vec<ChannelId>,
    /// A Slack user group kept in step with who covers now.
    pub usergroup: Option<UserGroupId>,
}
