//! The schedule `check` prints: every rota's shifts for the coming days,
//! in the policy zone, one aligned line per shift.

use super::resolve::shifts;
use super::{Override, Shift};
use crate::calendar::Calendar;
use crate::policy::Policy;
use chrono::{DateTime, Duration, Utc};

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

pub fn schedule_table(
    policy: &Policy,
    cal: &Calendar,
    now: DateTime<Utc>,
    days: u32,
    overrides: &[Override],
) -> String {
    let until = now + Duration::days(i64::from(days));
    let mut rows: Vec<(String, String, String)> = Vec::new();
    for rota in &policy.rotas {
        let found = shifts(cal, rota, now, until, overrides);
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
