//! Announcements as they are stored in the outbox, and the helpers that
//! queue them inside a change's transaction. The delivery loop sends them
//! after the commit (see `loops::delivery`).

use crate::alerts::AlertGroupId;
use crate::cover_request::CoverRequestId;
use crate::ids::{ChannelId, IncidentNumber, UserId};
use crate::policy::{Policy, Rota};
use crate::store::outbox;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use slack_morphism::prelude::*;
use sqlx::{Any, Transaction};

/// One announcement, as stored in the outbox (JSON; incident numbers are
/// plain numbers there).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Outgoing {
    /// A message; `card_of` marks an incident's card, whose ts is kept.
    Post {
        channel: ChannelId,
        content: SlackMessageContent,
        thread: Option<Thread>,
        card_of: Option<IncidentNumber>,
    },
    /// Re-render an incident's card from the stored state (`chat.update`).
    RefreshCard { incident: IncidentNumber },
    /// Post an alert group's message, or edit it to what is stored now
    /// (SPEC §6); rendered when sent, so one queued edit covers every
    /// change before it.
    AlertMessage { group: AlertGroupId },
    /// A reply under an alert group's message saying which alerts fired or
    /// resolved since the last reply; rendered when first sent.
    AlertNews { group: AlertGroupId },
    /// A direct message from the bot.
    Dm {
        user: UserId,
        content: SlackMessageContent,
    },
    /// A cover request in one of its rota's topic channels, rendered from
    /// the stored request when sent; its ts is kept so every copy can be
    /// edited (SPEC §7).
    CoverRequest {
        request: CoverRequestId,
        channel: ChannelId,
    },
    /// Re-render every posted copy of a cover request (`chat.update`).
    RefreshCoverRequest { request: CoverRequestId },
}

/// Where a reply goes: a known message, or an incident card whose ts is only
/// known once the card has been delivered.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Thread {
    Ts(String),
    Card(IncidentNumber),
    /// Under an alert group's message, once it has been posted.
    Alert(AlertGroupId),
}

type Tx<'t> = Transaction<'t, Any>;

/// The most text one message carries (see [`crate::mrkdwn::MESSAGE_MAX`]).
pub const MESSAGE_TEXT_MAX: usize = crate::mrkdwn::MESSAGE_MAX;

/// Marks the messages after the first of a line split across several.
pub const CONTINUED: &str = "_(continued)_\n";

/// A line as the messages that carry it whole: one if it fits, else pieces
/// of at most [`MESSAGE_TEXT_MAX`], each after the first marked continued.
pub fn messages(line: &str) -> Vec<String> {
    let room = MESSAGE_TEXT_MAX - CONTINUED.chars().count();
    if line.chars().count() <= MESSAGE_TEXT_MAX {
        return vec![line.to_owned()];
    }
    crate::mrkdwn::split(line, room)
        .into_iter()
        .enumerate()
        .map(|(i, piece)| {
            if i == 0 {
                piece
            } else {
                format!("{CONTINUED}{piece}")
            }
        })
        .collect()
}

/// Queues a reply in the thread under the incident's card; a line too long
/// for one message goes as several, in order, never cut (SPEC §2.6).
pub async fn reply(
    tx: &mut Tx<'_>,
    policy: &Policy,
    number: IncidentNumber,
    line: String,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    for piece in messages(&line) {
        let content = SlackMessageContent::new().with_text(piece);
        reply_with(tx, policy, number, content, "reply", now).await?;
    }
    Ok(())
}

/// Queues `content` in the thread under the incident's card; `kind` names
/// the row for the logs ("reply", "reminder").
pub async fn reply_with(
    tx: &mut Tx<'_>,
    policy: &Policy,
    number: IncidentNumber,
    content: SlackMessageContent,
    kind: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let reply = Outgoing::Post {
        channel: policy.incident_channel.clone(),
        content,
        thread: Some(Thread::Card(number)),
        card_of: None,
    };
    outbox::push(tx, now, kind, &reply).await?;
    Ok(())
}

/// Queues the incident's card, posted to the incident channel.
pub async fn card(
    tx: &mut Tx<'_>,
    policy: &Policy,
    number: IncidentNumber,
    content: SlackMessageContent,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let card = Outgoing::Post {
        channel: policy.incident_channel.clone(),
        content,
        thread: None,
        card_of: Some(number),
    };
    outbox::push(tx, now, "card", &card).await?;
    Ok(())
}

/// Queues a re-render of the incident's card from what is stored then.
pub async fn refresh_card(
    tx: &mut Tx<'_>,
    number: IncidentNumber,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    outbox::push(tx, now, "card", &Outgoing::RefreshCard { incident: number }).await?;
    Ok(())
}

/// Queues a post or edit of the alert group's message, unless one is
/// already queued and not yet taken (it will show this change too).
pub async fn alert_message(
    tx: &mut Tx<'_>,
    group: AlertGroupId,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let item = Outgoing::AlertMessage { group };
    if !outbox::queued_untaken(tx, &item).await? {
        outbox::push(tx, now, "alert", &item).await?;
    }
    Ok(())
}

/// Queues a "what changed" reply under the alert group's message, unless
/// one is already queued and not yet taken.
pub async fn alert_news(
    tx: &mut Tx<'_>,
    group: AlertGroupId,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let item = Outgoing::AlertNews { group };
    if !outbox::queued_untaken(tx, &item).await? {
        outbox::push(tx, now, "alert", &item).await?;
    }
    Ok(())
}

/// Queues `text` in the thread under the alert group's message.
pub async fn alert_reply(
    tx: &mut Tx<'_>,
    channel: &ChannelId,
    group: AlertGroupId,
    text: String,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let item = Outgoing::Post {
        channel: channel.clone(),
        content: SlackMessageContent::new().with_text(text),
        thread: Some(Thread::Alert(group)),
        card_of: None,
    };
    outbox::push(tx, now, "alert", &item).await?;
    Ok(())
}

/// Queues `text` in each of the rota's topic channels; `kind` names the
/// row for the logs ("post", "handover").
pub async fn announce(
    tx: &mut Tx<'_>,
    rota: &Rota,
    text: &str,
    kind: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    for channel in &rota.topic_channels {
        let item = Outgoing::Post {
            channel: channel.clone(),
            content: SlackMessageContent::new().with_text(text.to_owned()),
            thread: None,
            card_of: None,
        };
        outbox::push(tx, now, kind, &item).await?;
    }
    Ok(())
}

/// Queues the cover request in each of the rota's topic channels.
pub async fn cover_request(
    tx: &mut Tx<'_>,
    rota: &Rota,
    request: CoverRequestId,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    for channel in &rota.topic_channels {
        let item = Outgoing::CoverRequest {
            request,
            channel: channel.clone(),
        };
        outbox::push(tx, now, "cover_request", &item).await?;
    }
    Ok(())
}

/// Queues an edit of every posted copy of the cover request, from what is
/// stored when it is sent.
pub async fn refresh_cover_request(
    tx: &mut Tx<'_>,
    request: CoverRequestId,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let item = Outgoing::RefreshCoverRequest { request };
    outbox::push(tx, now, "cover_request", &item).await?;
    Ok(())
}

/// Queues a direct message from the bot; `kind` names the row ("dm",
/// "reminder").
pub async fn dm(
    tx: &mut Tx<'_>,
    user: &UserId,
    text: String,
    kind: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    dm_with(
        tx,
        user,
        SlackMessageContent::new().with_text(text),
        kind,
        now,
    )
    .await
}

/// Queues a direct message with blocks (buttons) from the bot.
pub async fn dm_with(
    tx: &mut Tx<'_>,
    user: &UserId,
    content: SlackMessageContent,
    kind: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let item = Outgoing::Dm {
        user: user.clone(),
        content,
    };
    outbox::push(tx, now, kind, &item).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_that_fits_is_one_message() {
        let line = "x".repeat(MESSAGE_TEXT_MAX);
        assert_eq!(messages(&line), vec![line]);
    }

    #[test]
    fn a_long_line_is_several_messages_that_together_say_all_of_it() {
        let words: Vec<String> = (0..2000).map(|i| format!("w{i:04}")).collect();
        let line = words.join(" ");
        let pieces = messages(&line);
        assert!(pieces.len() >= 3, "{}", pieces.len());
        assert!(pieces.iter().all(|p| p.chars().count() <= MESSAGE_TEXT_MAX));
        assert!(pieces[1..].iter().all(|p| p.starts_with(CONTINUED)));
        let rejoined: Vec<&str> = pieces
            .iter()
            .map(|p| p.strip_prefix(CONTINUED).unwrap_or(p))
            .collect();
        assert_eq!(rejoined.join(" "), line);
    }
}
