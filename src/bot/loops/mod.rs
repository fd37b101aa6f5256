//! The long-running loops, each a type owning what it needs and run by the
//! app until shutdown: delivering the outbox, firing reminders, and keeping
//! topics and user groups current, and
//! sending what people published to the status page; the lease that
//! lets only one replica run them; and, on PostgreSQL, hearing what
//! other replicas changed.

mod alert_delivery;
pub mod changes;
pub mod delivery;
pub mod lease;
mod pacing;
mod parking;
pub mod publish;
pub mod scheduler;
pub mod topics;
