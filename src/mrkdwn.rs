//! Text as Slack shows it: escaping, safe truncation, date formatting;
//! reading what Slack encoded (`decode`) and splitting what is too long for
//! one block or message (`split`).
//!
//! User text travels plain (decoded once where it came in, see
//! [`Encoded`]) and is escaped once, on the way out, by [`text`].

mod decode;
mod split;

pub use decode::Encoded;
pub use split::{split, SECTION_MAX};

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

/// The most text one message carries: Slack advises keeping `text` under
/// 4,000 characters and `chat.update` refuses more (`msg_too_long`,
/// docs.slack.dev/reference/methods/chat.update).
pub const MESSAGE_MAX: usize = 4000;

/// Lines joined until the next would take the text past `max` characters;
/// when some are left out, a last line from `more(how_many_left)` says so
/// (and where to see them), within the same `max`. Replies that grow with
/// the data (a list of incidents, of overrides) stay one readable message.
pub fn bounded(lines: &[String], max: usize, more: impl Fn(usize) -> String) -> String {
    let total: usize = lines.iter().map(|l| l.chars().count() + 1).sum();
    if total <= max + 1 {
        return lines.join("\n");
    }
    let mut shown = 0;
    let mut used = 0;
    for line in lines {
        let n = line.chars().count() + 1;
        let tail = more(lines.len() - shown - 1).chars().count();
        if used + n + tail > max {
            break;
        }
        used += n;
        shown += 1;
    }
    let mut out = lines[..shown].join("\n");
    if shown > 0 {
        out.push('\n');
    }
    out.push_str(&more(lines.len() - shown));
    out
}

/// Plain user text as mrkdwn: escaped once, except the person and channel
/// mentions decoding kept (`<@U123>`, `<#C123>`), which stay mentions.
/// Anything else in angle brackets (`<!here>` typed into a modal, a
/// `<@U1|label>`) is shown as the characters it is and pings nobody.
pub fn text(plain: &str) -> String {
    let mut out = String::with_capacity(plain.len());
    let mut rest = plain;
    while let Some(i) = rest.find(['&', '<', '>']) {
        out.push_str(&rest[..i]);
        let n = mention_len(&rest[i..]);
        if n > 0 {
            out.push_str(&rest[i..i + n]);
            rest = &rest[i + n..];
        } else {
            out.push_str(&escape(&rest[i..i + 1]));
            rest = &rest[i + 1..];
        }
    }
    out.push_str(rest);
    out
}

/// The length of a bare `<@U…>`/`<@W…>`/`<#C…>`/`<#G…>` at the start of `s`, or 0.
fn mention_len(s: &str) -> usize {
    let Some(body) = s.strip_prefix("<@").or_else(|| s.strip_prefix("<#")) else {
        return 0;
    };
    let prefixes: &[char] = if s.starts_with("<@") {
        &['U', 'W']
    } else {
        &['C', 'G']
    };
    let Some(end) = body.find('>') else {
        return 0;
    };
    let id = &body[..end];
    let ok = id.len() >= 2
        && id.starts_with(prefixes)
        && id
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if ok {
        2 + end + 1
    } else {
        0
    }
}

/// A short excerpt of plain user text for echoing it back (in an error,
/// say): one line, at most `max` characters of what was typed, marked `…`
/// when cut, escaped (mentions too: an echo quotes, it does not notify).
/// Replies stay small however much was pasted.
pub fn excerpt(plain: &str, max: usize) -> String {
    let one_line: String = plain
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    escape(&truncate(&one_line, max))
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
    fn user_text_is_escaped_once_and_keeps_its_mentions() {
        assert_eq!(
            text("DB & cache down; errors > 5%"),
            "DB &amp; cache down; errors &gt; 5%"
        );
        assert_eq!(text("ask <@U123> in <#C0PAAS>"), "ask <@U123> in <#C0PAAS>");
        assert_eq!(
            text("<!here> <@U1|x> <@lower>"),
            "&lt;!here&gt; &lt;@U1|x&gt; &lt;@lower&gt;"
        );
        assert_eq!(text("<@U1"), "&lt;@U1");
    }

    #[test]
    fn a_typed_mention_reads_back_as_a_mention_and_a_broadcast_as_words() {
        let typed = Encoded::new("<!here> <@U123|alice> says DB &amp; cache");
        assert_eq!(text(&typed.decode()), "@here <@U123> says DB &amp; cache");
    }

    #[test]
    fn bounded_lists_say_how_many_more_there_are() {
        let lines: Vec<String> = (0..1000).map(|i| format!("line {i:04}")).collect();
        let out = bounded(&lines, 200, |n| format!("…and {n} more"));
        assert!(out.chars().count() <= 200, "{}", out.len());
        assert!(out.starts_with("line 0000\nline 0001"));
        let shown = out.lines().count() - 1;
        assert!(
            out.ends_with(&format!("…and {} more", 1000 - shown)),
            "{out}"
        );
        let few = bounded(&lines[..3], 200, |n| format!("…and {n} more"));
        assert_eq!(few, "line 0000\nline 0001\nline 0002");
    }

    #[test]
    fn excerpts_are_short_single_lines() {
        let pasted = "x".repeat(40_000);
        let shown = excerpt(&pasted, 80);
        assert_eq!(shown.chars().count(), 80);
        assert!(shown.ends_with('…'));
        assert_eq!(excerpt(" a\nb<c ", 80), "a b&lt;c");
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
