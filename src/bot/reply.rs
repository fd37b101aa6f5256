//! What a handler answers with, typed; turned into the ack's payload only
//! at the edge (`dispatch`). A failure on our side is an [`Apology`]: the
//! person sees a short reference that is also on the log line, so what
//! they quote can be found.

use serde_json::Value;
use slack_morphism::prelude::*;
use std::fmt;
use tracing::error;

/// The answer to a slash command.
#[derive(Debug)]
pub enum Reply {
    /// Text only the person who typed the command sees.
    Ephemeral(String),
    /// A rich message only they see (an incident card).
    EphemeralContent(SlackMessageContent),
    /// A bare ack: the answer is on its way another way (a modal).
    Bare,
}

impl Reply {
    /// The ack payload; None for a bare ack.
    pub fn into_payload(self) -> Option<Value> {
        let content = match self {
            Reply::Bare => return None,
            Reply::Ephemeral(text) => SlackMessageContent::new().with_text(text),
            Reply::EphemeralContent(content) => content,
        };
        let response = SlackCommandEventResponse::new(content)
            .with_response_type(SlackMessageResponseType::Ephemeral);
        Some(serde_json::to_value(response).expect("a reply always serialises"))
    }
}

impl<T: fmt::Display> From<T> for Reply {
    fn from(text: T) -> Reply {
        Reply::Ephemeral(text.to_string())
    }
}

/// Something failed on our side. Logged with its cause chain and a short
/// reference when made; shows the person the reference and that nothing
/// was changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Apology {
    reference: String,
}

impl Apology {
    /// Logs `error` (what failed: `while`) and returns what to tell the person.
    pub fn for_error(error: &anyhow::Error, while_: &str) -> Apology {
        let reference = format!("E{:08X}", fastrand::u32(..));
        error!(reference, error = format!("{error:#}"), "{while_} failed");
        Apology { reference }
    }
}

impl fmt::Display for Apology {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Something went wrong on our side and nothing was changed. Please try again; \
             if it keeps failing, tell the bot's maintainers and quote reference `{}`.",
            self.reference
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_apology_quotes_its_reference() {
        let apology = Apology::for_error(&anyhow::anyhow!("disk full"), "a test");
        assert!(apology.reference.starts_with('E'));
        assert_eq!(apology.reference.len(), 9);
        assert!(apology.to_string().contains(&apology.reference));
        let other = Apology::for_error(&anyhow::anyhow!("disk full"), "a test");
        assert_ne!(apology, other);
    }

    #[test]
    fn a_bare_reply_acks_with_no_payload() {
        assert!(Reply::Bare.into_payload().is_none());
        let text = Reply::from("hello").into_payload().unwrap();
        assert_eq!(text["response_type"], "ephemeral");
        assert_eq!(text["text"], "hello");
    }
}
