//! The long-running loops, each a type owning what it needs and run by the
//! app until shutdown: delivering the outbox, firing reminders, and keeping
//! topics and user groups current, and
//! sending what people published to the status page; and the lease that
//! lets only one replica run them.

mod alert_delivery;
pub mod delivery;
pub mod lease;
mod pacing;
mod parking;
pub mod publish;
pub mod scheduler;
pub mod topics;
