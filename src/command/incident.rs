//! `/incident …` parsed into an [`IncidentCommand`].

use super::args::{did_you_mean, echo, parse_user, plain, split_word};
use super::usage::INCIDENT_USAGE;
use super::UsageError;
use crate::ids::{IncidentNumber, UserId};
use crate::incident::{Action, Title};
use crate::mrkdwn::Encoded;
use crate::priority::Priority;
use crate::response::StatsPeriod;

/// What `/incident …` asks for. Everything that changes an incident is a
/// [`Change`](IncidentCommand::Change) carrying the state machine's own
/// [`Action`], so the handler applies it as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IncidentCommand {
    Declare {
        title: Option<String>,
    },
    List,
    Show(IncidentNumber),
    Report(IncidentNumber),
    /// Opens the publish-to-status-page modal (SPEC §5).
    Publish(IncidentNumber),
    Change(IncidentNumber, Action),
    /// Response figures over the incidents declared in that period.
    Stats(StatsPeriod),
    Help,
}

pub(crate) const SUBCOMMANDS: [&str; 19] = [
    "declare",
    "list",
    "show",
    "update",
    "priority",
    "lead",
    "comms",
    "ack",
    "note",
    "cyber",
    "pause",
    "resolve",
    "not-incident",
    "review",
    "reopen",
    "report",
    "publish",
    "stats",
    "help",
];

fn error(message: impl Into<String>) -> UsageError {
    UsageError::new(message, INCIDENT_USAGE)
}

/// Text after the number, decoded, `None` when there is none.
fn optional(rest: &str) -> Option<String> {
    Some(plain(rest)).filter(|t| !t.is_empty())
}

/// The incident number every subcommand but declare, list and help starts with.
fn number<'a>(
    sub: &str,
    rest: &'a str,
    example: &str,
) -> Result<(IncidentNumber, &'a str), UsageError> {
    let (word, rest) = split_word(rest);
    if word.is_empty() {
        return Err(error(format!(
            "`/incident {sub}` needs an incident number, e.g. `/incident {sub} INC-3{example}`."
        )));
    }
    let number = IncidentNumber::parse(word).map_err(|_| {
        error(format!(
            "`{}` is not an incident number: use `INC-3` or `3`.",
            echo(word)
        ))
    })?;
    Ok((number, rest))
}

fn nothing_more(form: &str, rest: &str) -> Result<(), UsageError> {
    super::args::nothing_more(form, rest).map_err(error)
}

fn required(
    sub: &str,
    number: IncidentNumber,
    rest: &str,
    what: &str,
) -> Result<String, UsageError> {
    optional(rest).ok_or_else(|| {
        error(format!(
            "`/incident {sub} {number}` needs {what}, e.g. `/incident {sub} {number} …`."
        ))
    })
}

fn person(sub: &str, number: IncidentNumber, rest: &str) -> Result<UserId, UsageError> {
    let (word, extra) = split_word(rest);
    if word.is_empty() {
        return Err(error(format!(
            "`/incident {sub} {number}` needs a person, e.g. `/incident {sub} {number} @jo`."
        )));
    }
    let user = parse_user(word).map_err(error)?;
    if !extra.trim().is_empty() {
        return Err(error(format!(
            "`/incident {sub}` takes one person; I did not expect `{}`.",
            echo(extra)
        )));
    }
    Ok(user)
}

/// Parses `/incident` text as Slack sent it; free text (a title, an
/// update, a reason) comes out decoded, as the person typed it.
pub fn parse_incident(text: Encoded<'_>) -> Result<IncidentCommand, UsageError> {
    use IncidentCommand as C;
    let (word, rest) = split_word(text.raw());
    let sub = word.to_lowercase();
    let sub = sub.as_str();
    match sub {
        "" | "help" => Ok(C::Help),
        "declare" => {
            let title = optional(rest);
            if let Some(t) = &title {
                // Refuse here rather than open a form Slack would reject.
                Title::parse(t).map_err(|e| error(format!("Cannot use that title: {e}.")))?;
            }
            Ok(C::Declare { title })
        }
        "list" => nothing_more("/incident list", rest).map(|_| C::List),
        "stats" => {
            let (word, extra) = split_word(rest);
            let period = match word.to_lowercase().as_str() {
                "" => StatsPeriod::default(),
                "7d" => StatsPeriod::Week,
                "30d" => StatsPeriod::Month,
                "90d" => StatsPeriod::Quarter,
                _ => {
                    return Err(error(format!(
                        "`{}` is not a period for `/incident stats`: use `7d`, `30d` or `90d` (30d if none).",
                        echo(word)
                    )))
                }
            };
            nothing_more(&format!("/incident stats {period}"), extra)?;
            Ok(C::Stats(period))
        }
        "show" | "ack" | "cyber" | "pause" | "reopen" | "report" | "publish" => {
            let (n, rest) = number(sub, rest, "")?;
            nothing_more(&format!("/incident {sub} {n}"), rest)?;
            Ok(match sub {
                "show" => C::Show(n),
                "ack" => C::Change(n, Action::Acknowledge),
                "cyber" => C::Change(n, Action::FlagCyber),
                "pause" => C::Change(n, Action::Pause),
                "reopen" => C::Change(n, Action::Reopen),
                "publish" => C::Publish(n),
                _ => C::Report(n),
            })
        }
        "update" => {
            let (n, rest) = number(sub, rest, " Restarted the routers, apps recovering")?;
            let text = required(sub, n, rest, "the update's text")?;
            Ok(C::Change(n, Action::Update(text)))
        }
        "note" => {
            let (n, rest) = number(sub, rest, " Checked the router logs")?;
            let text = required(sub, n, rest, "the note's text")?;
            Ok(C::Change(n, Action::Note(text)))
        }
        "priority" => {
            let (n, rest) = number(sub, rest, " P2")?;
            let (word, reason) = split_word(rest);
            if word.is_empty() {
                return Err(error(format!(
                    "`/incident priority {n}` needs a priority: P1, P2, P3 or P4."
                )));
            }
            let priority = word.parse::<Priority>().map_err(|_| {
                error(format!(
                    "`{}` is not a priority: use P1, P2, P3 or P4.",
                    echo(word)
                ))
            })?;
            Ok(C::Change(
                n,
                Action::Prioritise {
                    priority,
                    reason: optional(reason),
                },
            ))
        }
        "lead" | "comms" => {
            let (n, rest) = number(sub, rest, " @jo")?;
            let user = person(sub, n, rest)?;
            Ok(if sub == "lead" {
                C::Change(n, Action::SetLead(user))
            } else {
                C::Change(n, Action::SetComms(user))
            })
        }
        "resolve" => {
            let (n, rest) = number(sub, rest, " Router replaced")?;
            Ok(C::Change(n, Action::Resolve(optional(rest))))
        }
        "not-incident" => {
            let (n, rest) = number(sub, rest, " Billing smoke test flake")?;
            Ok(C::Change(n, Action::NotIncident(optional(rest))))
        }
        "review" => {
            let (n, rest) = number(sub, rest, " 2026-12-03 14:00")?;
            let when = required(sub, n, rest, "when the review is")?;
            Ok(C::Change(n, Action::ScheduleReview(when)))
        }
        _ => Err(error(format!(
            "`{}` is not an `/incident` command.{}",
            echo(word),
            did_you_mean(word, &SUBCOMMANDS)
        ))),
    }
}

#[cfg(test)]
#[path = "incident_tests.rs"]
mod tests;
