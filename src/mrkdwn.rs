//! Text as Slack shows it: escaping, safe truncation, date formatting.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// Slack's escaping of `&`, `<` and `>`: echoed text cannot mention anyone
/// or make a link the person did not type as such.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Cuts `text` to at most `max` characters, marking the cut with `…`.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Escapes, then truncates without cutting through an escape sequence.
pub fn escape_within(text: &str, max: usize) -> String {
    let escaped = escape(text);
    if escaped.chars().count() <= max {
        return escaped;
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let piece = escape(&c.to_string());
        let n = piece.chars().count();
        if used + n > max.saturating_sub(1) {
            break;
        }
        out.push_str(&piece);
        used += n;
    }
    out.push('…');
    out
}

/// `<!date^…>`: each reader sees the time in their own zone; the fallback
/// (for clients that cannot format dates) is in the policy's zone.
pub fn slack_date(at: DateTime<Utc>, tz: Tz) -> String {
    let local = at.with_timezone(&tz);
    format!(
        "<!date^{}^{{date_short_pretty}} {{time}}|{}>",
        at.timestamp(),
        local.format("%a %-d %b %Y %H:%M %Z")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn escaping_defuses_mentions_and_links() {
        assert_eq!(
            escape("<!channel> & <@U1>"),
            "&lt;!channel&gt; &amp; &lt;@U1&gt;"
        );
        assert_eq!(escape("plain"), "plain");
    }

    #[test]
    fn truncation_is_char_safe_and_marked() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
        assert_eq!(truncate("ééééé", 3), "éé…");
    }

    #[test]
    fn escaped_truncation_never_splits_an_entity() {
        let out = escape_within("a&b&c&d", 8);
        assert!(out.chars().count() <= 8, "{out}");
        assert!(!out.contains("&am…"), "{out}");
        assert_eq!(out, "a&amp;b…");
    }

    #[test]
    fn dates_format_for_each_reader_with_a_local_fallback() {
        let at = Utc.with_ymd_and_hms(2026, 7, 1, 15, 30, 0).unwrap();
        let s = slack_date(at, chrono_tz::Europe::London);
        assert_eq!(
            s,
            format!(
                "<!date^{}^{{date_short_pretty}} {{time}}|Wed 1 Jul 2026 16:30 BST>",
                at.timestamp()
            )
        );
    }
}
