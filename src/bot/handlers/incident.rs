//! `/incident`: one line per subcommand. Every change goes through
//! [`change::apply`](super::change::apply); the rest only read (list,
//! show), open the declare modal, or queue the report in the thread.

use super::{change, declare, publish};
use crate::bot::outgoing;
use crate::bot::reply::Reply;
use crate::bot::throttles::Spend;
use crate::bot::{Answering, Context};
use crate::command::{parse_incident, IncidentCommand, INCIDENT_USAGE};
use crate::deadline::next_deadline;
use crate::ids::{IncidentNumber, UserId};
use crate::mrkdwn::{bounded, Encoded, MESSAGE_MAX};
use crate::refusal::Refusal;
use crate::store::incidents;
use crate::views::incident as text;
use slack_morphism::prelude::*;

pub async fn command(
    ctx: &Context,
    answering: &Answering,
    event: &SlackCommandEvent,
    user: &UserId,
    text: Encoded<'_>,
) -> anyhow::Result<Reply> {
    let command = match parse_incident(text) {
        Ok(command) => command,
        Err(e) => return Ok(Refusal::from(e).into()),
    };
    match command {
        IncidentCommand::Help => Ok(INCIDENT_USAGE.into()),
        IncidentCommand::Declare { title } => {
            declare::open_for_command(ctx, event, title.unwrap_or_default());
            Ok(Reply::Bare)
        }
        IncidentCommand::List => Ok(list(ctx).into()),
        IncidentCommand::Show(number) => show(ctx, number).await,
        IncidentCommand::Report(number) => report(ctx, answering, number, user).await,
        IncidentCommand::Publish(number) => {
            Ok(publish::open_for_command(ctx, event, number, user).await)
        }
        IncidentCommand::Stats(period) => stats(ctx, period).await,
        IncidentCommand::Change(number, action) => Ok(
            match change::apply(ctx, answering, number, user, action).await? {
                Ok(incident) => text::done(&incident).into(),
                Err(refusal) => refusal.into(),
            },
        ),
    }
}

/// Open incidents, most pressing first: by next deadline, then priority;
/// as many as fit one message.
fn list(ctx: &Context) -> String {
    let now = ctx.now();
    let open = ctx.live.open();
    if open.is_empty() {
        return "No open incidents.".to_owned();
    }
    let mut rows: Vec<_> = open
        .iter()
        .map(|incident| {
            let next = next_deadline(&ctx.policy, &ctx.calendar, incident, now);
            (next.as_ref().map(|(_, at)| *at), incident, next)
        })
        .collect();
    rows.sort_by_key(|(due, incident, _)| (*due, incident.priority, incident.number));
    let lines: Vec<String> = rows
        .iter()
        .map(|(_, incident, next)| text::list_line(&ctx.policy, incident, next))
        .collect();
    // A busy day must not outgrow one message: the most pressing first,
    // then how many more and how to see each.
    bounded(&lines, MESSAGE_MAX, text::more_incidents)
}

/// The incident's card, shown only to the person who asked: from memory
/// while it is open, from the database once closed.
async fn show(ctx: &Context, number: IncidentNumber) -> anyhow::Result<Reply> {
    let open = ctx.live.open().iter().find(|i| i.number == number).cloned();
    let found = match open {
        Some(incident) => Some(incident),
        None => incidents::get(&ctx.db, number).await?,
    };
    let Some(incident) = found else {
        return Ok(Refusal::NoSuchIncident(number).into());
    };
    let next = next_deadline(&ctx.policy, &ctx.calendar, &incident, ctx.now());
    let public = crate::store::public::get(&ctx.db, number).await?;
    let content = crate::slack::blocks::card::card(&ctx.policy, &incident, &next, public.as_ref());
    Ok(Reply::EphemeralContent(content))
}

/// Queues the Markdown report in the incident's thread.
async fn report(
    ctx: &Context,
    answering: &Answering,
    number: IncidentNumber,
    by: &UserId,
) -> anyhow::Result<Reply> {
    // Posted in the thread, so it spends the person's change budget.
    if let Err(slow_down) = ctx.spend(by, Spend::Change) {
        return Ok(slow_down.into());
    }
    let Some(incident) = incidents::get(&ctx.db, number).await? else {
        return Ok(Refusal::NoSuchIncident(number).into());
    };
    let timeline = incidents::timeline(&ctx.db, number).await?;
    let report = crate::views::report::markdown(&ctx.policy, &incident, &timeline);
    // The report quotes people's words: escaped, so it cannot ping anyone,
    // and in as many messages as it takes, so none of it is cut.
    let intro = format!("Incident report, as asked for by <@{by}>:\n");
    let pieces = crate::views::report::slack_pieces(&report, &intro, outgoing::MESSAGE_TEXT_MAX);
    let now = ctx.now();
    let mut tx = ctx.write(answering).await?;
    for piece in pieces {
        outgoing::reply(&mut tx, &ctx.policy, number, piece, now).await?;
    }
    tx.commit().await?;
    ctx.announced();
    Ok(format!(
        "The report for {number} is in its thread; `paas-incident-bot report {number}` prints it too."
    )
    .into())
}

/// The response figures for incidents declared in `period`, read from the
/// read-only pool so a queue of writes cannot hold up the answer.
async fn stats(ctx: &Context, period: crate::response::StatsPeriod) -> anyhow::Result<Reply> {
    use crate::response::{by_priority, Record};
    let since = period.since(ctx.now());
    let declared = incidents::declared_since(&ctx.reads, since).await?;
    let Some(first) = declared.first().map(|i| i.number) else {
        return Ok(crate::views::stats::stats(&ctx.policy, period, &[]).into());
    };
    let fired = crate::store::reminders::fired_for_incidents(
        &ctx.reads,
        crate::reminders::Kind::Escalate,
        first,
    )
    .await?;
    let mut timelines = Vec::with_capacity(declared.len());
    let mut escalations = Vec::with_capacity(declared.len());
    for incident in &declared {
        timelines.push(incidents::timeline(&ctx.reads, incident.number).await?);
        escalations.push(
            fired
                .iter()
                .filter(|(n, _)| *n == incident.number)
                .map(|(_, at)| *at)
                .collect::<Vec<_>>(),
        );
    }
    let records: Vec<Record<'_>> = declared
        .iter()
        .zip(&timelines)
        .zip(&escalations)
        .map(|((incident, timeline), fired)| Record {
            incident,
            timeline,
            escalations_fired: fired,
        })
        .collect();
    let rows = by_priority(&ctx.policy, &ctx.calendar, &records);
    Ok(crate::views::stats::stats(&ctx.policy, period, &rows).into())
}
