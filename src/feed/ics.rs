//! Shifts as iCalendar text (RFC 5545), built with the `icalendar` crate
//! (which folds long lines and escapes text as the RFC requires).
//!
//! Times are written in UTC (`DTSTART:20261123T090000Z`), which every
//! calendar application reads the same way; the policy's zone is named in
//! each description and as the calendar's `X-WR-TIMEZONE`, so a reader
//! sees the team's wall-clock times.

use super::{FeedScope, FeedShift};
use crate::calendar::Calendar as PolicyCalendar;
use crate::policy::Role;
use crate::rota::format_span;
use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, Event, EventLike, Property};
use ring::digest::{digest, SHA256};
use std::fmt::Write;

const PRODID: &str = "-//paas-incident-bot//on-call calendar feed//EN";

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Engineering => "engineering",
        Role::Comms => "comms",
        Role::Escalation => "escalation",
    }
}

/// The event's UID: the same shift (rota, role, person, start) gets the
/// same UID on every fetch, so a calendar application updates the event
/// rather than adding a copy; anything else gets another. A digest, so
/// odd characters in a rota name cannot make it ambiguous.
pub fn uid(shift: &FeedShift) -> String {
    let s = &shift.shift;
    let key = format!(
        "{}\u{0}{}\u{0}{}\u{0}{}",
        s.rota,
        role_name(shift.role),
        s.user,
        s.from.timestamp()
    );
    let mut hex = String::with_capacity(32);
    for byte in &digest(&SHA256, key.as_bytes()).as_ref()[..16] {
        let _ = write!(hex, "{byte:02x}");
    }
    format!("shift-{hex}@paas-incident-bot")
}

fn calendar_head(name: &str, tz: &str) -> Calendar {
    let mut cal = Calendar::empty();
    cal.append_property(Property::new("VERSION", "2.0"));
    cal.append_property(Property::new("PRODID", PRODID));
    cal.append_property(Property::new("CALSCALE", "GREGORIAN"));
    cal.append_property(Property::new("METHOD", "PUBLISH"));
    cal.name(name);
    cal.timezone(tz);
    // How often to fetch again (RFC 7986, and Outlook's older property).
    cal.append_property(
        Property::new("REFRESH-INTERVAL", "PT1H")
            .add_parameter("VALUE", "DURATION")
            .done(),
    );
    cal.append_property(Property::new("X-PUBLISHED-TTL", "PT1H"));
    cal
}

fn title(scope: &FeedScope) -> String {
    match scope {
        FeedScope::Person(user) => format!("On call: {user}"),
        FeedScope::Rota(rota) => format!("On call: {rota}"),
    }
}

/// The feed of `scope`'s shifts as `text/calendar`, stamped `now`.
pub fn ics(
    cal: &PolicyCalendar,
    scope: &FeedScope,
    shifts: &[FeedShift],
    now: DateTime<Utc>,
) -> String {
    let tz = cal.tz();
    let mut out = calendar_head(&title(scope), tz.name());
    for shift in shifts {
        let s = &shift.shift;
        let summary = match scope {
            FeedScope::Person(_) => format!("On call: {} ({})", s.rota, role_name(shift.role)),
            FeedScope::Rota(_) => format!("{}: {}", s.rota, s.user),
        };
        let mut description = format!(
            "{} covers the {} rota ({}), {} ({} time, the policy's zone).",
            s.user,
            s.rota,
            role_name(shift.role),
            format_span(cal, s.from, s.to),
            tz.name()
        );
        if let Some(id) = s.override_id {
            let _ = write!(description, " An override ({id}) puts them on call.");
        }
        out.push(
            Event::new()
                .uid(&uid(shift))
                .timestamp(now)
                .starts(s.from)
                .ends(s.to)
                .summary(&summary)
                .description(&description)
                .add_property("TRANSP", "TRANSPARENT")
                .done(),
        );
    }
    out.to_string()
}

/// A feed with no events: what a link that was reset serves, so the
/// calendar application empties it rather than keeping stale shifts.
pub fn empty_calendar() -> String {
    calendar_head("On call (link reset)", "UTC").to_string()
}
