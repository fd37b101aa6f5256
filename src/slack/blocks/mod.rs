//! Block Kit surfaces, built with slack-morphism's typed models: the incident
//! card, the declare and update modals, the App Home tab and reminders with
//! their buttons, and the [`press::Press`] each control sends. Text helpers
//! are in `crate::mrkdwn`.

pub mod alert;
pub mod card;
pub mod cover;
pub mod cover_request;
pub mod home;
pub mod modal;
pub mod press;
pub mod publish;
pub mod reminder;

/// action_ids on the card, reminders and Home; see [`press::Press`] for
/// what each control's value carries.
pub mod actions {
    pub const ACK: &str = "incident.ack";
    pub const TAKE_LEAD: &str = "incident.take_lead";
    pub const TAKE_COMMS: &str = "incident.take_comms";
    pub const PRIORITY: &str = "incident.priority";
    pub const POST_UPDATE: &str = "incident.post_update";
    pub const NOT_INCIDENT: &str = "incident.not_incident";
    pub const RESOLVE: &str = "incident.resolve";
    pub const CYBER: &str = "incident.cyber";
    /// On a closed card: open the incident again.
    pub const REOPEN: &str = "incident.reopen";
    /// In the DM to the person put on call: cancel that override.
    pub const UNDO_OVERRIDE: &str = "override.undo";
    /// Opens the publish-to-status-page modal.
    pub const PUBLISH: &str = "incident.publish";
    /// Opens it to resolve the public incident (posted on resolve).
    pub const PUBLISH_RESOLVE: &str = "incident.publish_resolve";
    /// The App Home's "Declare an incident" button: no incident yet.
    pub const HOME_DECLARE: &str = "home.declare";
    /// *I'll cover* on a cover request (posted, or on Home).
    pub const TAKE_COVER: &str = "cover_request.take";
    /// The App Home's "Ask for cover" button: opens the ask modal.
    pub const HOME_ASK_COVER: &str = "home.ask_cover";
    /// On an alert group's message: acknowledge its page.
    pub const ALERT_ACK: &str = "alert.ack";
    /// On an alert group's message: open the declare modal, prefilled.
    pub const ALERT_DECLARE: &str = "alert.declare";
}

/// callback_ids of the modals.
pub mod views {
    pub const DECLARE: &str = "incident.declare";
    pub const UPDATE: &str = "incident.update";
    pub const PUBLISH: &str = "statuspage.publish";
    pub const ASK_COVER: &str = "cover_request.ask";
}
