//! Cover requests (SPEC §7): `/oncall cover me` stores one and posts it in
//! the rota's topic channels; *I'll cover* takes it, setting the override
//! through the same path as `/oncall cover` in the same transaction as the
//! take; the scheduler lapses it at its start. Who may ask and take:
//! members of the rota, not the asker (SPEC §2.7).

use super::cover::{self, Cover};
use crate::access;
use crate::bot::throttles::Spend;
use crate::bot::{outgoing, Answering, Context};
use crate::command::{UsageError, ONCALL_USAGE};
use crate::cover_request::{may_take, CoverRequestId, NotTaken, State};
use crate::ids::UserId;
use crate::mrkdwn::{escape, slack_date};
use crate::policy::{Policy, Rota};
use crate::refusal::Refusal;
use crate::reminders::{Kind, Planned, Subject};
use crate::store::cover_requests::{self as requests, NewRequest};
use crate::store::reminders as rows;
use crate::views::cover_request as say;
use chrono::{DateTime, Utc};
use sqlx::{Any, Transaction};

/// What `/oncall cover me` asks for.
pub struct Ask<'a> {
    pub rota: &'a Rota,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub note: &'a str,
}

fn members(rota: &Rota) -> String {
    rota.members
        .iter()
        .map(UserId::mention)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Not on the rota: refused with the usage, naming who may.
fn not_a_member(rota: &Rota, what: &str) -> Refusal {
    Refusal::Usage(UsageError::new(
        format!(
            "Only members of the *{}* rota {what} ({}).",
            escape(&rota.name),
            members(rota)
        ),
        ONCALL_USAGE,
    ))
}

/// Stores the request, queues its posts and plans its lapse, if `by` is
/// on the rota; returns the confirmation or the refusal.
pub async fn ask(
    ctx: &Context,
    answering: &Answering,
    ask: Ask<'_>,
    by: &UserId,
) -> anyhow::Result<Result<String, Refusal>> {
    let Ask {
        rota,
        from,
        to,
        note,
    } = ask;
    if !rota.members.contains(by) {
        return Ok(Err(not_a_member(rota, "ask it for cover")));
    }
    // "For their own shifts" (SPEC §2.7): some of the range must be theirs.
    let live = ctx.live.overrides();
    let theirs = crate::rota::shifts(&ctx.calendar, rota, from, to, &live)
        .iter()
        .any(|s| s.user == *by);
    if !theirs {
        return Ok(Err(Refusal::Usage(UsageError::new(
            format!(
                "You are not on call on *{}* at any time from {} to {}: a cover request is for your own shifts (`/oncall {}` shows them).",
                escape(&rota.name),
                slack_date(from, ctx.policy.timezone),
                slack_date(to, ctx.policy.timezone),
                escape(&rota.name),
            ),
            ONCALL_USAGE,
        ))));
    }
    let allowed = access::may_cover_for(&ctx.policy, by, from, to)
        .and_then(|()| ctx.spend(by, Spend::Override));
    if let Err(refused) = allowed {
        return Ok(Err(refused));
    }
    let now = ctx.now();
    let mut tx = ctx.write(answering).await?;
    let new = NewRequest {
        rota: &rota.name,
        asked_by: by,
        from,
        to,
        note,
    };
    let request = requests::create(&mut tx, new, now).await?;
    outgoing::cover_request(&mut tx, rota, request.id, now).await?;
    let lapse = Planned {
        kind: Kind::Lapse,
        due: from,
    };
    rows::replan(&mut tx, &Subject::CoverRequest(request.id), &[lapse], now).await?;
    tx.commit().await?;
    ctx.announced();
    ctx.wake.scheduler.notify_one();
    let posted = if rota.topic_channels.is_empty() {
        format!(
            "The *{}* rota has no topic channels to post it in: `/oncall requests` and the Home tab show it.",
            escape(&rota.name)
        )
    } else {
        let channels: Vec<String> = rota
            .topic_channels
            .iter()
            .map(|c| format!("<#{c}>"))
            .collect();
        format!("Posted in {}.", channels.join(", "))
    };
    Ok(Ok(format!(
        "Asked. {} {posted} It lapses at {} if nobody takes it.",
        say::summary(&ctx.policy, &request),
        slack_date(from, ctx.policy.timezone),
    )))
}

/// `/oncall requests`.
pub async fn list(ctx: &Context) -> anyhow::Result<String> {
    let open = requests::open(&ctx.reads, ctx.now()).await?;
    Ok(say::open_list(&ctx.policy, &open))
}

/// *I'll cover*: takes the request for `by` if it is still open. Of two
/// presses at once the conditional update lets one through; the other is
/// told who covers. Returns what to tell the person who pressed.
pub async fn take(
    ctx: &Context,
    answering: &Answering,
    id: CoverRequestId,
    by: &UserId,
) -> anyhow::Result<String> {
    let now = ctx.now();
    let Some(request) = requests::get(&ctx.db, id).await? else {
        return Ok(format!("There is no cover request {id}."));
    };
    let Some(rota) = ctx.policy.rota(&request.rota) else {
        return Ok(format!(
            "{id} is for the `{}` rota, which the policy no longer has.",
            escape(&request.rota)
        ));
    };
    let lapsed = request.is_open() && request.from <= now;
    if lapsed {
        return Ok(not_taken(id, rota, NotTaken::Lapsed));
    }
    if let Err(why) = may_take(&request, rota, by) {
        return Ok(not_taken(id, rota, why));
    }
    let allowed = access::may_cover(&ctx.policy, rota, by)
        .and_then(|()| access::may_cover_for(&ctx.policy, by, request.from, request.to))
        .and_then(|()| ctx.spend(by, Spend::Override));
    if let Err(refused) = allowed {
        return Ok(refused.to_string());
    }
    if let Err(why) = cover::coverable(ctx, by).await {
        return Ok(Refusal::CannotCover {
            user: by.clone(),
            why,
        }
        .to_string());
    }
    let mut tx = ctx.write(answering).await?;
    if !requests::take(&mut tx, id, by, now).await? {
        drop(tx);
        let why = match requests::get(&ctx.db, id).await?.map(|r| r.state) {
            Some(State::Covered { by, .. }) => NotTaken::AlreadyCovered(by),
            _ => NotTaken::Lapsed,
        };
        return Ok(not_taken(id, rota, why));
    }
    let cover = Cover {
        rota,
        covering: by,
        from: request.from,
        to: request.to,
    };
    let (created, _) = cover::record(ctx, &mut tx, cover, by, now).await?;
    requests::set_override(&mut tx, id, created.id).await?;
    outgoing::refresh_cover_request(&mut tx, id, now).await?;
    let taken = requests::get(&mut *tx, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("{id} vanished while it was taken"))?;
    let dm = say::covered_dm(&ctx.policy, &taken);
    outgoing::dm(&mut tx, &taken.asked_by, dm, "dm", now).await?;
    tx.commit().await?;
    ctx.live.override_created(&created);
    ctx.overrides_changed();
    Ok(format!(
        "Done: you cover *{}* for {} from {} to {} ({}, {}).",
        escape(&rota.name),
        taken.asked_by.mention(),
        slack_date(taken.from, ctx.policy.timezone),
        slack_date(taken.to, ctx.policy.timezone),
        id,
        created.id,
    ))
}

fn not_taken(id: CoverRequestId, rota: &Rota, why: NotTaken) -> String {
    match why {
        NotTaken::AlreadyCovered(by) => format!("{id} is already covered by {}.", by.mention()),
        NotTaken::Lapsed => format!("{id} has lapsed: its start has passed."),
        NotTaken::OwnRequest => format!(
            "{id} is your own request: someone else on *{}* has to take it.",
            escape(&rota.name)
        ),
        NotTaken::NotOnRota { .. } => not_a_member(rota, "take its cover requests").to_string(),
    }
}

/// Fired by the scheduler at the request's start: if nobody took it, it
/// lapses, every copy says so and the asker is told by DM.
pub async fn lapse(
    tx: &mut Transaction<'_, Any>,
    policy: &Policy,
    id: CoverRequestId,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    if !requests::lapse(tx, id, now).await? {
        return Ok(());
    }
    let Some(request) = requests::get(&mut **tx, id).await? else {
        return Ok(());
    };
    outgoing::refresh_cover_request(tx, id, now).await?;
    let dm = say::lapsed_dm(policy, &request);
    outgoing::dm(tx, &request.asked_by, dm, "dm", now).await
}
