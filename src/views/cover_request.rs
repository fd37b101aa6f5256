//! What cover requests say (SPEC §7): the posted request as it stands,
//! the `/oncall requests` list, and the direct messages to the asker.
//! Notes are escaped: they are what a person typed.

use crate::cover_request::{CoverRequest, State};
use crate::mrkdwn::{escape_within, slack_date};
use crate::policy::Policy;

/// The posted request's text, ending with where it stands.
pub fn posted(policy: &Policy, request: &CoverRequest) -> String {
    let head = summary(policy, request);
    let state = match &request.state {
        State::Open => "Press *I'll cover* to take it: the first to press does.".to_owned(),
        State::Covered {
            by, override_id, ..
        } => {
            let id = override_id.map(|o| format!(" ({o})")).unwrap_or_default();
            format!(":white_check_mark: Covered by {}{id}.", by.mention())
        }
        State::Lapsed { .. } => ":hourglass: Lapsed: nobody took it before it started.".to_owned(),
    };
    format!("{head}\n{state}")
}

/// "REQ-N: @asker asks for cover on *rota* from .. to ..: _note_".
pub fn summary(policy: &Policy, request: &CoverRequest) -> String {
    let tz = policy.timezone;
    let note = if request.note.trim().is_empty() {
        String::new()
    } else {
        format!(" _“{}”_", escape_within(request.note.trim(), 300))
    };
    format!(
        "{}: {} asks for cover on *{}* from {} to {}.{note}",
        request.id,
        request.asked_by.mention(),
        escape_within(&request.rota, 100),
        slack_date(request.from, tz),
        slack_date(request.to, tz),
    )
}

/// `/oncall requests`: the open requests, soonest first.
pub fn open_list(policy: &Policy, open: &[CoverRequest]) -> String {
    if open.is_empty() {
        return "No open cover requests. `/oncall cover me ROTA FROM to TO` asks for one."
            .to_owned();
    }
    let lines: Vec<String> = open
        .iter()
        .map(|r| format!("• {}", summary(policy, r)))
        .collect();
    format!(
        "Open cover requests (press *I'll cover* on the posted request, or in the bot's Home tab):\n{}",
        lines.join("\n")
    )
}

/// To the asker once someone took it.
pub fn covered_dm(policy: &Policy, request: &CoverRequest) -> String {
    let by = match &request.state {
        State::Covered { by, .. } => by.mention(),
        _ => "someone".to_owned(),
    };
    format!(
        "{by} is covering you on *{}* from {} to {} ({}).",
        escape_within(&request.rota, 100),
        slack_date(request.from, policy.timezone),
        slack_date(request.to, policy.timezone),
        request.id,
    )
}

/// To the asker when it lapsed.
pub fn lapsed_dm(policy: &Policy, request: &CoverRequest) -> String {
    format!(
        "Nobody took your cover request {} on *{}* from {} to {}, and it has lapsed: \
         you are still on call as the rota has it. `/oncall cover {} @person FROM to TO` \
         records cover you arrange yourself.",
        request.id,
        escape_within(&request.rota, 100),
        slack_date(request.from, policy.timezone),
        slack_date(request.to, policy.timezone),
        escape_within(&request.rota, 100),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cover_request::CoverRequestId;
    use crate::ids::{OverrideId, UserId};
    use chrono::{TimeZone, Utc};

    fn request(note: &str, state: State) -> CoverRequest {
        let at = Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap();
        CoverRequest {
            id: CoverRequestId(2),
            rota: "in-hours".into(),
            asked_by: UserId::parse("U0PAASEN4").unwrap(),
            from: at,
            to: at + chrono::Duration::hours(8),
            note: note.into(),
            asked_at: at,
            state,
        }
    }

    #[test]
    fn a_posted_request_says_where_it_stands_and_escapes_the_note() {
        let policy = Policy::builtin();
        let open = posted(&policy, &request("<!channel> dentist", State::Open));
        assert!(open.starts_with("REQ-2: <@U0PAASEN4> asks for cover on *in-hours*"));
        assert!(open.contains("&lt;!channel&gt; dentist"), "{open}");
        assert!(!open.contains("<!channel>"), "{open}");
        assert!(open.contains("I'll cover"));
        let by = UserId::parse("U0PAASEN1").unwrap();
        let covered = posted(
            &policy,
            &request(
                "",
                State::Covered {
                    by,
                    at: Utc::now(),
                    override_id: Some(OverrideId(5)),
                },
            ),
        );
        assert!(
            covered.contains("Covered by <@U0PAASEN1> (OVR-5)"),
            "{covered}"
        );
        let lapsed = posted(&policy, &request("", State::Lapsed { at: Utc::now() }));
        assert!(lapsed.contains("Lapsed"), "{lapsed}");
        assert!(open_list(&policy, &[]).starts_with("No open cover requests"));
    }
}
