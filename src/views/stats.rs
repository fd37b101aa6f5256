//! What `/incident stats` says: the response figures by priority (SPEC §7).

use super::report::took;
use crate::policy::Policy;
use crate::response::{PriorityStats, Spread, StatsPeriod};

fn spread(what: &str, s: Option<Spread>) -> String {
    match s {
        Some(s) => format!("{what} median {}, worst {}", took(s.median), took(s.worst)),
        None => format!("{what}: none yet"),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The ephemeral answer for the incidents declared in `period`.
pub fn stats(policy: &Policy, period: StatsPeriod, rows: &[PriorityStats]) -> String {
    let mut out = format!(
        "*Incident response, incidents declared in the last {} days*\n",
        period.days()
    );
    if rows.is_empty() {
        out.push_str("No incidents were declared in that time.");
        return out;
    }
    for r in rows {
        out.push_str(&format!(
            "• *{} {}*: {} · {} · {} · updates {} on time, {} late · {}\n",
            r.priority,
            policy.priority(r.priority).name,
            plural(r.incidents, "incident", "incidents"),
            spread("acknowledge", r.acknowledge),
            spread("resolve", r.resolve),
            r.updates_on_time,
            r.updates_late,
            plural(r.escalations, "escalation", "escalations"),
        ));
    }
    out.push_str(
        "Times run from declaring; an update is on time when posted by its deadline on the \
         priority's clock. Incidents closed as not an incident are left out.",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::priority::Priority;
    use chrono::Duration;

    #[test]
    fn one_line_per_priority_with_every_figure() {
        let policy = Policy::builtin();
        let rows = [PriorityStats {
            priority: Priority::P1,
            incidents: 2,
            acknowledge: Some(Spread {
                median: Duration::minutes(15),
                worst: Duration::minutes(20),
            }),
            resolve: None,
            updates_on_time: 3,
            updates_late: 1,
            escalations: 1,
        }];
        let text = stats(&policy, StatsPeriod::Week, &rows);
        assert!(text.starts_with("*Incident response, incidents declared in the last 7 days*\n"));
        assert!(
            text.contains("• *P1 Critical*: 2 incidents · acknowledge median 15m, worst 20m · resolve: none yet · updates 3 on time, 1 late · 1 escalation\n"),
            "{text}"
        );
        let none = stats(&policy, StatsPeriod::Month, &[]);
        assert!(none.ends_with("No incidents were declared in that time."));
    }
}
