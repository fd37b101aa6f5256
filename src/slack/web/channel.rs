//! Whether the bot can post in a channel: asked of Slack at start for the
//! incident channel, so an archived or missing one is said loudly before
//! anyone declares an incident into it.

use super::{SlackWeb, WebError};
use slack_morphism::prelude::*;

/// Why the bot cannot post in a channel.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChannelProblem {
    /// `conversations.info` answered `channel_not_found`: deleted, a typo
    /// in the policy, or private and the bot was never invited.
    #[error("it does not exist, or the bot cannot see it (channel_not_found)")]
    Missing,
    /// `is_archived` is true: Slack refuses every post (`is_archived`).
    #[error("it is archived (is_archived)")]
    Archived,
    /// The bot is not a member and `conversations.join` refused (a
    /// private channel is joined only by invitation); Slack's code.
    #[error("the bot is not a member and cannot join ({0})")]
    CannotJoin(String),
}

impl SlackWeb {
    /// Whether the bot can post in `channel`: it exists, is not archived,
    /// and the bot is a member or joins it now. `Ok(None)` when it can;
    /// `Ok(Some(problem))` when Slack says it cannot; `Err` when Slack could
    /// not be asked (the answer is unknown).
    ///
    /// Sources: <https://api.slack.com/methods/conversations.info> (fields
    /// `is_archived`, `is_member`; error `channel_not_found`) and
    /// <https://api.slack.com/methods/conversations.join>.
    pub async fn channel_problem(
        &self,
        channel: &SlackChannelId,
    ) -> Result<Option<ChannelProblem>, WebError> {
        let req = SlackApiConversationsInfoRequest::new(channel.clone());
        let info = match self
            .call("conversations.info", None, |c, t| {
                let req = req.clone();
                async move { c.open_session(&t).conversations_info(&req).await }
            })
            .await
        {
            Ok(info) => info.channel,
            Err(e) if e.code() == Some("channel_not_found") => {
                return Ok(Some(ChannelProblem::Missing))
            }
            Err(e) => return Err(e),
        };
        if info.flags.is_archived == Some(true) {
            return Ok(Some(ChannelProblem::Archived));
        }
        if info.flags.is_member == Some(true) {
            return Ok(None);
        }
        match self.join(channel).await {
            Ok(()) => Ok(None),
            Err(WebError::Api { code, .. }) => Ok(Some(ChannelProblem::CannotJoin(code))),
            Err(e) => Err(e),
        }
    }
}
