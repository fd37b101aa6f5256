//! The *Publish to status page* modal (SPEC §5) and reading its submission
//! back into a [`Publication`]. Opened to update (status investigating |
//! identified | monitoring, affected components each with a status) or to
//! resolve (status resolved; the components this incident changed go back
//! to operational).

use super::modal::{input, Submitted};
use super::views;
use crate::ids::IncidentNumber;
use crate::incident::Incident;
use crate::mrkdwn::{escape, truncate};
use crate::policy::statuspage::{ComponentStatus, StatuspageSettings};
use crate::statuspage::rules::{self, PublicState};
use crate::statuspage::{PublicStatus, Publication};
use slack_morphism::prelude::*;
use std::collections::{BTreeMap, HashMap};

/// Block ids of the modal's inputs.
pub mod fields {
    pub const TITLE: &str = "public_title";
    pub const STATUS: &str = "public_status";
    pub const MESSAGE: &str = "public_message";
    pub const AFFECTED: &str = "public_components";
    /// Followed by the component id: that component's status.
    pub const COMPONENT: &str = "component:";
    pub const NOTIFY: &str = "notify";
}

/// Statuspage's limit on an incident's name.
pub const NAME_MAX: usize = 255;

fn plain_option(label: &str, value: &str) -> SlackBlockChoiceItem<SlackBlockPlainTextOnly> {
    SlackBlockChoiceItem::new(pt!(label), value.to_owned())
}

fn checkbox(label: &str, value: &str) -> SlackBlockChoiceItem<SlackBlockText> {
    SlackBlockChoiceItem::new(SlackBlockText::Plain(pt!(label)), value.to_owned())
}

/// The modal for incident `incident`; `public` is what was published last
/// (None before the first publication); `resolve` opens it to resolve.
pub fn modal(
    settings: &StatuspageSettings,
    incident: &Incident,
    public: Option<&PublicState>,
    resolve: bool,
) -> SlackView {
    let n = incident.number;
    let name = public.map_or(incident.title.as_str(), |p| p.name.as_str());
    let title = SlackBlockPlainTextInputElement::new()
        .with_action_id(fields::TITLE.into())
        .with_max_length(NAME_MAX as u64)
        .with_initial_value(truncate(name, NAME_MAX));
    let mut message = SlackBlockPlainTextInputElement::new()
        .with_action_id(fields::MESSAGE.into())
        .with_multiline(true)
        .with_max_length(3000)
        .with_placeholder(pt!(
            "Plain English for tenants: what is affected, what we are doing, when we next update"
        ));
    if resolve {
        message = message.with_initial_value(
            "This incident has been resolved and the service is working normally.".to_owned(),
        );
    }
    let mut blocks: Vec<SlackBlock> = vec![
        SlackContextBlock::new(vec![SlackContextBlockElement::MarkDown(
            SlackBlockMarkDownText::new(format!(
                "*{n}*: {}. This is public: it goes to the status page{}.",
                escape(incident.title.as_str()),
                if settings.notify_subscribers {
                    " and, if ticked, to its subscribers"
                } else {
                    ""
                }
            )),
        )])
        .into(),
        input(fields::TITLE, "Public title", title).into(),
    ];
    if resolve {
        blocks.push(status_line(public));
    } else {
        blocks.push(status_select(public).into());
    }
    blocks.push(
        input(fields::MESSAGE, "Public message", message)
            .with_hint(pt!("Separate from internal updates: write it for tenants."))
            .into(),
    );
    if resolve {
        blocks.extend(restored(settings, public));
    } else {
        blocks.extend(components(settings, incident, public));
    }
    let notify = checkbox("Notify subscribers", "notify");
    let mut boxes = SlackBlockCheckboxesElement::new(vec![notify.clone()])
        .with_action_id(fields::NOTIFY.into());
    if settings.notify_subscribers {
        boxes.initial_options = Some(vec![notify]);
    }
    blocks.push(
        input(fields::NOTIFY, "Subscribers", boxes)
            .with_optional(true)
            .into(),
    );
    let (heading, submit) = if resolve {
        ("Resolve publicly", "Resolve publicly")
    } else if public.is_some() {
        ("Update status page", "Publish update")
    } else {
        ("Publish incident", "Publish")
    };
    let meta = if resolve {
        format!("{}:resolve", n.0)
    } else {
        n.0.to_string()
    };
    SlackView::Modal(
        SlackModalView::new(pt!(heading), blocks)
            .with_submit(pt!(submit))
            .with_close(pt!("Cancel"))
            .with_callback_id(views::PUBLISH.into())
            .with_private_metadata(meta),
    )
}

fn status_select(public: Option<&PublicState>) -> SlackInputBlock {
    let options: Vec<_> = PublicStatus::OPEN
        .iter()
        .map(|s| plain_option(s.label(), s.as_str()))
        .collect();
    let current = public
        .map(|p| p.status)
        .filter(|s| *s != PublicStatus::Resolved)
        .unwrap_or(PublicStatus::Investigating);
    let mut select = SlackBlockStaticSelectElement::new()
        .with_action_id(fields::STATUS.into())
        .with_options(options);
    select.initial_option = Some(plain_option(current.label(), current.as_str()));
    input(fields::STATUS, "Public status", select)
}

fn status_line(public: Option<&PublicState>) -> SlackBlock {
    let link = public
        .and_then(|p| p.shortlink.as_deref())
        .map(|l| format!(" (<{l}|the public incident>)"))
        .unwrap_or_default();
    SlackSectionBlock::new()
        .with_text(md!("*Public status*: Resolved{}", link))
        .into()
}

fn components(
    settings: &StatuspageSettings,
    incident: &Incident,
    public: Option<&PublicState>,
) -> Vec<SlackBlock> {
    let prefill = rules::prefill(settings, incident, public);
    let affected: Vec<_> = settings
        .components
        .iter()
        .map(|(name, id)| checkbox(name, id))
        .collect();
    let mut boxes =
        SlackBlockCheckboxesElement::new(affected.clone()).with_action_id(fields::AFFECTED.into());
    let before: Vec<_> = affected
        .into_iter()
        .filter(|item| {
            public.is_some_and(|p| {
                p.components
                    .get(&item.value)
                    .is_some_and(|s| *s != ComponentStatus::Operational)
            })
        })
        .collect();
    if !before.is_empty() {
        boxes.initial_options = Some(before);
    }
    let mut blocks: Vec<SlackBlock> = vec![input(fields::AFFECTED, "Affected components", boxes)
        .with_optional(true)
        .into()];
    for (name, id) in &settings.components {
        let options: Vec<_> = ComponentStatus::AFFECTED
            .iter()
            .map(|s| plain_option(s.label(), s.as_str()))
            .collect();
        let start = prefill[id];
        let mut select = SlackBlockStaticSelectElement::new()
            .with_action_id(format!("{}{id}", fields::COMPONENT).into())
            .with_options(options);
        select.initial_option = Some(plain_option(start.label(), start.as_str()));
        let block = format!("{}{id}", fields::COMPONENT);
        blocks.push(
            input(
                &block,
                &truncate(&format!("{name}: status if affected"), 150),
                select,
            )
            .with_optional(true)
            .into(),
        );
    }
    blocks
}

fn restored(settings: &StatuspageSettings, public: Option<&PublicState>) -> Vec<SlackBlock> {
    let names: Vec<String> = public
        .map(rules::restore)
        .unwrap_or_default()
        .keys()
        .map(|id| escape(settings.component_name(id).unwrap_or(id)))
        .collect();
    let text = if names.is_empty() {
        "This incident changed no components, so none are changed now.".to_owned()
    } else {
        format!(
            "Set back to *operational*: {}. Other components are left as they are.",
            names.join(", ")
        )
    };
    vec![SlackSectionBlock::new().with_text(md!("{}", text)).into()]
}

/// The incident a publish modal was opened for, and whether to resolve.
pub fn target(view: &SlackModalView) -> Option<(IncidentNumber, bool)> {
    let raw = view.private_metadata.as_deref()?;
    let (n, mode) = raw.split_once(':').unwrap_or((raw, ""));
    Some((IncidentNumber::parse(n).ok()?, mode == "resolve"))
}

/// Reads a submission: the publication, or errors by block id.
pub fn read(
    settings: &StatuspageSettings,
    incident: &Incident,
    public: Option<&PublicState>,
    resolve: bool,
    form: &Submitted,
) -> Result<Publication, HashMap<String, String>> {
    let mut errors = HashMap::new();
    let name = form
        .text(fields::TITLE)
        .unwrap_or_default()
        .trim()
        .to_owned();
    if name.is_empty() {
        errors.insert(
            fields::TITLE.to_owned(),
            "The status page needs a title.".to_owned(),
        );
    }
    let body = form
        .text(fields::MESSAGE)
        .unwrap_or_default()
        .trim()
        .to_owned();
    if body.is_empty() {
        errors.insert(
            fields::MESSAGE.to_owned(),
            "Write what tenants should know, in plain English.".to_owned(),
        );
    }
    let status = if resolve {
        PublicStatus::Resolved
    } else {
        form.option(fields::STATUS)
            .and_then(|s| PublicStatus::parse(&s))
            .filter(|s| *s != PublicStatus::Resolved)
            .unwrap_or(PublicStatus::Investigating)
    };
    let components: BTreeMap<String, ComponentStatus> = if resolve {
        public.map(rules::restore).unwrap_or_default()
    } else {
        let prefill = rules::prefill(settings, incident, public);
        let picked = form.picked(fields::AFFECTED);
        // A component affected before and unticked now has recovered.
        let recovered = public
            .map(|p| p.components.keys().cloned().collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .filter(|id| !picked.contains(id))
            .map(|id| (id, ComponentStatus::Operational));
        picked
            .iter()
            .filter(|id| settings.components.values().any(|v| v == *id))
            .map(|id| {
                let chosen = form
                    .option(&format!("{}{id}", fields::COMPONENT))
                    .and_then(|s| ComponentStatus::parse(&s))
                    .unwrap_or(prefill[id]);
                (id.clone(), chosen)
            })
            .chain(recovered)
            .collect()
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Publication {
        name,
        status,
        body,
        components,
        notify: form.checked(fields::NOTIFY),
        impact: settings.impact.get(&incident.priority).map(|i| i.impact),
    })
}

/// Posted in the thread on resolve while the public incident is open:
/// the text and the *Resolve on the status page too* button.
pub fn resolve_prompt(text: &str, number: IncidentNumber) -> SlackMessageContent {
    let button = super::press::Press::PublishResolve(number)
        .button("Resolve on the status page too")
        .with_style(SlackBlockButtonStyle::Primary);
    SlackMessageContent::new()
        .with_text(text.to_owned())
        .with_blocks(vec![
            SlackSectionBlock::new().with_text(md!("{}", text)).into(),
            SlackActionsBlock::new(vec![button.into()]).into(),
        ])
}
