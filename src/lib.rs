//! paas-incident-bot: a Slack app that runs a platform team's support and
//! incident process. The pure core (policy, calendar, rotas, incidents,
//! reminders) takes `now` as an argument; adapters (Slack, storage,
//! scheduler, health) sit around it.

// The pure core.
pub mod access;
pub mod alerts;
pub mod calendar;
pub mod clock;
pub mod command;
pub mod cover_request;
pub mod database_url;
pub mod deadline;
pub mod feed;
pub mod ids;
pub mod incident;
pub mod lease;
pub mod mrkdwn;
pub mod policy;
pub mod priority;
pub mod refusal;
pub mod reminders;
pub mod response;
pub mod rota;
pub mod throttle;
pub mod topic;
pub mod views;

// Adapters and the running app.
pub mod app;
pub mod bot;
pub mod cli;
pub mod demo;
pub mod health;
pub mod http;
pub mod metrics;
pub mod playground;
pub mod ready;
pub mod settings;
pub mod slack;
pub mod statuspage;
pub mod store;
pub mod telemetry;
pub mod vcap;
