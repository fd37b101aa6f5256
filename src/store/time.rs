//! Instants are stored as fixed-width UTC text (`2026-11-23T09:00:00.000000Z`)
//! so that text order is time order in indexes and comparisons.

use chrono::{DateTime, SecondsFormat, Utc};

pub fn to_db(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn from_db(text: &str) -> anyhow::Result<DateTime<Utc>> {
    Ok(DateTime::parse_from_rfc3339(text)
        .map_err(|e| anyhow::anyhow!("stored time `{text}` is unreadable: {e}"))?
        .with_timezone(&Utc))
}

pub fn opt_from_db(text: Option<String>) -> anyhow::Result<Option<DateTime<Utc>>> {
    text.as_deref().map(from_db).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn round_trips_and_sorts_as_text() {
        let a = Utc.with_ymd_and_hms(2026, 3, 29, 0, 59, 59).unwrap();
        let b = a + chrono::Duration::microseconds(1);
        assert_eq!(from_db(&to_db(a)).unwrap(), a);
        assert!(to_db(a) < to_db(b));
        assert_eq!(to_db(a).len(), to_db(b).len());
    }
}
