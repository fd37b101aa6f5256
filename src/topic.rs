//! Channel topics: the bot owns one bracketed segment, `[On call: …]`, and
//! leaves the rest of the topic as people wrote it. Slack rejects topics over
//! 250 characters, so the result never exceeds that.

/// Slack's limit on `conversations.setTopic`.
pub const TOPIC_MAX: usize = 250;
const OPEN: &str = "[On call: ";
const CLOSE: char = ']';

/// One rota's entry in the segment, e.g. ("in hours", "@alice").
pub struct Entry {
    pub label: String,
    pub who: String,
}

/// The bot's segment: `[On call: in hours @a · out of hours @b]`.
pub fn segment(entries: &[Entry]) -> String {
    let body = entries
        .iter()
        .map(|e| format!("{} {}", e.label, e.who))
        .collect::<Vec<_>>()
        .join(" · ");
    format!(
        "{OPEN}{}{CLOSE}",
        if body.is_empty() { "nobody" } else { &body }
    )
}

/// Splits a topic into (before, after) the bot's segment; a topic without
/// one is all "before".
fn split(topic: &str) -> (&str, &str) {
    match topic.find(OPEN) {
        Some(start) => {
            let rest = &topic[start..];
            let end = rest
                .find(CLOSE)
                .map_or(topic.len(), |i| start + i + CLOSE.len_utf8());
            (&topic[..start], &topic[end..])
        }
        None => (topic, ""),
    }
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

use crate::mrkdwn::truncate as cut;

/// The new topic: people's text kept around a fresh segment. When it would
/// be too long, the segment is shortened first, then people's text.
pub fn splice(current: &str, new_segment: &str) -> String {
    let (before, after) = split(current);
    let (before, after) = (before.trim_end(), after.trim_start());
    let sep_before = if before.is_empty() { "" } else { " " };
    let sep_after = if after.is_empty() { "" } else { " " };
    let people = chars(before) + chars(after) + chars(sep_before) + chars(sep_after);
    let room = TOPIC_MAX.saturating_sub(people);
    let min_segment = 40.min(chars(new_segment));
    if chars(new_segment) <= room {
        return format!("{before}{sep_before}{new_segment}{sep_after}{after}");
    }
    if room >= min_segment {
        let seg = format!(
            "{}{CLOSE}",
            cut(&new_segment[..new_segment.len() - 1], room - 1)
        );
        return format!("{before}{sep_before}{seg}{sep_after}{after}");
    }
    // People's text alone nearly fills the topic: keep a short segment and
    // trim their text, the part after the segment first.
    let seg = format!(
        "{}{CLOSE}",
        cut(&new_segment[..new_segment.len() - 1], min_segment - 1)
    );
    let mut budget = TOPIC_MAX - chars(&seg);
    let before_kept = if before.is_empty() {
        String::new()
    } else {
        let b = cut(before, budget.saturating_sub(1));
        budget = budget.saturating_sub(chars(&b) + 1);
        b + " "
    };
    let after_kept = if after.is_empty() || budget < 3 {
        String::new()
    } else {
        format!(" {}", cut(after, budget - 1))
    };
    format!("{before_kept}{seg}{after_kept}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(who: &str) -> String {
        segment(&[Entry {
            label: "in hours".into(),
            who: who.into(),
        }])
    }

    #[test]
    fn replaces_only_the_bots_segment() {
        let topic = "Runbook: go/paas [On call: in hours @old] | status: green";
        assert_eq!(
            splice(topic, &seg("@new")),
            "Runbook: go/paas [On call: in hours @new] | status: green"
        );
    }

    #[test]
    fn adds_a_segment_after_existing_text() {
        assert_eq!(
            splice("Ask here", &seg("@a")),
            "Ask here [On call: in hours @a]"
        );
        assert_eq!(splice("", &seg("@a")), "[On call: in hours @a]");
    }

    #[test]
    fn never_longer_than_slack_allows() {
        let long_people = "x".repeat(240);
        for current in [
            long_people.clone(),
            format!("{long_people} [On call: old] tail text here"),
        ] {
            let out = splice(&current, &seg(&"@someone".repeat(20)));
            assert!(chars(&out) <= TOPIC_MAX, "{} chars", chars(&out));
            assert!(out.contains(OPEN), "{out}");
        }
        let out = splice("short", &seg(&"@someone".repeat(40)));
        assert!(chars(&out) <= TOPIC_MAX);
        assert!(out.starts_with("short [On call: in hours @someone"));
        assert!(out.ends_with("…]"), "{out}");
    }

    #[test]
    fn splicing_twice_changes_nothing() {
        let once = splice("Ask here | docs", &seg("@a"));
        assert_eq!(splice(&once, &seg("@a")), once);
    }
}
