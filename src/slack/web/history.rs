//! Reading messages back: one message by its ts (for a 📌), and pages of
//! the bot's own marked messages (for finding a post that may have gone out
//! just before the bot died; see `slack::lookup`).

use super::{SlackWeb, WebError};
use slack_morphism::prelude::*;

/// Replies read when looking for one message in a thread.
const REPLIES_PAGE: u16 = 200;
/// Messages read a page at a time when looking for one the bot may have
/// posted just before it died.
const LOOKUP_PAGE: u16 = 200;

/// The bot's messages with metadata on one page of history or replies.
pub struct MarkedPage {
    /// Each message's metadata (`event_type`, `event_payload`) and ts.
    pub marked: Vec<(serde_json::Value, SlackTs)>,
    /// The cursor of the next page, if any.
    pub next: Option<String>,
}

/// A page of conversations.history or .replies, only what a lookup needs.
#[derive(serde::Deserialize)]
struct ListedPage {
    #[serde(default)]
    messages: Vec<ListedMessage>,
    response_metadata: Option<ListedCursor>,
}

#[derive(serde::Deserialize)]
struct ListedMessage {
    ts: String,
    bot_id: Option<String>,
    metadata: Option<serde_json::Value>,
}

#[derive(serde::Deserialize)]
struct ListedCursor {
    next_cursor: Option<String>,
}

impl SlackWeb {
    /// One message, top-level or a thread reply, by its ts: history finds
    /// top-level messages; a reply is looked for in the thread it is part of.
    ///
    /// Read-backs go one at a time and wait out every 429 for its
    /// Retry-After (until shutdown): `conversations.history` is one of
    /// Slack's most tightly limited methods (Tier 3, about 50 a minute;
    /// <https://api.slack.com/apis/rate-limits>), and a burst of 📌 must be
    /// slowed, not lost.
    pub async fn message(
        &self,
        channel: &SlackChannelId,
        ts: &SlackTs,
    ) -> Result<Option<SlackHistoryMessage>, WebError> {
        let _one_at_a_time = self
            .read_backs
            .acquire()
            .await
            .expect("the read-back semaphore is never closed");
        let req = SlackApiConversationsHistoryRequest::new()
            .with_channel(channel.clone())
            .with_latest(ts.clone())
            .with_inclusive(true)
            .with_limit(1);
        let found = self
            .call_patiently("conversations.history", |c, t| {
                let req = req.clone();
                async move { c.open_session(&t).conversations_history(&req).await }
            })
            .await?;
        if let Some(m) = found.messages.into_iter().find(|m| m.origin.ts == *ts) {
            return Ok(Some(m));
        }
        let req = SlackApiConversationsRepliesRequest::new(channel.clone(), ts.clone())
            .with_latest(ts.clone())
            .with_inclusive(true)
            .with_limit(REPLIES_PAGE);
        let thread = self
            .call_patiently("conversations.replies", |c, t| {
                let req = req.clone();
                async move { c.open_session(&t).conversations_replies(&req).await }
            })
            .await?;
        Ok(thread.messages.into_iter().find(|m| m.origin.ts == *ts))
    }

    /// One page (from `cursor`) of the channel's newest top-level messages,
    /// or of the replies of `thread`: the bot's messages that carry
    /// metadata, and the cursor of the next page if there is one.
    ///
    /// Read loosely (not with slack-morphism's message types): another
    /// app's metadata may hold payload values that are not strings, which
    /// would make the whole page fail to parse.
    pub async fn marked_page(
        &self,
        channel: &SlackChannelId,
        thread: Option<&SlackTs>,
        cursor: Option<&str>,
    ) -> Result<MarkedPage, WebError> {
        let (method, ts) = match thread {
            None => ("conversations.history", None),
            Some(ts) => ("conversations.replies", Some(ts.0.as_str())),
        };
        let limit = LOOKUP_PAGE.to_string();
        let params = [
            ("channel", Some(channel.0.as_str())),
            ("ts", ts),
            ("limit", Some(limit.as_str())),
            ("include_all_metadata", Some("true")),
            ("cursor", cursor),
        ];
        let page: ListedPage = self
            .call(method, None, |c, t| async move {
                c.open_session(&t)
                    .http_session_api
                    .http_get(method, &params, None)
                    .await
            })
            .await?;
        let marked = page
            .messages
            .into_iter()
            .filter(|m| m.bot_id.is_some())
            .filter_map(|m| Some((m.metadata?, SlackTs(m.ts))))
            .collect();
        let next = page
            .response_metadata
            .and_then(|m| m.next_cursor)
            .filter(|c| !c.is_empty());
        Ok(MarkedPage { marked, next })
    }
}
