//! Destinations (a channel, a person's DMs, a card) that are failing, each
//! parked with a back-off of its own, so the rest of the outbox keeps
//! flowing; and destinations Slack refuses for good, reported once each.
//!
//! Before this, one failing destination stalled the whole outbox: a single
//! message to a private channel the bot had been removed from delayed every
//! new card by up to 23 s, and 200 of them filled every batch.

use std::collections::{HashMap, HashSet};
use std::time::Duration;
use tokio::time::Instant;

const FIRST_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, Copy)]
struct Parked {
    until: Instant,
    backoff: Duration,
}

/// Per-destination back-off in elapsed time (`now` is passed in): how long
/// to leave a failing destination alone, not a time of day, so it is not
/// on the bot's wall clock.
#[derive(Debug, Default)]
pub struct Parking {
    parked: HashMap<String, Parked>,
    reported: HashSet<String>,
}

impl Parking {
    /// Whether rows for `destination` wait until a later pass.
    pub fn is_parked(&self, destination: &str, now: Instant) -> bool {
        self.parked.get(destination).is_some_and(|p| now < p.until)
    }

    /// Records a failure that may clear; returns how long until it is
    /// tried again: 200 ms after the first, doubling to at most 5 minutes.
    pub fn failed(&mut self, destination: &str, now: Instant) -> Duration {
        let backoff = match self.parked.get(destination) {
            Some(p) => (p.backoff * 2).min(MAX_BACKOFF),
            None => FIRST_BACKOFF,
        };
        let until = now + backoff;
        self.parked
            .insert(destination.to_owned(), Parked { until, backoff });
        backoff
    }

    /// When the first parked destination may be tried again.
    pub fn next_due(&self) -> Option<Instant> {
        self.parked.values().map(|p| p.until).min()
    }

    /// A row for `destination` went out: its back-off starts afresh.
    pub fn delivered(&mut self, destination: &str) {
        self.parked.remove(destination);
    }

    /// Every destination may be tried again at once (the last pass at
    /// shutdown).
    pub fn unpark_all(&mut self) {
        self.parked.clear();
    }

    /// Slack refused `destination` for good; true the first time only, so
    /// it is reported once, not once per message.
    pub fn refused_for_good(&mut self, destination: &str) -> bool {
        self.parked.remove(destination);
        self.reported.insert(destination.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_failing_destination_backs_off_alone_doubling_to_five_minutes() {
        let start = Instant::now();
        let mut parking = Parking::default();
        assert_eq!(parking.failed("channel:C1", start), ms(200));
        assert!(parking.is_parked("channel:C1", start));
        assert!(!parking.is_parked("channel:C2", start), "others flow");
        assert_eq!(parking.next_due(), Some(start + ms(200)));
        assert!(!parking.is_parked("channel:C1", start + ms(200)));
        assert_eq!(parking.failed("channel:C1", start), ms(400));
        assert_eq!(parking.failed("channel:C1", start), ms(800));
        for _ in 0..20 {
            parking.failed("channel:C1", start);
        }
        assert_eq!(parking.failed("channel:C1", start), MAX_BACKOFF);
        parking.delivered("channel:C1");
        assert!(!parking.is_parked("channel:C1", start));
        assert_eq!(parking.failed("channel:C1", start), ms(200));
        parking.unpark_all();
        assert_eq!(parking.next_due(), None);
    }

    #[test]
    fn a_refusal_for_good_is_reported_once() {
        let mut parking = Parking::default();
        assert!(parking.refused_for_good("channel:G1"));
        assert!(!parking.refused_for_good("channel:G1"));
        assert!(parking.refused_for_good("channel:G2"));
    }
}
