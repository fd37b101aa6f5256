//! The App Home tab as Block Kit: the "Declare an incident" button, then
//! the sections `views::home` writes, each inside Slack's limits.

use super::press::Press;
use crate::calendar::Calendar;
use crate::mrkdwn::truncate;
use crate::policy::Policy;
use crate::views::home::{self as content, HomeData};
use slack_morphism::prelude::*;

/// Slack refuses a Home view with more blocks than this.
pub const MAX_BLOCKS: usize = 100;
/// A section's text may be at most 3,000 characters.
const SECTION_MAX: usize = 3_000;

fn section(text: &str) -> SlackBlock {
    SlackSectionBlock::new()
        .with_text(md!("{}", truncate(text, SECTION_MAX)))
        .into()
}

fn header(text: &str) -> SlackBlock {
    SlackHeaderBlock::new(pt!(text.to_owned())).into()
}

fn context(text: &str) -> SlackBlock {
    SlackContextBlock::new(vec![SlackContextBlockElement::MarkDown(
        SlackBlockMarkDownText::new(text.to_owned()),
    )])
    .into()
}

/// One section per entry, and the "and N more" line under them.
fn list(entries: &[String], more: Option<&str>) -> Vec<SlackBlock> {
    entries
        .iter()
        .map(|e| section(e))
        .chain(more.map(context))
        .collect()
}

pub fn home(policy: &Policy, cal: &Calendar, data: &HomeData<'_>) -> SlackView {
    let home = content::home(policy, cal, data);
    let mut blocks = vec![
        header("Incidents and on call"),
        SlackActionsBlock::new(vec![Press::DeclareFromHome
            .button("Declare an incident")
            .with_style(SlackBlockButtonStyle::Danger)
            .into()])
        .into(),
        SlackDividerBlock::new().into(),
        header("Open incidents"),
    ];
    blocks.extend(list(&home.incidents, home.more_incidents.as_deref()));
    blocks.push(SlackDividerBlock::new().into());
    blocks.push(header("On call now"));
    blocks.extend(list(&home.on_call, home.more_rotas.as_deref()));
    blocks.push(SlackDividerBlock::new().into());
    blocks.push(header("Your next shifts"));
    blocks.push(section(&home.your_shifts));
    blocks.push(header("Your overrides"));
    blocks.push(section(&home.your_overrides));
    // The caps on each list keep well inside the limit; this is the backstop.
    blocks.truncate(MAX_BLOCKS);
    SlackView::Home(SlackHomeView::new(blocks))
}
