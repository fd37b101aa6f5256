//! The schedule `check` prints: every rota's shifts for the coming days,
//! in the policy zone, one aligned line per shift.

use super::resolve::shifts;
use super::{Override, Shift};
use crate::calendar::Calendar;
use crate::policy::Policy;
use chrono::{DateTime, Days, DurationRound, TimeDelta, Utc};

/// `Mon 23 Nov 09:00–17:00`, or `Fri 27 Nov 17:00 – Mon 30 Nov 09:00` when
/// the span crosses midnight, in the calendar's zone.
pub fn format_span(cal: &Calendar, from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let (a, b) = (cal.local(from), cal.local(to));
    let day = "%a %d %b";
    if a.date_naive() == b.date_naive() {
        format!(
            "{} {}–{}",
            a.format(day),
            a.format("%H:%M"),
            b.format("%H:%M")
        )
    } else {
        format!(
            "{} {} – {} {}",
            a.format(day),
            a.format("%H:%M"),
            b.format(day),
            b.format("%H:%M")
        )
    }
}

fn who(shift: &Shift) -> String {
    match shift.override_id {
        Some(id) => format!("{} (override {})", shift.user.mention(), id.0),
        None => shift.user.mention(),
    }
}

/// The end of a window of `days` calendar days from `from` in the
/// calendar's zone: the same wall-clock time that many days later (so 14
/// days across the clocks changing are 335 or 337 hours, not 336). A time
/// the clocks skip that day moves to the first valid instant after it.
pub fn calendar_days_later(cal: &Calendar, from: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    let local = cal.local(from);
    let date = local
        .date_naive()
        .checked_add_days(Days::new(u64::from(days)))
        .unwrap_or(local.date_naive());
    cal.instant(date, local.time())
}

/// Every rota's shifts from `now` for `days` calendar days in the policy
/// zone (`check`), one line each. Times are shown to the minute, so the
/// window starts on the minute and a sliver shorter than a minute (which
/// would print as `17:00–17:00`) is left out.
pub fn schedule_table(
    policy: &Policy,
    cal: &Calendar,
    now: DateTime<Utc>,
    days: u32,
    overrides: &[Override],
) -> String {
    let minute = TimeDelta::minutes(1);
    let now = now.duration_trunc(minute).unwrap_or(now);
    let until = calendar_days_later(cal, now, days);
    let mut rows: Vec<(String, String, String)> = Vec::new();
    for rota in &policy.rotas {
        let found: Vec<_> = shifts(cal, rota, now, until, overrides)
            .into_iter()
            .filter(|s| s.to.duration_trunc(minute).ok() > s.from.duration_trunc(minute).ok())
            .collect();
        if found.is_empty() {
            rows.push((
                rota.name.clone(),
                "no cover in this period".to_owned(),
                String::new(),
            ));
        }
        for s in found {
            rows.push((rota.name.clone(), format_span(cal, s.from, s.to), who(&s)));
        }
    }
    let name_w = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let span_w = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
    let mut out = format!(
        "On call from {} for {days} days ({}):\n",
        cal.local(now).format("%a %d %b %Y %H:%M"),
        cal.tz().name()
    );
    for (name, span, person) in rows {
        let line = format!("{name:<name_w$}  {span:<span_w$}  {person}");
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
