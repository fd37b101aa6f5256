//! The incident card posted to the incident channel and kept current with
//! `chat.update`.

use super::press::Press;
use crate::deadline::NextDeadline;
use crate::incident::{Incident, Status};
use crate::mrkdwn::{escape, slack_date, split, text as user_text, truncate, SECTION_MAX};
use crate::policy::Policy;
use crate::priority::Priority;
use crate::statuspage::rules::PublicState;
use crate::views::labels::{priority_label, status_label};
use crate::views::statuspage as statuspage_text;
use slack_morphism::prelude::*;

fn person(user: Option<&crate::ids::UserId>) -> String {
    user.map_or_else(|| "_nobody yet_".to_owned(), |u| u.mention())
}

/// The fallback text notifications and screen readers use.
pub fn card_text(incident: &Incident) -> String {
    format!(
        "{}: {} ({})",
        incident.number,
        escape(incident.title.as_str()),
        incident.priority
    )
}

/// Sections one piece of user text may take on the card: the card stays
/// well inside a message's 50 blocks. A declared description (at most 3,000
/// characters, at most 15,000 escaped) always fits; a longer summary is whole
/// in the thread.
pub const TEXT_SECTIONS: usize = 5;

/// `body` (mrkdwn) as section blocks of at most 3,000 characters each
/// (Slack's section limit), split, not cut. A body longer than
/// [`TEXT_SECTIONS`] sections ends with a line saying where the rest is,
/// so nothing is dropped silently.
pub fn text_sections(number: crate::ids::IncidentNumber, body: &str) -> Vec<SlackBlock> {
    let pieces = split(body, SECTION_MAX);
    let more = pieces.len() > TEXT_SECTIONS;
    let mut blocks: Vec<SlackBlock> = pieces
        .into_iter()
        .take(TEXT_SECTIONS)
        .map(|piece| SlackSectionBlock::new().with_text(md!("{}", piece)).into())
        .collect();
    if more {
        blocks.push(
            SlackContextBlock::new(vec![SlackContextBlockElement::MarkDown(
                SlackBlockMarkDownText::new(format!(
                    "_That is the first {} characters; the rest is in the thread and in `/incident report {number}`._",
                    TEXT_SECTIONS * SECTION_MAX
                )),
            )])
            .into(),
        );
    }
    blocks
}

/// The card; `public` is the incident on the status page, if published.
pub fn card(
    policy: &Policy,
    incident: &Incident,
    next: &NextDeadline,
    public: Option<&PublicState>,
) -> SlackMessageContent {
    let tz = policy.timezone;
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
    if let (Some(by), Some(at)) = (&incident.acknowledged_by, incident.acknowledged_at) {
        fields.push(md!(
            "*Acknowledged*\nby {} {}",
            by.mention(),
            slack_date(at, tz)
        ));
    }
    match (incident.resolved_at, next) {
        (Some(at), _) => fields.push(md!("*Closed*\n{}", slack_date(at, tz))),
        (None, Some((what, at))) => {
            fields.push(md!("*Next deadline*\n{} {}", what, slack_date(*at, tz)))
        }
        (None, None) => {}
    }
    blocks.push(SlackSectionBlock::new().with_fields(fields).into());
    if let Some(public) = public {
        blocks.push(
            SlackSectionBlock::new()
                .with_text(md!("{}", statuspage_text::card_field(public, tz)))
                .into(),
        );
    }
    if !incident.description.trim().is_empty() {
        // Typed into the declare form, so nothing in it is a mention.
        let description = escape(&incident.description);
        blocks.extend(text_sections(incident.number, &description));
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
        let summary = format!("*Summary*\n{}", user_text(summary));
        blocks.extend(text_sections(incident.number, &summary));
    }
    if incident.is_open() {
        let mut elements = buttons(incident);
        if policy
            .statuspage
            .as_ref()
            .is_some_and(|sp| sp.publishes(incident.priority))
        {
            let label = if public.is_some() {
                "Update status page"
            } else {
                "Publish to status page"
            };
            elements.push(Press::Publish(incident.number).button(label).into());
        }
        blocks.push(SlackActionsBlock::new(elements).into());
    } else {
        // Closed: the one thing left to do is open it again (SPEC §2.7).
        let reopen = Press::Reopen(incident.number)
            .button("Reopen")
            .with_confirm(confirm(
                "Reopen?",
                "This opens the incident again and restarts its deadlines and reminders from now.",
                "Reopen",
            ));
        blocks.push(SlackActionsBlock::new(vec![reopen.into()]).into());
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

fn confirm(title: &str, text: &str, yes: &str) -> SlackBlockConfirmItem {
    SlackBlockConfirmItem::new(pt!(title), md!("{}", text), pt!(yes), pt!("Cancel"))
}

fn buttons(incident: &Incident) -> Vec<SlackActionBlockElement> {
    let n = incident.number;
    // While nobody has acknowledged, the first button acknowledges (and
    // takes the lead if it is free); afterwards it takes a free lead.
    let (ack_press, ack_label) = if incident.status == Status::Declared {
        (Press::Acknowledge(n), "Acknowledge")
    } else {
        (Press::TakeLead(n), "Take engineering lead")
    };
    let options: Vec<SlackBlockChoiceItem<SlackBlockPlainTextOnly>> = Priority::ALL
        .iter()
        .map(|p| Press::Prioritise(n, *p).option(p.as_str()))
        .collect();
    let current = Some(Press::Prioritise(n, incident.priority).option(incident.priority.as_str()));
    let mut select = SlackBlockStaticSelectElement::new()
        .with_action_id(Press::Prioritise(n, incident.priority).action_id().into())
        .with_placeholder(pt!("Change priority"))
        .with_options(options);
    select.initial_option = current;
    let mut ack = ack_press.button(ack_label);
    if incident.status == Status::Declared {
        ack = ack.with_style(SlackBlockButtonStyle::Primary);
    }
    let mut elements = vec![
        ack.into(),
        Press::TakeComms(n).button("Take comms lead").into(),
        select.into(),
        Press::PostUpdate(n).button("Post update").into(),
        Press::NotIncident(n)
            .button("Not an incident")
            .with_confirm(confirm(
                "Not an incident?",
                "This closes the incident without the resolution checklist.",
                "Close it",
            ))
            .into(),
        Press::Resolve(n)
            .button("Resolve")
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
            Press::FlagCyber(n)
                .button("Flag cyber")
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
