//! `/oncall`: one line per subcommand. Lookups answer from the one
//! resolver over the in-memory overrides, reading no database (the plain
//! `/oncall`, the one asked most, once a minute); covers and cancellations
//! are in `cover`.

use super::{calendar, cover, cover_request};
use crate::bot::reply::Reply;
use crate::bot::{Answering, Context};
use crate::clock::this_minute;
use crate::command::{parse_oncall, OncallCommand, ONCALL_USAGE};
use crate::ids::UserId;
use crate::mrkdwn::{slack_date, Encoded};
use crate::refusal::Refusal;
use crate::views::oncall::{self as view, Style};

/// How many coming shifts `/oncall ROTA` lists.
const NEXT_SHIFTS: usize = 7;

pub async fn command(
    ctx: &Context,
    answering: &Answering,
    user: &UserId,
    text: Encoded<'_>,
) -> anyhow::Result<Reply> {
    let now = ctx.now();
    let (policy, cal) = (&ctx.policy, &ctx.calendar);
    let names: Vec<&str> = policy.rotas.iter().map(|r| r.name.as_str()).collect();
    let command = match parse_oncall(text, now, policy.timezone, &names) {
        Ok(command) => command,
        Err(e) => return Ok(Refusal::from(e).into()),
    };
    let live = ctx.live.overrides();
    Ok(match command {
        OncallCommand::Help => ONCALL_USAGE.into(),
        OncallCommand::Now => {
            let minute = this_minute(now);
            let answer = ctx.live.oncall_answer(minute, |live| {
                view::every_rota(policy, cal, minute, live, Style::Slack)
            });
            answer.as_ref().into()
        }
        OncallCommand::At(at) => format!(
            "On call at {}:\n{}",
            slack_date(at, policy.timezone),
            view::every_rota(policy, cal, at, &live, Style::Slack)
        )
        .into(),
        OncallCommand::Rota(name) => match policy.rota(&name) {
            Some(rota) => {
                view::one_rota(policy, cal, rota, now, &live, NEXT_SHIFTS, Style::Slack).into()
            }
            None => Refusal::NoSuchRota(name).into(),
        },
        OncallCommand::Overrides(rota) => {
            let current = ctx.live.current_overrides(now);
            view::overrides_list(policy, &current, rota.as_deref(), Style::Slack).into()
        }
        OncallCommand::Cover {
            rota,
            user: covering,
            from,
            to,
        } => match policy.rota(&rota) {
            Some(rota) => {
                let cover = cover::Cover {
                    rota,
                    covering: &covering,
                    from,
                    to,
                };
                match cover::create(ctx, answering, cover, user).await? {
                    Ok(done) => done.into(),
                    Err(refusal) => refusal.into(),
                }
            }
            None => Refusal::NoSuchRota(rota).into(),
        },
        OncallCommand::CoverMe {
            rota,
            from,
            to,
            note,
        } => match policy.rota(&rota) {
            Some(rota) => {
                let ask = cover_request::Ask {
                    rota,
                    from,
                    to,
                    note: &note,
                };
                match cover_request::ask(ctx, answering, ask, user).await? {
                    Ok(done) => done.into(),
                    Err(refusal) => refusal.into(),
                }
            }
            None => Refusal::NoSuchRota(rota).into(),
        },
        OncallCommand::Requests => cover_request::list(ctx).await?.into(),
        OncallCommand::Calendar => calendar::links(ctx, answering, user, false).await?.into(),
        OncallCommand::CalendarReset => calendar::links(ctx, answering, user, true).await?.into(),
        OncallCommand::Cancel(id) => match cover::cancel(ctx, answering, id, user).await? {
            Ok(done) => done.into(),
            Err(refusal) => refusal.into(),
        },
    })
}
