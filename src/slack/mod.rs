//! The boundary with Slack: the only module that knows slack-morphism's
//! connection and Web API types. Socket Mode in, Web API out.

pub mod blocks;
pub mod connect;
pub mod envelope;
pub mod installation;
pub mod lookup;
pub mod socket;
pub mod web;

pub use envelope::{Envelope, Inbound, Origin};
pub use installation::Installation;
pub use lookup::Lookups;
pub use socket::{EnvelopeHandler, SocketMode};
pub use web::{ChannelProblem, SlackWeb, WebError};
