//! Publishing an incident to Atlassian Statuspage (SPEC §5). The pure part
//! says what a publication is, who may send one and what goes on the wire
//! (`publication`, `rules`, `wire`); `client` is the HTTP adapter, with
//! Statuspage's limits (one request per second per key, 420/429, 5xx).
//! The bot's shell keeps each publication as an intent row before it is
//! sent, so a crash never sends it twice (see `bot::loops::publish`).

pub mod client;
pub mod publication;
pub mod rules;
pub mod wire;

pub use client::{ApiError, StatusPageApi};
pub use publication::{Marker, PublicStatus, Publication};
