//! Posting an update from the card's (or a reminder's) *Post update*
//! button: the modal, opened on the press's trigger, and its submission.

use super::change;
use crate::bot::{Answering, Context};
use crate::ids::{IncidentNumber, UserId};
use crate::incident::Action;
use crate::refusal::Refusal;
use crate::slack::blocks::modal::{self, fields, Submitted};
use crate::store::incidents;
use slack_morphism::prelude::*;

/// Opens the update modal; if Slack will not, tells the person (via
/// `tell`) how else to post the update.
pub async fn open(
    ctx: &Context,
    trigger: &SlackTriggerId,
    number: IncidentNumber,
) -> Result<(), String> {
    let title = match incidents::get(&ctx.db, number).await {
        Ok(Some(incident)) => incident.title.as_str().to_owned(),
        _ => String::new(),
    };
    ctx.web
        .open_view(trigger, modal::update(number, &title))
        .await
        .map_err(|e| {
            format!("I could not open the update form ({e}). `/incident update {number} text` works too.")
        })
}

/// The update form was submitted for incident `number`.
pub async fn submitted(
    ctx: &Context,
    answering: &Answering,
    number: IncidentNumber,
    form: &Submitted,
    by: &UserId,
) -> anyhow::Result<Option<SlackViewSubmissionResponse>> {
    let update = form.text(fields::UPDATE).unwrap_or_default();
    if update.trim().is_empty() {
        return Ok(Some(modal::error_on(fields::UPDATE, &Refusal::EmptyUpdate)));
    }
    Ok(
        match change::apply(ctx, answering, number, by, Action::Update(update)).await? {
            Ok(_) => None,
            Err(refusal) => Some(modal::error_on(fields::UPDATE, &refusal)),
        },
    )
}
