//! A per-person rate limit, driven by the clock it is given (SPEC §2.7:
//! one person must not be able to flood channels and DMs). Pure: `take`
//! takes `now`, so tests move a clock instead of waiting.
//!
//! The rule is the generic cell rate algorithm: each key may spend up to
//! `burst` at once, and earns one back every `every`. Per key it keeps one
//! instant, the "theoretical arrival time" of the next request, so memory
//! is one entry per person who acted recently.

use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::hash::Hash;

/// How much a person may do: `burst` at once, then one per `every`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub burst: u32,
    pub every: Duration,
}

/// Incident changes (declare, acknowledge, update, note, …): each is a
/// thread reply and a card refresh. Thirty at once is more than anyone
/// working an incident does; then one every 6 s (10 a minute).
pub const CHANGES: Budget = Budget {
    burst: 30,
    every: Duration::seconds(6),
};

/// Overrides set or cancelled: each is a post in every topic channel of
/// the rota and a DM or two. Ten at once covers planning a month of swaps;
/// then one every 2 minutes (30 an hour).
pub const OVERRIDES: Budget = Budget {
    burst: 10,
    every: Duration::minutes(2),
};

/// Above this many keys, those with nothing left to remember are dropped.
const PRUNE_ABOVE: usize = 1024;

/// One budget's bookkeeping, per key.
#[derive(Debug)]
pub struct Throttle<K> {
    budget: Budget,
    next: HashMap<K, DateTime<Utc>>,
}

impl<K: Hash + Eq + Clone> Throttle<K> {
    pub fn new(budget: Budget) -> Self {
        Throttle {
            budget,
            next: HashMap::new(),
        }
    }

    /// Spends one of `key`'s budget at `now`; `Err(at)` when none is left,
    /// `at` being the first instant the next one will be taken.
    pub fn take(&mut self, key: &K, now: DateTime<Utc>) -> Result<(), DateTime<Utc>> {
        let Budget { burst, every } = self.budget;
        let due = self.next.get(key).copied().unwrap_or(now).max(now);
        let allowed_from = due - every * (burst.max(1) as i32 - 1);
        if now < allowed_from {
            return Err(allowed_from);
        }
        if self.next.len() >= PRUNE_ABOVE {
            self.next.retain(|_, at| *at > now);
        }
        self.next.insert(key.clone(), due + every);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
    }

    #[test]
    fn a_burst_is_taken_then_one_per_interval_and_the_refusal_says_when() {
        let budget = Budget {
            burst: 3,
            every: Duration::seconds(10),
        };
        let mut throttle = Throttle::new(budget);
        let now = t0();
        for _ in 0..3 {
            assert_eq!(throttle.take(&"jo", now), Ok(()));
        }
        let retry = throttle.take(&"jo", now).unwrap_err();
        assert_eq!(retry, now + Duration::seconds(10));
        // Others are not held up by Jo.
        assert_eq!(throttle.take(&"sam", now), Ok(()));
        assert_eq!(
            throttle.take(&"jo", retry - Duration::seconds(1)),
            Err(retry)
        );
        assert_eq!(throttle.take(&"jo", retry), Ok(()));
        assert!(throttle.take(&"jo", retry).is_err());
        // A quiet spell earns the whole burst back, and no more.
        let later = retry + Duration::minutes(5);
        for _ in 0..3 {
            assert_eq!(throttle.take(&"jo", later), Ok(()));
        }
        assert!(throttle.take(&"jo", later).is_err());
    }

    #[test]
    fn thousands_of_attempts_in_an_hour_get_the_burst_and_the_rate_only() {
        let mut throttle = Throttle::new(OVERRIDES);
        let start = t0();
        let taken = (0..5000)
            .map(|i| start + Duration::milliseconds(i * 720))
            .filter(|at| throttle.take(&"flood", *at).is_ok())
            .count();
        // 10 at once, then one per 2 minutes for the hour.
        assert_eq!(taken, 10 + 29);
    }
}
