//! Delivers what the outbox owes Slack, in the order it was written.
//!
//! Handlers commit a change and its announcements in one transaction, then
//! poke `Delivery`. Rows that must stay in order go one at a time, so a
//! thread reply never overtakes the card it hangs under. A row Slack refuses
//! for good (archived or missing channel, or one the bot cannot join) is
//! marked failed and skipped, and the destination is reported once, in the
//! log and to the policy's admins by DM. Anything else is retried, with the
//! failing destination parked on a back-off of its own (`parking`), so one
//! bad destination never holds up the rest.
//!
//! Exactly once: a pass marks its rows "in doubt" (one commit) before
//! sending any, and settles them all afterwards (one more). Every message
//! carries metadata naming its row (a card, its incident). A row found
//! still in doubt was perhaps posted before the bot died, so it is looked
//! for in the channel or thread first (see `slack::lookup`), and only
//! posted if it is not there.

mod cover_copies;

use super::pacing::Pacing;
use super::parking::Parking;
use crate::bot::outgoing;
use crate::bot::outgoing::{Outgoing, Thread};
use crate::bot::Parts;
use crate::deadline::next_deadline;
use crate::ids::{ChannelId, IncidentNumber, UserId};
use crate::policy::Role;
use crate::rota::people_covering;
use crate::slack::blocks::card;
use crate::slack::{Lookups, WebError};
use crate::store::outbox::{self, Settled};
use crate::store::{alerts, incidents, overrides, public};
use crate::views::incident as views;
use futures::stream::{self, StreamExt};
use slack_morphism::prelude::*;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};

/// Which rows must be delivered in the order they were written.
fn order_key(item: &Outgoing) -> String {
    match item {
        Outgoing::AlertMessage { group }
        | Outgoing::AlertNews { group }
        | Outgoing::Post {
            thread: Some(Thread::Alert(group)),
            ..
        } => format!("alert:{}", group.0),
        Outgoing::Post {
            card_of: Some(n), ..
        }
        | Outgoing::Post {
            thread: Some(Thread::Card(n)),
            ..
        }
        | Outgoing::RefreshCard { incident: n } => format!("card:{n}"),
        Outgoing::Post {
            channel,
            thread: Some(Thread::Ts(ts)),
            ..
        } => format!("thread:{channel}:{ts}"),
        Outgoing::Post { channel, .. } => format!("channel:{channel}"),
        Outgoing::Dm { user, .. } => format!("dm:{user}"),
        Outgoing::CoverRequest { request, .. } | Outgoing::RefreshCoverRequest { request } => {
            format!("cover_request:{}", request.0)
        }
    }
}

/// Where a row goes, for parking: every row for one channel shares a fate
/// (a channel that refuses one message refuses its threads too).
fn destination(item: &Outgoing) -> String {
    match item {
        Outgoing::Post { channel, .. } => format!("channel:{channel}"),
        Outgoing::RefreshCard { incident } => format!("card:{incident}"),
        Outgoing::AlertMessage { group } | Outgoing::AlertNews { group } => {
            format!("alert:{}", group.0)
        }
        Outgoing::Dm { user, .. } => format!("dm:{user}"),
        Outgoing::CoverRequest { channel, .. } => format!("channel:{channel}"),
        Outgoing::RefreshCoverRequest { request } => format!("cover_request:{}", request.0),
    }
}

/// What a failure parks: the row's destination, and its sequence, so that
/// a card's refresh (a destination of its own) never overtakes a card
/// still to be posted.
fn parking_keys(item: &Outgoing) -> [String; 2] {
    [destination(item), order_key(item)]
}

/// Sends the outbox to Slack; woken after each commit that queued rows.
pub struct Delivery {
    parts: Parts,
    parking: Mutex<Parking>,
    /// Alert messages, edits and replies wait their turn per channel.
    pacing: Pacing,
}

/// Slack errors that retrying cannot fix.
fn is_permanent(error: &WebError) -> bool {
    matches!(
        error.code(),
        Some(
            "channel_not_found"
                | "is_archived"
                | "not_in_channel"
                | "invalid_blocks"
                | "msg_too_long"
                | "user_not_found"
                | "cannot_dm_bot"
                | "message_not_found"
                | "cant_update_message"
        )
    )
}

const BATCH: i64 = 200;
/// Sequences delivered side by side.
const IN_FLIGHT: usize = 8;
const IDLE_CHECK: Duration = Duration::from_secs(5);
const FINAL_FLUSH: Duration = Duration::from_secs(5);
/// Marks a message with the outbox row it was sent for.
const OUTBOX_EVENT: &str = "outbox_message";

pub(super) type Row = outbox::Pending<Outgoing>;
/// How each row of a sequence was left, and the failure that stopped it
/// with the row it failed on.
type SequenceOutcome = (Vec<(i64, Settled)>, Option<(Outgoing, anyhow::Error)>);

/// The metadata that identifies `row`'s message in Slack: the card's own
/// (which names its incident), or the row's id and queue time.
pub(super) fn marker(row: &Row, content: &SlackMessageContent) -> SlackMessageMetadata {
    content
        .metadata
        .clone()
        .unwrap_or_else(|| SlackMessageMetadata {
            event_type: OUTBOX_EVENT.to_owned(),
            event_payload: Some(
                [
                    ("row".to_owned(), row.id.to_string()),
                    ("queued_at".to_owned(), row.queued_at.clone()),
                ]
                .into(),
            ),
        })
}

/// Slack errors after which the message may have been posted anyway.
fn may_have_posted(error: &WebError) -> bool {
    match error {
        WebError::Transport { .. } => true,
        WebError::Api { code, .. } => matches!(code.as_str(), "internal_error" | "fatal_error"),
        WebError::RateLimited { .. } => false,
    }
}

/// A row that was not delivered, and how to leave it.
pub(super) struct Failed {
    error: anyhow::Error,
    then: Settled,
}

/// The message a row left in doubt was perhaps already posted as, found
/// by its `marker` in `channel` (or under `thread`); a row not in doubt
/// was never sent, so Slack is not asked.
pub(super) async fn posted_before(
    row: &Row,
    lookups: &Lookups<'_>,
    channel: &SlackChannelId,
    thread: Option<&SlackTs>,
    marker: &SlackMessageMetadata,
) -> Result<Option<SlackTs>, Failed> {
    if !row.in_doubt {
        return Ok(None);
    }
    lookups
        .find(channel, thread, marker)
        .await
        .map_err(|e| Failed::before_posting(row, e))
}

impl Failed {
    /// Failed before anything was posted this pass (a lookup or a read):
    /// a row already in doubt stays so.
    pub(super) fn before_posting(row: &Row, error: impl Into<anyhow::Error>) -> Failed {
        let error = error.into();
        let then = match error.downcast_ref::<WebError>() {
            Some(e) if is_permanent(e) => Settled::Refused(e.to_string()),
            _ if row.in_doubt => Settled::InDoubt,
            _ => Settled::NotSent,
        };
        Failed { error, then }
    }

    /// The post itself failed.
    pub(super) fn posting(error: WebError) -> Failed {
        let then = if is_permanent(&error) {
            Settled::Refused(error.to_string())
        } else if may_have_posted(&error) {
            Settled::InDoubt
        } else {
            Settled::NotSent
        };
        Failed {
            error: error.into(),
            then,
        }
    }
}

impl Delivery {
    pub(in crate::bot) fn new(parts: Parts) -> Delivery {
        Delivery {
            parts,
            parking: Mutex::default(),
            pacing: Pacing::default(),
        }
    }

    pub(super) fn parts(&self) -> &Parts {
        &self.parts
    }

    pub(super) fn pacing(&self) -> &Pacing {
        &self.pacing
    }

    /// Runs until shutdown; what is unsent then goes out on the next start.
    pub async fn run(&self, shutdown: CancellationToken) {
        let mut backoff = Duration::from_millis(200);
        loop {
            match self.deliver_pending(&shutdown).await {
                Ok(()) => backoff = Duration::from_millis(200),
                Err(e) => {
                    warn!(error = %e, "delivery stalled; will retry");
                    tokio::select! {
                        _ = shutdown.cancelled() => break,
                        _ = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(30));
                    continue;
                }
            }
            // Back when the first parked destination is due, if sooner.
            let idle = tokio::time::Instant::now() + IDLE_CHECK;
            let next = self
                .parking
                .lock()
                .expect("parking lock")
                .next_due()
                .map_or(idle, |due| due.min(idle));
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = self.parts.wake.delivery.notified() => {}
                _ = tokio::time::sleep_until(next) => {}
            }
        }
        // One last pass for what the final commands queued, parked
        // destinations included; whatever Slack does not take in time stays
        // queued for the next start.
        self.parking.lock().expect("parking lock").unpark_all();
        let _ = tokio::time::timeout(FINAL_FLUSH, self.deliver_pending(&CancellationToken::new()))
            .await;
    }

    /// Sends every unsent row. Rows that must stay in order (a card, its
    /// thread replies and refreshes; a channel's top-level posts; one
    /// person's DMs) go one after another; different sequences go side by
    /// side, so a thousand reminders in a thousand threads do not queue
    /// behind each other. A sequence stops at its first row that should be
    /// retried, and its destination is parked; a later pass, once the
    /// back-off is over, starts again from it. Only a storage error fails
    /// the pass.
    async fn deliver_pending(&self, shutdown: &CancellationToken) -> anyhow::Result<()> {
        // Rows left for a later pass: their destination is parked.
        let mut skip: Vec<i64> = Vec::new();
        loop {
            if shutdown.is_cancelled() {
                return Ok(());
            }
            let fetched = outbox::unsent::<Outgoing>(&self.parts.db, BATCH, &skip).await?;
            if fetched.is_empty() {
                return Ok(());
            }
            let now = tokio::time::Instant::now();
            let (rows, parked): (Vec<Row>, Vec<Row>) = {
                let parking = self.parking.lock().expect("parking lock");
                fetched.into_iter().partition(|r| {
                    !parking_keys(&r.item)
                        .iter()
                        .any(|k| parking.is_parked(k, now))
                })
            };
            skip.extend(parked.iter().map(|r| r.id));
            if rows.is_empty() {
                continue;
            }
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            outbox::mark_in_doubt(&self.parts.db, &ids).await?;
            let mut sequences: Vec<Vec<Row>> = Vec::new();
            let mut by_key: HashMap<String, usize> = HashMap::new();
            for row in rows {
                let slot = *by_key.entry(order_key(&row.item)).or_insert_with(|| {
                    sequences.push(Vec::new());
                    sequences.len() - 1
                });
                sequences[slot].push(row);
            }
            let lookups = Lookups::new(&self.parts.web);
            let results: Vec<SequenceOutcome> = stream::iter(sequences)
                .map(|sequence| self.deliver_in_order(sequence, &lookups, shutdown))
                .buffer_unordered(IN_FLIGHT)
                .collect()
                .await;
            let mut outcomes = Vec::with_capacity(ids.len());
            for (settled, failure) in results {
                if let Some((row, error)) = failure {
                    let destination = destination(&row);
                    let backoff = {
                        let mut parking = self.parking.lock().expect("parking lock");
                        let now = tokio::time::Instant::now();
                        let keys = parking_keys(&row);
                        keys.iter().map(|k| parking.failed(k, now)).max()
                    }
                    .unwrap_or_default();
                    warn!(%destination, error = %error, backoff_s = backoff.as_secs_f64(), "delivery failed; destination parked");
                    // Not fetched again this pass.
                    skip.extend(settled.iter().map(|(id, _)| *id));
                }
                outcomes.extend(settled);
            }
            outbox::settle(&self.parts.db, self.parts.clock.now(), &outcomes).await?;
        }
    }

    /// Slack refused `destination` for good: said once, in the log and to
    /// each admin by DM (straight to Slack, not through the outbox, so a
    /// refused report cannot queue another).
    async fn report_refusal(&self, destination: &str, error: &anyhow::Error) {
        if !self
            .parking
            .lock()
            .expect("parking lock")
            .refused_for_good(destination)
        {
            debug!(%destination, error = %error, "announcement refused by Slack; skipped");
            return;
        }
        warn!(%destination, error = %error, "announcement refused by Slack; skipped, and messages there will be until it is fixed");
        let place = match destination.split_once(':') {
            Some(("channel", id)) => format!("<#{id}>"),
            Some(("dm", id)) => format!("<@{id}> by DM"),
            _ => destination.to_owned(),
        };
        let text = format!(
            ":warning: Slack will not take my messages to {place} ({error}). \
             They are being dropped: invite me back, unarchive it, or change the policy."
        );
        for admin in &self.parts.policy.admins {
            let content = SlackMessageContent::new().with_text(text.clone());
            if let Err(e) = self
                .parts
                .web
                .post(&SlackChannelId(admin.to_string()), content, None)
                .await
            {
                warn!(admin = %admin, error = %e, "could not tell an admin about a refused destination");
            }
        }
    }

    /// Slack refused an incident's card for good (archived or missing
    /// channel, or one the bot cannot join): nobody in the channel sees it
    /// or its page, so the declarer and the engineering cover are told by
    /// DM, through the outbox (a later batch of this same pass sends them).
    async fn card_refused(
        &self,
        number: IncidentNumber,
        channel: &ChannelId,
        error: &anyhow::Error,
    ) {
        if let Err(e) = self.queue_card_refused(number, channel, error).await {
            warn!(%number, error = %e, "could not tell anyone that a card was refused");
        }
    }

    async fn queue_card_refused(
        &self,
        number: IncidentNumber,
        channel: &ChannelId,
        error: &anyhow::Error,
    ) -> anyhow::Result<()> {
        let Some(incident) = incidents::get(&self.parts.db, number).await? else {
            return Ok(());
        };
        let reason = match error.downcast_ref::<WebError>().and_then(WebError::code) {
            Some(code) => code.to_owned(),
            None => error.to_string(),
        };
        warn!(%number, %channel, %reason, "the card was refused; telling the declarer and the engineering cover by DM");
        let text = views::card_refused(&incident, channel.as_str(), &reason);
        let now = self.parts.clock.now();
        let mut tx = crate::store::write(&self.parts.db).await?;
        // Read through the transaction: it holds the only write connection.
        let live = overrides::live(&mut *tx).await?;
        let policy = &self.parts.policy;
        let engineers =
            people_covering(policy, &self.parts.calendar, Role::Engineering, now, &live);
        let mut told: Vec<UserId> = Vec::new();
        for person in std::iter::once(incident.declared_by.clone()).chain(engineers) {
            if !told.contains(&person) {
                outgoing::dm(&mut tx, &person, text.clone(), "dm", now).await?;
                told.push(person);
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Sends one sequence in order, stopping at the first failure; returns
    /// how each row was left and the failure, if any. A row Slack refuses
    /// for good is skipped, not a failure.
    async fn deliver_in_order(
        &self,
        sequence: Vec<Row>,
        lookups: &Lookups<'_>,
        shutdown: &CancellationToken,
    ) -> SequenceOutcome {
        let mut outcomes = Vec::with_capacity(sequence.len());
        let mut failure = None;
        // Once Slack has refused a destination for good, the rest of the
        // sequence there is refused alike, without asking again.
        let mut refused: Option<(String, String)> = None;
        for row in sequence {
            if failure.is_some() || shutdown.is_cancelled() {
                let untried = Settled::Untried {
                    in_doubt: row.in_doubt,
                };
                outcomes.push((row.id, untried));
                continue;
            }
            let destination = destination(&row.item);
            if let Some((_, reason)) = refused.as_ref().filter(|(d, _)| *d == destination) {
                outcomes.push((row.id, Settled::Refused(reason.clone())));
                continue;
            }
            match self.deliver(&row, lookups).await {
                Ok(()) => {
                    let mut parking = self.parking.lock().expect("parking lock");
                    parking_keys(&row.item)
                        .iter()
                        .for_each(|k| parking.delivered(k));
                    outcomes.push((row.id, Settled::Sent));
                }
                Err(Failed { error, then }) => {
                    if let Settled::Refused(reason) = &then {
                        if let Outgoing::Post {
                            card_of: Some(number),
                            channel,
                            ..
                        } = &row.item
                        {
                            self.card_refused(*number, channel, &error).await;
                        }
                        self.report_refusal(&destination, &error).await;
                        refused = Some((destination, reason.clone()));
                    } else {
                        failure = Some((row.item.clone(), error));
                    }
                    outcomes.push((row.id, then));
                }
            }
        }
        (outcomes, failure)
    }

    /// Sends one row. A row in doubt is looked for first.
    async fn deliver(&self, row: &Row, lookups: &Lookups<'_>) -> Result<(), Failed> {
        match &row.item {
            Outgoing::Post {
                channel,
                content,
                thread,
                card_of,
            } => {
                let channel = SlackChannelId(channel.to_string());
                let thread_ts = match thread {
                    None => None,
                    Some(Thread::Ts(ts)) => Some(SlackTs(ts.clone())),
                    // A card never delivered (refused) leaves its replies
                    // at the top level; a failed read must not.
                    Some(Thread::Card(number)) => self
                        .stored_card_ts(*number)
                        .await
                        .map_err(|e| Failed::before_posting(row, e))?,
                    Some(Thread::Alert(group)) => alerts::get(&self.parts.db, *group)
                        .await
                        .map_err(|e| Failed::before_posting(row, e))?
                        .and_then(|g| g.message_ts)
                        .map(SlackTs),
                };
                if let Some(number) = card_of {
                    let stored = self
                        .stored_card_ts(*number)
                        .await
                        .map_err(|e| Failed::before_posting(row, e))?;
                    if stored.is_some() {
                        return Ok(()); // posted and remembered before a crash
                    }
                }
                let marker = marker(row, content);
                let found =
                    posted_before(row, lookups, &channel, thread_ts.as_ref(), &marker).await?;
                let ts = match found {
                    Some(ts) => ts,
                    None => {
                        if matches!(thread, Some(Thread::Alert(_))) {
                            self.pacing.turn(&channel.0).await;
                        }
                        let content = content.clone().with_metadata(marker);
                        self.parts
                            .web
                            .post(&channel, content, thread_ts)
                            .await
                            .map_err(Failed::posting)?
                    }
                };
                if let Some(number) = card_of {
                    self.remember_card(*number, &channel, &ts).await;
                }
                debug!(channel = %channel, ts = %ts, "posted");
                Ok(())
            }
            Outgoing::AlertMessage { group } => self.alert_message(row, *group, lookups).await,
            Outgoing::AlertNews { group } => self.alert_news(row, *group, lookups).await,
            // chat.update is idempotent: nothing to look for.
            Outgoing::RefreshCard { incident } => self
                .refresh_card(*incident)
                .await
                .map_err(|e| Failed::before_posting(row, e)),
            Outgoing::Dm { user, content } => {
                let user = SlackUserId(user.to_string());
                let marker = marker(row, content);
                if row.in_doubt {
                    let channel = lookups
                        .dm_channel(&user)
                        .await
                        .map_err(|e| Failed::before_posting(row, e))?;
                    if posted_before(row, lookups, &channel, None, &marker)
                        .await?
                        .is_some()
                    {
                        return Ok(());
                    }
                }
                let content = content.clone().with_metadata(marker);
                self.parts
                    .web
                    .post(&SlackChannelId(user.0), content, None)
                    .await
                    .map(|_| ())
                    .map_err(Failed::posting)
            }
            Outgoing::CoverRequest { request, channel } => {
                self.post_cover_request(row, *request, channel, lookups)
                    .await
            }
            Outgoing::RefreshCoverRequest { request } => self
                .refresh_cover_request(*request)
                .await
                .map_err(|e| Failed::before_posting(row, e)),
        }
    }

    /// The card's ts, if it has been posted; a storage error is an error.
    async fn stored_card_ts(&self, number: IncidentNumber) -> anyhow::Result<Option<SlackTs>> {
        Ok(incidents::card(&self.parts.db, number)
            .await?
            .map(|(_, ts)| SlackTs(ts)))
    }

    async fn remember_card(&self, number: IncidentNumber, channel: &SlackChannelId, ts: &SlackTs) {
        let Ok(channel) = ChannelId::parse(&channel.0) else {
            return;
        };
        if let Err(e) = incidents::set_card(&self.parts.db, number, &channel, &ts.0).await {
            warn!(number = number.0, error = %e, "card posted but its ts was not stored");
        }
    }

    /// Re-renders the card from what is stored now, so an older refresh can
    /// never overwrite a newer state.
    async fn refresh_card(&self, number: IncidentNumber) -> Result<(), WebError> {
        let found = incidents::get(&self.parts.db, number).await;
        let card_at = incidents::card(&self.parts.db, number).await;
        let (Ok(Some(incident)), Ok(Some((channel, ts)))) = (found, card_at) else {
            return Ok(()); // no card yet (or a storage error, logged elsewhere)
        };
        let next = next_deadline(
            &self.parts.policy,
            &self.parts.calendar,
            &incident,
            self.parts.clock.now(),
        );
        // A storage error here shows the card without its status page line
        // until the next refresh, rather than not refreshing it at all.
        let public = public::get(&self.parts.db, number).await.ok().flatten();
        let content = card::card(&self.parts.policy, &incident, &next, public.as_ref());
        self.parts
            .web
            .update(&SlackChannelId(channel.to_string()), &SlackTs(ts), content)
            .await
    }
}
