//! What the bot says, as text: pure functions of the core's values, shared
//! by Slack replies, the `oncall` subcommand and reminders.

pub mod alert;
pub mod cover_request;
pub mod elapsed;
pub mod feeds;
pub mod home;
pub mod incident;
pub mod labels;
pub mod markdown;
pub mod oncall;
pub mod refusal;
pub mod reminders;
pub mod report;
pub mod stats;
pub mod statuspage;
