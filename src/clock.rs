//! The one place that reads the wall clock. Everything else is handed `now`.
//!
//! `tokio::time::pause` does not move `chrono::Utc::now()`, so rules that care
//! about wall time (deadlines, shifts) go through a [`Clock`]; tests use
//! [`ManualClock`] and move it explicitly.

use chrono::{DateTime, Utc};
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// A source of wall-clock time that can also say when it jumps.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;

    /// A receiver that changes whenever the clock is moved by hand, so that
    /// sleepers can re-check. The system clock never signals.
    fn changes(&self) -> watch::Receiver<DateTime<Utc>>;
}

/// The real clock, optionally shifted by a fixed offset (for rehearsals).
#[derive(Debug)]
pub struct SystemClock {
    // Kept so `changes()` can hand out receivers; never written.
    tx: watch::Sender<DateTime<Utc>>,
    offset: chrono::Duration,
}

impl SystemClock {
    pub fn new() -> Self {
        Self::shifted(chrono::Duration::zero())
    }

    /// The host's clock plus `offset`: it runs at the real rate, so a bot
    /// restarted with the same offset sees time carry on, never go back.
    pub fn shifted(offset: chrono::Duration) -> Self {
        Self {
            tx: watch::channel(Utc::now() + offset).0,
            offset,
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset
    }

    fn changes(&self) -> watch::Receiver<DateTime<Utc>> {
        self.tx.subscribe()
    }
}

/// A clock that only moves when told to: for tests and the demo.
#[derive(Debug, Clone)]
pub struct ManualClock {
    inner: Arc<Mutex<DateTime<Utc>>>,
    tx: Arc<watch::Sender<DateTime<Utc>>>,
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            inner: Arc::new(Mutex::new(start)),
            tx: Arc::new(watch::channel(start).0),
        }
    }

    pub fn set(&self, to: DateTime<Utc>) {
        *self.inner.lock().expect("clock lock") = to;
        self.tx.send_replace(to);
    }

    pub fn advance(&self, by: chrono::Duration) {
        let to = self.now() + by;
        self.set(to);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.inner.lock().expect("clock lock")
    }

    fn changes(&self) -> watch::Receiver<DateTime<Utc>> {
        self.tx.subscribe()
    }
}

/// The longest a sleeper trusts its timer: the wall clock is re-read at
/// least this often, so a clock jump or a suspended VM cannot strand it.
pub const RECHECK: std::time::Duration = std::time::Duration::from_secs(30);

/// Waits until the clock reads `due` or later, or `wake` fires (returns
/// false then). Wakes early when a manual clock is moved.
pub async fn sleep_until(
    clock: &dyn Clock,
    due: DateTime<Utc>,
    wake: &tokio::sync::Notify,
) -> bool {
    let mut changes = clock.changes();
    loop {
        let now = clock.now();
        if now >= due {
            return true;
        }
        let wait = (due - now).to_std().unwrap_or_default().min(RECHECK);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = changes.changed() => {}
            _ = wake.notified() => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_shifted_clock_runs_ahead_by_its_offset() {
        let ahead = SystemClock::shifted(chrono::Duration::days(3));
        let real = Utc::now();
        let shown = ahead.now();
        let gap = shown - real - chrono::Duration::days(3);
        assert!(gap >= chrono::Duration::zero() && gap < chrono::Duration::seconds(5));
        assert!(SystemClock::new().now() < shown);
    }

    #[test]
    fn manual_clock_moves_only_when_told_and_signals() {
        let start = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        let clock = ManualClock::new(start);
        let mut rx = clock.changes();
        assert_eq!(clock.now(), start);
        clock.advance(chrono::Duration::minutes(5));
        assert_eq!(clock.now(), start + chrono::Duration::minutes(5));
        assert!(rx.has_changed().unwrap());
        assert_eq!(
            *rx.borrow_and_update(),
            start + chrono::Duration::minutes(5)
        );
    }
}
