//! `[oncall]`: on-call life beyond lookups (SPEC §7). Absent, or with an
//! empty `remind_before`, nobody is sent shift reminders: the safe default
//! for a team that has not asked for them.

use super::duration;
use chrono::Duration;
use serde::{Deserialize, Deserializer};

/// The longest lead a shift reminder may have: further ahead than this is
/// a calendar's job (the feeds), not a DM's.
pub const MAX_LEAD_DAYS: i64 = 28;

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OncallSettings {
    /// How long before each of their shifts a person gets a DM, e.g.
    /// `["1d", "1h"]`: fixed lengths, each above zero and at most
    /// [`MAX_LEAD_DAYS`] days, no two the same; kept longest first.
    #[serde(deserialize_with = "leads")]
    pub remind_before: Vec<Duration>,
}

impl OncallSettings {
    /// The longest lead, if any: how soon a changed shift must be to be
    /// told of at once.
    pub fn longest_lead(&self) -> Option<Duration> {
        self.remind_before.iter().max().copied()
    }
}

fn leads<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Duration>, D::Error> {
    #[derive(Deserialize)]
    struct Lead(#[serde(deserialize_with = "duration::fixed")] Duration);
    let raw: Vec<Lead> = Vec::deserialize(d)?;
    let mut out: Vec<Duration> = Vec::new();
    for Lead(lead) in raw {
        let shown = duration::format_fixed(lead);
        if lead <= Duration::zero() {
            return Err(serde::de::Error::custom(
                "a reminder lead must be longer than zero, e.g. \"1h\"",
            ));
        }
        if lead > Duration::days(MAX_LEAD_DAYS) {
            return Err(serde::de::Error::custom(format!(
                "`{shown}` is too far ahead: at most {MAX_LEAD_DAYS}d"
            )));
        }
        if out.contains(&lead) {
            return Err(serde::de::Error::custom(format!(
                "`{shown}` is listed twice"
            )));
        }
        out.push(lead);
    }
    out.sort_by(|a, b| b.cmp(a));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use crate::policy::Policy;
    use chrono::Duration;

    const BUILTIN: &str = include_str!("../../config/gov-uk-paas.toml");

    fn with(oncall: &str) -> Result<Policy, String> {
        Policy::from_toml(&format!("{BUILTIN}\n[oncall]\n{oncall}\n")).map_err(|e| e.to_string())
    }

    #[test]
    fn leads_are_read_longest_first_and_absent_means_none() {
        assert!(Policy::builtin().oncall.remind_before.is_empty());
        let p = with(r#"remind_before = ["1h", "1d"]"#).unwrap();
        assert_eq!(
            p.oncall.remind_before,
            vec![Duration::days(1), Duration::hours(1)]
        );
        assert_eq!(p.oncall.longest_lead(), Some(Duration::days(1)));
        assert!(with("remind_before = []")
            .unwrap()
            .oncall
            .remind_before
            .is_empty());
    }

    #[test]
    fn bad_leads_are_refused_naming_the_key() {
        for (bad, says) in [
            (r#"remind_before = ["soon"]"#, "is not a duration"),
            (r#"remind_before = ["1 business day"]"#, "not business days"),
            (r#"remind_before = ["0m"]"#, "is not a duration"),
            (r#"remind_before = ["30d"]"#, "too far ahead"),
            (r#"remind_before = ["1h", "60m"]"#, "listed twice"),
            (r#"remind_before = "1h""#, "remind_before"),
            (r#"remind = ["1h"]"#, "remind"),
        ] {
            let err = with(bad).unwrap_err();
            assert!(err.contains("oncall"), "{bad}: {err}");
            assert!(err.contains(says), "{bad}: {err}");
        }
    }
}
