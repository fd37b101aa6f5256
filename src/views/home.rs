//! The App Home tab's content: open incidents with their next deadlines,
//! who is on call now on every rota, the viewer's own shifts and overrides.
//! Each list is capped (the rest counted in an "and N more" line) so the
//! tab stays inside Slack's block limit; `slack::blocks::home` lays it out.

use crate::calendar::Calendar;
use crate::deadline::next_deadline;
use crate::ids::UserId;
use crate::incident::Incident;
use crate::mrkdwn::{escape_within, slack_date};
use crate::policy::Policy;
use crate::rota::{self, Override, Shift};
use crate::views::labels::{priority_label, status_label};
use chrono::{DateTime, Duration, Utc};

/// Incidents and rotas each get at most this many entries; the rest are
/// counted in a "and N more" line so the tab stays inside the limit.
const MAX_INCIDENTS: usize = 30;
const MAX_ROTAS: usize = 30;
/// How far ahead "your next shifts" looks.
pub const SHIFT_DAYS: i64 = 14;

/// What the tab shows, gathered by the caller.
pub struct HomeData<'a> {
    pub viewer: &'a UserId,
    pub now: DateTime<Utc>,
    pub open: &'a [Incident],
    pub overrides: &'a [Override],
}

/// The tab's texts, one per section, in mrkdwn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Home {
    /// One entry per open incident, most pressing first, or one saying
    /// there are none.
    pub incidents: Vec<String>,
    /// "…and N more open incidents" when the list was capped.
    pub more_incidents: Option<String>,
    /// One entry per rota: who covers it now, and until when.
    pub on_call: Vec<String>,
    /// "…and N more rotas" when the list was capped.
    pub more_rotas: Option<String>,
    pub your_shifts: String,
    pub your_overrides: String,
}

pub fn home(policy: &Policy, cal: &Calendar, data: &HomeData<'_>) -> Home {
    let (incidents, more_incidents) = incidents(policy, cal, data);
    let (on_call, more_rotas) = on_call(policy, cal, data);
    Home {
        incidents,
        more_incidents,
        on_call,
        more_rotas,
        your_shifts: your_shifts(policy, cal, data),
        your_overrides: your_overrides(policy, data),
    }
}

fn more(n: usize, what: &str) -> Option<String> {
    (n > 0).then(|| format!("…and {n} more {what}"))
}

fn incidents(
    policy: &Policy,
    cal: &Calendar,
    data: &HomeData<'_>,
) -> (Vec<String>, Option<String>) {
    if data.open.is_empty() {
        return (vec!["No open incidents.".to_owned()], None);
    }
    let tz = policy.timezone;
    let mut rows: Vec<_> = data
        .open
        .iter()
        .map(|i| (next_deadline(policy, cal, i, data.now), i))
        .collect();
    // Most pressing first, as in `/incident list`.
    rows.sort_by_key(|(next, i)| (next.as_ref().map(|(_, at)| *at), i.priority, i.number.0));
    let lines = rows
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
            format!(
                "*{}: {}*\n{} · {}\n{} · Engineering lead {}",
                i.number,
                escape_within(i.title.as_str(), 150),
                priority_label(policy, i.priority),
                status_label(i.status),
                deadline,
                lead
            )
        })
        .collect();
    let hidden = rows.len().saturating_sub(MAX_INCIDENTS);
    (lines, more(hidden, "open incidents"))
}

fn on_call(policy: &Policy, cal: &Calendar, data: &HomeData<'_>) -> (Vec<String>, Option<String>) {
    let tz = policy.timezone;
    let lines = policy
        .rotas
        .iter()
        .take(MAX_ROTAS)
        .map(|r| {
            let now = match rota::cover_at(cal, r, data.now, data.overrides) {
                Some(cover) => format!(
                    "{} until {}",
                    cover.shift.user.mention(),
                    slack_date(cover.shift.to, tz)
                ),
                None => "_not covering now_".to_owned(),
            };
            format!("*{}*: {now}", escape_within(&r.name, 100))
        })
        .collect();
    let hidden = policy.rotas.len().saturating_sub(MAX_ROTAS);
    (lines, more(hidden, "rotas"))
}

fn your_shifts(policy: &Policy, cal: &Calendar, data: &HomeData<'_>) -> String {
    let until = data.now + Duration::days(SHIFT_DAYS);
    let mut mine: Vec<Shift> = policy
        .rotas
        .iter()
        .flat_map(|r| rota::shifts(cal, r, data.now, until, data.overrides))
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
