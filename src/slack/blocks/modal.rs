//! The declare and update modals, and reading their submissions back into
//! plain values.

use super::views;
use crate::alerts::AlertGroupId;
use crate::ids::IncidentNumber;
use crate::mrkdwn::truncate;
use crate::policy::Policy;
use crate::priority::Priority;
use slack_morphism::prelude::*;
use std::collections::HashMap;

/// Block ids of the declare modal's inputs; `response_action: errors` names them.
pub mod fields {
    pub const TITLE: &str = "title";
    pub const DESCRIPTION: &str = "description";
    pub const PRIORITY: &str = "priority";
    pub const CYBER: &str = "cyber";
    pub const LEAD: &str = "lead";
    pub const COMMS: &str = "comms";
    pub const UPDATE: &str = "update";
}

pub const TITLE_MAX: usize = 150;

/// The support manual's triage questions, shown while people fill the form.
pub const TRIAGE_HINT: &str = "Triage: What is the urgency and why? What is the impact on users, \
systems and reputation? How many systems and users are affected? Is it a known issue, with a workaround?";

pub(super) fn input(
    block: &str,
    label: &str,
    element: impl Into<SlackInputBlockElement>,
) -> SlackInputBlock {
    SlackInputBlock::new(pt!(label), element.into()).with_block_id(block.into())
}

pub fn declare(policy: &Policy, title: &str, invoker: &SlackUserId, channel: &str) -> SlackView {
    declare_prefilled(policy, title, "", None, invoker, channel)
}

/// What marks a declare modal opened from an alert group's message.
const FROM_ALERT: &str = "alert:";

/// The declare modal opened from an alert group's message (SPEC §6):
/// prefilled with its title, the route's priority and a description of
/// its labels and links; the group rides in the private metadata.
pub fn declare_from_alert(
    policy: &Policy,
    title: &str,
    description: &str,
    priority: Option<Priority>,
    invoker: &SlackUserId,
    group: AlertGroupId,
) -> SlackView {
    let metadata = format!("{FROM_ALERT}{}", group.0);
    declare_prefilled(policy, title, description, priority, invoker, &metadata)
}

/// The alert group a declare modal was opened from, if any.
pub fn declared_from_alert(view: &SlackModalView) -> Option<AlertGroupId> {
    let raw = view.private_metadata.as_deref()?.strip_prefix(FROM_ALERT)?;
    raw.parse::<i64>().ok().filter(|n| *n > 0).map(AlertGroupId)
}

fn declare_prefilled(
    policy: &Policy,
    title: &str,
    description: &str,
    initial_priority: Option<Priority>,
    invoker: &SlackUserId,
    metadata: &str,
) -> SlackView {
    let title_input = SlackBlockPlainTextInputElement::new()
        .with_action_id(fields::TITLE.into())
        .with_max_length(TITLE_MAX as u64)
        .with_initial_value(truncate(title, TITLE_MAX))
        .with_placeholder(pt!("e.g. Apps not being served in London"));
    let mut what = SlackBlockPlainTextInputElement::new()
        .with_action_id(fields::DESCRIPTION.into())
        .with_multiline(true)
        .with_max_length(3000);
    if !description.is_empty() {
        what = what.with_initial_value(truncate(description, 3000));
    }
    let options: Vec<SlackBlockChoiceItem<SlackBlockPlainTextOnly>> = Priority::ALL
        .iter()
        .map(|p| {
            let rule = policy.priorities.get(p);
            let name = rule.map_or(String::new(), |r| format!(" {}", r.name));
            let mut item =
                SlackBlockChoiceItem::new(pt!(truncate(&format!("{p}{name}"), 75)), p.to_string());
            if let Some(rule) = rule {
                item = item.with_description(pt!(truncate(&rule.example, 75)));
            }
            item
        })
        .collect();
    let initial =
        initial_priority.and_then(|p| options.iter().find(|o| o.value == p.to_string()).cloned());
    let mut priority = SlackBlockStaticSelectElement::new()
        .with_action_id(fields::PRIORITY.into())
        .with_placeholder(pt!("How bad is it?"))
        .with_options(options);
    if let Some(initial) = initial {
        priority = priority.with_initial_option(initial);
    }
    let cyber_option: SlackBlockChoiceItem<SlackBlockText> = SlackBlockChoiceItem::new(
        SlackBlockText::Plain(pt!("Suspected cyber security incident")),
        "cyber".to_owned(),
    )
    .with_description(pt!(
        "Unauthorised access, exploitation, or denial of service"
    ));
    let cyber =
        SlackBlockCheckboxesElement::new(vec![cyber_option]).with_action_id(fields::CYBER.into());
    let lead = SlackBlockUsersSelectElement::new()
        .with_action_id(fields::LEAD.into())
        .with_initial_user(invoker.0.clone());
    let comms = SlackBlockUsersSelectElement::new()
        .with_action_id(fields::COMMS.into())
        .with_placeholder(pt!("Who talks to tenants?"));
    let blocks: Vec<SlackBlock> = vec![
        input(fields::TITLE, "Title", title_input).into(),
        input(fields::DESCRIPTION, "What is happening?", what)
            .with_optional(true)
            .with_hint(pt!(TRIAGE_HINT))
            .into(),
        input(fields::PRIORITY, "Priority", priority)
            .with_hint(pt!("You can change it later as more is known."))
            .into(),
        input(fields::CYBER, "Cyber security", cyber)
            .with_optional(true)
            .into(),
        input(fields::LEAD, "Engineering lead", lead)
            .with_optional(true)
            .with_hint(pt!("Leave empty to let the person on call take it."))
            .into(),
        input(fields::COMMS, "Comms lead", comms)
            .with_optional(true)
            .into(),
    ];
    SlackView::Modal(
        SlackModalView::new(pt!("Declare an incident"), blocks)
            .with_submit(pt!("Declare"))
            .with_close(pt!("Cancel"))
            .with_callback_id(views::DECLARE.into())
            .with_private_metadata(metadata.to_owned()),
    )
}

pub fn update(number: IncidentNumber, title: &str) -> SlackView {
    let text = SlackBlockPlainTextInputElement::new()
        .with_action_id(fields::UPDATE.into())
        .with_multiline(true)
        .with_max_length(3000)
        .with_placeholder(pt!(
            "What has changed, what is next, when the next update is"
        ));
    let blocks: Vec<SlackBlock> = vec![
        SlackSectionBlock::new()
            .with_text(md!("*{}*: {}", number, crate::mrkdwn::escape(title)))
            .into(),
        input(fields::UPDATE, "Status update", text).into(),
    ];
    SlackView::Modal(
        SlackModalView::new(pt!(truncate(&format!("Update {number}"), 24)), blocks)
            .with_submit(pt!("Post update"))
            .with_close(pt!("Cancel"))
            .with_callback_id(views::UPDATE.into())
            .with_private_metadata(number.0.to_string()),
    )
}

/// The incident an update modal was opened for, from its private metadata.
pub fn update_target(view: &SlackModalView) -> Option<IncidentNumber> {
    let raw = view.private_metadata.as_deref()?;
    IncidentNumber::parse(raw).ok()
}

/// A submitted form's values, by block id.
pub struct Submitted(HashMap<String, SlackViewStateValue>);

impl Submitted {
    pub fn from_state(state: Option<&SlackViewState>) -> Self {
        let mut out = HashMap::new();
        if let Some(state) = state {
            for (block, actions) in &state.values {
                if let Some(value) = actions.values().next() {
                    out.insert(block.0.clone(), value.clone());
                }
            }
        }
        Self(out)
    }

    pub fn text(&self, block: &str) -> Option<String> {
        self.0.get(block)?.value.clone()
    }

    pub fn option(&self, block: &str) -> Option<String> {
        Some(self.0.get(block)?.selected_option.as_ref()?.value.clone())
    }

    pub fn user(&self, block: &str) -> Option<String> {
        Some(self.0.get(block)?.selected_user.as_ref()?.0.clone())
    }

    /// The values of the options picked in a checkboxes input.
    pub fn picked(&self, block: &str) -> Vec<String> {
        self.0
            .get(block)
            .and_then(|v| v.selected_options.as_ref())
            .map(|o| o.iter().map(|o| o.value.clone()).collect())
            .unwrap_or_default()
    }

    pub fn checked(&self, block: &str) -> bool {
        self.0
            .get(block)
            .and_then(|v| v.selected_options.as_ref())
            .is_some_and(|o| !o.is_empty())
    }
}

/// The answer to a submission that shows `errors` on the form, by block id
/// (Slack keeps the modal open and shows each under its field).
pub fn errors(errors: HashMap<String, String>) -> SlackViewSubmissionResponse {
    SlackViewSubmissionResponse::Errors(SlackViewSubmissionErrorsResponse::new(errors))
}

/// One error, shown under the field `block`.
pub fn error_on(block: &str, why: &impl std::fmt::Display) -> SlackViewSubmissionResponse {
    errors(HashMap::from([(block.to_owned(), why.to_string())]))
}
