//! The App Home tab as Block Kit: the "Declare an incident" button, then
//! the sections `views::home` writes, each inside Slack's limits.

use super::cover_request::take_button;
use super::press::Press;
use crate::calendar::Calendar;
use crate::cover_request::CoverRequest;
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

/// Open cover requests shown at most; the rest are counted.
const MAX_REQUESTS: usize = 5;

/// The open cover requests, each with *I'll cover* (not on the viewer's
/// own), then *Ask for cover* and the command that does the same.
fn cover_requests(policy: &Policy, data: &HomeData<'_>, open: &[CoverRequest]) -> Vec<SlackBlock> {
    let mut blocks = vec![header("Cover requests")];
    if open.is_empty() {
        blocks.push(section("No open cover requests."));
    }
    for request in open.iter().take(MAX_REQUESTS) {
        blocks.push(section(&crate::views::cover_request::summary(
            policy, request,
        )));
        if request.asked_by != *data.viewer {
            blocks.push(take_button(request).into());
        }
    }
    let hidden = open.len().saturating_sub(MAX_REQUESTS);
    if hidden > 0 {
        blocks.push(context(&format!(
            "…and {hidden} more: `/oncall requests` lists them all"
        )));
    }
    blocks.push(
        SlackActionsBlock::new(vec![Press::AskCoverFromHome.button("Ask for cover").into()]).into(),
    );
    blocks.push(context(
        "Or `/oncall cover me ROTA FROM to TO [note]`: the rest of your rota is asked, and the first to press *I'll cover* takes it.",
    ));
    blocks
}

pub fn home(
    policy: &Policy,
    cal: &Calendar,
    data: &HomeData<'_>,
    open_requests: &[CoverRequest],
) -> SlackView {
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
    blocks.extend(cover_requests(policy, data, open_requests));
    blocks.push(SlackDividerBlock::new().into());
    blocks.push(header("Your next shifts"));
    blocks.push(section(&home.your_shifts));
    blocks.push(header("Your overrides"));
    blocks.push(section(&home.your_overrides));
    // The caps on each list keep well inside the limit; this is the backstop.
    blocks.truncate(MAX_BLOCKS);
    SlackView::Home(SlackHomeView::new(blocks))
}
