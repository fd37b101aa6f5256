//! A cover request as posted in the rota's topic channels: its text and,
//! while it is open, the *I'll cover* button (SPEC §7). Every copy is
//! re-rendered from the stored request, so all copies say the same.

use super::press::Press;
use crate::cover_request::CoverRequest;
use crate::policy::Policy;
use crate::views::cover_request as say;
use slack_morphism::prelude::*;

/// The message for `request` as it stands now.
pub fn request_message(policy: &Policy, request: &CoverRequest) -> SlackMessageContent {
    let text = say::posted(policy, request);
    let mut blocks: Vec<SlackBlock> =
        vec![SlackSectionBlock::new().with_text(md!("{}", text)).into()];
    if request.is_open() {
        blocks.push(take_button(request).into());
    }
    SlackMessageContent::new()
        .with_text(text)
        .with_blocks(blocks)
}

/// The actions block with *I'll cover* for `request` (also on the Home tab).
pub fn take_button(request: &CoverRequest) -> SlackActionsBlock {
    SlackActionsBlock::new(vec![Press::TakeCover(request.id)
        .button("I'll cover")
        .with_style(SlackBlockButtonStyle::Primary)
        .into()])
}

/// Block ids of the ask-for-cover modal's inputs.
pub mod fields {
    pub const ROTA: &str = "cover_rota";
    pub const FROM: &str = "cover_from";
    pub const TO: &str = "cover_to";
    pub const NOTE: &str = "cover_note";
}

/// The modal the Home tab's *Ask for cover* opens: the rotas `rotas` (the
/// asker's own), FROM and TO as `/oncall` reads them, and a note.
pub fn ask_modal(rotas: &[&crate::policy::Rota]) -> SlackView {
    use super::modal::input;
    use crate::mrkdwn::truncate;
    // Slack refuses a menu with no options: say why there is nothing to ask.
    if rotas.is_empty() {
        let why = "You are on no rota, so you have no shifts to ask cover for.";
        let blocks = vec![SlackSectionBlock::new().with_text(md!("{}", why)).into()];
        return SlackView::Modal(
            SlackModalView::new(pt!("Ask for cover"), blocks).with_close(pt!("Close")),
        );
    }
    let options: Vec<SlackBlockChoiceItem<SlackBlockPlainTextOnly>> = rotas
        .iter()
        .map(|r| SlackBlockChoiceItem::new(pt!(truncate(&r.name, 75)), r.name.clone()))
        .collect();
    let rota = SlackBlockStaticSelectElement::new()
        .with_action_id(fields::ROTA.into())
        .with_placeholder(pt!("Which rota?"))
        .with_options(options);
    let when = |field: &str, example: &str| {
        SlackBlockPlainTextInputElement::new()
            .with_action_id(field.into())
            .with_max_length(40)
            .with_placeholder(pt!(example.to_owned()))
    };
    let note = SlackBlockPlainTextInputElement::new()
        .with_action_id(fields::NOTE.into())
        .with_max_length(crate::command::oncall::NOTE_MAX as u64);
    let hint = "`18:00`, `today 18:00`, `tomorrow 09:00`, `mon 09:00` or `2026-12-24 18:00`, in the team's time zone.";
    let blocks: Vec<SlackBlock> = vec![
        input(fields::ROTA, "Rota", rota).into(),
        input(fields::FROM, "From", when(fields::FROM, "tomorrow 09:00"))
            .with_hint(pt!(hint))
            .into(),
        input(fields::TO, "To", when(fields::TO, "tomorrow 17:00")).into(),
        input(fields::NOTE, "Note", note).with_optional(true).into(),
    ];
    SlackView::Modal(
        SlackModalView::new(pt!("Ask for cover"), blocks)
            .with_submit(pt!("Ask"))
            .with_close(pt!("Cancel"))
            .with_callback_id(super::views::ASK_COVER.into()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cover_request::{CoverRequestId, State};
    use crate::ids::UserId;
    use crate::policy::Policy;
    use chrono::{TimeZone, Utc};

    #[test]
    fn only_an_open_request_carries_the_button_and_the_modal_lists_your_rotas() {
        let policy = Policy::builtin();
        let at = Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap();
        let mut request = crate::cover_request::CoverRequest {
            id: CoverRequestId(7),
            rota: "in-hours".into(),
            asked_by: UserId::parse("U0PAASEN4").unwrap(),
            from: at,
            to: at + chrono::Duration::hours(8),
            note: String::new(),
            asked_at: at,
            state: State::Open,
        };
        let open = serde_json::to_string(&request_message(&policy, &request)).unwrap();
        assert!(
            open.contains("cover_request.take") && open.contains("\"value\":\"7\""),
            "{open}"
        );
        request.state = State::Lapsed { at };
        let lapsed = serde_json::to_string(&request_message(&policy, &request)).unwrap();
        assert!(!lapsed.contains("cover_request.take"), "{lapsed}");

        let mine = serde_json::to_string(&ask_modal(&[policy.rota("in-hours").unwrap()])).unwrap();
        assert!(
            mine.contains("cover_request.ask") && mine.contains("in-hours"),
            "{mine}"
        );
        let none = serde_json::to_string(&ask_modal(&[])).unwrap();
        assert!(
            none.contains("on no rota") && !none.contains("static_select"),
            "{none}"
        );
    }
}
