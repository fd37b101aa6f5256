//! What a person is told "no", as values: the handlers return a
//! [`Refusal`] and `views::refusal` renders it, once, as mrkdwn. A refusal
//! never changes anything; the person sees it ephemerally (or on the form
//! field they submitted).

use crate::command::UsageError;
use crate::ids::{BadId, IncidentNumber, OverrideId, UserId};
use crate::incident::TransitionError;
use chrono::{DateTime, Utc};

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
    /// Only responders, the declarer and the leads may change an
    /// incident (SPEC §2.7); `what` is the verb ("resolve"), `involved`
    /// the declarer and current leads.
    NotYoursToChange {
        number: IncidentNumber,
        what: &'static str,
        involved: Vec<UserId>,
        responders: Responders,
    },
    /// Only responders may set overrides; on the escalation rota only its
    /// own `members` (Some) and the admins.
    NotYoursToCover {
        rota: String,
        members: Option<Vec<UserId>>,
        responders: Responders,
    },
    /// A range longer than an override may be without an admin.
    OverrideTooLong {
        max_days: i64,
        asked_days: i64,
    },
    /// The covering person is not someone who can be on call.
    CannotCover {
        user: UserId,
        why: Uncoverable,
    },
    /// Too many changes from this person in a short time: `retry_at` is
    /// when the next one will be taken (shown in `tz` as the fallback).
    SlowDown {
        retry_at: DateTime<Utc>,
        tz: chrono_tz::Tz,
    },
    /// A command from a workspace, enterprise or app other than the one
    /// the bot is installed for.
    NotThisWorkspace,
}

/// Who the responders are, for a refusal to name them: the policy's
/// rotas (by name) and its admins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Responders {
    pub rotas: Vec<String>,
    pub admins: Vec<UserId>,
}

/// Why someone cannot be put on call, from Slack's `users.info`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uncoverable {
    /// `user_not_found`: no such person in this workspace.
    Unknown,
    /// `deleted: true`: a deactivated account.
    Deactivated,
    /// `is_bot: true` (or the app's own bot user).
    Bot,
    /// A member of another workspace (a shared channel's guest).
    OtherWorkspace,
    /// Slack could not be asked just now.
    Unchecked,
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
