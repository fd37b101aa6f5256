//! The lease: which replica does the work that must happen once (SPEC §4:
//! firing reminders and escalations, delivering the outbox, topics, user
//! groups, handover posts, the holiday-data warning, status-page
//! publishing). One row per lease name in the database says who holds it,
//! under which term, until when; this module holds the rules, with every
//! instant passed in, and `store::lease` applies the same rules as
//! conditional writes.
//!
//! Two clocks, on purpose. The row's expiry is wall time (UTC), the only
//! time replicas on different hosts share; it is never the bot's business
//! clock (`BOT_CLOCK_OFFSET_SECS`, a test's manual clock), because a lease
//! is about whether a process is alive, not about what time the rota
//! thinks it is. The holder's own deadline, the fence, is measured on its
//! local monotonic clock from the moment it *asked*: the row it wrote
//! cannot expire before `asked + ttl` (its expiry was computed no earlier
//! than that), so stopping at `asked + ttl - margin` stops the work
//! `margin` before any other replica may take over, whatever the wall
//! clock does meanwhile. The margin must cover the skew between hosts'
//! wall clocks and a request already on the wire.
//!
//! A term (the fencing number) grows by one at every acquisition, so a
//! holder that lost the lease and comes back cannot renew the old term.

use chrono::{DateTime, Utc};
use std::fmt;
use std::time::{Duration, Instant};

/// Which process holds (or asks for) a lease: random per process, so a
/// restarted bot is a new holder and never mistakes an old row for its own.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HolderId(String);

impl HolderId {
    /// 16 random hex digits.
    pub fn random() -> HolderId {
        HolderId(format!("{:016x}", fastrand::u64(..)))
    }

    /// A holder read back from storage (or named in a test).
    pub fn new(id: impl Into<String>) -> HolderId {
        HolderId(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for HolderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The fencing number: 1 for the first holder, one more at each
/// acquisition after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Term(pub i64);

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The lease named for the work SPEC §4 says must happen once.
pub const ONCE_ONLY: &str = "once-only-work";

/// How long a lease lasts and how it is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// How long a written row lasts without renewal.
    pub ttl: Duration,
    /// How often the holder renews, and a standby asks.
    pub renew_every: Duration,
    /// How long before its row can expire the holder stops the work.
    pub margin: Duration,
}

impl Timing {
    /// SPEC §4: another replica takes over within 15 s of the holder's
    /// death: the row lasts 10 s after the last renewal, and a standby
    /// asks every 3 s, so at most 13 s. The 2 s margin covers skew between
    /// hosts' clocks and a request already sent.
    pub const PRODUCTION: Timing = Timing {
        ttl: Duration::from_secs(10),
        renew_every: Duration::from_secs(3),
        margin: Duration::from_secs(2),
    };

    /// The longest a dead holder's lease keeps the work from running: its
    /// last renewal's TTL, and one standby's wait between asks.
    pub fn takeover_within(&self) -> Duration {
        self.ttl + self.renew_every
    }

    /// Whether a holder renewing on time keeps the lease without a gap:
    /// at least two renewals fit before the fence, so one failed renewal
    /// does not stop the work.
    pub fn is_sound(&self) -> bool {
        !self.margin.is_zero() && self.renew_every * 2 + self.margin < self.ttl
    }
}

/// A lease as stored: the same for every replica that reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub holder: HolderId,
    pub term: Term,
    /// Wall time (UTC) after which anyone may take it.
    pub expires_at: DateTime<Utc>,
}

/// Whether `me` may take the lease at wall time `now`: it is free, expired,
/// or already `me`'s. `store::lease::acquire` is this rule as one
/// conditional write.
pub fn may_acquire(current: Option<&Lease>, me: &HolderId, now: DateTime<Utc>) -> bool {
    current.is_none_or(|lease| lease.expires_at <= now || lease.holder == *me)
}

/// Whether `me` may extend `term`: only while the row still names `me`
/// and that term, expired or not, for then nobody else has taken it since.
/// `store::lease::renew` is this rule as one conditional write.
pub fn may_renew(current: Option<&Lease>, me: &HolderId, term: Term) -> bool {
    current.is_some_and(|lease| lease.holder == *me && lease.term == term)
}

/// What the holder-to-be asks the store for next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    Acquire,
    Renew(Term),
}

/// What the store answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The row now names this process under `Term`, for another `ttl`.
    Held(Term),
    /// Someone else holds it (or took it).
    NotHeld,
    /// The store could not be asked (unreachable, timed out).
    Failed,
}

/// One process's view of its lease, on its monotonic clock.
#[derive(Debug, Clone)]
pub struct Keeper {
    timing: Timing,
    /// The term this process last held, while it may still be ours in the
    /// row; `None` once the store said otherwise (or it was released).
    term: Option<Term>,
    /// The fence: the work stops here unless a renewal moves it on.
    fence: Option<Instant>,
    /// When the last question was asked, for pacing.
    asked: Option<Instant>,
    /// Whether the last question failed, to ask again sooner.
    failing: bool,
}

impl Keeper {
    pub fn new(timing: Timing) -> Keeper {
        Keeper {
            timing,
            term: None,
            fence: None,
            asked: None,
            failing: false,
        }
    }

    pub fn timing(&self) -> Timing {
        self.timing
    }

    /// Where the work stops unless a renewal moves it on, while this
    /// process may hold the lease.
    pub fn fence(&self) -> Option<Instant> {
        self.term.and(self.fence)
    }

    /// What to ask: renew the term we may still hold, else acquire.
    pub fn request(&self) -> Request {
        match self.term {
            Some(term) => Request::Renew(term),
            None => Request::Acquire,
        }
    }

    /// The wall-clock expiry to write with a request sent at `now`.
    pub fn expiry(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + chrono::Duration::from_std(self.timing.ttl).unwrap_or(chrono::Duration::MAX)
    }

    /// Records the store's answer to a request asked at `asked` (read on
    /// the monotonic clock *before* the request was sent).
    pub fn settle(&mut self, asked: Instant, outcome: Outcome) {
        self.asked = Some(asked);
        self.failing = outcome == Outcome::Failed;
        match outcome {
            Outcome::Held(term) => {
                self.term = Some(term);
                let fence = asked + self.timing.ttl.saturating_sub(self.timing.margin);
                // A late answer to an early question must not move the
                // fence back... nor can it: only forward.
                self.fence = Some(self.fence.map_or(fence, |f| f.max(fence)));
            }
            Outcome::NotHeld => {
                self.term = None;
                self.fence = None;
            }
            // Unknown: the fence stands, and passes if nothing moves it.
            Outcome::Failed => {}
        }
    }

    /// The term this process leads under at `now`, if it does: it holds
    /// the lease and the fence has not passed.
    pub fn leading(&self, now: Instant) -> Option<Term> {
        match (self.term, self.fence) {
            (Some(term), Some(fence)) if now < fence => Some(term),
            _ => None,
        }
    }

    /// When to act next: ask the store, or notice the fence.
    pub fn next_wake(&self, now: Instant) -> Instant {
        let pace = if self.failing {
            // A failed renewal is retried sooner, to keep the lease if
            // the store comes back before the fence.
            self.timing.renew_every / 3
        } else {
            self.timing.renew_every
        };
        let ask = self.asked.map_or(now, |asked| asked + pace);
        match self.fence {
            Some(fence) if fence > now => ask.min(fence),
            _ => ask,
        }
    }

    /// Gives the lease up (SIGTERM): returns the term to release in the
    /// store, if this process may hold one. From here on it leads nothing.
    pub fn release(&mut self) -> Option<Term> {
        self.fence = None;
        self.term.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const SEC: Duration = Duration::from_secs(1);

    fn wall() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
    }

    fn lease(holder: &str, term: i64, expires_in_s: i64) -> Lease {
        Lease {
            holder: HolderId::new(holder),
            term: Term(term),
            expires_at: wall() + chrono::Duration::seconds(expires_in_s),
        }
    }

    #[test]
    fn production_timing_meets_the_spec() {
        let t = Timing::PRODUCTION;
        assert!(t.is_sound());
        assert!(t.takeover_within() <= 15 * SEC, "SPEC §4: within 15 s");
        assert!(t.ttl > t.margin);
    }

    #[test]
    fn unsound_timings_are_noticed() {
        let base = Timing::PRODUCTION;
        assert!(!Timing {
            margin: Duration::ZERO,
            ..base
        }
        .is_sound());
        assert!(!Timing {
            renew_every: 5 * SEC,
            ..base
        }
        .is_sound());
        assert!(!Timing {
            ttl: 8 * SEC,
            ..base
        }
        .is_sound());
    }

    #[test]
    fn acquire_only_when_free_expired_or_ours() {
        let me = HolderId::new("me");
        let now = wall();
        assert!(may_acquire(None, &me, now));
        assert!(may_acquire(Some(&lease("other", 3, -1)), &me, now));
        // Expiring at this very instant is expired.
        assert!(may_acquire(Some(&lease("other", 3, 0)), &me, now));
        assert!(!may_acquire(Some(&lease("other", 3, 1)), &me, now));
        assert!(may_acquire(Some(&lease("me", 3, 5)), &me, now));
    }

    #[test]
    fn renew_only_our_own_term() {
        let me = HolderId::new("me");
        assert!(may_renew(Some(&lease("me", 4, 5)), &me, Term(4)));
        // Expired but untaken: still ours.
        assert!(may_renew(Some(&lease("me", 4, -5)), &me, Term(4)));
        assert!(!may_renew(Some(&lease("me", 5, 5)), &me, Term(4)));
        assert!(!may_renew(Some(&lease("other", 4, 5)), &me, Term(4)));
        assert!(!may_renew(None, &me, Term(4)));
    }

    #[test]
    fn a_new_keeper_asks_at_once_to_acquire_and_leads_nothing() {
        let t0 = Instant::now();
        let keeper = Keeper::new(Timing::PRODUCTION);
        assert_eq!(keeper.request(), Request::Acquire);
        assert_eq!(keeper.leading(t0), None);
        assert_eq!(keeper.next_wake(t0), t0);
    }

    #[test]
    fn holding_leads_until_the_fence_measured_from_the_question() {
        let t0 = Instant::now();
        let mut keeper = Keeper::new(Timing::PRODUCTION);
        keeper.settle(t0, Outcome::Held(Term(1)));
        assert_eq!(keeper.request(), Request::Renew(Term(1)));
        assert_eq!(keeper.leading(t0), Some(Term(1)));
        assert_eq!(keeper.leading(t0 + 7 * SEC), Some(Term(1)));
        // ttl 10 s - margin 2 s: stopped two seconds before the row expires.
        assert_eq!(keeper.leading(t0 + 8 * SEC), None);
        assert_eq!(keeper.next_wake(t0), t0 + 3 * SEC);
    }

    #[test]
    fn each_renewal_moves_the_fence_on() {
        let t0 = Instant::now();
        let mut keeper = Keeper::new(Timing::PRODUCTION);
        keeper.settle(t0, Outcome::Held(Term(2)));
        keeper.settle(t0 + 3 * SEC, Outcome::Held(Term(2)));
        keeper.settle(t0 + 6 * SEC, Outcome::Held(Term(2)));
        assert_eq!(keeper.leading(t0 + 13 * SEC), Some(Term(2)));
        assert_eq!(keeper.leading(t0 + 14 * SEC), None);
    }

    #[test]
    fn a_late_answer_never_moves_the_fence_back() {
        let t0 = Instant::now();
        let mut keeper = Keeper::new(Timing::PRODUCTION);
        keeper.settle(t0 + 3 * SEC, Outcome::Held(Term(1)));
        keeper.settle(t0, Outcome::Held(Term(1)));
        assert_eq!(keeper.leading(t0 + 10 * SEC), Some(Term(1)));
    }

    #[test]
    fn failed_renewals_stop_the_work_before_the_row_can_expire() {
        let t0 = Instant::now();
        let timing = Timing::PRODUCTION;
        let mut keeper = Keeper::new(timing);
        keeper.settle(t0, Outcome::Held(Term(1)));
        // The store stops answering: renewals fail, retried sooner.
        keeper.settle(t0 + 3 * SEC, Outcome::Failed);
        assert_eq!(keeper.next_wake(t0 + 3 * SEC), t0 + 4 * SEC);
        keeper.settle(t0 + 7 * SEC, Outcome::Failed);
        // Woken at the fence even if the next question is later.
        keeper.settle(t0 + 7900 * Duration::from_millis(1), Outcome::Failed);
        assert_eq!(
            keeper.next_wake(t0 + 7950 * Duration::from_millis(1)),
            t0 + 8 * SEC
        );
        let fence = t0 + timing.ttl - timing.margin;
        assert!(keeper.leading(fence - Duration::from_millis(1)).is_some());
        assert_eq!(keeper.leading(fence), None);
        // The row, written no earlier than t0, lasts until t0 + ttl at the
        // soonest: the work stopped a whole margin before.
        assert!(fence + timing.margin <= t0 + timing.ttl);
        // It still asks to renew its term: nobody may have taken it.
        assert_eq!(keeper.request(), Request::Renew(Term(1)));
    }

    #[test]
    fn a_renewal_after_the_fence_resumes_the_same_term() {
        let t0 = Instant::now();
        let mut keeper = Keeper::new(Timing::PRODUCTION);
        keeper.settle(t0, Outcome::Held(Term(3)));
        keeper.settle(t0 + 9 * SEC, Outcome::Held(Term(3)));
        assert_eq!(keeper.leading(t0 + 10 * SEC), Some(Term(3)));
    }

    #[test]
    fn losing_the_row_stops_at_once_and_asks_to_acquire() {
        let t0 = Instant::now();
        let mut keeper = Keeper::new(Timing::PRODUCTION);
        keeper.settle(t0, Outcome::Held(Term(1)));
        keeper.settle(t0 + SEC, Outcome::NotHeld);
        assert_eq!(keeper.leading(t0 + SEC), None);
        assert_eq!(keeper.request(), Request::Acquire);
        assert_eq!(keeper.next_wake(t0 + SEC), t0 + 4 * SEC);
    }

    #[test]
    fn a_standby_asks_every_renewal_period() {
        let t0 = Instant::now();
        let mut keeper = Keeper::new(Timing::PRODUCTION);
        keeper.settle(t0, Outcome::NotHeld);
        assert_eq!(keeper.leading(t0), None);
        assert_eq!(keeper.next_wake(t0 + SEC), t0 + 3 * SEC);
        // A failure as a standby changes nothing but the pace.
        keeper.settle(t0 + 3 * SEC, Outcome::Failed);
        assert_eq!(keeper.leading(t0 + 3 * SEC), None);
        assert_eq!(keeper.request(), Request::Acquire);
    }

    #[test]
    fn release_gives_up_the_term_once() {
        let t0 = Instant::now();
        let mut keeper = Keeper::new(Timing::PRODUCTION);
        assert_eq!(keeper.release(), None);
        keeper.settle(t0, Outcome::Held(Term(7)));
        assert_eq!(keeper.release(), Some(Term(7)));
        assert_eq!(keeper.leading(t0), None);
        assert_eq!(keeper.release(), None);
        assert_eq!(keeper.request(), Request::Acquire);
    }

    #[test]
    fn expiry_is_the_wall_time_plus_the_ttl() {
        let keeper = Keeper::new(Timing::PRODUCTION);
        assert_eq!(
            keeper.expiry(wall()),
            wall() + chrono::Duration::seconds(10)
        );
    }

    #[test]
    fn holder_ids_differ_between_processes() {
        let (a, b) = (HolderId::random(), HolderId::random());
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 16);
    }
}
