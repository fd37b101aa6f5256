//! An alert group's message (SPEC §6): heading (red while firing, a green
//! tick once resolved), the alerts, links, who is paged and the buttons.
//! Posted once, then kept current with `chat.update`.

use super::press::Press;
use crate::alerts::AlertStatus;
use crate::mrkdwn::{escape, SECTION_MAX};
use crate::store::alerts::{Group, StoredAlert};
use crate::views::alert as text;
use chrono_tz::Tz;
use slack_morphism::prelude::*;

/// What marks an alert group's message, so a post left in doubt by a
/// crash is found again rather than posted twice.
pub const MESSAGE_EVENT: &str = "alert_message";

pub fn marker(group: &Group) -> SlackMessageMetadata {
    SlackMessageMetadata {
        event_type: MESSAGE_EVENT.to_owned(),
        event_payload: Some([("group".to_owned(), group.id.0.to_string())].into()),
    }
}

fn clipped(s: String) -> String {
    crate::mrkdwn::truncate(&s, SECTION_MAX)
}

/// The message for `group` as stored now, listing `alerts`.
pub fn message(group: &Group, alerts: &[StoredAlert], tz: Tz) -> SlackMessageContent {
    let heading = text::heading(group);
    let mut blocks: Vec<SlackBlock> = vec![SlackSectionBlock::new()
        .with_text(md!("*{}*", escape(&heading)))
        .into()];
    let shown = match group.status {
        AlertStatus::Firing => group.firing,
        AlertStatus::Resolved => group.total,
    };
    if !alerts.is_empty() {
        blocks.push(
            SlackSectionBlock::new()
                .with_text(md!("{}", clipped(text::alert_lines(alerts, shown))))
                .into(),
        );
    }
    let links: Vec<String> = group
        .links
        .iter()
        .map(|l| {
            format!(
                "<{}|{}>",
                l.url.replace('|', "%7C").replace('>', "%3E"),
                escape(&l.label)
            )
        })
        .collect();
    let status = text::status_line(group, tz);
    let context: Vec<String> = [links.join(" · "), status]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    if !context.is_empty() {
        blocks.push(
            SlackContextBlock::new(
                context
                    .into_iter()
                    .map(|c| {
                        SlackContextBlockElement::MarkDown(SlackBlockMarkDownText::new(clipped(c)))
                    })
                    .collect(),
            )
            .into(),
        );
    }
    let mut buttons: Vec<SlackActionBlockElement> = Vec::new();
    if group.status == AlertStatus::Firing && group.acknowledged_by.is_none() {
        buttons.push(
            Press::AcknowledgeAlert(group.id)
                .button("Acknowledge")
                .with_style(SlackBlockButtonStyle::Primary)
                .into(),
        );
    }
    if group.incident.is_none() {
        buttons.push(
            Press::DeclareFromAlert(group.id)
                .button("Declare incident")
                .into(),
        );
    }
    if !buttons.is_empty() {
        blocks.push(SlackActionsBlock::new(buttons).into());
    }
    let mentions = if group.status == AlertStatus::Firing && !group.paged_users.is_empty() {
        format!(" {}", text::mentions(&group.paged_users))
    } else {
        String::new()
    };
    SlackMessageContent::new()
        .with_text(format!("{}{mentions}", escape(&heading)))
        .with_blocks(blocks)
}
