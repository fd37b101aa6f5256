//! The direct message telling someone they have been put on call by an
//! override, with the *Undo* button that cancels it (SPEC §2.7).

use super::press::Press;
use crate::ids::OverrideId;
use slack_morphism::prelude::*;

/// `text` (mrkdwn) and an *Undo* button for override `id`.
pub fn put_on_call(text: &str, id: OverrideId) -> SlackMessageContent {
    let undo = Press::UndoOverride(id).button("Undo");
    SlackMessageContent::new()
        .with_text(text.to_owned())
        .with_blocks(vec![
            SlackSectionBlock::new().with_text(md!("{}", text)).into(),
            SlackActionsBlock::new(vec![undo.into()]).into(),
        ])
}
