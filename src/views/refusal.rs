//! How each [`Refusal`] reads: Slack mrkdwn, with anything a person typed
//! escaped.

use crate::mrkdwn::escape;
use crate::refusal::Refusal;
use std::fmt;

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Usage(e) => f.write_str(&e.reply_text()),
            Refusal::UnknownCommand(command) => write!(
                f,
                "I do not handle `{}`: try `/incident help` or `/oncall help`.",
                escape(command)
            ),
            Refusal::NotAPerson(why) => f.write_str(&escape(&why.to_string())),
            Refusal::NoSuchIncident(number) => write!(
                f,
                "There is no incident {number}. `/incident list` shows the open ones."
            ),
            Refusal::Transition(e) => write!(f, "{e}"),
            Refusal::ChangingQuickly(number) => write!(
                f,
                "{number} is changing quickly right now; please try again."
            ),
            Refusal::NoSuchRota(name) => write!(f, "There is no rota called `{}`.", escape(name)),
            Refusal::NoSuchOverride(id) => write!(
                f,
                "There is no override {id}. `/oncall overrides` lists them."
            ),
            Refusal::AlreadyCancelled(id) => write!(f, "{id} was already cancelled."),
            Refusal::NotYoursToCancel {
                id,
                created_by,
                covering,
                covered,
            } => write!(
                f,
                "Only <@{created_by}> (who set it), <@{covering}> (covering){}, or a policy admin can cancel {id}.",
                covered
                    .as_ref()
                    .map(|u| format!(", <@{u}> (covered)"))
                    .unwrap_or_default(),
            ),
            Refusal::EmptyUpdate => f.write_str("Write what has changed."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{IncidentNumber, OverrideId, UserId};

    #[test]
    fn refusals_name_what_was_refused_and_escape_what_was_typed() {
        assert_eq!(
            Refusal::NoSuchIncident(IncidentNumber(9)).to_string(),
            "There is no incident INC-9. `/incident list` shows the open ones."
        );
        assert_eq!(
            Refusal::NoSuchRota("<!here>".to_owned()).to_string(),
            "There is no rota called `&lt;!here&gt;`."
        );
        let u = |s: &str| UserId::parse(s).unwrap();
        assert_eq!(
            Refusal::NotYoursToCancel {
                id: OverrideId(3),
                created_by: u("U1"),
                covering: u("U2"),
                covered: None,
            }
            .to_string(),
            "Only <@U1> (who set it), <@U2> (covering), or a policy admin can cancel OVR-3."
        );
    }
}
