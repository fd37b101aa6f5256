//! Slash-command dispatch: one line per command to its handler. A failure
//! on our side still answers the person, and says nothing was changed.

use super::{reply::ephemeral, Bot};
use crate::ids::UserId;
use serde_json::Value;
use slack_morphism::prelude::*;
use tracing::error;

impl Bot {
    pub(super) async fn on_command(&self, event: SlackCommandEvent) -> Value {
        let text = event.text.as_deref().unwrap_or("").trim().to_owned();
        let user = match UserId::parse(&event.user_id.0) {
            Ok(user) => user,
            Err(e) => return ephemeral(e),
        };
        let answer = match event.command.0.as_str() {
            "/incident" => self.on_incident(&event, &user, &text).await,
            "/oncall" => self.on_oncall(&user, &text).await,
            other => Ok(ephemeral(format!(
                "I do not handle `{}`: try `/incident help` or `/oncall help`.",
                crate::mrkdwn::escape(other)
            ))),
        };
        answer.unwrap_or_else(|e| {
            error!(error = format!("{e:#}"), "command failed");
            ephemeral(
                "Something went wrong on our side and nothing was changed. \
                 Please try again; if it keeps failing, tell the bot's maintainers.",
            )
        })
    }
}
