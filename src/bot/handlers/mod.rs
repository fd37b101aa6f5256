//! One small handler per command, button, form and event, each a function
//! over the [`Context`](super::Context) and, where it may change something,
//! the [`Answering`](super::Answering) value naming the envelope.

pub mod alert;
pub mod calendar;
pub mod change;
pub mod command;
pub mod cover;
pub mod cover_ask;
pub mod cover_request;
pub mod declare;
pub mod events;
pub mod home;
pub mod incident;
pub mod oncall;
pub mod press;
pub mod publish;
pub mod submission;
pub mod timeline;
pub mod update;
