//! UK bank holidays, compiled in from the GOV.UK bank-holidays feed
//! (https://www.gov.uk/bank-holidays.json) so the bot needs no network to
//! know that 28 December 2026 is the Boxing Day substitute.

use crate::policy::Division;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const FEED: &str = include_str!("uk-bank-holidays.json");

#[derive(Deserialize)]
struct DivisionFeed {
    events: Vec<Event>,
}

#[derive(Deserialize)]
struct Event {
    date: NaiveDate,
}

fn feed() -> &'static BTreeMap<String, Vec<NaiveDate>> {
    static PARSED: OnceLock<BTreeMap<String, Vec<NaiveDate>>> = OnceLock::new();
    PARSED.get_or_init(|| {
        let raw: BTreeMap<String, DivisionFeed> =
            serde_json::from_str(FEED).expect("the compiled-in bank holiday feed is valid JSON");
        raw.into_iter()
            .map(|(k, v)| (k, v.events.into_iter().map(|e| e.date).collect()))
            .collect()
    })
}

/// The bank holidays of a division; empty for `Division::None`.
pub fn bank_holidays(division: Division) -> &'static [NaiveDate] {
    let key = match division {
        Division::EnglandAndWales => "england-and-wales",
        Division::Scotland => "scotland",
        Division::NorthernIreland => "northern-ireland",
        Division::None => return &[],
    };
    feed().get(key).map_or(&[], Vec::as_slice)
}

/// The last bank holiday the feed knows for a division; None for
/// `Division::None`, which has none to know.
pub fn known_until(division: Division) -> Option<NaiveDate> {
    bank_holidays(division).iter().max().copied()
}
