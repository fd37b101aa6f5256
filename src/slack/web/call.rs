//! The recovery every Web API call needs: wait out a 429 for its
//! Retry-After (on the bot's clock, given up at shutdown), join a channel
//! on `not_in_channel` and try once more, retry transport errors a few
//! times, time out a hung call, and count every outcome.

use super::{SlackWeb, WebError};
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tracing::warn;

const MAX_RATE_LIMIT_WAITS: u32 = 5;
/// Slack answers in well under a second; past this a call is given up as a
/// transport error (and a post is then looked for before it is retried).
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
const MAX_TRANSPORT_RETRIES: u32 = 3;

impl SlackWeb {
    pub(super) async fn call<T, F, Fut>(
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

    /// `call` that waits out every 429, however many, until shutdown: for
    /// reads whose loss loses data (a 📌's read-back), where waiting is
    /// only slower.
    pub(super) async fn call_patiently<T, F, Fut>(
        &self,
        method: &'static str,
        f: F,
    ) -> Result<T, WebError>
    where
        F: Fn(Arc<SlackHyperClient>, SlackApiToken) -> Fut,
        Fut: Future<Output = ClientResult<T>>,
    {
        self.attempt(method, None, MAX_TRANSPORT_RETRIES, u32::MAX, f)
            .await
    }

    /// `call`, retrying transport errors at most `transport_retries` times.
    pub(super) async fn call_retrying<T, F, Fut>(
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
        let waits = MAX_RATE_LIMIT_WAITS;
        self.attempt(method, channel, transport_retries, waits, f)
            .await
    }

    /// Calls until an answer, retrying transport errors at most
    /// `transport_retries` times and waiting out at most `rate_limit_waits`
    /// 429s.
    async fn attempt<T, F, Fut>(
        &self,
        method: &'static str,
        channel: Option<&SlackChannelId>,
        transport_retries: u32,
        rate_limit_waits: u32,
        f: F,
    ) -> Result<T, WebError>
    where
        F: Fn(Arc<SlackHyperClient>, SlackApiToken) -> Fut,
        Fut: Future<Output = ClientResult<T>>,
    {
        let (mut waits, mut transport_errors, mut joined) = (0u32, 0, false);
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
                    waits = waits.saturating_add(1);
                    if waits > rate_limit_waits {
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
                            // A private channel cannot be joined, only
                            // invited to: Slack's answer to the call then
                            // stands, and it is one retrying cannot fix.
                            match self.join(channel).await {
                                Ok(()) => {}
                                Err(WebError::Api { code, .. }) => {
                                    warn!(method, %code, "cannot join the channel");
                                    return Err(WebError::Api {
                                        method,
                                        code: e.code,
                                    });
                                }
                                Err(other) => return Err(other),
                            }
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
}
