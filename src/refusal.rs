//! What a person is told "no", as values: the handlers return a
//! [`Refusal`] and `views::refusal` renders it, once, as mrkdwn. A refusal
//! never changes anything; the person sees it ephemerally (or on the form
//! field they submitted).

use crate::command::UsageError;
use crate::ids::{BadId, IncidentNumber, OverrideId, UserId};
use crate::incident::TransitionError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The command's text did not parse; carries the usage.
    Usage(UsageError),
    /// A command the bot was sent but does not serve.
    UnknownCommand(String),
    /// Slack sent an ID that is not a user's.
    NotAPerson(BadId),
    NoSuchIncident(IncidentNumber),
    /// The incident's lifecycle does not allow it (closed, already taken…).
    Transition(TransitionError),
    /// Others kept changing the incident between read and save.
    ChangingQuickly(IncidentNumber),
    NoSuchRota(String),
    NoSuchOverride(OverrideId),
    AlreadyCancelled(OverrideId),
    /// Only those involved, or a policy admin, may cancel an override.
    NotYoursToCancel {
        id: OverrideId,
        created_by: UserId,
        covering: UserId,
        covered: Option<UserId>,
    },
    /// An update was submitted with no text.
    EmptyUpdate,
}

impl From<UsageError> for Refusal {
    fn from(e: UsageError) -> Refusal {
        Refusal::Usage(e)
    }
}

impl From<TransitionError> for Refusal {
    fn from(e: TransitionError) -> Refusal {
        Refusal::Transition(e)
    }
}
