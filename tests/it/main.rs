//! The integration tests, as one test binary: each module was once a
//! binary of its own. They now share one process, so a test must not rely
//! on process-wide state of its own (see `support::logs` for the log
//! capture they share).

mod support;

mod alert_crash;
mod alerts;
mod calendar_feeds;
mod channel;
mod clocks;
mod cover_requests;
mod crash;
mod demo;
mod deploy;
mod emulator_frames;
mod exactly_once;
mod failover;
mod faults;
mod foundation;
mod home;
mod incidents;
mod manifest;
mod oncall;
mod parking;
mod parser_props;
mod permissions;
mod playground;
mod policy_loader;
mod process;
mod reminders;
mod replicas;
mod report_golden;
mod response;
mod rota_props;
mod security;
mod statuspage;
mod storage;
mod text;
mod timeline;
