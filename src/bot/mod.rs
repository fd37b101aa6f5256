//! The shell between Slack and the core. An envelope is routed to one
//! small handler (`handlers/`), a function over the [`Context`] and the
//! [`Answering`] value naming the envelope; acks are computed there and
//! must be quick, and slow work is spawned onto the context's task tracker,
//! which shutdown waits for. The long-running loops (`loops/`: delivery of
//! the outbox, the reminder scheduler, topics and user groups) are types of
//! their own that own what they need; handlers wake them after a commit.

mod answering;
mod dispatch;
mod handlers;
mod live;
mod loops;
mod outgoing;
mod plan;
mod reply;
mod shifts;
mod throttles;

pub use answering::Answering;
pub use dispatch::Dispatch;
pub use loops::changes::Changes;
pub use loops::delivery::Delivery;
pub use loops::lease::{lead, Leadership, LeaseLoop};
pub use loops::publish::Publisher;
pub use loops::scheduler::Scheduler;
pub use loops::topics::Topics;

use crate::calendar::Calendar;
use crate::clock::Clock;
use crate::incident::Incident;
use crate::metrics::Metrics;
use crate::policy::Policy;
use crate::slack::{Installation, SlackWeb};
use crate::statuspage::StatusPageApi;
use crate::store::events as handled;
use chrono::{DateTime, Utc};
use handlers::events::MessageLocks;
use sqlx::{Any, AnyPool, Transaction};
use std::sync::Arc;
use tokio::sync::Notify;
use tokio_util::task::TaskTracker;

/// What handlers share: the policy and its calendar, storage, the Web API,
/// the clock, metrics, the in-memory view the acks read, and the handles
/// that wake the loops. Built once per app; fields are reached only from
/// the handlers in this module.
pub struct Context {
    policy: Arc<Policy>,
    calendar: Arc<Calendar>,
    db: AnyPool,
    /// Read-only connections, for a redelivery's "handled before?" check
    /// (see `store::open_reads`).
    reads: AnyPool,
    web: SlackWeb,
    clock: Arc<dyn Clock>,
    metrics: Arc<Metrics>,
    /// Work that outlives an ack (opening modals, telling a person why).
    work: TaskTracker,
    wake: Wakes,
    /// What `/oncall` and the Home tab read, kept current by the writes.
    live: live::Live,
    /// Envelopes being handled, so a redelivery is not handled twice.
    envelopes: answering::InHand,
    /// Events about the same message are handled one at a time.
    message_locks: MessageLocks,
    /// Where the bot is installed: envelopes from elsewhere are refused.
    installation: Arc<Installation>,
    /// Per-person rate limits on changes and overrides.
    throttles: throttles::Throttles,
    /// `PUBLIC_URL` (or its default): calendar feed links start with it.
    feed_base: String,
}

/// The parts the context and every loop share; cheap to clone.
#[derive(Clone)]
struct Parts {
    policy: Arc<Policy>,
    calendar: Arc<Calendar>,
    db: AnyPool,
    web: SlackWeb,
    /// Statuspage, when the policy has a `[statuspage]` section; only the
    /// publish loop sends to it.
    statuspage: Option<Arc<StatusPageApi>>,
    clock: Arc<dyn Clock>,
    metrics: Arc<Metrics>,
    wake: Wakes,
}

/// Wakes each loop when a commit gave it work.
#[derive(Clone, Default)]
struct Wakes {
    delivery: Arc<Notify>,
    scheduler: Arc<Notify>,
    topics: Arc<Notify>,
    publish: Arc<Notify>,
}

impl Context {
    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Begins a write transaction for the change `answering` asks for; the
    /// envelope is recorded as handled in the same transaction, so both or
    /// neither survive a crash (see `answering`).
    async fn write(&self, answering: &Answering) -> anyhow::Result<Transaction<'static, Any>> {
        handled::write_answering(&self.db, answering.envelope(), self.now()).await
    }

    /// After a commit that queued announcements.
    fn announced(&self) {
        self.wake.delivery.notify_one();
    }

    /// After a commit that declared or changed `incident`: what the acks
    /// read, the open-incidents gauge, and the loops with new work.
    fn incident_changed(&self, incident: &Incident) {
        self.live.incident_changed(incident);
        self.metrics
            .set_open_incidents(self.live.open().len() as i64);
        self.wake.delivery.notify_one();
        self.wake.scheduler.notify_one();
    }

    /// After a commit that created or cancelled an override: who is on
    /// call may have changed, so topics and user groups are recomputed.
    fn overrides_changed(&self) {
        self.wake.delivery.notify_one();
        self.wake.topics.notify_one();
    }
}

impl Context {
    /// After another replica committed `changed` (see `loops::changes`):
    /// what the acks read is read again, and the loops with new work
    /// woken. A failed reload keeps the old lists (and says so): the next
    /// notice tries again.
    pub(crate) async fn heard(&self, changed: &[loops::changes::Changed]) {
        use loops::changes::Changed;
        if changed.contains(&Changed::Incidents) || changed.contains(&Changed::Overrides) {
            match self.live.reload(&self.reads).await {
                Ok(()) => self
                    .metrics
                    .set_open_incidents(self.live.open().len() as i64),
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "cannot reload incidents and overrides")
                }
            }
            self.wake.topics.notify_one();
        }
        if changed.contains(&Changed::Outbox) {
            self.wake.delivery.notify_one();
        }
        if changed.contains(&Changed::Reminders) {
            self.wake.scheduler.notify_one();
        }
        if changed.contains(&Changed::PublicUpdates) {
            self.wake.publish.notify_one();
        }
    }
}

impl Context {
    /// The parts the loops share, for handlers that work as they do.
    fn parts(&self) -> Parts {
        Parts {
            policy: self.policy.clone(),
            calendar: self.calendar.clone(),
            db: self.db.clone(),
            web: self.web.clone(),
            statuspage: None,
            clock: self.clock.clone(),
            metrics: self.metrics.clone(),
            wake: self.wake.clone(),
        }
    }
}

/// Takes alerts from the HTTP routes (SPEC §6) into storage, and so to
/// Slack through the outbox.
#[derive(Clone)]
pub struct AlertIntake(Parts);

impl AlertIntake {
    /// Stores `notification` with what it announces, committed; returns
    /// how many alerts it carried.
    pub async fn receive(
        &self,
        notification: &crate::alerts::Notification,
    ) -> anyhow::Result<usize> {
        handlers::alert::receive(&self.0, notification).await
    }
}

/// The running bot's parts: the context handlers share and the loops,
/// taken out one by one by the app that runs them.
pub struct Bot {
    pub context: Arc<Context>,
    pub delivery: Delivery,
    pub scheduler: Scheduler,
    pub topics: Topics,
    pub publisher: Publisher,
    pub alerts: AlertIntake,
}

impl Bot {
    /// Assembles the bot and loads what the acks read into memory.
    // Each argument is a separate part the app built and owns.
    #[allow(clippy::too_many_arguments)]
    pub async fn new(
        policy: Policy,
        db: AnyPool,
        reads: AnyPool,
        web: SlackWeb,
        statuspage: Option<Arc<StatusPageApi>>,
        clock: Arc<dyn Clock>,
        metrics: Arc<Metrics>,
        feed_base: String,
    ) -> anyhow::Result<Bot> {
        let parts = Parts {
            calendar: Arc::new(policy.calendar()),
            policy: Arc::new(policy),
            db,
            web,
            statuspage,
            clock,
            metrics,
            wake: Wakes::default(),
        };
        let live = live::Live::load(&parts.db).await?;
        parts.metrics.set_open_incidents(live.open().len() as i64);
        let alerts = AlertIntake(parts.clone());
        parts
            .metrics
            .set_alerts_firing(crate::store::alerts::firing_total(&parts.db).await?);
        let (delivery, scheduler, topics, publisher) = (
            Delivery::new(parts.clone()),
            Scheduler::new(parts.clone()),
            Topics::new(parts.clone()),
            Publisher::new(parts.clone()),
        );
        let Parts {
            policy,
            calendar,
            db,
            web,
            statuspage: _,
            clock,
            metrics,
            wake,
        } = parts;
        let context = Arc::new(Context {
            policy,
            calendar,
            db,
            reads,
            web,
            clock,
            metrics,
            work: TaskTracker::new(),
            wake,
            live,
            envelopes: Default::default(),
            message_locks: Default::default(),
            installation: Default::default(),
            throttles: Default::default(),
            feed_base,
        });
        Ok(Bot {
            context,
            delivery,
            scheduler,
            topics,
            publisher,
            alerts,
        })
    }
}

impl Context {
    /// Where the bot is installed; the socket learns it, dispatch checks it.
    pub fn installation(&self) -> Arc<Installation> {
        self.installation.clone()
    }

    /// Stops taking spawned work and waits for what is in flight.
    pub async fn finish_work(&self) {
        self.work.close();
        self.work.wait().await;
    }
}
