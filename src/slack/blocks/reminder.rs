//! A reminder in an incident's thread, with the button that clears it
//! underneath (*Post update*, *Acknowledge*).

use super::press::Press;
use crate::ids::IncidentNumber;
use crate::mrkdwn::truncate;
use crate::views::reminders::Prompt;
use slack_morphism::prelude::*;

/// The reminder's text and, when it asks for something, the button for it.
pub fn reminder(text: &str, prompt: Option<Prompt>, number: IncidentNumber) -> SlackMessageContent {
    let content = SlackMessageContent::new().with_text(text.to_owned());
    let (press, label) = match prompt {
        None => return content,
        Some(Prompt::PostUpdate) => (Press::PostUpdate(number), "Post update"),
        Some(Prompt::Acknowledge) => (Press::Acknowledge(number), "Acknowledge"),
    };
    let button = press
        .button(label)
        .with_style(SlackBlockButtonStyle::Primary);
    content.with_blocks(vec![
        SlackSectionBlock::new()
            .with_text(md!("{}", truncate(text, 2900)))
            .into(),
        SlackActionsBlock::new(vec![button.into()]).into(),
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
