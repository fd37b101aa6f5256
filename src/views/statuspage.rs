//! What the bot says about the status page (SPEC §5): refusals, what went
//! wrong with Statuspage, the line in the thread, the card's field and the
//! reminder's note. Pure functions of typed values.

use crate::ids::{IncidentNumber, UserId};
use crate::mrkdwn::{escape, slack_date};
use crate::statuspage::rules::PublicState;
use crate::statuspage::ApiError;
use chrono_tz::Tz;

/// Someone who may not publish pressed *Publish* (SPEC §2.7).
pub fn not_a_publisher(number: IncidentNumber, allowed: &[UserId]) -> String {
    if allowed.is_empty() {
        return format!(
            "Only the policy's `publishers`, or {number}'s leads and the policy's `admins`, may publish it to the status page, and there are none yet: take a lead first."
        );
    }
    let who: Vec<String> = allowed.iter().map(UserId::mention).collect();
    format!(
        "Only {} may publish {number} to the status page. Nothing was sent.",
        who.join(", ")
    )
}

/// The incident's priority is not one the policy publishes.
pub fn not_published(number: IncidentNumber, priority: &str) -> String {
    format!("{number} is {priority}, which the policy does not publish to the status page (`publish_priorities`).")
}

/// The policy has no `[statuspage]` section.
pub const NO_STATUS_PAGE: &str =
    "This bot has no status page set up: add a `[statuspage]` section to the policy.";

/// `/incident publish` on an incident already resolved in public.
pub fn already_resolved(number: IncidentNumber) -> String {
    format!("{number} is already resolved on the status page.")
}

/// Told to whoever submitted, when Statuspage would not take it.
pub fn failed(number: IncidentNumber, error: &ApiError) -> String {
    match error {
        ApiError::Refused { status, message } => format!(
            "Statuspage refused the publication for {number} ({status}): {}. Nothing was published; fix it and publish again.",
            escape(message)
        ),
        ApiError::Failed { detail } => format!(
            "Statuspage did not answer properly for {number} ({}), even after retrying. It may not be on the status page: check there before publishing again.",
            escape(detail)
        ),
    }
}

/// The card's field: the link and when the public last heard.
pub fn card_field(public: &PublicState, tz: Tz) -> String {
    let link = public
        .shortlink
        .as_deref()
        .map_or_else(|| "published".to_owned(), |l| format!("<{l}|{l}>"));
    format!(
        "*Status page*\n{link} · {}, last public update {}",
        public.status.label(),
        slack_date(public.last_public_at, tz)
    )
}

/// Added to update-due and office-hours reminders (SPEC §5).
pub fn last_public_update(public: Option<&PublicState>, tz: Tz) -> String {
    match public {
        Some(p) => format!(
            "Last public update on the status page: {} ({}).",
            slack_date(p.last_public_at, tz),
            p.status.label()
        ),
        None => "Nothing has been published to the status page yet.".to_owned(),
    }
}

/// Posted in the thread when an incident with a public, unresolved
/// incident is resolved, above the *Resolve on the status page too* button.
pub fn resolve_too(number: IncidentNumber) -> String {
    format!("{number} is still open on the status page. Resolve it there too, with a last public message:")
}
