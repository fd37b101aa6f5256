//! The Web API calls the bot makes, through slack-morphism's client. Every
//! call goes through `call` (in `call.rs`), which adds the recovery every
//! call needs; reading history back is in `history.rs`.

mod call;
mod channel;
mod history;
mod people;

pub use channel::ChannelProblem;
pub use history::MarkedPage;
pub use people::{Identity, Member};

use crate::clock::Clock;
use crate::metrics::Metrics;
use slack_morphism::prelude::*;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// Why a call failed, after retries.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// Slack answered `{"ok":false,"error":code}`.
    #[error("Slack refused {method}: {code}")]
    Api { method: &'static str, code: String },
    #[error("Slack kept rate-limiting {method}")]
    RateLimited { method: &'static str },
    #[error("could not reach Slack for {method}: {detail}")]
    Transport {
        method: &'static str,
        detail: String,
    },
}

impl WebError {
    pub fn code(&self) -> Option<&str> {
        match self {
            WebError::Api { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// A bot-token Web API client.
#[derive(Clone)]
pub struct SlackWeb {
    client: Arc<SlackHyperClient>,
    token: SlackApiToken,
    metrics: Arc<Metrics>,
    // Retry-After is waited out on this clock, so tests move time instead
    // of waiting for it.
    clock: Arc<dyn Clock>,
    /// Cancelled at shutdown: a Retry-After (Slack's can be a minute) is
    /// then given up, leaving the work queued, not waited out.
    stopping: CancellationToken,
    /// One 📌 read-back at a time: a burst of pins then meets a rate limit
    /// as one paced queue, not sixty callers retrying at once.
    read_backs: Arc<tokio::sync::Semaphore>,
}

impl SlackWeb {
    pub fn new(
        client: Arc<SlackHyperClient>,
        token: SlackApiToken,
        metrics: Arc<Metrics>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            client,
            token,
            metrics,
            clock,
            stopping: CancellationToken::new(),
            read_backs: Arc::new(tokio::sync::Semaphore::new(1)),
        }
    }

    /// Stops waiting out rate limits, now and for every later call.
    pub fn stop_waiting(&self) {
        self.stopping.cancel();
    }

    /// Posts a message (in a thread when `thread_ts` is set); returns its ts.
    pub async fn post(
        &self,
        channel: &SlackChannelId,
        content: SlackMessageContent,
        thread_ts: Option<SlackTs>,
    ) -> Result<SlackTs, WebError> {
        let mut req = SlackApiChatPostMessageRequest::new(channel.clone(), content);
        req.thread_ts = thread_ts;
        // A transport error may come after Slack posted the message, so it
        // is not retried here: the outbox retries, looking for it first.
        self.call_retrying("chat.postMessage", Some(channel), 0, |c, t| {
            let req = req.clone();
            async move { c.open_session(&t).chat_post_message(&req).await }
        })
        .await
        .map(|r| r.ts)
    }

    pub async fn update(
        &self,
        channel: &SlackChannelId,
        ts: &SlackTs,
        content: SlackMessageContent,
    ) -> Result<(), WebError> {
        let req = SlackApiChatUpdateRequest::new(channel.clone(), content, ts.clone());
        self.call("chat.update", Some(channel), |c, t| {
            let req = req.clone();
            async move { c.open_session(&t).chat_update(&req).await }
        })
        .await
        .map(|_| ())
    }

    pub async fn post_ephemeral(
        &self,
        channel: &SlackChannelId,
        user: &SlackUserId,
        content: SlackMessageContent,
    ) -> Result<(), WebError> {
        let req = SlackApiChatPostEphemeralRequest::new(channel.clone(), user.clone(), content);
        self.call("chat.postEphemeral", None, |c, t| {
            let req = req.clone();
            async move { c.open_session(&t).chat_post_ephemeral(&req).await }
        })
        .await
        .map(|_| ())
    }

    pub async fn open_view(
        &self,
        trigger_id: &SlackTriggerId,
        view: SlackView,
    ) -> Result<(), WebError> {
        let req = SlackApiViewsOpenRequest::new(trigger_id.clone(), view);
        self.call("views.open", None, |c, t| {
            let req = req.clone();
            async move { c.open_session(&t).views_open(&req).await }
        })
        .await
        .map(|_| ())
    }

    pub async fn publish_home(&self, user: &SlackUserId, view: SlackView) -> Result<(), WebError> {
        let req = SlackApiViewsPublishRequest::new(user.clone(), view);
        self.call("views.publish", None, |c, t| {
            let req = req.clone();
            async move { c.open_session(&t).views_publish(&req).await }
        })
        .await
        .map(|_| ())
    }

    pub async fn set_topic(&self, channel: &SlackChannelId, topic: &str) -> Result<(), WebError> {
        let req = SlackApiConversationsSetTopicRequest::new(channel.clone(), topic.to_owned());
        self.call("conversations.setTopic", Some(channel), |c, t| {
            let req = req.clone();
            async move { c.open_session(&t).conversations_set_topic(&req).await }
        })
        .await
        .map(|_| ())
    }

    /// The channel's current topic text.
    pub async fn topic(&self, channel: &SlackChannelId) -> Result<String, WebError> {
        let req = SlackApiConversationsInfoRequest::new(channel.clone());
        self.call("conversations.info", None, |c, t| {
            let req = req.clone();
            async move { c.open_session(&t).conversations_info(&req).await }
        })
        .await
        .map(|r| r.channel.topic.map(|topic| topic.value).unwrap_or_default())
    }

    /// The direct-message channel with `user`, for reading it back.
    pub async fn dm_channel(&self, user: &SlackUserId) -> Result<SlackChannelId, WebError> {
        let req = SlackApiConversationsOpenRequest::new().with_users(vec![user.clone()]);
        self.call("conversations.open", None, |c, t| {
            let req = req.clone();
            async move { c.open_session(&t).conversations_open(&req).await }
        })
        .await
        .map(|r| r.channel.id)
    }

    /// `usergroups.users.update` is not in slack-morphism's typed API, so it
    /// goes through the client's generic POST.
    pub async fn set_usergroup_members(
        &self,
        group: &str,
        users: &[String],
    ) -> Result<(), WebError> {
        #[derive(serde::Serialize, Clone)]
        struct Req {
            usergroup: String,
            users: String,
        }
        #[derive(serde::Deserialize)]
        struct Resp {}
        let req = Req {
            usergroup: group.to_owned(),
            users: users.join(","),
        };
        self.call("usergroups.users.update", None, |c, t| {
            let req = req.clone();
            async move {
                c.open_session(&t)
                    .http_session_api
                    .http_post::<_, Resp>("usergroups.users.update", &req, None)
                    .await
            }
        })
        .await
        .map(|_| ())
    }
}
