//! Alerts from monitoring in Slack (SPEC §6): storing a webhook's
//! notification with the messages it causes, the *Acknowledge* and
//! *Declare incident* buttons, and the held page and escalation when
//! their reminder rows fall due. Every change is committed with its
//! announcements; the delivery loop posts them.

use crate::alerts::escalation::{self, Episode};
use crate::alerts::{AlertGroupId, AlertStatus, Notification};
use crate::bot::{outgoing, Answering, Context, Parts};
use crate::ids::UserId;
use crate::policy::Page;
use crate::reminders::{Kind, Subject};
use crate::rota::{self, people_covering, Override};
use crate::slack::blocks::modal;
use crate::store::alerts::{self as stored, Group};
use crate::store::{overrides, reminders as reminder_rows};
use crate::views::alert as text;
use chrono::{DateTime, Utc};
use slack_morphism::prelude::*;
use sqlx::{Any, Transaction};
use tracing::{info, warn};

type Tx<'t> = Transaction<'t, Any>;

fn episode(group: &Group) -> Option<Episode> {
    Some(Episode {
        page_at: group.page_at?,
        paged: group.paged,
        acknowledged: group.acknowledged_by.is_some(),
        escalated: group.escalated_at.is_some(),
        firing: group.status == AlertStatus::Firing,
    })
}

/// Makes the group's reminder rows what its state now owes.
async fn replan(
    tx: &mut Tx<'_>,
    parts: &Parts,
    group: &Group,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let planned = episode(group)
        .map(|e| escalation::plan(&parts.policy, &e))
        .unwrap_or_default();
    reminder_rows::replan(tx, &Subject::Alert(group.id), &planned, now).await
}

/// Pages `people` for `group`: a DM each, through the outbox.
async fn page(
    tx: &mut Tx<'_>,
    group: &Group,
    people: &[UserId],
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let dm = text::page_dm(group, &format!("<#{}>", group.channel));
    for person in people {
        outgoing::dm(tx, person, dm.clone(), "alert", now).await?;
    }
    Ok(())
}

/// Stores one webhook delivery and queues what Slack is owed; returns how
/// many alerts it carried. Committed before it returns, so the sender is
/// answered only once nothing can be lost.
pub async fn receive(parts: &Parts, n: &Notification) -> anyhow::Result<usize> {
    let now = parts.clock.now();
    let (policy, cal) = (&parts.policy, &parts.calendar);
    let mut tx = crate::store::write(&parts.db).await?;
    let found = stored::find(&mut *tx, n.source, &n.group_key).await?;
    let created = found.is_none();
    let mut group = match found {
        Some(group) => group,
        None => {
            let fresh = Group {
                id: AlertGroupId(0),
                source: n.source,
                group_key: n.group_key.clone(),
                title: n.title.clone(),
                labels: n.labels.clone(),
                links: n.links.clone(),
                channel: policy.alerts.channel.clone(),
                route: None,
                page_role: None,
                priority: None,
                status: AlertStatus::Resolved,
                firing: 0,
                total: 0,
                created_at: now,
                updated_at: now,
                episode_at: now,
                page_at: None,
                paged: false,
                paged_users: Vec::new(),
                acknowledged_by: None,
                acknowledged_at: None,
                escalated_to: None,
                escalated_at: None,
                incident: None,
                message_ts: None,
                version: 0,
                told_version: 0,
                news_row: None,
                news_text: None,
            };
            let id = stored::insert(&mut tx, &fresh).await?;
            Group { id, ..fresh }
        }
    };
    let was = group.status;
    let version = group.version + 1;
    let mut changed = false;
    for alert in &n.alerts {
        let before = stored::upsert(&mut tx, group.id, n.source, alert, version, now).await?;
        changed |= before != Some(alert.status);
    }
    if changed {
        group.version = version;
    }
    if created {
        // The first message lists them: no reply repeats them.
        stored::set_told(&mut tx, group.id, group.version).await?;
    }
    let (firing, total) = stored::counts(&mut tx, group.id).await?;
    group.firing = firing;
    group.total = total;
    group.updated_at = now;
    group.title = n.title.clone();
    if !n.links.is_empty() {
        group.links = n.links.clone();
    }
    group.status = if firing > 0 {
        AlertStatus::Firing
    } else {
        AlertStatus::Resolved
    };
    let starts_episode =
        group.status == AlertStatus::Firing && (created || was == AlertStatus::Resolved);
    let mut paged_now = Vec::new();
    if starts_episode {
        let route = policy.alerts.route(&n.labels);
        group.labels = n.labels.clone();
        group.route = route.map(|(i, _)| i as i64);
        group.page_role = route.and_then(|(_, r)| match r.page {
            Page::Role(role) => Some(role),
            Page::Nobody => None,
        });
        group.priority = route.and_then(|(_, r)| r.priority);
        group.episode_at = now;
        group.acknowledged_by = None;
        group.acknowledged_at = None;
        group.escalated_to = None;
        group.escalated_at = None;
        group.page_at = route.and_then(|(_, r)| escalation::page_at(cal, r, now));
        group.paged = false;
        group.paged_users = Vec::new();
        if let (Some(at), Some(role)) = (group.page_at, group.page_role) {
            if at <= now {
                let live = overrides::live(&mut *tx).await?;
                paged_now = people_covering(policy, cal, role, now, &live);
                group.paged = true;
                group.paged_users = paged_now.clone();
            }
        }
    }
    stored::save(&mut tx, &group).await?;
    replan(&mut tx, parts, &group, now).await?;
    // A group that has only ever resolved is stored, not posted.
    let shown = group.message_ts.is_some() || was == AlertStatus::Firing;
    if (changed || starts_episode) && (shown || group.status == AlertStatus::Firing) {
        outgoing::alert_message(&mut tx, group.id, now).await?;
        if !created && changed {
            outgoing::alert_news(&mut tx, group.id, now).await?;
        }
    }
    page(&mut tx, &group, &paged_now, now).await?;
    let firing_total = stored::firing_total(&mut *tx).await?;
    tx.commit().await?;
    parts
        .metrics
        .alerts_received(n.source.as_str(), n.alerts.len() as u64);
    parts.metrics.set_alerts_firing(firing_total);
    parts.wake.delivery.notify_one();
    parts.wake.scheduler.notify_one();
    if starts_episode {
        info!(group = %group.id, source = %n.source, firing, paged = paged_now.len(), "alert group firing");
    }
    Ok(n.alerts.len())
}

/// A held page or an escalation fell due; the scheduler marks the row
/// fired in the same transaction, so it is said once across restarts.
pub async fn fire(
    parts: &Parts,
    tx: &mut Tx<'_>,
    id: AlertGroupId,
    kind: Kind,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
    live: &[Override],
) -> anyhow::Result<()> {
    let Some(mut group) = stored::get(&mut **tx, id).await? else {
        return Ok(());
    };
    let (policy, cal) = (&parts.policy, &parts.calendar);
    // Owed only if the group, as it is now, still plans this slot.
    let owed = episode(&group)
        .map(|e| escalation::plan(policy, &e))
        .unwrap_or_default()
        .iter()
        .any(|p| p.kind == kind && p.due == due);
    if !owed {
        return replan(tx, parts, &group, now).await;
    }
    match kind {
        Kind::AlertPage => {
            let Some(role) = group.page_role else {
                return Ok(());
            };
            let people = people_covering(policy, cal, role, now, live);
            group.paged = true;
            group.paged_users = people.clone();
            outgoing::alert_reply(tx, &group.channel, id, text::released(&people), now).await?;
            page(tx, &group, &people, now).await?;
        }
        Kind::AlertEscalate => {
            let to = policy
                .escalation()
                .and_then(|r| rota::cover_at(cal, r, now, live))
                .map(|c| c.shift.user);
            group.escalated_at = Some(now);
            let Some(to) = to else {
                warn!(group = %id, "alert unacknowledged but nobody is on the escalation rota");
                stored::save(tx, &group).await?;
                return Ok(());
            };
            group.escalated_to = Some(to.clone());
            let said = text::escalated(&group, &to, policy.alerts.acknowledge_within);
            outgoing::alert_reply(tx, &group.channel, id, said.clone(), now).await?;
            outgoing::dm(tx, &to, said, "alert", now).await?;
        }
        _ => return Ok(()),
    }
    stored::save(tx, &group).await?;
    outgoing::alert_message(tx, id, now).await?;
    replan(tx, parts, &group, now).await
}

/// *Acknowledge* on an alert group's message: who and when are shown, and
/// the escalation is cancelled. What to tell the person if nothing changed.
pub async fn acknowledge(
    ctx: &Context,
    answering: &Answering,
    id: AlertGroupId,
    by: &UserId,
) -> anyhow::Result<Option<String>> {
    let now = ctx.now();
    let mut tx = ctx.write(answering).await?;
    let Some(mut group) = stored::get(&mut *tx, id).await? else {
        return Ok(Some("That alert is not known here.".to_owned()));
    };
    if let Some(who) = &group.acknowledged_by {
        return Ok(Some(format!("{} acknowledged it already.", who.mention())));
    }
    if group.status != AlertStatus::Firing {
        return Ok(Some(
            "That alert has resolved: nothing to acknowledge.".to_owned(),
        ));
    }
    group.acknowledged_by = Some(by.clone());
    group.acknowledged_at = Some(now);
    stored::save(&mut tx, &group).await?;
    let parts = ctx.parts();
    replan(&mut tx, &parts, &group, now).await?;
    outgoing::alert_reply(&mut tx, &group.channel, id, text::acknowledged(by), now).await?;
    outgoing::alert_message(&mut tx, id, now).await?;
    tx.commit().await?;
    let paged = group.page_at.unwrap_or(group.episode_at);
    ctx.metrics
        .alert_acknowledged((now - paged).to_std().unwrap_or_default());
    ctx.announced();
    Ok(None)
}

/// *Declare incident* on an alert group's message: the declare modal,
/// prefilled with its title, the route's priority and a description of
/// its labels and links; the incident, once declared, links back.
pub async fn open_declare(
    ctx: &Context,
    trigger: &SlackTriggerId,
    id: AlertGroupId,
    user: &UserId,
) -> Result<(), String> {
    let group = stored::get(&ctx.db, id)
        .await
        .map_err(|e| format!("I could not read that alert ({e})."))?
        .ok_or("That alert is not known here.")?;
    if let Some(number) = group.incident {
        return Err(format!("It has been declared already, as {number}."));
    }
    let alerts = stored::alerts_of(&ctx.db, id, None, 10)
        .await
        .map_err(|e| format!("I could not read that alert ({e})."))?;
    let view = modal::declare_from_alert(
        &ctx.policy,
        &group.title,
        &text::declare_description(&group, &alerts),
        group.priority,
        &SlackUserId(user.to_string()),
        id,
    );
    ctx.web
        .open_view(trigger, view)
        .await
        .map_err(|e| format!("I could not open the declare form ({e})."))
}

/// After an incident was declared from `id`: the two link each other.
pub async fn declared_from(
    tx: &mut Tx<'_>,
    ctx: &Context,
    id: AlertGroupId,
    number: crate::ids::IncidentNumber,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let Some(group) = stored::get(&mut **tx, id).await? else {
        return Ok(());
    };
    stored::link_incident(tx, id, number).await?;
    outgoing::alert_reply(
        tx,
        &group.channel,
        id,
        format!("Declared as *{number}*."),
        now,
    )
    .await?;
    outgoing::alert_message(tx, id, now).await?;
    let line = format!(
        "Declared from the alert *{}* in <#{}>.",
        crate::mrkdwn::escape(&group.title),
        group.channel
    );
    outgoing::reply(tx, &ctx.policy, number, line, now).await
}
