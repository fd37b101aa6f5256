//! Looking for messages the bot may already have posted (a row left "in
//! doubt" by a crash or a lost response), reading each channel or thread
//! at most once per delivery pass: after a crash a pass can hold up to a
//! few hundred such rows, and Slack allows about fifty history reads a
//! minute.
//!
//! Sound for one pass because every row in doubt when a pass begins was
//! sent, if at all, before it began: what a pass has read already holds
//! every such message it could find later.

use super::web::{SlackWeb, WebError};
use serde_json::Value;
use slack_morphism::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How many pages, newest first, are read before giving up on a message.
pub const LOOKUP_PAGES: usize = 10;

/// What has been read of one channel or thread so far.
#[derive(Default)]
struct Scan {
    marked: Vec<(Value, SlackTs)>,
    cursor: Option<String>,
    pages: usize,
    finished: bool,
}

type Key = (String, Option<String>);

/// The reads of one delivery pass.
pub struct Lookups<'a> {
    web: &'a SlackWeb,
    // A std mutex only guards the map; each scan has its own async lock,
    // held across its reads so two rows never read the same page twice.
    scans: Mutex<HashMap<Key, Arc<tokio::sync::Mutex<Scan>>>>,
    dms: Mutex<HashMap<String, SlackChannelId>>,
}

impl<'a> Lookups<'a> {
    pub fn new(web: &'a SlackWeb) -> Self {
        Self {
            web,
            scans: Mutex::default(),
            dms: Mutex::default(),
        }
    }

    /// The ts of the bot's message carrying `marker` among the channel's
    /// newest top-level messages (or `thread`'s replies), reading further
    /// pages only as far as needed and at most `LOOKUP_PAGES`.
    pub async fn find(
        &self,
        channel: &SlackChannelId,
        thread: Option<&SlackTs>,
        marker: &SlackMessageMetadata,
    ) -> Result<Option<SlackTs>, WebError> {
        let want = serde_json::to_value(marker).unwrap_or_default();
        let key = (channel.0.clone(), thread.map(|t| t.0.clone()));
        let scan = self
            .scans
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(key)
            .or_default()
            .clone();
        let mut scan = scan.lock().await;
        loop {
            let found = scan.marked.iter().find(|(got, _)| {
                got.get("event_type") == want.get("event_type")
                    && got.get("event_payload") == want.get("event_payload")
            });
            if let Some((_, ts)) = found {
                return Ok(Some(ts.clone()));
            }
            if scan.finished || scan.pages >= LOOKUP_PAGES {
                return Ok(None);
            }
            let page = self
                .web
                .marked_page(channel, thread, scan.cursor.as_deref())
                .await?;
            scan.pages += 1;
            scan.marked.extend(page.marked);
            scan.finished = page.next.is_none();
            scan.cursor = page.next;
        }
    }

    /// The direct-message channel with `user`, opened once per pass.
    pub async fn dm_channel(&self, user: &SlackUserId) -> Result<SlackChannelId, WebError> {
        let known = self
            .dms
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&user.0)
            .cloned();
        if let Some(channel) = known {
            return Ok(channel);
        }
        let channel = self.web.dm_channel(user).await?;
        self.dms
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(user.0.clone(), channel.clone());
        Ok(channel)
    }
}
