//! `/oncall`: answers from the one resolver; overrides stored with their
//! announcements in one transaction.

use super::deliver::Outgoing;
use super::{reply::ephemeral, Bot};
use crate::command::{override_label, parse_oncall, OncallCommand, ONCALL_USAGE};
use crate::ids::UserId;
use crate::mrkdwn::slack_date;
use crate::policy::Rota;
use crate::rota;
use crate::store::{outbox, overrides};
use crate::views::oncall::{self as view, Style};
use chrono::{DateTime, Utc};
use serde_json::Value;
use slack_morphism::prelude::*;

/// How many coming shifts `/oncall ROTA` lists.
const NEXT_SHIFTS: usize = 7;

impl Bot {
    pub(super) async fn on_oncall(&self, user: &UserId, text: &str) -> anyhow::Result<Value> {
        let now = self.clock.now();
        let policy = &self.policy;
        let names: Vec<&str> = policy.rotas.iter().map(|r| r.name.as_str()).collect();
        let command = match parse_oncall(text, now, policy.timezone, &names) {
            Ok(command) => command,
            Err(e) => return Ok(ephemeral(e.reply_text())),
        };
        let cal = &self.calendar;
        let live = overrides::live(&self.reads).await?;
        let answer = match command {
            OncallCommand::Help => ONCALL_USAGE.to_owned(),
            OncallCommand::Now => view::every_rota(policy, cal, now, &live, Style::Slack),
            OncallCommand::At(at) => format!(
                "On call at {}:\n{}",
                slack_date(at, policy.timezone),
                view::every_rota(policy, cal, at, &live, Style::Slack)
            ),
            OncallCommand::Rota(name) => match policy.rota(&name) {
                Some(rota) => {
                    view::one_rota(policy, cal, rota, now, &live, NEXT_SHIFTS, Style::Slack)
                }
                None => format!("There is no rota called `{}`.", escape(&name)),
            },
            OncallCommand::Overrides(rota) => {
                let current = overrides::current(&self.reads, now).await?;
                view::overrides_list(policy, &current, rota.as_deref(), Style::Slack)
            }
            OncallCommand::Cover {
                rota,
                user: covering,
                from,
                to,
            } => match policy.rota(&rota) {
                Some(rota) => {
                    self.create_override(rota, &covering, from, to, user)
                        .await?
                }
                None => format!("There is no rota called `{}`.", escape(&rota)),
            },
            OncallCommand::Cancel(id) => self.cancel_override(id, user).await?,
        };
        Ok(ephemeral(answer))
    }

    async fn create_override(
        &self,
        rota: &Rota,
        covering: &UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        by: &UserId,
    ) -> anyhow::Result<String> {
        let now = self.clock.now();
        let mut tx = self.write().await?;
        // Who the rotation (and earlier overrides) would have had on call,
        // read under the write lock so two covers at once see each other.
        let live = overrides::live(&mut *tx).await?;
        let covered = rota::cover_at(&self.policy, &self.calendar, rota, from, &live)
            .map(|c| c.shift.user)
            .filter(|u| u != covering);
        let created = overrides::create(
            &mut tx,
            overrides::NewOverride {
                rota: &rota.name,
                user: covering,
                covered: covered.as_ref(),
                from,
                to,
                created_by: by,
            },
            now,
        )
        .await?;
        let tz = self.policy.timezone;
        let instead = covered
            .as_ref()
            .map(|u| format!(" instead of <@{u}>"))
            .unwrap_or_default();
        let announcement = format!(
            "{}: <@{covering}> covers *{}* from {} to {}{instead} (set by <@{by}>).",
            override_label(created.id),
            rota.name,
            slack_date(from, tz),
            slack_date(to, tz),
        );
        announce(&mut tx, now, rota, &announcement).await?;
        // The displaced person hears of it, unless they set it up themselves.
        if let Some(covered) = covered.as_ref().filter(|c| *c != by) {
            let dm = format!(
                "<@{covering}> is covering your *{}* shift from {} to {} ({}, set by <@{by}>). \
                 `/oncall cancel {}` undoes it.",
                rota.name,
                slack_date(from, tz),
                slack_date(to, tz),
                override_label(created.id),
                override_label(created.id),
            );
            dm_in(&mut tx, now, covered, &dm).await?;
        }
        tx.commit().await?;
        self.delivery.poke();
        self.topics.poke();
        Ok(format!("Done. {announcement}"))
    }

    async fn cancel_override(&self, id: i64, by: &UserId) -> anyhow::Result<String> {
        let label = override_label(id);
        let Some((found, cancelled)) = overrides::get(&self.db, id).await? else {
            return Ok(format!(
                "There is no override {label}. `/oncall overrides` lists them."
            ));
        };
        if cancelled {
            return Ok(format!("{label} was already cancelled."));
        }
        let allowed = *by == found.created_by
            || *by == found.user
            || found.covered.as_ref() == Some(by)
            || self.policy.admins.contains(by);
        if !allowed {
            return Ok(format!(
                "Only <@{}> (who set it), <@{}> (covering){}, or a policy admin can cancel {label}.",
                found.created_by,
                found.user,
                found
                    .covered
                    .as_ref()
                    .map(|u| format!(", <@{u}> (covered)"))
                    .unwrap_or_default(),
            ));
        }
        let now = self.clock.now();
        let mut tx = self.write().await?;
        if !overrides::cancel(&mut tx, id, by, now).await? {
            return Ok(format!("{label} was already cancelled."));
        }
        let text = format!(
            "{label} cancelled by <@{by}>: *{}* is back to its rotation from {} to {}.",
            found.rota,
            slack_date(found.from, self.policy.timezone),
            slack_date(found.to, self.policy.timezone),
        );
        if let Some(rota) = self.policy.rota(&found.rota) {
            announce(&mut tx, now, rota, &text).await?;
        }
        if let Some(covered) = found.covered.as_ref().filter(|u| *u != by) {
            dm_in(&mut tx, now, covered, &text).await?;
        }
        tx.commit().await?;
        self.delivery.poke();
        self.topics.poke();
        Ok(format!("Done. {text}"))
    }
}

/// Queues `text` for each of the rota's topic channels.
async fn announce(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    now: DateTime<Utc>,
    rota: &Rota,
    text: &str,
) -> anyhow::Result<()> {
    for channel in &rota.topic_channels {
        let item = Outgoing::Post {
            channel: channel.clone(),
            content: SlackMessageContent::new().with_text(text.to_owned()),
            thread: None,
            card_of: None,
        };
        outbox::push(tx, now, "post", &item).await?;
    }
    Ok(())
}

async fn dm_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    now: DateTime<Utc>,
    user: &UserId,
    text: &str,
) -> anyhow::Result<()> {
    let item = Outgoing::Dm {
        user: user.clone(),
        content: SlackMessageContent::new().with_text(text.to_owned()),
    };
    outbox::push(tx, now, "dm", &item).await?;
    Ok(())
}

fn escape(text: &str) -> String {
    crate::mrkdwn::escape(text)
}
