//! The one place that reads the wall clock. Everything else is handed `now`.
//!
//! `tokio::time::pause` does not move `chrono::Utc::now()`, so rules that care
//! about wall time (deadlines, shifts) go through a [`Clock`]; tests use
//! [`ManualClock`] and move it explicitly.

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// A source of wall-clock time that can also say when it jumps.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;

    /// A receiver that changes whenever the clock is moved by hand, so that
    /// sleepers can re-check. The system clock never signals.
    fn changes(&self) -> watch::Receiver<DateTime<Utc>>;

    /// Waits until `wait` has passed since `started`, an earlier reading of
    /// this clock: for pacing calls to Slack (a 429's Retry-After, the gap
    /// between reconnection attempts). Counting from the reading taken
    /// before the call, not from when the wait begins, lets a test move a
    /// manual clock as soon as it sees the call, without racing the bot.
    fn sleep_since(&self, started: DateTime<Utc>, wait: Duration) -> BoxFuture<'static, ()>;
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

    /// The remainder is slept on tokio's monotonic timer, so a step of the
    /// host clock can neither stretch the wait nor cut it short by more
    /// than the step itself, and never past `wait`.
    fn sleep_since(&self, started: DateTime<Utc>, wait: Duration) -> BoxFuture<'static, ()> {
        let elapsed = (self.now() - started).to_std().unwrap_or_default();
        Box::pin(tokio::time::sleep(wait.saturating_sub(elapsed)))
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

    /// Returns once the clock has been moved to `started + wait` or later.
    fn sleep_since(&self, started: DateTime<Utc>, wait: Duration) -> BoxFuture<'static, ()> {
        let due = started + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX);
        let clock = self.clone();
        let mut changes = self.changes();
        Box::pin(async move {
            while clock.now() < due {
                if changes.changed().await.is_err() {
                    return;
                }
            }
        })
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

/// The whole minute `now` falls in (seconds and fractions zero). Every
/// edge of a rota (handover, in-hours, override) is a whole minute, so who
/// is on call is the same throughout a minute.
pub fn this_minute(now: DateTime<Utc>) -> DateTime<Utc> {
    let minute = now.timestamp().div_euclid(60);
    DateTime::from_timestamp(minute * 60, 0).unwrap_or(now)
}

/// The first whole minute strictly after `now` (seconds and fractions
/// zero): topics are re-checked then, on top of waking at each shift
/// change, so no change is more than a minute late.
pub fn next_minute(now: DateTime<Utc>) -> DateTime<Utc> {
    let minute = now.timestamp().div_euclid(60) + 1;
    DateTime::from_timestamp(minute * 60, 0).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn this_minute_drops_seconds_and_fractions() {
        let at = |h, m, s| Utc.with_ymd_and_hms(2026, 11, 30, h, m, s).unwrap();
        assert_eq!(this_minute(at(9, 0, 0)), at(9, 0, 0));
        assert_eq!(this_minute(at(9, 0, 59)), at(9, 0, 0));
        let just_before = at(9, 1, 0) - chrono::Duration::milliseconds(1);
        assert_eq!(this_minute(just_before), at(9, 0, 0));
    }

    #[test]
    fn the_next_minute_is_the_next_whole_one_strictly_after_now() {
        let at = |h, m, s| Utc.with_ymd_and_hms(2026, 11, 30, h, m, s).unwrap();
        assert_eq!(next_minute(at(9, 0, 0)), at(9, 1, 0));
        assert_eq!(next_minute(at(9, 0, 59)), at(9, 1, 0));
        let just_after = at(9, 0, 0) + chrono::Duration::milliseconds(1);
        assert_eq!(next_minute(just_after), at(9, 1, 0));
        assert_eq!(
            next_minute(at(23, 59, 30)),
            at(9, 0, 0) + chrono::Duration::hours(15)
        );
    }

    #[test]
    fn a_shifted_clock_runs_ahead_by_its_offset() {
        let ahead = SystemClock::shifted(chrono::Duration::days(3));
        let real = Utc::now();
        let shown = ahead.now();
        let gap = shown - real - chrono::Duration::days(3);
        assert!(gap >= chrono::Duration::zero() && gap < chrono::Duration::seconds(5));
        assert!(SystemClock::new().now() < shown);
    }

    #[tokio::test]
    async fn a_manual_sleep_ends_when_the_clock_passes_its_due_time() {
        let start = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        let clock = ManualClock::new(start);
        // Counted from `start`, though the clock has moved since.
        clock.advance(chrono::Duration::seconds(1));
        let mut sleep = clock.sleep_since(start, Duration::from_secs(5));
        assert!(futures::poll!(&mut sleep).is_pending());
        clock.advance(chrono::Duration::seconds(3));
        assert!(futures::poll!(&mut sleep).is_pending());
        clock.advance(chrono::Duration::seconds(1));
        assert!(futures::poll!(&mut sleep).is_ready());
    }

    #[tokio::test(start_paused = true)]
    async fn a_system_sleep_counts_from_its_start_and_never_past_its_wait() {
        let clock = SystemClock::new();
        let begun = tokio::time::Instant::now();
        clock.sleep_since(clock.now(), Duration::from_secs(2)).await;
        let slept = begun.elapsed();
        assert!(
            slept >= Duration::from_secs(2) - Duration::from_millis(50),
            "{slept:?}"
        );
        // A reading from the future (the host clock stepped back) cannot
        // stretch the wait; one from long ago ends it at once.
        let begun = tokio::time::Instant::now();
        let future = clock.now() + chrono::Duration::hours(1);
        clock.sleep_since(future, Duration::from_secs(2)).await;
        assert!(begun.elapsed() <= Duration::from_secs(2));
        let begun = tokio::time::Instant::now();
        let past = clock.now() - chrono::Duration::hours(1);
        clock.sleep_since(past, Duration::from_secs(2)).await;
        assert_eq!(begun.elapsed(), Duration::ZERO);
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
