//! What alert messages say (SPEC §6): the group's message, its thread
//! replies (what fired or resolved since the last), and the pages.
//! Alert text comes from monitoring, so it is escaped like anyone's.

use crate::alerts::AlertStatus;
use crate::ids::UserId;
use crate::mrkdwn::{escape, slack_date, truncate};
use crate::store::alerts::{Group, StoredAlert};
use chrono_tz::Tz;

/// Alerts listed by name in one message or reply; the rest are counted.
pub const LISTED: usize = 10;

/// The message's heading: what fires and how many, or that it resolved.
pub fn heading(group: &Group) -> String {
    let title = truncate(&group.title, 120);
    match group.status {
        AlertStatus::Firing => format!(
            ":rotating_light: Firing: {title} ({} of {})",
            group.firing, group.total
        ),
        AlertStatus::Resolved => format!(":white_check_mark: Resolved: {title}"),
    }
}

/// One alert as a line: its name linked to its page, and its summary.
pub fn alert_line(alert: &StoredAlert) -> String {
    let mark = match alert.status {
        AlertStatus::Firing => ":red_circle:",
        AlertStatus::Resolved => ":large_green_circle:",
    };
    let name = escape(&truncate(&alert.name, 150));
    let name = match &alert.url {
        Some(url) => format!("<{}|{name}>", url.replace('|', "%7C").replace('>', "%3E")),
        None => format!("*{name}*"),
    };
    let where_ = ["instance", "pod", "job", "deployment"]
        .iter()
        .find_map(|k| alert.labels.get(*k))
        .map(|v| format!(" `{}`", escape(&truncate(v, 60)).replace('`', "'")))
        .unwrap_or_default();
    let summary = if alert.summary.is_empty() {
        String::new()
    } else {
        format!(": {}", escape(&truncate(&alert.summary, 200)))
    };
    format!("{mark} {name}{where_}{summary}")
}

/// The lines for `alerts`, at most [`LISTED`], then how many more.
pub fn alert_lines(alerts: &[StoredAlert], total: i64) -> String {
    let mut lines: Vec<String> = alerts.iter().take(LISTED).map(alert_line).collect();
    let shown = lines.len() as i64;
    if total > shown {
        lines.push(format!("_and {} more_", total - shown));
    }
    lines.join("\n")
}

/// Who is paged, who acknowledged, who was called after, the incident.
pub fn status_line(group: &Group, tz: Tz) -> String {
    let mut parts = Vec::new();
    if !group.paged_users.is_empty() {
        parts.push(format!("Paged: {}", mentions(&group.paged_users)));
    } else if let (false, Some(at), Some(_)) = (group.paged, group.page_at, group.page_role) {
        parts.push(format!("Held until {} (in hours)", slack_date(at, tz)));
    } else if group.page_role.is_none() {
        parts.push("Nobody paged".to_owned());
    }
    if let (Some(by), Some(at)) = (&group.acknowledged_by, group.acknowledged_at) {
        parts.push(format!(
            "Acknowledged by {} at {}",
            by.mention(),
            slack_date(at, tz)
        ));
    }
    if let (Some(to), Some(at)) = (&group.escalated_to, group.escalated_at) {
        parts.push(format!(
            "Escalated to {} at {}",
            to.mention(),
            slack_date(at, tz)
        ));
    }
    if let Some(number) = group.incident {
        parts.push(format!("Incident: *{number}*"));
    }
    if let Some(p) = group.priority {
        parts.push(format!("Suggested priority {p}"));
    }
    parts.join(" · ")
}

pub fn mentions(users: &[UserId]) -> String {
    users
        .iter()
        .map(UserId::mention)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The thread reply for alerts whose status changed since the last one.
pub fn news(alerts: &[StoredAlert], firing: i64, total: i64) -> String {
    let fired = alerts
        .iter()
        .filter(|a| a.status == AlertStatus::Firing)
        .count();
    let resolved = alerts.len() - fired;
    let mut head = Vec::new();
    if fired > 0 {
        head.push(format!("{fired} firing"));
    }
    if resolved > 0 {
        head.push(format!("{resolved} resolved"));
    }
    format!(
        "{}; {firing} of {total} firing now.\n{}",
        head.join(", "),
        alert_lines(alerts, alerts.len() as i64)
    )
}

/// The DM to the person paged.
pub fn page_dm(group: &Group, channel_note: &str) -> String {
    format!(
        ":rotating_light: You are paged for *{}* ({} firing) in {channel_note}. \
         Acknowledge it there to stop it escalating.",
        escape(&truncate(&group.title, 150)),
        group.firing
    )
}

/// The thread reply when a held page goes out at the in-hours start.
pub fn released(users: &[UserId]) -> String {
    format!("In hours now: paging {}.", mentions(users))
}

/// The thread reply and DM when nobody acknowledged in time.
pub fn escalated(group: &Group, to: &UserId, waited: chrono::Duration) -> String {
    format!(
        ":rotating_light: Not acknowledged within {}: paging {} on the escalation rota for *{}*.",
        crate::views::elapsed::spoken(waited),
        to.mention(),
        escape(&truncate(&group.title, 150))
    )
}

pub fn acknowledged(by: &UserId) -> String {
    format!("Acknowledged by {}: escalation stopped.", by.mention())
}

/// The description the declare modal is prefilled with: what fired, its
/// labels and links.
pub fn declare_description(group: &Group, alerts: &[StoredAlert]) -> String {
    let mut out = format!(
        "From the alert \"{}\" ({} of {} firing).\n",
        group.title, group.firing, group.total
    );
    let labels: Vec<String> = group
        .labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if !labels.is_empty() {
        out.push_str(&format!("Labels: {}\n", labels.join(", ")));
    }
    for a in alerts.iter().take(5) {
        out.push_str(&format!("- {}: {}", a.name, a.summary));
        if let Some(url) = &a.url {
            out.push_str(&format!(" ({url})"));
        }
        out.push('\n');
    }
    for link in &group.links {
        out.push_str(&format!("{}: {}\n", link.label, link.url));
    }
    truncate(&out, 2900)
}
