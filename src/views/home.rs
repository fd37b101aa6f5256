//! The App Home tab: open incidents with their next deadlines, who is on
//! call now on every rota, the viewer's own shifts and overrides, and a
//! button to declare an incident. Built with slack-morphism's typed blocks;
//! kept inside Slack's 100-block limit by capping each list.

use crate::calendar::Calendar;
use crate::deadline::next_deadline;
use crate::ids::UserId;
use crate::incident::Incident;
use crate::mrkdwn::{escape_within, slack_date, truncate};
use crate::policy::Policy;
use crate::rota::{self, Override, Shift};
use crate::slack::blocks::actions;
use crate::views::labels::{priority_label, status_label};
use chrono::{DateTime, Duration, Utc};
use slack_morphism::prelude::*;

/// Slack refuses a Home view with more blocks than this.
pub const MAX_BLOCKS: usize = 100;
/// Incidents and rotas each get at most this many blocks; the rest are
/// counted in a "and N more" line so the tab stays inside the limit.
const MAX_INCIDENTS: usize = 30;
const MAX_ROTAS: usize = 30;
/// A section's text may be at most 3,000 characters.
const SECTION_MAX: usize = 3_000;
/// How far ahead "your next shifts" looks.
pub const SHIFT_DAYS: i64 = 14;

/// What the tab shows, gathered by the caller.
pub struct HomeData<'a> {
    pub viewer: &'a UserId,
    pub now: DateTime<Utc>,
    pub open: &'a [Incident],
    pub overrides: &'a [Override],
}

fn section(text: String) -> SlackBlock {
    SlackSectionBlock::new()
        .with_text(md!("{}", truncate(&text, SECTION_MAX)))
        .into()
}

fn header(text: &str) -> SlackBlock {
    SlackHeaderBlock::new(pt!(text.to_owned())).into()
}

fn more(n: usize, what: &str) -> SlackBlock {
    SlackContextBlock::new(vec![SlackContextBlockElement::MarkDown(
        SlackBlockMarkDownText::new(format!("…and {n} more {what}")),
    )])
    .into()
}

pub fn home(policy: &Policy, cal: &Calendar, data: &HomeData<'_>) -> SlackView {
    let mut blocks = vec![
        header("Incidents and on call"),
        SlackActionsBlock::new(vec![SlackBlockButtonElement::new(pt!(
            "Declare an incident"
        ))
        .with_action_id(actions::HOME_DECLARE.into())
        .with_value("declare".to_owned())
        .with_style(SlackBlockButtonStyle::Danger)
        .into()])
        .into(),
        SlackDividerBlock::new().into(),
        header("Open incidents"),
    ];
    blocks.extend(incidents(policy, cal, data));
    blocks.push(SlackDividerBlock::new().into());
    blocks.push(header("On call now"));
    blocks.extend(on_call(policy, cal, data));
    blocks.push(SlackDividerBlock::new().into());
    blocks.push(header("Your next shifts"));
    blocks.push(section(your_shifts(policy, cal, data)));
    blocks.push(header("Your overrides"));
    blocks.push(section(your_overrides(policy, data)));
    // The caps above keep well inside the limit; this is the backstop.
    blocks.truncate(MAX_BLOCKS);
    SlackView::Home(SlackHomeView::new(blocks))
}

fn incidents(policy: &Policy, cal: &Calendar, data: &HomeData<'_>) -> Vec<SlackBlock> {
    if data.open.is_empty() {
        return vec![section("No open incidents.".to_owned())];
    }
    let tz = policy.timezone;
    let mut rows: Vec<_> = data
        .open
        .iter()
        .map(|i| (next_deadline(policy, cal, i, data.now), i))
        .collect();
    // Most pressing first, as in `/incident list`.
    rows.sort_by_key(|(next, i)| (next.as_ref().map(|(_, at)| *at), i.priority, i.number.0));
    let mut blocks: Vec<SlackBlock> = rows
        .iter()
        .take(MAX_INCIDENTS)
        .map(|(next, i)| {
            let deadline = match next {
                Some((what, at)) => format!("{what} {}", slack_date(*at, tz)),
                None => "No deadline".to_owned(),
            };
            let lead = i
                .engineering_lead
                .as_ref()
                .map_or_else(|| "_nobody yet_".to_owned(), UserId::mention);
            section(format!(
                "*{}: {}*\n{} · {}\n{} · Engineering lead {}",
                i.number,
                escape_within(i.title.as_str(), 150),
                priority_label(policy, i.priority),
                status_label(i.status),
                deadline,
                lead
            ))
        })
        .collect();
    if rows.len() > MAX_INCIDENTS {
        blocks.push(more(rows.len() - MAX_INCIDENTS, "open incidents"));
    }
    blocks
}

fn on_call(policy: &Policy, cal: &Calendar, data: &HomeData<'_>) -> Vec<SlackBlock> {
    let tz = policy.timezone;
    let mut blocks: Vec<SlackBlock> = policy
        .rotas
        .iter()
        .take(MAX_ROTAS)
        .map(|r| {
            let now = match rota::cover_at(policy, cal, r, data.now, data.overrides) {
                Some(cover) => format!(
                    "{} until {}",
                    cover.shift.user.mention(),
                    slack_date(cover.shift.to, tz)
                ),
                None => "_not covering now_".to_owned(),
            };
            section(format!("*{}*: {now}", escape_within(&r.name, 100)))
        })
        .collect();
    if policy.rotas.len() > MAX_ROTAS {
        blocks.push(more(policy.rotas.len() - MAX_ROTAS, "rotas"));
    }
    blocks
}

fn your_shifts(policy: &Policy, cal: &Calendar, data: &HomeData<'_>) -> String {
    let until = data.now + Duration::days(SHIFT_DAYS);
    let mut mine: Vec<Shift> = policy
        .rotas
        .iter()
        .flat_map(|r| rota::shifts(policy, cal, r, data.now, until, data.overrides))
        .filter(|s| s.user == *data.viewer)
        .collect();
    if mine.is_empty() {
        return format!("You have no shifts in the next {SHIFT_DAYS} days.");
    }
    mine.sort_by_key(|s| (s.from, s.rota.clone()));
    let tz = policy.timezone;
    mine.iter()
        .map(|s| {
            format!(
                "• *{}*: {} to {}",
                escape_within(&s.rota, 100),
                slack_date(s.from, tz),
                slack_date(s.to, tz)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn your_overrides(policy: &Policy, data: &HomeData<'_>) -> String {
    let tz = policy.timezone;
    let viewer = data.viewer;
    let mine: Vec<String> = data
        .overrides
        .iter()
        .filter(|o| o.to > data.now)
        .filter(|o| {
            o.user == *viewer || o.created_by == *viewer || o.covered.as_ref() == Some(viewer)
        })
        .map(|o| {
            format!(
                "• `{}` {} covers *{}* {} to {}",
                o.id,
                o.user.mention(),
                escape_within(&o.rota, 100),
                slack_date(o.from, tz),
                slack_date(o.to, tz)
            )
        })
        .collect();
    if mine.is_empty() {
        "No overrides involve you.".to_owned()
    } else {
        mine.join("\n")
    }
}
