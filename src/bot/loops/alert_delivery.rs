//! Delivering alert group messages and their "what changed" replies
//! (SPEC §6). Both render what is stored when they are sent, so one
//! queued row covers every change before it: in a storm Slack sees one
//! message per group, edited, not one per notification. Each waits its
//! channel's turn (`pacing`).
//!
//! Exactly once: the message carries metadata naming its group, so a post
//! left in doubt is looked for before it is posted again; a reply's text
//! is stored with its row before it is sent, so a retry says the same.

use super::delivery::{posted_before, Delivery, Failed, Row};
use crate::alerts::AlertGroupId;
use crate::slack::blocks::alert;
use crate::slack::Lookups;
use crate::store::alerts as stored;
use crate::views::alert as text;
use slack_morphism::prelude::*;

/// Alerts listed in a message.
const LISTED: i64 = crate::views::alert::LISTED as i64;

impl Delivery {
    /// Posts the group's message, or edits it to what is stored now.
    pub(super) async fn alert_message(
        &self,
        row: &Row,
        id: AlertGroupId,
        lookups: &Lookups<'_>,
    ) -> Result<(), Failed> {
        let db = &self.parts().db;
        let Some(group) = stored::get(db, id)
            .await
            .map_err(|e| Failed::before_posting(row, e))?
        else {
            return Ok(()); // the group is gone: nothing to say
        };
        let listed = stored::alerts_of(db, id, None, LISTED)
            .await
            .map_err(|e| Failed::before_posting(row, e))?;
        let shown: Vec<_> = match group.status {
            crate::alerts::AlertStatus::Firing => listed
                .into_iter()
                .filter(|a| a.status == crate::alerts::AlertStatus::Firing)
                .collect(),
            crate::alerts::AlertStatus::Resolved => listed,
        };
        let content = alert::message(&group, &shown, self.parts().policy.timezone);
        let channel = SlackChannelId(group.channel.to_string());
        if let Some(ts) = &group.message_ts {
            self.pacing().turn(&channel.0).await;
            return self
                .parts()
                .web
                .update(&channel, &SlackTs(ts.clone()), content)
                .await
                .map_err(Failed::posting);
        }
        let marker = alert::marker(&group);
        let found = posted_before(row, lookups, &channel, None, &marker).await?;
        let ts = match found {
            Some(ts) => ts,
            None => {
                self.pacing().turn(&channel.0).await;
                self.parts()
                    .web
                    .post(&channel, content.with_metadata(marker), None)
                    .await
                    .map_err(Failed::posting)?
            }
        };
        stored::set_message(db, id, &ts.0)
            .await
            .map_err(|e| Failed::before_posting(row, e))?;
        // In a storm the first post already shows what replies queued
        // meanwhile would say.
        stored::told_up_to(db, id, group.version)
            .await
            .map_err(|e| Failed::before_posting(row, e))
    }

    /// Replies under the group's message with the alerts that fired or
    /// resolved since the last reply; nothing if none did.
    pub(super) async fn alert_news(
        &self,
        row: &Row,
        id: AlertGroupId,
        lookups: &Lookups<'_>,
    ) -> Result<(), Failed> {
        let db = &self.parts().db;
        let Some(group) = stored::get(db, id)
            .await
            .map_err(|e| Failed::before_posting(row, e))?
        else {
            return Ok(()); // the group is gone: nothing to say
        };
        let said = match (&group.news_row, &group.news_text) {
            (Some(r), Some(said)) if *r == row.id => said.clone(),
            _ => {
                let changed = stored::alerts_of(db, id, Some(group.told_version), 1000)
                    .await
                    .map_err(|e| Failed::before_posting(row, e))?;
                let Some(upto) = changed.iter().map(|a| a.changed_version).max() else {
                    return Ok(());
                };
                let said = text::news(&changed, group.firing, group.total);
                stored::set_news(db, id, row.id, &said, upto)
                    .await
                    .map_err(|e| Failed::before_posting(row, e))?;
                said
            }
        };
        let channel = SlackChannelId(group.channel.to_string());
        let thread = group.message_ts.clone().map(SlackTs);
        let content = SlackMessageContent::new().with_text(said);
        let marker = super::delivery::marker(row, &content);
        if posted_before(row, lookups, &channel, thread.as_ref(), &marker)
            .await?
            .is_some()
        {
            return Ok(());
        }
        self.pacing().turn(&channel.0).await;
        self.parts()
            .web
            .post(&channel, content.with_metadata(marker), thread)
            .await
            .map(|_| ())
            .map_err(Failed::posting)
    }
}
