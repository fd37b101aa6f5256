//! Sends what people published to Statuspage, once each (SPEC §5).
//!
//! A submitted publish modal is stored as an intent row (with the marker
//! it will carry in the Statuspage incident's metadata) and this loop is
//! woken. Before each request the intent's attempt count is committed; an
//! intent that has been attempted before (a crash, a lost answer, a 5xx)
//! is first looked for among the page's unresolved incidents, and only sent
//! again if it is not there. Nothing is sent that no person submitted.
//! Intents go one at a time, oldest first, so an incident's create always
//! precedes its updates.

use crate::bot::{outgoing, Parts};
use crate::ids::IncidentNumber;
use crate::incident::{Event, EventKind};
use crate::statuspage::rules::PublicState;
use crate::statuspage::wire::PublicIncident;
use crate::statuspage::{ApiError, PublicStatus, StatusPageApi};
use crate::store::public::{self, Intent};
use crate::store::{self, incidents};
use crate::views::{incident as text, statuspage as says};
use slack_morphism::prelude::*;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tracing::{info, instrument, warn};

/// Requests tried for one intent before the person is told it failed.
const MAX_ATTEMPTS: i64 = 4;
/// Pending intents are looked at this often even without a wake-up.
const IDLE_CHECK: Duration = Duration::from_secs(30);

pub struct Publisher {
    parts: Parts,
}

impl Publisher {
    pub(in crate::bot) fn new(parts: Parts) -> Self {
        Self { parts }
    }

    /// Runs until `stop`; does nothing without a status page.
    pub async fn run(&self, stop: CancellationToken) {
        let Some(api) = self.parts.statuspage.clone() else {
            return;
        };
        loop {
            // Start-up included: what a crash left pending goes first.
            if let Err(e) = self.drain(&api, &stop).await {
                warn!(
                    error = format!("{e:#}"),
                    "publishing to the status page failed"
                );
            }
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = self.parts.wake.publish.notified() => {}
                _ = tokio::time::sleep(IDLE_CHECK) => {}
            }
        }
    }

    async fn drain(&self, api: &StatusPageApi, stop: &CancellationToken) -> anyhow::Result<()> {
        for intent in public::pending(&self.parts.db).await? {
            if stop.is_cancelled() {
                break;
            }
            self.publish(api, intent, stop).await?;
        }
        Ok(())
    }

    #[instrument(skip_all, fields(incident = %intent.marker.incident))]
    async fn publish(
        &self,
        api: &StatusPageApi,
        intent: Intent,
        stop: &CancellationToken,
    ) -> anyhow::Result<()> {
        let number = intent.marker.incident;
        let mut attempts = intent.attempts;
        loop {
            let before = public::get(&self.parts.db, number).await?;
            // Back-off counts from here, before the request, so a clock
            // moved while the request is out still counts (see `Clock`).
            let started = self.parts.clock.now();
            if attempts > 0 {
                // It may have landed: look before sending it again.
                match landed(api, &intent, before.as_ref()).await {
                    Ok(Some(found)) => {
                        info!("an earlier attempt had landed; not sending again");
                        return self.succeeded(&intent, before, found).await;
                    }
                    Ok(None) => {}
                    Err(e) if attempts >= MAX_ATTEMPTS => return self.failed(&intent, &e).await,
                    Err(_) => {
                        attempts += 1;
                        public::attempting(&self.parts.db, intent.id).await?;
                        if !self.back_off(started, attempts, stop).await {
                            return Ok(());
                        }
                        continue;
                    }
                }
            }
            public::attempting(&self.parts.db, intent.id).await?;
            attempts += 1;
            let request = async {
                match &before {
                    Some(p) => {
                        api.update(&p.statuspage_id, &intent.publication, &intent.marker)
                            .await
                    }
                    None => api.create(&intent.publication, &intent.marker).await,
                }
            };
            // Stopping mid-request leaves the intent attempted and pending:
            // the next start looks for it before sending it again.
            let result = tokio::select! {
                _ = stop.cancelled() => return Ok(()),
                result = request => result,
            };
            match result {
                Ok(found) => return self.succeeded(&intent, before, found).await,
                Err(e) if e.is_refusal() || attempts >= MAX_ATTEMPTS => {
                    return self.failed(&intent, &e).await
                }
                Err(e) => {
                    warn!(error = %e, attempts, "statuspage request failed; will look and retry");
                    if !self.back_off(started, attempts, stop).await {
                        return Ok(());
                    }
                }
            }
        }
    }

    /// Waits 2, 4, 8… seconds from `since` on the bot's clock; false if
    /// stopping.
    async fn back_off(
        &self,
        since: chrono::DateTime<chrono::Utc>,
        attempts: i64,
        stop: &CancellationToken,
    ) -> bool {
        let wait = Duration::from_secs(1 << attempts.clamp(1, 6));
        tokio::select! {
            _ = stop.cancelled() => false,
            _ = self.parts.clock.sleep_since(since, wait) => true,
        }
    }

    /// Records a publication that landed: the intent closed, the public
    /// state, the timeline, the thread and the card, in one transaction.
    async fn succeeded(
        &self,
        intent: &Intent,
        before: Option<PublicState>,
        found: PublicIncident,
    ) -> anyhow::Result<()> {
        let (number, p) = (intent.marker.incident, &intent.publication);
        let now = self.parts.clock.now();
        let mut components = before
            .as_ref()
            .map(|b| b.components.clone())
            .unwrap_or_default();
        components.extend(p.components.clone());
        let state = PublicState {
            statuspage_id: found.id,
            shortlink: found
                .shortlink
                .or_else(|| before.as_ref().and_then(|b| b.shortlink.clone())),
            status: p.status,
            name: p.name.clone(),
            components,
            last_public_at: now,
        };
        let event = Event::new(&intent.requested_by, EventKind::Published, now)
            .change(
                before.as_ref().map(|b| b.status.to_string()),
                Some(p.status.to_string()),
            )
            .with_text(Some(p.body.clone()));
        let Some(incident) = incidents::get(&self.parts.db, number).await? else {
            anyhow::bail!("{number} is gone");
        };
        let policy = &self.parts.policy;
        let mut tx = store::write(&self.parts.db).await?;
        public::finish(&mut tx, intent.id, None, now).await?;
        public::save(&mut tx, number, &state).await?;
        incidents::record(&mut tx, number, std::slice::from_ref(&event)).await?;
        let mut line = text::event_line(policy, &incident, &event);
        if let Some(link) = &state.shortlink {
            line.push_str(&format!("\n<{link}|See it on the status page>"));
        }
        outgoing::reply(&mut tx, policy, number, line, now).await?;
        outgoing::refresh_card(&mut tx, number, now).await?;
        tx.commit().await?;
        self.parts.wake.delivery.notify_one();
        Ok(())
    }

    /// Closes an intent that will not be sent and tells who submitted it.
    async fn failed(&self, intent: &Intent, error: &ApiError) -> anyhow::Result<()> {
        let number = intent.marker.incident;
        warn!(error = %error, "publication not sent");
        let mut conn = self.parts.db.acquire().await?;
        public::finish(
            &mut conn,
            intent.id,
            Some(&error.to_string()),
            self.parts.clock.now(),
        )
        .await?;
        drop(conn);
        tell(&self.parts, number, intent, says::failed(number, error)).await;
        Ok(())
    }
}

/// An ephemeral note to whoever submitted, in the incident channel.
async fn tell(parts: &Parts, number: IncidentNumber, intent: &Intent, what: String) {
    let channel = SlackChannelId(parts.policy.incident_channel.to_string());
    let user = SlackUserId(intent.requested_by.to_string());
    let content = SlackMessageContent::new().with_text(what);
    if let Err(e) = parts.web.post_ephemeral(&channel, &user, content).await {
        warn!(incident = %number, error = %e, "could not tell the person about the status page");
    }
}

/// Whether `intent` is already on the status page: a create whose marker
/// is on an unresolved incident, an update whose marker is the public
/// incident's latest, or a resolve whose incident is no longer unresolved.
async fn landed(
    api: &StatusPageApi,
    intent: &Intent,
    before: Option<&PublicState>,
) -> Result<Option<PublicIncident>, ApiError> {
    let open = api.unresolved().await?;
    Ok(match before {
        None => open
            .into_iter()
            .find(|i| i.marker.as_ref() == Some(&intent.marker)),
        Some(p) => match open.into_iter().find(|i| i.id == p.statuspage_id) {
            Some(i) if i.marker.as_ref() == Some(&intent.marker) => Some(i),
            Some(_) => None,
            None if intent.publication.status == PublicStatus::Resolved => Some(PublicIncident {
                id: p.statuspage_id.clone(),
                shortlink: p.shortlink.clone(),
                status: PublicStatus::Resolved.to_string(),
                marker: Some(intent.marker.clone()),
            }),
            None => None,
        },
    })
}
