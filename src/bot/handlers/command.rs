//! Slash commands: one line per command to its handler. A failure on our
//! side still answers the person, with a reference, and says nothing was
//! changed.

use super::{incident, oncall};
use crate::bot::reply::{Apology, Reply};
use crate::bot::{Answering, Context};
use crate::ids::UserId;
use crate::mrkdwn::Encoded;
use crate::refusal::Refusal;
use slack_morphism::prelude::*;

pub async fn slash(ctx: &Context, answering: &Answering, event: SlackCommandEvent) -> Reply {
    // As Slack sent it: the parsers decode each piece once (SPEC §2.6).
    let raw = event.text.as_deref().unwrap_or("").trim().to_owned();
    let text = Encoded::new(&raw);
    let user = match UserId::parse(&event.user_id.0) {
        Ok(user) => user,
        Err(why) => return Refusal::NotAPerson(why).into(),
    };
    let answer = match event.command.0.as_str() {
        "/incident" => incident::command(ctx, answering, &event, &user, text).await,
        "/oncall" => oncall::command(ctx, answering, &user, text).await,
        other => Ok(Refusal::UnknownCommand(other.to_owned()).into()),
    };
    answer.unwrap_or_else(|e| Apology::for_error(&e, "a command").into())
}
