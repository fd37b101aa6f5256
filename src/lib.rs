//! paas-incident-bot: a Slack app that runs a platform team's support and
//! incident process. The pure core (policy, calendar, rotas, incidents,
//! reminders) takes `now` as an argument; adapters (Slack, storage,
//! scheduler, health) sit around it.

pub mod app;
pub mod bot;
pub mod calendar;
pub mod cli;
pub mod clock;
pub mod command;
pub mod emulator;
pub mod health;
pub mod ids;
pub mod incident;
pub mod metrics;
pub mod policy;
pub mod priority;
pub mod rota;
pub mod settings;
pub mod slack;
pub mod store;
pub mod telemetry;
pub mod topic;
