//! How each [`Refusal`] reads: Slack mrkdwn, with anything a person typed
//! escaped.

use crate::ids::UserId;
use crate::mrkdwn::{escape, slack_date};
use crate::refusal::{Refusal, Responders, Uncoverable};
use std::fmt;

fn mentions(users: &[UserId]) -> String {
    users
        .iter()
        .map(UserId::mention)
        .collect::<Vec<_>>()
        .join(", ")
}

/// "people on the `a`, `b` or `c` rota, and the policy's admins (<@X>)".
impl fmt::Display for Responders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self
            .rotas
            .iter()
            .map(|r| format!("`{}`", escape(r)))
            .collect();
        let rotas = match names.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => "no".to_owned(),
        };
        write!(f, "people on the {rotas} rota")?;
        if !self.admins.is_empty() {
            write!(f, ", and the policy's admins ({})", mentions(&self.admins))?;
        }
        Ok(())
    }
}

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
            Refusal::NotYoursToChange {
                number,
                what,
                involved,
                responders,
            } => write!(
                f,
                "Only responders ({responders}), and {number}'s declarer and leads ({}), can {what} {number}. \
                 Anyone can add a note: `/incident note {number} …`.",
                mentions(involved),
            ),
            Refusal::NotYoursToCover {
                rota,
                members: Some(members),
                responders,
            } => write!(
                f,
                "Only the `{}` rota's own members ({}) and the policy's admins ({}) can hand it to someone.",
                escape(rota),
                mentions(members),
                mentions(&responders.admins),
            ),
            Refusal::NotYoursToCover {
                rota,
                members: None,
                responders,
            } => write!(
                f,
                "Only responders ({responders}) can set overrides on `{}`.",
                escape(rota)
            ),
            Refusal::OverrideTooLong {
                max_days,
                asked_days,
            } => write!(
                f,
                "An override lasts at most {max_days} days; that one is {asked_days} days or more. \
                 Set it in parts, or ask a policy admin."
            ),
            Refusal::CannotCover { user, why } => {
                let why = match why {
                    Uncoverable::Unknown => "is not a member of this workspace",
                    Uncoverable::Deactivated => "has been deactivated",
                    Uncoverable::Bot => "is a bot",
                    Uncoverable::OtherWorkspace => "belongs to another workspace",
                    Uncoverable::Unchecked => {
                        return write!(
                            f,
                            "I could not check {} with Slack just now, so nothing was changed; please try again.",
                            user.mention()
                        )
                    }
                };
                write!(
                    f,
                    "{} {why}, so cannot be put on call. Nothing was changed.",
                    user.mention()
                )
            }
            Refusal::SlowDown { retry_at, tz } => write!(
                f,
                "That is a lot of changes in a short time: nothing was changed. Try again from {}.",
                slack_date(*retry_at, *tz)
            ),
            Refusal::NotThisWorkspace => f.write_str(
                "This app serves only the Slack workspace it is installed in; nothing was changed.",
            ),
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
