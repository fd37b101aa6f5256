//! Shift reminders (SPEC §7, `[oncall] remind_before`): rows planned per
//! shift and lead, inside the transaction of whatever changed who covers
//! (an override, a taken cover request) and at start-up and hourly; fired
//! once by the scheduler, only if the shift is still as planned. An
//! override that adds, removes or moves a shift starting within the
//! longest lead DMs the people concerned at once, since a reminder they
//! were owed is now missing or wrong.

use crate::bot::outgoing;
use crate::calendar::Calendar;
use crate::ids::UserId;
use crate::mrkdwn::{escape_within, slack_date};
use crate::policy::{Policy, Rota};
use crate::reminders::{Kind, Planned, Subject};
use crate::rota::shifts::{self, ShiftChange};
use crate::rota::{Override, Shift};
use crate::store::reminders as rows;
use crate::views::elapsed::spoken;
use crate::views::reminders::{late_note, Firing};
use chrono::{DateTime, Duration, Utc};
use sqlx::{Any, Transaction};

type Tx<'t> = Transaction<'t, Any>;

/// Shifts starting this far past the longest lead are planned too, so an
/// hourly re-plan always has rows in hand.
const PLAN_AHEAD: Duration = Duration::days(2);

/// How far ahead a change is compared, and the re-plan looks.
fn window(policy: &Policy) -> Option<Duration> {
    policy.oncall.longest_lead().map(|l| l + PLAN_AHEAD)
}

/// Plans the shift reminders of `rota` from `now` with `live` overrides.
/// Rows for shifts that no longer exist are left pending: firing checks.
pub async fn plan_rota(
    tx: &mut Tx<'_>,
    policy: &Policy,
    cal: &Calendar,
    rota: &Rota,
    live: &[Override],
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let leads = &policy.oncall.remind_before;
    let mut by_shift: Vec<(Subject, Vec<Planned>)> = Vec::new();
    for ahead in shifts::reminders(cal, rota, leads, PLAN_AHEAD, now, live) {
        let subject = subject(&ahead.shift);
        let planned = Planned {
            kind: Kind::ShiftAhead,
            due: ahead.due,
        };
        match by_shift.iter_mut().find(|(s, _)| *s == subject) {
            Some((_, list)) => list.push(planned),
            None => by_shift.push((subject, vec![planned])),
        }
    }
    for (subject, planned) in by_shift {
        rows::replan(tx, &subject, &planned, now).await?;
    }
    Ok(())
}

/// Plans every rota's shift reminders.
pub async fn plan_all(
    tx: &mut Tx<'_>,
    policy: &Policy,
    cal: &Calendar,
    live: &[Override],
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    for rota in &policy.rotas {
        plan_rota(tx, policy, cal, rota, live, now).await?;
    }
    Ok(())
}

fn subject(shift: &Shift) -> Subject {
    Subject::Shift {
        rota: shift.rota.clone(),
        user: shift.user.clone(),
        start: shift.from,
    }
}

/// After an override on `rota` changed `before` into `after`: DMs each
/// person whose shifts starting within the longest lead changed, and
/// re-plans the rota's reminders. Nothing when no leads are set.
pub async fn changed(
    tx: &mut Tx<'_>,
    policy: &Policy,
    cal: &Calendar,
    rota: &Rota,
    before: &[Override],
    after: &[Override],
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let (Some(longest), Some(window)) = (policy.oncall.longest_lead(), window(policy)) else {
        return Ok(());
    };
    let was = shifts::starting_between(cal, rota, now, now + window, before);
    let is = shifts::starting_between(cal, rota, now, now + window, after);
    for change in shifts::changes(&was, &is, now, longest) {
        let text = change_dm(policy, rota, &change);
        outgoing::dm(tx, &change.user, text, "dm", now).await?;
    }
    plan_rota(tx, policy, cal, rota, after, now).await
}

fn span(policy: &Policy, shift: &Shift) -> String {
    format!(
        "from {} to {}",
        slack_date(shift.from, policy.timezone),
        slack_date(shift.to, policy.timezone)
    )
}

/// "Your *rota* shifts starting soon changed: you now cover …; you no
/// longer cover …".
pub fn change_dm(policy: &Policy, rota: &Rota, change: &ShiftChange) -> String {
    let mut parts = Vec::new();
    if !change.gained.is_empty() {
        let spans: Vec<String> = change.gained.iter().map(|s| span(policy, s)).collect();
        parts.push(format!("you now cover {}", spans.join(" and ")));
    }
    if !change.lost.is_empty() {
        let spans: Vec<String> = change.lost.iter().map(|s| span(policy, s)).collect();
        parts.push(format!("you no longer cover {}", spans.join(" and ")));
    }
    format!(
        ":calendar: Your *{}* shifts starting soon have changed: {}. `/oncall {}` shows the rota.",
        escape_within(&rota.name, 100),
        parts.join("; "),
        escape_within(&rota.name, 100),
    )
}

/// Fires one shift reminder: the DM, if `user` still has a shift of
/// `rota` starting at `start` (an override may have moved it since).
#[allow(clippy::too_many_arguments)]
pub async fn fire(
    tx: &mut Tx<'_>,
    policy: &Policy,
    cal: &Calendar,
    (rota, user, start): (&str, &UserId, DateTime<Utc>),
    row: &rows::Due,
    live: &[Override],
    now: DateTime<Utc>,
    while_down: bool,
) -> anyhow::Result<()> {
    let Some(rota) = policy.rota(rota) else {
        return Ok(());
    };
    let second = Duration::seconds(1);
    let still = shifts::starting_between(cal, rota, start - second, start, live)
        .into_iter()
        .find(|s| s.user == *user && s.from == start);
    let Some(shift) = still else {
        return Ok(());
    };
    let firing = Firing {
        kind: row.kind,
        due: row.due,
        now,
        while_down,
    };
    let when = if start > now {
        format!("starts in {}", spoken(start - now))
    } else {
        "has started".to_owned()
    };
    let text = format!(
        ":alarm_clock: Your *{}* shift {when}: you are on call {}.{}",
        escape_within(&rota.name, 100),
        span(policy, &shift),
        late_note(&firing, policy),
    );
    outgoing::dm(tx, user, text, "reminder", now).await
}
