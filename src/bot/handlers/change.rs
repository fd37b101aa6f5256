//! The one path every change to an incident takes, from a command, a
//! button or a form: who may make it checked (SPEC §2.7) and the person's
//! rate limit spent, then the state machine applied to the stored incident,
//! saved with a version check (of two concurrent changes, the second is
//! re-applied to what the first wrote, and usually refused), with the
//! timeline, the announcements and the re-planned reminders in the same
//! transaction.

use crate::access;
use crate::bot::throttles::Spend;
use crate::bot::{outgoing, plan, Answering, Context};
use crate::ids::{IncidentNumber, UserId};
use crate::incident::{apply as transition, Action, Event, Incident};
use crate::policy::Role;
use crate::refusal::Refusal;
use crate::response::observations;
use crate::rota::{people_covering, Override};
use crate::store::{incidents, overrides};
use crate::views::incident as text;
use chrono::{DateTime, Utc};
use sqlx::{Any, Transaction};

/// How often a change is re-applied after losing a race before giving up.
const RACE_RETRIES: usize = 3;

/// Applies `action` by `actor` to incident `number`; `Ok(Err(refusal))` is
/// what to tell the person (too many changes at once, unknown incident,
/// not theirs to change, closed, already taken, …).
/// An error is a failure on our side, and nothing was changed.
pub async fn apply(
    ctx: &Context,
    answering: &Answering,
    number: IncidentNumber,
    actor: &UserId,
    action: Action,
) -> anyhow::Result<Result<Incident, Refusal>> {
    if let Err(slow_down) = ctx.spend(actor, Spend::Change) {
        return Ok(Err(slow_down));
    }
    for _ in 0..RACE_RETRIES {
        let Some(current) = incidents::get(&ctx.db, number).await? else {
            return Ok(Err(Refusal::NoSuchIncident(number)));
        };
        // Against the incident as read: its leads may have just changed.
        if let Err(refused) = access::may_change(&ctx.policy, &current, actor, &action) {
            return Ok(Err(refused));
        }
        let now = ctx.now();
        let (next, events) = match transition(&current, actor, action.clone(), now) {
            Ok(applied) => applied,
            Err(refused) => return Ok(Err(refused.into())),
        };
        let mut tx = ctx.write(answering).await?;
        // Read through the transaction: it holds the only write
        // connection, so a read from the pool would wait for itself.
        let live = overrides::live(&mut *tx).await?;
        if !incidents::save(&mut tx, &next, current.version).await? {
            continue; // someone changed it since we read it: re-apply
        }
        incidents::record(&mut tx, number, &events).await?;
        announce(ctx, &mut tx, &current, &next, &events, &live, now).await?;
        plan::incident(&mut tx, &ctx.policy, &ctx.calendar, &next, now).await?;
        tx.commit().await?;
        ctx.incident_changed(&next);
        let observed = observations(&ctx.policy, &ctx.calendar, &current, &next, &events);
        observed.into_iter().for_each(|o| ctx.metrics.response(o));
        return Ok(Ok(next));
    }
    Ok(Err(Refusal::ChangingQuickly(number)))
}

/// The thread replies a change owes, then the card refresh.
async fn announce(
    ctx: &Context,
    tx: &mut Transaction<'_, Any>,
    before: &Incident,
    after: &Incident,
    events: &[Event],
    live: &[Override],
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let (policy, number) = (&ctx.policy, after.number);
    for event in events {
        let line = text::event_line(policy, after, event);
        outgoing::reply(tx, policy, number, line, now).await?;
    }
    for extra in text::follow_ups(policy, before, after) {
        outgoing::reply(tx, policy, number, extra, now).await?;
    }
    if text::newly_affects_tenants(policy, before, after) {
        if let Some(page) = page_comms(ctx, after, live, now) {
            outgoing::reply(tx, policy, number, page, now).await?;
        }
    }
    if before.is_open() && after.status == crate::incident::Status::Resolved {
        resolve_too(tx, policy, number, now).await?;
    }
    outgoing::refresh_card(tx, number, now).await
}

/// On resolve, if the incident is still open on the status page, offers
/// to resolve it there too (SPEC §5); nothing public is sent until a
/// person submits that modal.
async fn resolve_too(
    tx: &mut Transaction<'_, Any>,
    policy: &crate::policy::Policy,
    number: IncidentNumber,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    if policy.statuspage.is_none() {
        return Ok(());
    }
    let public = crate::store::public::get(&mut **tx, number).await?;
    if public.is_some_and(|p| p.status != crate::statuspage::PublicStatus::Resolved) {
        let text = crate::views::statuspage::resolve_too(number);
        let content = crate::slack::blocks::publish::resolve_prompt(&text, number);
        outgoing::reply_with(tx, policy, number, content, "reply", now).await?;
    }
    Ok(())
}

/// Asks the comms cover (overrides included) to handle tenant
/// communication, if anyone covers comms now and nobody has the comms lead
/// yet: someone picked in the declare modal, or set since, already has it
/// (SPEC §2.5).
pub fn page_comms(
    ctx: &Context,
    incident: &Incident,
    live: &[Override],
    now: DateTime<Utc>,
) -> Option<String> {
    if incident.comms_lead.is_some() {
        return None;
    }
    let comms = people_covering(&ctx.policy, &ctx.calendar, Role::Comms, now, live);
    text::comms_page(incident, &comms)
}
