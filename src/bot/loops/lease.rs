//! Holds this process's lease on the once-only work (see `crate::lease`)
//! and says, through [`Leadership`], whether it leads now; [`lead`] runs a
//! loop only while it does.
//!
//! The lease's timers are real time: tokio's monotonic clock for pacing
//! and the fence, and the host's wall clock (never the bot's business
//! clock, which `BOT_CLOCK_OFFSET_SECS` or a test may move) for the row's
//! expiry. A test that needs a quick hand-over passes a short `Timing`.

use super::delivery::Delivery;
use super::publish::Publisher;
use super::scheduler::Scheduler;
use super::topics::Topics;
use crate::clock::{Clock, SystemClock};
use crate::lease::{HolderId, Keeper, Outcome, Request, Term, Timing, ONCE_ONLY};
use crate::store;
use chrono::{DateTime, Utc};
use sqlx::AnyPool;
use std::future::Future;

use std::time::Instant;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

/// Whether this process leads now, and under which term; cheap to clone.
#[derive(Clone, Debug)]
pub struct Leadership(watch::Receiver<Option<Term>>);

impl Leadership {
    /// The term this process leads under, if it does.
    pub fn term(&self) -> Option<Term> {
        *self.0.borrow()
    }

    pub fn is_leader(&self) -> bool {
        self.term().is_some()
    }

    /// Waits until this process leads; `None` once the lease loop has ended.
    async fn gained(&mut self) -> Option<Term> {
        self.0.wait_for(Option::is_some).await.ok().and_then(|t| *t)
    }

    /// Waits until this process no longer leads under `term` (or the lease
    /// loop has ended). A term regained is the same lease: nobody else can
    /// have held it in between.
    async fn lost(&mut self, term: Term) {
        let _ = self.0.wait_for(|t| *t != Some(term)).await;
    }
}

/// Keeps the lease: acquires it, renews it, notices the fence, and
/// releases it when stopped.
pub struct LeaseLoop {
    db: AnyPool,
    me: HolderId,
    keeper: Keeper,
    /// This process holds the SQLite file's lock (`store::file::lock`),
    /// so no other process can be running on the database: a row naming
    /// another holder was left by one that died, and is taken at once
    /// rather than after its TTL.
    sole: bool,
    wall: SystemClock,
    tx: watch::Sender<Option<Term>>,
}

/// Why a replica may no longer be leading, for the log line.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stepping {
    /// Renewal failed or another holder has it.
    Lost,
    /// Stopping, and releasing the lease.
    Down,
}

impl LeaseLoop {
    /// A loop for a new holder (a random id), and the leadership it keeps
    /// current.
    pub fn new(db: AnyPool, timing: Timing, sole: bool) -> (LeaseLoop, Leadership) {
        let (tx, rx) = watch::channel(None);
        let lease = LeaseLoop {
            db,
            me: HolderId::random(),
            keeper: Keeper::new(timing),
            sole,
            wall: SystemClock::new(),
            tx,
        };
        (lease, Leadership(rx))
    }

    /// Runs until `stop`, then releases the lease, so a standby takes over
    /// on its next ask instead of waiting out the TTL. Stop it only after
    /// the work it guards has finished.
    pub async fn run(mut self, stop: CancellationToken) {
        info!(holder = %self.me, "keeping the lease on the once-only work");
        loop {
            let wake = self.keeper.next_wake(now());
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = tokio::time::sleep_until(wake.into()) => {}
            }
            self.publish(Stepping::Lost);
            self.ask_once().await;
        }
        if let Some(term) = self.keeper.release() {
            self.publish(Stepping::Down);
            match store::lease::release(&self.db, ONCE_ONLY, &self.me, term).await {
                Ok(true) => info!(%term, "lease handed over"),
                Ok(false) => info!(%term, "the lease had already passed on"),
                Err(e) => {
                    warn!(%term, error = %e, "could not release the lease; another replica takes it when it expires")
                }
            }
        }
    }

    /// Asks the store once, for the lease or its renewal, and says what it
    /// answered. `App::run` asks once before it connects to Slack, so a bot
    /// that may lead does so from its first envelope.
    pub async fn ask_once(&mut self) {
        let asked = now();
        let outcome = self.ask_watching_fence().await;
        self.keeper.settle(asked, outcome);
        self.publish(Stepping::Lost);
    }

    /// Asks the store, and meanwhile stops leading at the fence if the
    /// answer is late.
    async fn ask_watching_fence(&self) -> Outcome {
        let ask = self.ask(self.keeper.request());
        tokio::pin!(ask);
        loop {
            let fence = self.keeper.fence().filter(|f| *f > now());
            tokio::select! {
                outcome = &mut ask => return outcome,
                _ = tokio::time::sleep_until(fence.unwrap_or_else(now).into()), if fence.is_some() => {
                    self.publish(Stepping::Lost);
                }
            }
        }
    }

    async fn ask(&self, request: Request) -> Outcome {
        let now = self.wall.now();
        let expires_at = self.keeper.expiry(now);
        let asked = async {
            match request {
                Request::Acquire => {
                    let stale_before = if self.sole { far_future() } else { now };
                    store::lease::acquire(&self.db, ONCE_ONLY, &self.me, expires_at, stale_before)
                        .await
                        .map(|t| t.map_or(Outcome::NotHeld, Outcome::Held))
                }
                Request::Renew(term) => {
                    store::lease::renew(&self.db, ONCE_ONLY, &self.me, term, expires_at)
                        .await
                        .map(|held| {
                            if held {
                                Outcome::Held(term)
                            } else {
                                Outcome::NotHeld
                            }
                        })
                }
            }
        };
        match tokio::time::timeout(self.keeper.timing().ttl, asked).await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(e)) => {
                warn!(error = %e, "could not reach the lease in the database");
                Outcome::Failed
            }
            Err(_) => {
                warn!("the database did not answer about the lease in time");
                Outcome::Failed
            }
        }
    }

    /// Tells the work whether it may run, saying so in the log on a change:
    /// a lease lost while running is a warning, one handed over on the way
    /// out is not.
    fn publish(&self, why: Stepping) {
        let leading = self.keeper.leading(now());
        self.tx.send_if_modified(|was| {
            if *was == leading {
                return false;
            }
            match leading {
                Some(term) => info!(%term, holder = %self.me, "leading: this replica does the once-only work"),
                None if why == Stepping::Down => {
                    info!(holder = %self.me, "stopping: handing the once-only work over")
                }
                None => warn!(holder = %self.me, "standing by: another replica may do the once-only work"),
            }
            *was = leading;
            true
        });
    }
}

fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

/// The last instant with a four-digit year: after any row's expiry, and
/// still compared correctly as stored text.
fn far_future() -> DateTime<Utc> {
    use chrono::TimeZone;
    Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59)
        .single()
        .expect("a valid instant")
}

/// A loop that must run on one replica only (SPEC §4).
pub trait OnceOnly: Send + Sync + 'static {
    /// Runs until `stop`. It may be dropped at any await, when the lease is
    /// lost: anything it left half done is in the database for the next
    /// holder (outbox rows in doubt are looked up before they are posted
    /// again; a reminder fired in an uncommitted transaction fires again).
    fn work(&self, stop: CancellationToken) -> impl Future<Output = ()> + Send;
}

impl OnceOnly for Delivery {
    fn work(&self, stop: CancellationToken) -> impl Future<Output = ()> + Send {
        self.run(stop)
    }
}

impl OnceOnly for Scheduler {
    fn work(&self, stop: CancellationToken) -> impl Future<Output = ()> + Send {
        self.run(stop)
    }
}

impl OnceOnly for Topics {
    fn work(&self, stop: CancellationToken) -> impl Future<Output = ()> + Send {
        self.run(stop)
    }
}

impl OnceOnly for Publisher {
    fn work(&self, stop: CancellationToken) -> impl Future<Output = ()> + Send {
        self.run(stop)
    }
}

/// Spawns `work` to run whenever this process leads, until `stop`. It is
/// started when the lease is gained and dropped where it stands when the
/// lease is lost or its fence passes; on `stop` it finishes on its own
/// (delivery's last pass) while the lease is still held.
pub fn lead<L: OnceOnly>(
    name: &'static str,
    work: L,
    leadership: &Leadership,
    stop: &CancellationToken,
) -> JoinHandle<()> {
    let (mut leadership, stop) = (leadership.clone(), stop.clone());
    tokio::spawn(async move {
        loop {
            let term = tokio::select! {
                _ = stop.cancelled() => return,
                term = leadership.gained() => match term {
                    Some(term) => term,
                    None => return,
                },
            };
            tokio::select! {
                _ = work.work(stop.clone()) => return,
                _ = leadership.lost(term) => {
                    warn!(work = name, %term, "stopped where it stood: the lease is lost");
                }
            }
        }
    })
}

#[cfg(test)]
mod tests;
