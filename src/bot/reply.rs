//! Ack payloads for slash commands.

use serde_json::Value;
use slack_morphism::prelude::*;

/// An ephemeral reply: only the person who typed the command sees it.
pub fn ephemeral(text: impl Into<String>) -> Value {
    let response =
        SlackCommandEventResponse::new(SlackMessageContent::new().with_text(text.into()))
            .with_response_type(SlackMessageResponseType::Ephemeral);
    serde_json::to_value(response).expect("a reply always serialises")
}
