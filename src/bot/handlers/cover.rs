//! `/oncall cover` and `/oncall cancel`: an override stored, or cancelled,
//! with its announcements in the rota's topic channels and a direct message
//! to the person it displaces, in one transaction.

use crate::bot::{outgoing, Answering, Context};
use crate::ids::{OverrideId, UserId};
use crate::mrkdwn::slack_date;
use crate::policy::Rota;
use crate::refusal::Refusal;
use crate::rota;
use crate::store::overrides;
use chrono::{DateTime, Utc};

/// What `/oncall cover` asks for.
pub struct Cover<'a> {
    pub rota: &'a Rota,
    pub covering: &'a UserId,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// Stores the override; returns the confirmation to show its creator.
pub async fn create(
    ctx: &Context,
    answering: &Answering,
    cover: Cover<'_>,
    by: &UserId,
) -> anyhow::Result<String> {
    let Cover {
        rota,
        covering,
        from,
        to,
    } = cover;
    let now = ctx.now();
    let mut tx = ctx.write(answering).await?;
    // Who the rotation (and earlier overrides) would have had on call,
    // read under the write lock so two covers at once see each other.
    let live = overrides::live(&mut *tx).await?;
    let covered = rota::cover_at(&ctx.calendar, rota, from, &live)
        .map(|c| c.shift.user)
        .filter(|u| u != covering);
    let created = overrides::create(
        &mut tx,
        overrides::NewOverride {
            rota: &rota.name,
            user: covering,
            covered: covered.as_ref(),
            from,
            to,
            created_by: by,
        },
        now,
    )
    .await?;
    let tz = ctx.policy.timezone;
    let instead = covered
        .as_ref()
        .map(|u| format!(" instead of <@{u}>"))
        .unwrap_or_default();
    let announcement = format!(
        "{}: <@{covering}> covers *{}* from {} to {}{instead} (set by <@{by}>).",
        created.id,
        rota.name,
        slack_date(from, tz),
        slack_date(to, tz),
    );
    outgoing::announce(&mut tx, rota, &announcement, "post", now).await?;
    // The displaced person hears of it, unless they set it up themselves.
    if let Some(covered) = covered.as_ref().filter(|c| *c != by) {
        let dm = format!(
            "<@{covering}> is covering your *{}* shift from {} to {} ({}, set by <@{by}>). \
             `/oncall cancel {}` undoes it.",
            rota.name,
            slack_date(from, tz),
            slack_date(to, tz),
            created.id,
            created.id,
        );
        outgoing::dm(&mut tx, covered, dm, "dm", now).await?;
    }
    tx.commit().await?;
    ctx.live.override_created(&created);
    ctx.overrides_changed();
    Ok(format!("Done. {announcement}"))
}

/// Cancels the override if `by` may (its creator, the covering or covered
/// person, or a policy admin); returns the confirmation or the refusal.
pub async fn cancel(
    ctx: &Context,
    answering: &Answering,
    id: OverrideId,
    by: &UserId,
) -> anyhow::Result<Result<String, Refusal>> {
    let Some((found, cancelled)) = overrides::get(&ctx.db, id).await? else {
        return Ok(Err(Refusal::NoSuchOverride(id)));
    };
    if cancelled {
        return Ok(Err(Refusal::AlreadyCancelled(id)));
    }
    let allowed = *by == found.created_by
        || *by == found.user
        || found.covered.as_ref() == Some(by)
        || ctx.policy.admins.contains(by);
    if !allowed {
        return Ok(Err(Refusal::NotYoursToCancel {
            id,
            created_by: found.created_by,
            covering: found.user,
            covered: found.covered,
        }));
    }
    let now = ctx.now();
    let mut tx = ctx.write(answering).await?;
    if !overrides::cancel(&mut tx, id, by, now).await? {
        return Ok(Err(Refusal::AlreadyCancelled(id)));
    }
    let tz = ctx.policy.timezone;
    let text = format!(
        "{id} cancelled by <@{by}>: *{}* is back to its rotation from {} to {}.",
        found.rota,
        slack_date(found.from, tz),
        slack_date(found.to, tz),
    );
    if let Some(rota) = ctx.policy.rota(&found.rota) {
        outgoing::announce(&mut tx, rota, &text, "post", now).await?;
    }
    if let Some(covered) = found.covered.as_ref().filter(|u| *u != by) {
        outgoing::dm(&mut tx, covered, text.clone(), "dm", now).await?;
    }
    tx.commit().await?;
    ctx.live.override_cancelled(id);
    ctx.overrides_changed();
    Ok(Ok(format!("Done. {text}")))
}
