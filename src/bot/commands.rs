//! Slash-command dispatch: one line per command to its handler.

use super::{reply::ephemeral, Bot};
use serde_json::Value;
use slack_morphism::prelude::*;

const INCIDENT_USAGE: &str = "*/incident* — declare and run an incident\n\
• `/incident declare [title]` — open the declare form\n\
• `/incident list` — open incidents\n\
• `/incident help` — this help";
const ONCALL_USAGE: &str = "*/oncall* — who is on call\n\
• `/oncall` — every rota now\n\
• `/oncall help` — this help";

impl Bot {
    pub(super) async fn on_command(&self, event: SlackCommandEvent) -> Value {
        let text = event.text.as_deref().unwrap_or("").trim();
        match event.command.0.as_str() {
            "/incident" => match text {
                "" | "help" => ephemeral(INCIDENT_USAGE),
                other => ephemeral(format!(
                    "`{}` is not something I know yet.\n\n{INCIDENT_USAGE}",
                    crate::bot::reply::escape(other)
                )),
            },
            "/oncall" => match text {
                "help" => ephemeral(ONCALL_USAGE),
                _ => ephemeral(ONCALL_USAGE),
            },
            other => ephemeral(format!(
                "I do not handle `{}`: try `/incident help` or `/oncall help`.",
                crate::bot::reply::escape(other)
            )),
        }
    }
}
