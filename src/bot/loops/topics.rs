//! Channel topics and user groups that say who is on call now.
//!
//! The loop recomputes at start-up, when poked (an override changed), and at
//! the next instant any covered rota changes hands. It writes a topic only
//! when the bot's segment differs from what it last wrote and from what the
//! channel shows: every `conversations.setTopic` pings the channel.

use crate::bot::Parts;
use crate::clock::{next_minute, sleep_until, RECHECK};
use crate::ids::ChannelId;
use crate::rota::{self, Override};
use crate::store;
use crate::topic::{self, Entry};
use chrono::{DateTime, Utc};
use slack_morphism::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;
use tracing::warn;

/// Keeps topics and user groups current; remembers the user groups it
/// last set and which channels' topics it has read since start-up.
pub struct Topics {
    parts: Parts,
    groups: Mutex<Groups>,
    checked: Mutex<HashSet<ChannelId>>,
}

/// What the loop knows of the user groups it keeps.
#[derive(Default)]
struct Groups {
    /// The members each group was last set to.
    set: HashMap<String, Vec<String>>,
    /// People Slack said it does not know (`invalid_users`).
    unknown: HashSet<String>,
    /// The wanted members last refused for each group, so a refusal is
    /// logged once, not on every pass.
    refused: HashMap<String, Vec<String>>,
}

/// What to do with a rota's user group.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum GroupChange {
    /// The group already holds these members.
    Unchanged,
    /// Set the group to these members.
    Set(Vec<String>),
    /// Leave the group's previous members: Slack refuses an empty group and
    /// unknown users.
    Keep { reason: &'static str },
}

/// Decides a group's update from the members wanted, those it was last set
/// to, and the people Slack said it does not know. Unknown people are
/// dropped; if nobody is left the group is kept as it is.
pub(crate) fn group_change(
    wanted: &[String],
    current: Option<&[String]>,
    unknown: &HashSet<String>,
) -> GroupChange {
    let mut members: Vec<String> = Vec::new();
    for user in wanted {
        if !unknown.contains(user) && !members.contains(user) {
            members.push(user.clone());
        }
    }
    if members.is_empty() {
        let reason = if wanted.is_empty() {
            "nobody covers the rota"
        } else {
            "Slack does not know the person covering"
        };
        return GroupChange::Keep { reason };
    }
    if current == Some(members.as_slice()) {
        GroupChange::Unchanged
    } else {
        GroupChange::Set(members)
    }
}

impl Topics {
    pub(in crate::bot) fn new(parts: Parts) -> Topics {
        Topics {
            parts,
            groups: Default::default(),
            checked: Default::default(),
        }
    }

    pub async fn run(&self, shutdown: CancellationToken) {
        // Run again after the lease came back: another replica may have
        // set topics and groups meanwhile, so what this one remembers is
        // read afresh.
        *self.groups.lock().await = Groups::default();
        self.checked.lock().await.clear();
        loop {
            let next = match self.refresh_topics().await {
                Ok(next) => next,
                Err(e) => {
                    warn!(error = %e, "could not refresh topics; will retry");
                    self.parts.clock.now() + chrono::Duration::from_std(RECHECK).unwrap_or_default()
                }
            };
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = sleep_until(self.parts.clock.as_ref(), next, &self.parts.wake.topics) => {}
            }
        }
    }

    /// Brings every topic and user group up to date; returns when to look again.
    async fn refresh_topics(&self) -> anyhow::Result<DateTime<Utc>> {
        let now = self.parts.clock.now();
        let live = crate::store::overrides::live(&self.parts.db).await?;
        let mut next = now + chrono::Duration::hours(24);
        let mut by_channel: BTreeMap<&ChannelId, Vec<Entry>> = BTreeMap::new();
        for rota in &self.parts.policy.rotas {
            let cover = rota::cover_at(&self.parts.calendar, rota, now, &live);
            let change = match &cover {
                Some(cover) => Some(cover.shift.to),
                None => rota::next_shifts(&self.parts.calendar, rota, now, 1, &live)
                    .first()
                    .map(|s| s.from),
            };
            if let Some(change) = change.filter(|c| *c > now) {
                next = next.min(change);
            }
            let who = cover
                .as_ref()
                .map_or_else(|| "nobody".to_owned(), |c| format!("<@{}>", c.shift.user));
            for channel in &rota.topic_channels {
                by_channel.entry(channel).or_default().push(Entry {
                    label: rota.name.replace('-', " "),
                    who: who.clone(),
                });
            }
            if let Some(group) = &rota.usergroup {
                let wanted: Vec<String> = cover.iter().map(|c| c.shift.user.to_string()).collect();
                self.sync_group(group.as_str(), &rota.name, wanted).await;
            }
        }
        next = next.min(next_override_edge(&live, now).unwrap_or(next));
        next = next.min(next_minute(now));
        for (channel, entries) in by_channel {
            if let Err(e) = self
                .set_segment(channel, &topic::segment(&entries), now)
                .await
            {
                warn!(channel = %channel, error = %e, "could not set the topic");
            }
        }
        Ok(next)
    }

    async fn set_segment(
        &self,
        channel: &ChannelId,
        segment: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let stored = store::topics::segment(&self.parts.db, channel).await?;
        // Since start-up, each channel's real topic is read once: someone may
        // have edited it while the bot was down.
        let checked = self.checked.lock().await.contains(channel);
        if stored.as_deref() == Some(segment) && checked {
            return Ok(());
        }
        let slack_channel = SlackChannelId(channel.to_string());
        let current = self.parts.web.topic(&slack_channel).await?;
        let wanted = topic::splice(&current, segment);
        if wanted != current {
            self.parts.web.set_topic(&slack_channel, &wanted).await?;
        }
        store::topics::set_segment(&self.parts.db, channel, segment, now).await?;
        self.checked.lock().await.insert(channel.clone());
        Ok(())
    }

    async fn sync_group(&self, group: &str, rota: &str, wanted: Vec<String>) {
        let mut groups = self.groups.lock().await;
        let current = groups.set.get(group).map(Vec::as_slice);
        let members = match group_change(&wanted, current, &groups.unknown) {
            GroupChange::Unchanged => {
                groups.refused.remove(group);
                return;
            }
            GroupChange::Keep { reason } => {
                if groups.refused.get(group) != Some(&wanted) {
                    warn!(
                        group,
                        rota,
                        users = %wanted.join(","),
                        "user group not updated: {reason}; it keeps its previous members"
                    );
                    groups.refused.insert(group.to_owned(), wanted);
                }
                return;
            }
            GroupChange::Set(members) => members,
        };
        match self.parts.web.set_usergroup_members(group, &members).await {
            Ok(()) => {
                groups.refused.remove(group);
                groups.set.insert(group.to_owned(), members);
            }
            Err(e) if e.code() == Some("invalid_users") => {
                // Slack does not say which: with one member it is that one.
                if let [only] = members.as_slice() {
                    groups.unknown.insert(only.clone());
                }
                if groups.refused.get(group) != Some(&wanted) {
                    warn!(
                        group,
                        rota,
                        users = %members.join(","),
                        error = %e,
                        "user group not updated: Slack does not know the person covering; \
                         it keeps its previous members"
                    );
                    groups.refused.insert(group.to_owned(), wanted);
                }
            }
            Err(e) => warn!(group, error = %e, "could not update the user group"),
        }
    }
}

/// The next instant an override starts or ends after `now`.
fn next_override_edge(live: &[Override], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    live.iter()
        .flat_map(|o| [o.from, o.to])
        .filter(|t| *t > now)
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_group_is_never_emptied_or_set_to_unknown_people() {
        let none = HashSet::new();
        let unknown: HashSet<String> = ids(&["U0GONE"]).into_iter().collect();
        let before = ids(&["U0A"]);
        assert_eq!(
            group_change(&[], Some(&before), &none),
            GroupChange::Keep {
                reason: "nobody covers the rota"
            }
        );
        assert_eq!(
            group_change(&ids(&["U0GONE"]), Some(&before), &unknown),
            GroupChange::Keep {
                reason: "Slack does not know the person covering"
            }
        );
        assert_eq!(
            group_change(&ids(&["U0GONE", "U0B", "U0B"]), Some(&before), &unknown),
            GroupChange::Set(ids(&["U0B"]))
        );
        assert_eq!(
            group_change(&ids(&["U0A"]), Some(&before), &unknown),
            GroupChange::Unchanged
        );
        assert_eq!(
            group_change(&ids(&["U0A"]), None, &none),
            GroupChange::Set(ids(&["U0A"]))
        );
    }
}
