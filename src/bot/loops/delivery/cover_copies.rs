//! Delivering cover requests: each copy posted once (found again after a
//! crash by its marker, like every post) with its ts kept, and every copy
//! edited from the stored request when it is taken or lapses.

use super::{marker, posted_before, Delivery, Failed, Row};
use crate::cover_request::CoverRequestId;
use crate::ids::ChannelId;
use crate::slack::blocks::cover_request::request_message;
use crate::slack::{Lookups, WebError};
use crate::store::cover_requests;
use slack_morphism::prelude::*;
use tracing::{debug, warn};

impl Delivery {
    /// Posts the request in `channel` unless a copy is already there.
    pub(super) async fn post_cover_request(
        &self,
        row: &Row,
        id: CoverRequestId,
        channel: &ChannelId,
        lookups: &Lookups<'_>,
    ) -> Result<(), Failed> {
        let db = &self.parts.db;
        let before = |e| Failed::before_posting(row, e);
        if cover_requests::post(db, id, channel)
            .await
            .map_err(before)?
            .is_some()
        {
            return Ok(()); // posted and remembered before a crash
        }
        let Some(request) = cover_requests::get(db, id).await.map_err(before)? else {
            return Ok(());
        };
        let content = request_message(&self.parts.policy, &request);
        let marker = marker(row, &content);
        let slack_channel = SlackChannelId(channel.to_string());
        let found = posted_before(row, lookups, &slack_channel, None, &marker).await?;
        let ts = match found {
            Some(ts) => ts,
            None => self
                .parts
                .web
                .post(&slack_channel, content.with_metadata(marker), None)
                .await
                .map_err(Failed::posting)?,
        };
        if let Err(e) = cover_requests::remember_post(db, id, channel, &ts.0).await {
            warn!(request = %id, error = %e, "cover request posted but its ts was not stored");
        }
        debug!(channel = %channel, ts = %ts, "cover request posted");
        Ok(())
    }

    /// Edits every posted copy to the request as stored now. A copy Slack
    /// will not edit for good (deleted, archived) is skipped; any other
    /// failure is retried, which edits every copy again (harmless).
    pub(super) async fn refresh_cover_request(&self, id: CoverRequestId) -> anyhow::Result<()> {
        let db = &self.parts.db;
        let Some(request) = cover_requests::get(db, id).await? else {
            return Ok(());
        };
        let content = request_message(&self.parts.policy, &request);
        let mut retry: Option<WebError> = None;
        for (channel, ts) in cover_requests::posts(db, id).await? {
            let channel = SlackChannelId(channel.to_string());
            match self
                .parts
                .web
                .update(&channel, &SlackTs(ts), content.clone())
                .await
            {
                Ok(()) => {}
                Err(e) if super::is_permanent(&e) => {
                    warn!(request = %id, channel = %channel, error = %e, "a cover request copy cannot be edited; skipped");
                }
                Err(e) => retry = retry.or(Some(e)),
            }
        }
        match retry {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    }
}
