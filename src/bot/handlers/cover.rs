//! `/oncall cover` and `/oncall cancel`: an override stored, or cancelled,
//! with its announcements in the rota's topic channels and direct messages
//! to the person it puts on call (with an *Undo* button) and the person it
//! displaces, in one transaction. Who may do either, for how long and whom
//! they may put on call follow SPEC §2.7 (`crate::access`).

use crate::access;
use crate::bot::throttles::Spend;
use crate::bot::{outgoing, shifts, Answering, Context};
use crate::ids::{OverrideId, UserId};
use crate::mrkdwn::slack_date;
use crate::policy::Rota;
use crate::refusal::{Refusal, Uncoverable};
use crate::rota::{self, Override};
use crate::slack::blocks::cover::put_on_call;
use crate::store::overrides;
use chrono::{DateTime, Utc};
use sqlx::{Any, Transaction};
use tracing::warn;

/// What `/oncall cover` asks for.
pub struct Cover<'a> {
    pub rota: &'a Rota,
    pub covering: &'a UserId,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// Stores the override if `by` may set it; returns the confirmation to
/// show its creator, or the refusal.
pub async fn create(
    ctx: &Context,
    answering: &Answering,
    cover: Cover<'_>,
    by: &UserId,
) -> anyhow::Result<Result<String, Refusal>> {
    let Cover {
        rota,
        covering,
        from,
        to,
    } = &cover;
    let allowed = access::may_cover(&ctx.policy, rota, by)
        .and_then(|()| access::may_cover_for(&ctx.policy, by, *from, *to))
        .and_then(|()| ctx.spend(by, Spend::Override));
    if let Err(refused) = allowed {
        return Ok(Err(refused));
    }
    if let Err(why) = coverable(ctx, covering).await {
        return Ok(Err(Refusal::CannotCover {
            user: (*covering).clone(),
            why,
        }));
    }
    let now = ctx.now();
    let mut tx = ctx.write(answering).await?;
    let (created, announcement) = record(ctx, &mut tx, cover, by, now).await?;
    tx.commit().await?;
    ctx.live.override_created(&created);
    ctx.overrides_changed();
    Ok(Ok(format!("Done. {announcement}")))
}

/// Stores the override inside `tx` with its announcement and direct
/// messages; returns it and the announcement. The caller has checked who
/// may set it and commits (a taken cover request commits both together).
pub(super) async fn record(
    ctx: &Context,
    tx: &mut Transaction<'static, Any>,
    cover: Cover<'_>,
    by: &UserId,
    now: DateTime<Utc>,
) -> anyhow::Result<(Override, String)> {
    let Cover {
        rota,
        covering,
        from,
        to,
    } = cover;
    // Who the rotation (and earlier overrides) would have had on call,
    // read under the write lock so two covers at once see each other.
    let live = overrides::live(&mut **tx).await?;
    let covered = rota::cover_at(&ctx.calendar, rota, from, &live)
        .map(|c| c.shift.user)
        .filter(|u| u != covering);
    let created = overrides::create(
        tx,
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
    outgoing::announce(tx, rota, &announcement, "post", now).await?;
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
        outgoing::dm(tx, covered, dm, "dm", now).await?;
    }
    // The person put on call hears of it, with a way to say no.
    if covering != by {
        let dm = format!(
            "<@{by}> has put you on call: you cover *{}* from {} to {}{instead} ({}). \
             If that is wrong, *Undo* cancels it.",
            rota.name,
            slack_date(from, tz),
            slack_date(to, tz),
            created.id,
        );
        let content = put_on_call(&dm, created.id);
        outgoing::dm_with(tx, covering, content, "dm", now).await?;
    }
    let mut after = live.clone();
    after.push(created.clone());
    shifts::changed(tx, &ctx.policy, &ctx.calendar, rota, &live, &after, now).await?;
    Ok((created, announcement))
}

/// Whether `user` can be put on call: a real, active, human member of the
/// installing workspace, by `users.info` (SPEC §2.7).
pub(super) async fn coverable(ctx: &Context, user: &UserId) -> Result<(), Uncoverable> {
    if ctx.installation.bot_user() == Some(user.as_str()) {
        return Err(Uncoverable::Bot);
    }
    let member = match ctx.web.member(user.as_str()).await {
        Ok(Some(member)) => member,
        Ok(None) => return Err(Uncoverable::Unknown),
        Err(e) => {
            warn!(error = %e, user = %user, "could not check a covering person with users.info");
            return Err(Uncoverable::Unchecked);
        }
    };
    if member.deleted {
        Err(Uncoverable::Deactivated)
    } else if member.bot {
        Err(Uncoverable::Bot)
    } else if member.team_id.is_some() && member.team_id.as_deref() != ctx.installation.team_id() {
        Err(Uncoverable::OtherWorkspace)
    } else {
        Ok(())
    }
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
    if let Err(refused) =
        access::may_cancel(&ctx.policy, &found, by).and_then(|()| ctx.spend(by, Spend::Override))
    {
        return Ok(Err(refused));
    }
    let now = ctx.now();
    let mut tx = ctx.write(answering).await?;
    let before = overrides::live(&mut *tx).await?;
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
        let after: Vec<Override> = before.iter().filter(|o| o.id != id).cloned().collect();
        shifts::changed(
            &mut tx,
            &ctx.policy,
            &ctx.calendar,
            rota,
            &before,
            &after,
            now,
        )
        .await?;
    }
    // Both people it swapped hear of it, unless they cancelled it.
    let told = [Some(&found.user), found.covered.as_ref()];
    for person in told.into_iter().flatten().filter(|u| *u != by) {
        outgoing::dm(&mut tx, person, text.clone(), "dm", now).await?;
    }
    tx.commit().await?;
    ctx.live.override_cancelled(id);
    ctx.overrides_changed();
    Ok(Ok(format!("Done. {text}")))
}
