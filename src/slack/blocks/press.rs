//! What a button or menu asks for, as a typed value. Cards, reminders and
//! the Home tab build their controls from a [`Press`], and a press coming
//! back is parsed here into one, so what a control says and how it is read
//! cannot drift apart. On the wire: the control's `action_id` names the
//! action, its `value` the incident (`"7"`), or the incident and the
//! chosen priority for the priority menu (`"7:P2"`), or for *Undo* the
//! override (`"12"` for OVR-12), for *I'll cover* the cover request
//! (`"3"` for REQ-3).

use super::actions;
use crate::alerts::AlertGroupId;
use crate::cover_request::CoverRequestId;
use crate::ids::{IncidentNumber, OverrideId};
use crate::priority::Priority;
use slack_morphism::prelude::*;

/// A person pressed a control the bot posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Press {
    Acknowledge(IncidentNumber),
    TakeLead(IncidentNumber),
    TakeComms(IncidentNumber),
    /// The priority menu: the incident and the priority chosen.
    Prioritise(IncidentNumber, Priority),
    /// Opens the update modal.
    PostUpdate(IncidentNumber),
    NotIncident(IncidentNumber),
    Resolve(IncidentNumber),
    FlagCyber(IncidentNumber),
    /// On a closed card (SPEC §2.7).
    Reopen(IncidentNumber),
    /// The covering person's DM: cancel the override that put them on call.
    UndoOverride(OverrideId),
    /// Opens the publish-to-status-page modal (SPEC §5).
    Publish(IncidentNumber),
    /// Opens it prefilled to resolve the public incident.
    PublishResolve(IncidentNumber),
    /// The Home tab's button: opens the declare modal.
    DeclareFromHome,
    /// *I'll cover* on a cover request (SPEC §7).
    TakeCover(CoverRequestId),
    /// The Home tab's button: opens the ask-for-cover modal.
    AskCoverFromHome,
    /// An alert group's message: acknowledge its page (SPEC §6).
    AcknowledgeAlert(AlertGroupId),
    /// An alert group's message: the declare modal, prefilled from it.
    DeclareFromAlert(AlertGroupId),
}

impl Press {
    /// Reads a press from its `action_id` and its value (a button's
    /// `value`, or a menu's selected option's). None for controls the bot
    /// did not post, or a value that does not name an incident.
    pub fn parse(action_id: &str, value: &str) -> Option<Press> {
        if action_id == actions::HOME_DECLARE {
            return Some(Press::DeclareFromHome);
        }
        if action_id == actions::HOME_ASK_COVER {
            return Some(Press::AskCoverFromHome);
        }
        if action_id == actions::TAKE_COVER {
            let id = value.parse::<i64>().ok().filter(|n| *n > 0)?;
            return Some(Press::TakeCover(CoverRequestId(id)));
        }
        if action_id == actions::UNDO_OVERRIDE {
            let id = value.parse::<i64>().ok().filter(|n| *n > 0)?;
            return Some(Press::UndoOverride(OverrideId(id)));
        }
        if action_id == actions::ALERT_ACK || action_id == actions::ALERT_DECLARE {
            let id = AlertGroupId(value.parse::<i64>().ok().filter(|n| *n > 0)?);
            return Some(if action_id == actions::ALERT_ACK {
                Press::AcknowledgeAlert(id)
            } else {
                Press::DeclareFromAlert(id)
            });
        }
        let (number, rest) = value.split_once(':').unwrap_or((value, ""));
        let n = IncidentNumber(number.parse::<i64>().ok().filter(|n| *n > 0)?);
        let press = match action_id {
            actions::ACK => Press::Acknowledge(n),
            actions::TAKE_LEAD => Press::TakeLead(n),
            actions::TAKE_COMMS => Press::TakeComms(n),
            actions::PRIORITY => Press::Prioritise(n, rest.parse().ok()?),
            actions::POST_UPDATE => Press::PostUpdate(n),
            actions::NOT_INCIDENT => Press::NotIncident(n),
            actions::RESOLVE => Press::Resolve(n),
            actions::CYBER => Press::FlagCyber(n),
            actions::REOPEN => Press::Reopen(n),
            actions::PUBLISH => Press::Publish(n),
            actions::PUBLISH_RESOLVE => Press::PublishResolve(n),
            _ => return None,
        };
        Some(press)
    }

    pub fn action_id(self) -> &'static str {
        match self {
            Press::Acknowledge(_) => actions::ACK,
            Press::TakeLead(_) => actions::TAKE_LEAD,
            Press::TakeComms(_) => actions::TAKE_COMMS,
            Press::Prioritise(..) => actions::PRIORITY,
            Press::PostUpdate(_) => actions::POST_UPDATE,
            Press::NotIncident(_) => actions::NOT_INCIDENT,
            Press::Resolve(_) => actions::RESOLVE,
            Press::FlagCyber(_) => actions::CYBER,
            Press::Reopen(_) => actions::REOPEN,
            Press::UndoOverride(_) => actions::UNDO_OVERRIDE,
            Press::Publish(_) => actions::PUBLISH,
            Press::PublishResolve(_) => actions::PUBLISH_RESOLVE,
            Press::DeclareFromHome => actions::HOME_DECLARE,
            Press::TakeCover(_) => actions::TAKE_COVER,
            Press::AskCoverFromHome => actions::HOME_ASK_COVER,
            Press::AcknowledgeAlert(_) => actions::ALERT_ACK,
            Press::DeclareFromAlert(_) => actions::ALERT_DECLARE,
        }
    }

    /// The control's value: what [`Press::parse`] reads back.
    pub fn value(self) -> String {
        match self {
            Press::Prioritise(n, p) => format!("{}:{p}", n.0),
            Press::DeclareFromHome => "declare".to_owned(),
            Press::UndoOverride(id) => id.0.to_string(),
            Press::TakeCover(id) => id.0.to_string(),
            Press::AskCoverFromHome => "ask".to_owned(),
            Press::AcknowledgeAlert(id) | Press::DeclareFromAlert(id) => id.0.to_string(),
            Press::Acknowledge(n)
            | Press::TakeLead(n)
            | Press::TakeComms(n)
            | Press::PostUpdate(n)
            | Press::NotIncident(n)
            | Press::Resolve(n)
            | Press::FlagCyber(n)
            | Press::Reopen(n)
            | Press::Publish(n)
            | Press::PublishResolve(n) => n.0.to_string(),
        }
    }

    /// A button that sends this press.
    pub fn button(self, label: &str) -> SlackBlockButtonElement {
        SlackBlockButtonElement::new(pt!(label))
            .with_action_id(self.action_id().into())
            .with_value(self.value())
    }

    /// A menu option that sends this press when chosen.
    pub fn option(self, label: &str) -> SlackBlockChoiceItem<SlackBlockPlainTextOnly> {
        SlackBlockChoiceItem::new(pt!(label), self.value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_press_reads_back_as_it_was_built() {
        let n = IncidentNumber(7);
        for press in [
            Press::Acknowledge(n),
            Press::TakeLead(n),
            Press::TakeComms(n),
            Press::Prioritise(n, Priority::P2),
            Press::PostUpdate(n),
            Press::NotIncident(n),
            Press::Resolve(n),
            Press::FlagCyber(n),
            Press::Reopen(n),
            Press::UndoOverride(OverrideId(12)),
            Press::Publish(n),
            Press::PublishResolve(n),
            Press::DeclareFromHome,
            Press::TakeCover(CoverRequestId(3)),
            Press::AskCoverFromHome,
            Press::AcknowledgeAlert(AlertGroupId(3)),
            Press::DeclareFromAlert(AlertGroupId(3)),
        ] {
            assert_eq!(Press::parse(press.action_id(), &press.value()), Some(press));
        }
        assert_eq!(Press::Prioritise(n, Priority::P1).value(), "7:P1");
        assert_eq!(Press::Resolve(n).value(), "7");
    }

    #[test]
    fn presses_the_bot_did_not_post_are_not_read() {
        assert_eq!(Press::parse("incident.ack", "seven"), None);
        assert_eq!(Press::parse("incident.ack", "0"), None);
        assert_eq!(Press::parse("incident.priority", "7:P9"), None);
        assert_eq!(Press::parse("incident.priority", "7"), None);
        assert_eq!(Press::parse("someone.else", "7"), None);
        assert_eq!(Press::parse("override.undo", "OVR-1"), None);
        assert_eq!(Press::parse("cover_request.take", "REQ-1"), None);
        assert_eq!(Press::parse("cover_request.take", "0"), None);
        assert_eq!(Press::parse("alert.ack", "ALR-1"), None);
        assert_eq!(Press::parse("alert.declare", "0"), None);
    }
}
