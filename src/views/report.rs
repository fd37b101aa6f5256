//! The incident report (SPEC §2.4) as Markdown, following the incident
//! process's report template: summary, impact, priority history, roles and
//! when they changed, timeline in UTC and the policy's zone, updates sent
//! and whether each met its deadline, pauses, resolution, actions, cyber,
//! review, and the time taken to acknowledge and to resolve.
//!
//! A pure function of the incident and its timeline, so the same report
//! comes out of Slack, the `report` subcommand and the golden-file test.

use super::markdown::{block, inline};
use crate::calendar::Calendar;
use crate::incident::{Event, EventKind, Incident, Status};
use crate::policy::Policy;
use crate::priority::Priority;
use crate::response::{time_to_acknowledge, update_checks};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use std::fmt::Write;

fn when(at: DateTime<Utc>, tz: Tz) -> String {
    format!(
        "{} UTC ({})",
        at.format("%Y-%m-%d %H:%M"),
        at.with_timezone(&tz).format("%H:%M %Z")
    )
}

fn person(user: Option<&crate::ids::UserId>) -> String {
    user.map_or_else(|| "nobody".to_owned(), |u| format!("@{u}"))
}

fn describe(policy: &Policy, event: &Event) -> String {
    let after = event.after.as_deref().unwrap_or("");
    let before = event.before.as_deref().unwrap_or("");
    let text = inline(event.text.as_deref().unwrap_or(""));
    let who = format!("@{}", event.actor);
    // Optional free text (a reason, a summary) follows a colon when given.
    let why = if text.trim().is_empty() {
        String::new()
    } else {
        format!(": {}", text.trim())
    };
    match event.kind {
        EventKind::Declared => format!("{who} declared the incident as {after}"),
        EventKind::Acknowledged => format!("{who} acknowledged"),
        EventKind::EngineeringLead => format!("engineering lead: @{after} (set by {who})"),
        EventKind::CommsLead => format!("comms lead: @{after} (set by {who})"),
        EventKind::Priority => {
            let name = after
                .parse()
                .ok()
                .map(|p| policy.priority(p).name.clone())
                .unwrap_or_default();
            format!("{who} changed the priority from {before} to {after} {name}{why}")
        }
        EventKind::Update => format!("update from {who}: {text}"),
        EventKind::Note => format!("note from {who}: {text}"),
        EventKind::Cyber => format!("{who} flagged a suspected cyber security incident"),
        EventKind::Pause => format!("{who} paused to document"),
        EventKind::Resolved => format!("{who} resolved the incident{why}"),
        EventKind::NotIncident => format!("{who} closed it as not an incident{why}"),
        EventKind::Review => format!("{who} recorded the review: {}", inline(after)),
        EventKind::Message => format!("{who}: {text}"),
        EventKind::Reopened => format!("{who} reopened the incident"),
        EventKind::Published => format!("{who} published to the status page ({after}): {text}"),
    }
}

/// "1h 05m", "3d 2h 10m", "45m": how long something took.
pub fn took(d: Duration) -> String {
    let minutes = d.num_minutes().max(0);
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (days, hours) {
        (0, 0) => format!("{mins}m"),
        (0, h) => format!("{h}h {mins:02}m"),
        (d, h) => format!("{d}d {h}h {mins:02}m"),
    }
}

/// The priority in force at `at`: the declared one, then each change.
fn priority_at(incident: &Incident, timeline: &[Event], at: DateTime<Utc>) -> Priority {
    let mut current = timeline
        .iter()
        .find(|e| e.kind == EventKind::Declared)
        .and_then(|e| e.after.as_deref()?.parse().ok())
        .unwrap_or(incident.priority);
    for e in timeline
        .iter()
        .filter(|e| e.kind == EventKind::Priority && e.at <= at)
    {
        if let Some(p) = e.after.as_deref().and_then(|p| p.parse().ok()) {
            current = p;
        }
    }
    current
}

/// Each update with the deadline it was working to and whether it met it
/// (`response::update_checks`: `update_every` of the priority in force,
/// after the previous update, the declaration or a reopening, on that
/// priority's clock). Raising the priority therefore brings the deadline
/// forward.
fn updates_against_deadlines(
    policy: &Policy,
    cal: &Calendar,
    incident: &Incident,
    timeline: &[Event],
) -> Vec<String> {
    let tz = policy.timezone;
    let checks = update_checks(policy, cal, incident, timeline);
    let updates = timeline.iter().filter(|e| e.kind == EventKind::Update);
    updates
        .zip(checks)
        .map(|(e, check)| {
            let due = check.due;
            let verdict = if check.on_time() {
                format!("on time (due {})", when(due, tz))
            } else {
                format!("late by {} (due {})", took(e.at - due), when(due, tz))
            };
            format!(
                "- {} @{}: {} — {verdict}",
                when(e.at, tz),
                e.actor,
                inline(e.text.as_deref().unwrap_or(""))
            )
        })
        .collect()
}

/// "2 of 3 on time, 1 late", or that none were sent.
fn punctuality(policy: &Policy, cal: &Calendar, incident: &Incident, timeline: &[Event]) -> String {
    let checks = update_checks(policy, cal, incident, timeline);
    if checks.is_empty() {
        return "none sent".to_owned();
    }
    let on_time = checks.iter().filter(|c| c.on_time()).count();
    format!(
        "{on_time} of {} on time, {} late",
        checks.len(),
        checks.len() - on_time
    )
}

fn heading(md: &mut String, title: &str) {
    let _ = writeln!(md, "## {title}\n");
}

fn bullets(md: &mut String, lines: &[String], none: &str) {
    if lines.is_empty() {
        let _ = writeln!(md, "{none}\n");
        return;
    }
    for line in lines {
        let _ = writeln!(md, "{line}");
    }
    let _ = writeln!(md);
}

pub fn markdown(policy: &Policy, incident: &Incident, timeline: &[Event]) -> String {
    let tz = policy.timezone;
    let cal = policy.calendar();
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# {}: {}\n",
        incident.number,
        inline(incident.title.as_str())
    );
    heading(&mut md, "Summary");
    let summary = incident
        .summary
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map_or_else(|| "_Not written yet._".to_owned(), inline);
    let _ = writeln!(md, "{}\n", summary.trim());
    let _ = writeln!(md, "- Status: {}", incident.status.describe());
    let _ = writeln!(
        md,
        "- Declared: {} by @{}",
        when(incident.declared_at, tz),
        incident.declared_by
    );
    match time_to_acknowledge(incident, timeline) {
        Some(after) => {
            let _ = writeln!(
                md,
                "- Acknowledged: {} (time to acknowledge: {})",
                when(incident.declared_at + after, tz),
                took(after)
            );
        }
        None => {
            let _ = writeln!(md, "- Acknowledged: not yet");
        }
    }
    match incident.resolved_at {
        Some(at) => {
            let _ = writeln!(
                md,
                "- Closed: {} (time to resolve: {})",
                when(at, tz),
                took(at - incident.declared_at)
            );
        }
        None => {
            let _ = writeln!(md, "- Closed: not yet");
        }
    }
    let _ = writeln!(
        md,
        "- Updates: {}",
        punctuality(policy, &cal, incident, timeline)
    );
    let _ = writeln!(md);

    heading(&mut md, "Impact");
    let impact = if incident.description.trim().is_empty() {
        "_Not described._".to_owned()
    } else {
        block(incident.description.trim())
    };
    let _ = writeln!(md, "{impact}\n");

    heading(&mut md, "Priority history");
    let first = priority_at(
        incident,
        timeline,
        incident.declared_at - Duration::seconds(1),
    );
    let _ = writeln!(
        md,
        "- {}: {first} {} (declared)",
        when(incident.declared_at, tz),
        policy.priority(first).name
    );
    for e in timeline.iter().filter(|e| e.kind == EventKind::Priority) {
        let _ = writeln!(md, "- {}: {}", when(e.at, tz), describe(policy, e));
    }
    let _ = writeln!(
        md,
        "\nNow {} {}.\n",
        incident.priority,
        policy.priority(incident.priority).name
    );

    heading(&mut md, "Roles");
    let _ = writeln!(
        md,
        "- Engineering lead: {}",
        person(incident.engineering_lead.as_ref())
    );
    let _ = writeln!(
        md,
        "- Comms lead: {}\n",
        person(incident.comms_lead.as_ref())
    );
    let changes: Vec<String> = timeline
        .iter()
        .filter(|e| matches!(e.kind, EventKind::EngineeringLead | EventKind::CommsLead))
        .map(|e| format!("- {}: {}", when(e.at, tz), describe(policy, e)))
        .collect();
    let _ = writeln!(md, "### Role changes\n");
    bullets(&mut md, &changes, "_None._");

    heading(&mut md, "Timeline");
    let _ = writeln!(md, "| UTC | {} | What |", tz.name());
    let _ = writeln!(md, "|---|---|---|");
    for e in timeline {
        let _ = writeln!(
            md,
            "| {} | {} | {} |",
            e.at.format("%Y-%m-%d %H:%M"),
            e.at.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z"),
            describe(policy, e)
        );
    }
    let _ = writeln!(md);

    heading(&mut md, "Updates sent");
    let updates = updates_against_deadlines(policy, &cal, incident, timeline);
    bullets(&mut md, &updates, "_None._");

    // Only for incidents that went public, so other reports are unchanged.
    let public: Vec<String> = timeline
        .iter()
        .filter(|e| e.kind == EventKind::Published)
        .map(|e| {
            format!(
                "- {} @{} ({}): {}",
                when(e.at, tz),
                e.actor,
                e.after.as_deref().unwrap_or(""),
                inline(e.text.as_deref().unwrap_or(""))
            )
        })
        .collect();
    if !public.is_empty() {
        heading(&mut md, "Public updates (status page)");
        bullets(&mut md, &public, "_None._");
    }

    heading(&mut md, "Pauses");
    let pauses: Vec<String> = timeline
        .iter()
        .filter(|e| e.kind == EventKind::Pause)
        .map(|e| format!("- {}: @{} paused to document", when(e.at, tz), e.actor))
        .collect();
    bullets(&mut md, &pauses, "_None._");

    heading(&mut md, "Resolution");
    let closing = timeline
        .iter()
        .rev()
        .find(|e| matches!(e.kind, EventKind::Resolved | EventKind::NotIncident));
    let resolution = match (incident.status, closing) {
        (Status::Resolved | Status::NotIncident, Some(e)) => {
            format!("{}: {}.", when(e.at, tz), describe(policy, e))
        }
        _ => "_Still open._".to_owned(),
    };
    let _ = writeln!(md, "{resolution}\n");

    heading(&mut md, "Actions");
    let _ = writeln!(md, "_To be agreed at the incident review._\n");
    heading(&mut md, "Cyber security");
    let cyber = if incident.cyber {
        "Flagged as a suspected cyber security incident."
    } else {
        "Not flagged as a cyber security incident."
    };
    let _ = writeln!(md, "{cyber}\n");
    heading(&mut md, "Incident review");
    let review = incident.review.as_deref().map_or_else(
        || {
            format!(
                "Not scheduled yet (aim for within {}).",
                policy.reminders.review_target
            )
        },
        |r| format!("Scheduled: {}", inline(r)),
    );
    let _ = writeln!(md, "{review}");
    md
}

/// The report as Slack messages: escaped for mrkdwn, each piece in its own
/// ``` block so every message renders alone, pieces cut at line breaks so
/// each message holds at most `max` characters.
/// User text holds no backtick runs (see `views::markdown`), so no piece
/// can close its block early.
pub fn slack_pieces(report: &str, intro: &str, max: usize) -> Vec<String> {
    const FENCE: &str = "```";
    let room = max.saturating_sub(intro.chars().count() + 2 * FENCE.len() + 3);
    crate::mrkdwn::split(&crate::mrkdwn::escape(report.trim_end()), room)
        .into_iter()
        .enumerate()
        .map(|(i, piece)| {
            let intro = if i == 0 { intro } else { "" };
            format!("{intro}{FENCE}\n{piece}\n{FENCE}")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_report_is_several_code_blocks_none_of_them_broken() {
        let report = (0..400)
            .map(|i| format!("| row {i} | {} |", "x".repeat(40)))
            .collect::<Vec<_>>()
            .join("\n");
        let pieces = slack_pieces(&report, "Report:\n", 4000);
        assert!(pieces.len() > 1);
        for piece in &pieces {
            assert!(piece.chars().count() <= 4000);
            assert_eq!(piece.matches("```").count(), 2, "{piece}");
            assert!(piece.ends_with("\n```"));
        }
        assert!(pieces[0].starts_with("Report:\n```\n| row 0 |"));
        assert!(pieces.last().unwrap().contains("| row 399 |"));
    }

    #[test]
    fn updates_are_judged_on_the_priority_clock() {
        use crate::ids::{IncidentNumber, UserId};
        use crate::incident::{apply, declare, Action, Declaration, Title};
        use chrono::TimeZone;
        let lead = UserId::parse("U0LEAD").unwrap();
        // A P3 (in-hours clock, 4 h): declared Friday 15:00, updated
        // Monday 10:30, 3 h 30 min of in-hours time later.
        let (incident, mut timeline) = declare(
            Declaration {
                title: Title::parse("Slow logs").unwrap(),
                description: String::new(),
                priority: Priority::P3,
                cyber: false,
                engineering_lead: None,
                comms_lead: None,
                declared_by: lead.clone(),
            },
            IncidentNumber(1),
            Utc.with_ymd_and_hms(2026, 11, 27, 15, 0, 0).unwrap(),
        );
        let monday = Utc.with_ymd_and_hms(2026, 11, 30, 10, 30, 0).unwrap();
        let (incident, events) =
            apply(&incident, &lead, Action::Update("x".into()), monday).unwrap();
        timeline.extend(events);
        let report = markdown(&Policy::builtin(), &incident, &timeline);
        assert!(
            report.contains("— on time (due 2026-11-30 11:00 UTC (11:00 GMT))"),
            "{report}"
        );
        assert!(
            report.contains("- Updates: 1 of 1 on time, 0 late\n"),
            "{report}"
        );
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(took(Duration::minutes(7)), "7m");
        assert_eq!(took(Duration::minutes(65)), "1h 05m");
        assert_eq!(took(Duration::minutes(60 * 26 + 3)), "1d 2h 03m");
    }
}
