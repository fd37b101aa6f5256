//! A reminder in an incident's thread, with the button that clears it
//! underneath (*Post update*, *Acknowledge*).

use super::press::Press;
use crate::ids::IncidentNumber;
use crate::mrkdwn::truncate;
use crate::views::reminders::Prompt;
use slack_morphism::prelude::*;

/// The reminder's text and, when it asks for something, the button for it.
pub fn reminder(text: &str, prompt: Option<Prompt>, number: IncidentNumber) -> SlackMessageContent {
    with_buttons(text, prompt_button(prompt, number).into_iter().collect())
}

/// As [`reminder`], with *Publish to status page* beside its button: for
/// the reminders that ask for a public update (SPEC §5).
pub fn reminder_publishing(
    text: &str,
    prompt: Option<Prompt>,
    number: IncidentNumber,
) -> SlackMessageContent {
    let mut buttons: Vec<SlackActionBlockElement> =
        prompt_button(prompt, number).into_iter().collect();
    buttons.push(
        Press::Publish(number)
            .button("Publish to status page")
            .into(),
    );
    with_buttons(text, buttons)
}

fn prompt_button(
    prompt: Option<Prompt>,
    number: IncidentNumber,
) -> Option<SlackActionBlockElement> {
    let (press, label) = match prompt? {
        Prompt::PostUpdate => (Press::PostUpdate(number), "Post update"),
        Prompt::Acknowledge => (Press::Acknowledge(number), "Acknowledge"),
    };
    Some(
        press
            .button(label)
            .with_style(SlackBlockButtonStyle::Primary)
            .into(),
    )
}

fn with_buttons(text: &str, buttons: Vec<SlackActionBlockElement>) -> SlackMessageContent {
    let content = SlackMessageContent::new().with_text(text.to_owned());
    if buttons.is_empty() {
        return content;
    }
    content.with_blocks(vec![
        SlackSectionBlock::new()
            .with_text(md!("{}", truncate(text, 2900)))
            .into(),
        SlackActionsBlock::new(buttons).into(),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slack::blocks::actions;

    fn json(content: &SlackMessageContent) -> serde_json::Value {
        serde_json::to_value(content).unwrap()
    }

    #[test]
    fn without_a_prompt_it_is_plain_text() {
        let content = reminder("Update due", None, IncidentNumber(3));
        assert_eq!(content.text.as_deref(), Some("Update due"));
        assert!(content.blocks.is_none());
    }

    #[test]
    fn a_prompt_puts_its_button_under_the_text() {
        let content = reminder("Update due", Some(Prompt::PostUpdate), IncidentNumber(3));
        let v = json(&content);
        assert_eq!(v["blocks"][0]["text"]["text"], "Update due");
        let button = &v["blocks"][1]["elements"][0];
        assert_eq!(button["action_id"], actions::POST_UPDATE);
        assert_eq!(button["value"], "3");
        let ack = json(&reminder(
            "Ack",
            Some(Prompt::Acknowledge),
            IncidentNumber(4),
        ));
        assert_eq!(ack["blocks"][1]["elements"][0]["action_id"], actions::ACK);
        assert_eq!(ack["blocks"][1]["elements"][0]["value"], "4");
    }
}
