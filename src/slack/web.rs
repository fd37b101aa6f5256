//! The Web API calls the bot makes, through slack-morphism's client, with the
//! recovery every call needs: wait out a 429 for its Retry-After, join a
//! channel on `not_in_channel` and try once more, retry transport errors a
//! few times, and count every outcome.

use crate::clock::Clock;
use crate::metrics::Metrics;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tracing::warn;

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

const MAX_RATE_LIMIT_WAITS: u32 = 5;
/// Slack answers in well under a second; past this a call is given up as a
/// transport error (and a post is then looked for before it is retried).
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
const MAX_TRANSPORT_RETRIES: u32 = 3;
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
        }
    }

    /// Stops waiting out rate limits, now and for every later call.
    pub fn stop_waiting(&self) {
        self.stopping.cancel();
    }

    async fn call<T, F, Fut>(
        &self,
        method: &'static str,
        channel: Option<&SlackChannelId>,
        f: F,
    ) -> Result<T, WebError>
    where
        F: Fn(Arc<SlackHyperClient>, SlackApiToken) -> Fut,
        Fut: Future<Output = ClientResult<T>>,
    {
        self.call_retrying(method, channel, MAX_TRANSPORT_RETRIES, f)
            .await
    }

    /// `call`, retrying transport errors at most `transport_retries` times.
    async fn call_retrying<T, F, Fut>(
        &self,
        method: &'static str,
        channel: Option<&SlackChannelId>,
        transport_retries: u32,
        f: F,
    ) -> Result<T, WebError>
    where
        F: Fn(Arc<SlackHyperClient>, SlackApiToken) -> Fut,
        Fut: Future<Output = ClientResult<T>>,
    {
        let (mut waits, mut transport_errors, mut joined) = (0, 0, false);
        loop {
            let attempted = self.clock.now();
            // A hung call would stall everything queued behind it.
            let attempt = f(self.client.clone(), self.token.clone());
            let Ok(result) = tokio::time::timeout(CALL_TIMEOUT, attempt).await else {
                self.metrics.api_call(method, "timeout");
                transport_errors += 1;
                if transport_errors > transport_retries {
                    return Err(WebError::Transport {
                        method,
                        detail: format!("no answer within {CALL_TIMEOUT:?}"),
                    });
                }
                continue;
            };
            match result {
                Ok(value) => {
                    self.metrics.api_call(method, "ok");
                    return Ok(value);
                }
                Err(SlackClientError::RateLimitError(e)) => {
                    self.metrics.api_call(method, "ratelimited");
                    waits += 1;
                    if waits > MAX_RATE_LIMIT_WAITS {
                        return Err(WebError::RateLimited { method });
                    }
                    let wait = e.retry_after.unwrap_or(Duration::from_secs(1));
                    warn!(
                        method,
                        wait_s = wait.as_secs_f64(),
                        "rate limited by Slack; waiting"
                    );
                    tokio::select! {
                        _ = self.stopping.cancelled() => {
                            return Err(WebError::RateLimited { method });
                        }
                        _ = self.clock.sleep_since(attempted, wait) => {}
                    }
                }
                Err(SlackClientError::ApiError(e)) => {
                    self.metrics.api_call(method, &e.code);
                    match channel {
                        Some(channel) if e.code == "not_in_channel" && !joined => {
                            joined = true;
                            self.join(channel).await?;
                        }
                        _ => {
                            return Err(WebError::Api {
                                method,
                                code: e.code,
                            })
                        }
                    }
                }
                Err(e) => {
                    self.metrics.api_call(method, "http_error");
                    transport_errors += 1;
                    if transport_errors > transport_retries {
                        return Err(WebError::Transport {
                            method,
                            detail: e.to_string(),
                        });
                    }
                    tokio::time::sleep(Duration::from_millis(200 * u64::from(transport_errors)))
                        .await;
                }
            }
        }
    }

    /// Joins a public channel. Not routed through `call`, which uses it.
    pub async fn join(&self, channel: &SlackChannelId) -> Result<(), WebError> {
        let req = SlackApiConversationsJoinRequest::new(channel.clone());
        let method = "conversations.join";
        match self
            .client
            .open_session(&self.token)
            .conversations_join(&req)
            .await
        {
            Ok(_) => {
                self.metrics.api_call(method, "ok");
                Ok(())
            }
            Err(SlackClientError::ApiError(e)) => {
                self.metrics.api_call(method, &e.code);
                Err(WebError::Api {
                    method,
                    code: e.code,
                })
            }
            Err(e) => {
                self.metrics.api_call(method, "http_error");
                Err(WebError::Transport {
                    method,
                    detail: e.to_string(),
                })
            }
        }
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

    /// One message, top-level or a thread reply, by its ts: history finds
    /// top-level messages; a reply is looked for in the thread it is part of.
    pub async fn message(
        &self,
        channel: &SlackChannelId,
        ts: &SlackTs,
    ) -> Result<Option<SlackHistoryMessage>, WebError> {
        let req = SlackApiConversationsHistoryRequest::new()
            .with_channel(channel.clone())
            .with_latest(ts.clone())
            .with_inclusive(true)
            .with_limit(1);
        let found = self
            .call("conversations.history", None, |c, t| {
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
            .call("conversations.replies", None, |c, t| {
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
