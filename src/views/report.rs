//! The incident report (SPEC §2.4) as Markdown, following the incident
//! process's report template: summary, impact, priority history, roles,
//! timeline in UTC and the policy's zone, updates sent, actions, cyber,
//! review.

use crate::incident::{Event, EventKind, Incident};
use crate::policy::Policy;
use chrono::{DateTime, Utc};
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

/// Markdown is for people to read and paste: keep user text on one line
/// and stop it opening tables or headings.
fn inline(text: &str) -> String {
    text.replace(['\n', '\r'], " ").replace('|', "\\|")
}

fn describe(policy: &Policy, event: &Event) -> String {
    let after = event.after.as_deref().unwrap_or("");
    let before = event.before.as_deref().unwrap_or("");
    let text = inline(event.text.as_deref().unwrap_or(""));
    let who = format!("@{}", event.actor);
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
            format!("{who} changed the priority from {before} to {after} {name} {text}")
                .trim_end()
                .to_owned()
        }
        EventKind::Update => format!("update from {who}: {text}"),
        EventKind::Note => format!("note from {who}: {text}"),
        EventKind::Cyber => format!("{who} flagged a suspected cyber security incident"),
        EventKind::Pause => format!("{who} paused to document"),
        EventKind::Resolved => format!("{who} resolved the incident {text}")
            .trim_end()
            .to_owned(),
        EventKind::NotIncident => format!("{who} closed it as not an incident {text}")
            .trim_end()
            .to_owned(),
        EventKind::Review => format!("{who} recorded the review: {after}"),
        EventKind::Message => format!("{who}: {text}"),
    }
}

pub fn markdown(policy: &Policy, incident: &Incident, timeline: &[Event]) -> String {
    let tz = policy.timezone;
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# {}: {}\n",
        incident.number,
        inline(incident.title.as_str())
    );
    let _ = writeln!(md, "## Summary\n");
    let summary = incident
        .summary
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or("_Not written yet._");
    let _ = writeln!(md, "{}\n", summary.trim());
    let _ = writeln!(md, "- Status: {}", incident.status.describe());
    let _ = writeln!(
        md,
        "- Declared: {} by @{}",
        when(incident.declared_at, tz),
        incident.declared_by
    );
    if let Some(at) = incident.acknowledged_at {
        let _ = writeln!(md, "- Acknowledged: {}", when(at, tz));
    }
    if let Some(at) = incident.resolved_at {
        let _ = writeln!(md, "- Closed: {}", when(at, tz));
    }
    let _ = writeln!(md, "\n## Impact\n");
    let impact = if incident.description.trim().is_empty() {
        "_Not described._".to_owned()
    } else {
        incident.description.trim().to_owned()
    };
    let _ = writeln!(md, "{impact}\n");

    let _ = writeln!(md, "## Priority history\n");
    let first = timeline
        .iter()
        .find(|e| e.kind == EventKind::Declared)
        .and_then(|e| e.after.clone())
        .unwrap_or_else(|| incident.priority.to_string());
    let _ = writeln!(
        md,
        "- {}: {first} (declared)",
        when(incident.declared_at, tz)
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

    let _ = writeln!(md, "## Roles\n");
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

    let _ = writeln!(md, "## Timeline\n");
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

    let _ = writeln!(md, "\n## Updates sent\n");
    let updates: Vec<&Event> = timeline
        .iter()
        .filter(|e| e.kind == EventKind::Update)
        .collect();
    if updates.is_empty() {
        let _ = writeln!(md, "_None._");
    }
    for e in updates {
        let _ = writeln!(
            md,
            "- {} @{}: {}",
            when(e.at, tz),
            e.actor,
            inline(e.text.as_deref().unwrap_or(""))
        );
    }

    let _ = writeln!(md, "\n## Actions\n");
    let _ = writeln!(md, "_To be agreed at the incident review._\n");
    let _ = writeln!(md, "## Cyber security\n");
    let cyber = if incident.cyber {
        "Flagged as a suspected cyber security incident."
    } else {
        "Not flagged as a cyber security incident."
    };
    let _ = writeln!(md, "{cyber}\n");
    let _ = writeln!(md, "## Incident review\n");
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
