//! Asking for cover from the Home tab: *Ask for cover* opens a modal (the
//! asker's rotas, FROM, TO, a note); its submission goes the way of
//! `/oncall cover me`, with a bad field shown under that field.

use super::cover_request::{self, Ask};
use super::home;
use crate::bot::{Answering, Context};
use crate::command::oncall::NOTE_MAX;
use crate::command::{parse_range, parse_when};
use crate::ids::UserId;
use crate::slack::blocks::cover_request::{ask_modal, fields};
use crate::slack::blocks::modal::{self, Submitted};
use slack_morphism::prelude::*;
use std::collections::HashMap;
use tracing::warn;

/// Opens the modal within the press's trigger window.
pub fn open(ctx: &Context, trigger: &SlackTriggerId, user: &UserId) {
    let rotas: Vec<_> = ctx
        .policy
        .rotas
        .iter()
        .filter(|r| r.members.contains(user))
        .collect();
    let view = ask_modal(&rotas);
    let (web, trigger) = (ctx.web.clone(), trigger.clone());
    ctx.work.spawn(async move {
        if let Err(e) = web.open_view(&trigger, view).await {
            warn!(error = %e, "could not open the ask-for-cover modal");
        }
    });
}

/// Stores the request the form asks for, or shows what was wrong on the
/// form; the asker's Home tab is republished after.
pub async fn submitted(
    ctx: &Context,
    answering: &Answering,
    form: &Submitted,
    user: &UserId,
) -> anyhow::Result<Option<SlackViewSubmissionResponse>> {
    let now = ctx.now();
    let tz = ctx.policy.timezone;
    let mut errors = HashMap::new();
    let rota = form.option(fields::ROTA).and_then(|r| ctx.policy.rota(&r));
    if rota.is_none() {
        errors.insert(
            fields::ROTA.to_owned(),
            "Choose one of your rotas.".to_owned(),
        );
    }
    let from_text = form.text(fields::FROM).unwrap_or_default();
    let to_text = form.text(fields::TO).unwrap_or_default();
    let note = form.text(fields::NOTE).unwrap_or_default();
    if note.chars().count() > NOTE_MAX {
        errors.insert(
            fields::NOTE.to_owned(),
            format!("At most {NOTE_MAX} characters."),
        );
    }
    let range = match parse_when(&from_text, now, tz) {
        Err(e) => {
            errors.insert(fields::FROM.to_owned(), e.to_string());
            None
        }
        Ok(from) if from <= now => {
            let why = "It must start in the future: it lapses at its start if nobody takes it.";
            errors.insert(fields::FROM.to_owned(), why.to_owned());
            None
        }
        // The end reads as `/oncall` reads `FROM to TO`: "17:00" is the
        // first 17:00 after the start.
        Ok(_) => match parse_range(&format!("{from_text} to {to_text}"), now, tz) {
            Ok(range) => Some(range),
            Err(e) => {
                errors.insert(fields::TO.to_owned(), e.to_string());
                None
            }
        },
    };
    let (Some(rota), Some((from, to)), true) = (rota, range, errors.is_empty()) else {
        return Ok(Some(modal::errors(errors)));
    };
    let ask = Ask {
        rota,
        from,
        to,
        note: note.trim(),
    };
    match cover_request::ask(ctx, answering, ask, user).await? {
        Ok(_) => {
            home::opened(ctx, &SlackUserId(user.to_string())).await;
            Ok(None)
        }
        Err(refusal) => Ok(Some(modal::error_on(fields::ROTA, &refusal))),
    }
}
