//! Modal submissions: one line per modal to its handler. The answer is the
//! ack's payload: nothing (the modal closes) or errors on its fields.

use super::{cover_ask, declare, publish, update};
use crate::bot::reply::Apology;
use crate::bot::{Answering, Context};
use crate::ids::UserId;
use crate::slack::blocks::modal::{self, fields, Submitted};
use crate::slack::blocks::views;
use slack_morphism::prelude::*;

pub async fn submitted(
    ctx: &Context,
    answering: &Answering,
    event: &SlackInteractionViewSubmissionEvent,
) -> Option<SlackViewSubmissionResponse> {
    let SlackView::Modal(view) = &event.view.view else {
        return None;
    };
    let user = match UserId::parse(&event.user.id.0) {
        Ok(user) => user,
        Err(why) => return Some(modal::error_on(fields::TITLE, &why)),
    };
    let form = Submitted::from_state(event.view.state_params.state.as_ref());
    let answer = match view.callback_id.as_ref().map(|c| c.0.as_str()) {
        Some(views::DECLARE) => {
            let from_alert = modal::declared_from_alert(view);
            declare::submitted(ctx, answering, &form, &user, from_alert).await
        }
        Some(views::UPDATE) => match modal::update_target(view) {
            Some(number) => update::submitted(ctx, answering, number, &form, &user).await,
            None => Err(anyhow::anyhow!("an update modal without its incident")),
        },
        Some(views::PUBLISH) => publish::submitted(ctx, answering, view, &form, &user).await,
        Some(views::ASK_COVER) => cover_ask::submitted(ctx, answering, &form, &user).await,
        _ => Ok(None),
    };
    // A failure on our side: shown on the form's first field, which every
    // modal of ours has, with the reference to quote.
    answer.unwrap_or_else(|e| {
        let apology = Apology::for_error(&e, "a modal submission");
        let field = match view.callback_id.as_ref().map(|c| c.0.as_str()) {
            Some(views::UPDATE) => fields::UPDATE,
            Some(views::PUBLISH) => crate::slack::blocks::publish::fields::MESSAGE,
            Some(views::ASK_COVER) => crate::slack::blocks::cover_request::fields::ROTA,
            _ => fields::TITLE,
        };
        Some(modal::error_on(field, &apology))
    })
}
