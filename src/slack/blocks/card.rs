//! The incident card posted to the incident channel and kept current with
//! `chat.update`.

use super::actions;
use crate::deadline::NextDeadline;
use crate::incident::{Incident, Status};
use crate::mrkdwn::{escape_within, slack_date, truncate};
use crate::policy::Policy;
use crate::priority::Priority;
use crate::views::labels::{priority_label, status_label};
use slack_morphism::prelude::*;

fn person(user: Option<&crate::ids::UserId>) -> String {
    user.map_or_else(|| "_nobody yet_".to_owned(), |u| u.mention())
}

/// The fallback text notifications and screen readers use.
pub fn card_text(incident: &Incident) -> String {
    format!(
        "{}: {} ({})",
        incident.number,
        escape_within(incident.title.as_str(), 150),
        incident.priority
    )
}

pub fn card(policy: &Policy, incident: &Incident, next: &NextDeadline) -> SlackMessageContent {
    let tz = policy.timezone;
    let n = incident.number.0.to_string();
    let mut blocks: Vec<SlackBlock> = vec![SlackHeaderBlock::new(pt!(truncate(
        &format!("{}: {}", incident.number, incident.title),
        150
    )))
    .into()];
    let mut fields = vec![
        md!("*Priority*\n{}", priority_label(policy, incident.priority)),
        md!("*Status*\n{}", status_label(incident.status)),
        md!(
            "*Engineering lead*\n{}",
            person(incident.engineering_lead.as_ref())
        ),
        md!("*Comms lead*\n{}", person(incident.comms_lead.as_ref())),
        md!(
            "*Declared*\nby {} {}",
            incident.declared_by.mention(),
            slack_date(incident.declared_at, tz)
        ),
    ];
    match (incident.resolved_at, next) {
        (Some(at), _) => fields.push(md!("*Closed*\n{}", slack_date(at, tz))),
        (None, Some((what, at))) => {
            fields.push(md!("*Next deadline*\n{} {}", what, slack_date(*at, tz)))
        }
        (None, None) => {}
    }
    blocks.push(SlackSectionBlock::new().with_fields(fields).into());
    if !incident.description.trim().is_empty() {
        blocks.push(
            SlackSectionBlock::new()
                .with_text(md!("{}", escape_within(&incident.description, 2900)))
                .into(),
        );
    }
    if incident.cyber {
        blocks.push(
            SlackContextBlock::new(vec![SlackContextBlockElement::MarkDown(
                SlackBlockMarkDownText::new(
                    ":rotating_light: *Flagged as a cyber security incident*".into(),
                ),
            )])
            .into(),
        );
    }
    if let Some(summary) = incident.summary.as_deref().filter(|s| !s.trim().is_empty()) {
        blocks.push(
            SlackSectionBlock::new()
                .with_text(md!("*Summary*\n{}", escape_within(summary, 2900)))
                .into(),
        );
    }
    if !matches!(incident.status, Status::Resolved | Status::NotIncident) {
        blocks.push(SlackActionsBlock::new(buttons(incident, &n)).into());
    }
    SlackMessageContent::new()
        .with_text(card_text(incident))
        .with_blocks(blocks)
        .with_metadata(card_marker(incident))
}

/// Message metadata naming the incident a card belongs to. Every render
/// carries it, so a card posted just before the bot died can be found in
/// the channel instead of being posted again.
pub fn card_marker(incident: &Incident) -> SlackMessageMetadata {
    let payload = [
        ("incident", incident.number.0.to_string()),
        ("declared_at", incident.declared_at.to_rfc3339()),
    ];
    SlackMessageMetadata {
        event_type: "incident_card".to_owned(),
        event_payload: Some(payload.map(|(k, v)| (k.to_owned(), v)).into()),
    }
}

fn button(action: &str, label: &str, value: &str) -> SlackBlockButtonElement {
    SlackBlockButtonElement::new(pt!(label))
        .with_action_id(action.into())
        .with_value(value.to_owned())
}

fn confirm(title: &str, text: &str, yes: &str) -> SlackBlockConfirmItem {
    SlackBlockConfirmItem::new(pt!(title), md!("{}", text), pt!(yes), pt!("Cancel"))
}

fn buttons(incident: &Incident, n: &str) -> Vec<SlackActionBlockElement> {
    // While nobody has acknowledged, the first button acknowledges (and
    // takes the lead if it is free); afterwards it takes a free lead.
    let (ack_action, ack_label) = if incident.status == Status::Declared {
        (actions::ACK, "Acknowledge")
    } else {
        (actions::TAKE_LEAD, "Take engineering lead")
    };
    let options: Vec<SlackBlockChoiceItem<SlackBlockPlainTextOnly>> = Priority::ALL
        .iter()
        .map(|p| SlackBlockChoiceItem::new(pt!(p.as_str()), format!("{n}:{p}")))
        .collect();
    let current = options
        .iter()
        .find(|o| o.value.ends_with(incident.priority.as_str()))
        .cloned();
    let mut select = SlackBlockStaticSelectElement::new()
        .with_action_id(actions::PRIORITY.into())
        .with_placeholder(pt!("Change priority"))
        .with_options(options);
    select.initial_option = current;
    let mut ack = button(ack_action, ack_label, n);
    if incident.status == Status::Declared {
        ack = ack.with_style(SlackBlockButtonStyle::Primary);
    }
    let mut elements = vec![
        ack.into(),
        button(actions::TAKE_COMMS, "Take comms lead", n).into(),
        select.into(),
        button(actions::POST_UPDATE, "Post update", n).into(),
        button(actions::NOT_INCIDENT, "Not an incident", n)
            .with_confirm(confirm(
                "Not an incident?",
                "This closes the incident without the resolution checklist.",
                "Close it",
            ))
            .into(),
        button(actions::RESOLVE, "Resolve", n)
            .with_style(SlackBlockButtonStyle::Primary)
            .with_confirm(confirm(
                "Resolve?",
                "This closes the incident and posts the resolution checklist.",
                "Resolve",
            ))
            .into(),
    ];
    if !incident.cyber {
        elements.push(
            button(actions::CYBER, "Flag cyber", n)
                .with_style(SlackBlockButtonStyle::Danger)
                .with_confirm(confirm(
                    "Cyber security incident?",
                    "This flags the incident and posts how to escalate to the Cyber Security team.",
                    "Flag it",
                ))
                .into(),
        );
    }
    elements
}
