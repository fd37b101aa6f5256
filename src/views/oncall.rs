//! The `/oncall` answers, as text. The same words go to Slack (with
//! `<!date>` times and mentions) and to a terminal (`oncall` subcommand).

use crate::calendar::Calendar;
use crate::mrkdwn::slack_date;
use crate::policy::{Policy, Rota};
use crate::rota::{self, Override, Shift};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::fmt::Write;

/// How many coming shifts are searched for the next different person.
const LOOK_FOR_NEXT: usize = 30;

/// Where the text will be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Slack,
    Terminal,
}

impl Style {
    fn time(self, at: DateTime<Utc>, tz: Tz) -> String {
        match self {
            Style::Slack => slack_date(at, tz),
            Style::Terminal => at
                .with_timezone(&tz)
                .format("%a %-d %b %H:%M %Z")
                .to_string(),
        }
    }

    fn who(self, shift: &Shift) -> String {
        let person = match self {
            Style::Slack => format!("<@{}>", shift.user),
            Style::Terminal => shift.user.to_string(),
        };
        match shift.override_id {
            Some(id) => format!("{person} (cover {id})"),
            None => person,
        }
    }
}

/// One line per rota: who covers at `at`, until when, and who is next.
pub fn every_rota(
    policy: &Policy,
    cal: &Calendar,
    at: DateTime<Utc>,
    overrides: &[Override],
    style: Style,
) -> String {
    let tz = policy.timezone;
    let mut out = String::new();
    for rota in &policy.rotas {
        let _ = writeln!(out, "{}", rota_line(cal, rota, at, overrides, style, tz));
    }
    out.trim_end().to_owned()
}

fn rota_line(
    cal: &Calendar,
    rota: &Rota,
    at: DateTime<Utc>,
    overrides: &[Override],
    style: Style,
    tz: Tz,
) -> String {
    let name = match style {
        Style::Slack => format!("*{}*", rota.name),
        Style::Terminal => rota.name.clone(),
    };
    match rota::cover_at(cal, rota, at, overrides) {
        Some(cover) => {
            let mut line = format!(
                "{name}: {} until {}",
                style.who(&cover.shift),
                style.time(cover.shift.to, tz)
            );
            // "Next" is the next person: tomorrow's shift of the same
            // person is not news.
            let next = rota::next_shifts(cal, rota, at, LOOK_FOR_NEXT, overrides)
                .into_iter()
                .find(|s| s.user != cover.shift.user);
            if let Some(next) = next {
                let _ = write!(
                    line,
                    " · next {} from {}",
                    style.who(&next),
                    style.time(next.from, tz)
                );
            }
            line
        }
        None => {
            let next = rota::next_shifts(cal, rota, at, 1, overrides);
            match next.first() {
                Some(next) => format!(
                    "{name}: not covering now · next {} from {}",
                    style.who(next),
                    style.time(next.from, tz)
                ),
                None => format!("{name}: nobody scheduled"),
            }
        }
    }
}

/// A rota now and its next `count` shifts.
pub fn one_rota(
    policy: &Policy,
    cal: &Calendar,
    rota: &Rota,
    now: DateTime<Utc>,
    overrides: &[Override],
    count: usize,
    style: Style,
) -> String {
    let tz = policy.timezone;
    let mut out = rota_line(cal, rota, now, overrides, style, tz);
    let upcoming = rota::next_shifts(cal, rota, now, count + 1, overrides);
    let current_from = rota::cover_at(cal, rota, now, overrides).map(|c| c.shift.from);
    let mut listed = 0;
    for shift in upcoming {
        if Some(shift.from) == current_from || listed == count {
            continue;
        }
        let _ = write!(
            out,
            "\n• {} – {}  {}",
            style.time(shift.from, tz),
            style.time(shift.to, tz),
            style.who(&shift)
        );
        listed += 1;
    }
    out
}

/// The overrides list, optionally for one rota.
pub fn overrides_list(
    policy: &Policy,
    overrides: &[Override],
    rota: Option<&str>,
    style: Style,
) -> String {
    let tz = policy.timezone;
    let shown: Vec<&Override> = overrides
        .iter()
        .filter(|o| rota.is_none_or(|r| o.rota == r))
        .collect();
    if shown.is_empty() {
        return match rota {
            Some(r) => format!("No current or coming overrides on {r}."),
            None => "No current or coming overrides.".to_owned(),
        };
    }
    let mut lines = Vec::with_capacity(shown.len());
    for o in shown {
        let who = match style {
            Style::Slack => format!("<@{}>", o.user),
            Style::Terminal => o.user.to_string(),
        };
        lines.push(format!(
            "{} {}: {who} covers {} – {}",
            o.id,
            o.rota,
            style.time(o.from, tz),
            style.time(o.to, tz)
        ));
    }
    match style {
        // One message: the soonest first, then how many more and how to narrow it.
        Style::Slack => crate::mrkdwn::bounded(&lines, crate::mrkdwn::MESSAGE_MAX, |left| {
            let narrow = match rota {
                Some(_) => "",
                None => " `/oncall overrides ROTA` lists one rota's.",
            };
            format!("…and {left} more, later.{narrow} `/oncall cancel OVR-N` works on any of them.")
        }),
        Style::Terminal => lines.join("\n"),
    }
}
