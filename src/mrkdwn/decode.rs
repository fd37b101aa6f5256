//! Reading text Slack encoded: slash-command text and message events.
//!
//! Slack escapes `&`, `<` and `>` as `&amp;`, `&lt;`, `&gt;` there and writes
//! what was picked from autocomplete as markup: a person `<@U123|name>`, a
//! channel `<#C123|name>`, a group `<!subteam^S123|@name>`, `@here` as
//! `<!here>`, a link `<https://…|label>` (docs.slack.dev "Formatting text
//! for app surfaces", "Retrieving messages"; SPEC §2.6). Modal inputs are
//! not encoded and are never passed through here.
//!
//! Decoded text is *plain*: what the person typed, except that person and
//! channel mentions stay as the bare tokens `<@U123>` and `<#C123>` so they
//! are shown as mentions again (see [`super::text`]). Broadcasts and group
//! mentions become plain words (`@here`, `@sre`) that ping nobody.

/// Text exactly as Slack sent it in a slash command or a message event.
/// The only way to read it is [`Encoded::decode`], so it is decoded once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encoded<'a>(&'a str);

impl<'a> Encoded<'a> {
    pub fn new(raw: &'a str) -> Self {
        Encoded(raw)
    }

    /// The raw text, for splitting into words before decoding each piece:
    /// in encoded text a `<` only ever opens markup.
    pub fn raw(self) -> &'a str {
        self.0
    }

    /// The plain text the person typed, with person and channel mentions
    /// kept as `<@U…>` / `<#C…>` and every other piece of markup reduced
    /// to the words it shows.
    pub fn decode(self) -> String {
        let mut out = String::with_capacity(self.0.len());
        let mut rest = self.0;
        while let Some(open) = rest.find('<') {
            out.push_str(&entities(&rest[..open]));
            let after = &rest[open + 1..];
            match after.find('>') {
                Some(close) => {
                    markup(&after[..close], &mut out);
                    rest = &after[close + 1..];
                }
                None => {
                    // Slack never sends a bare `<`; keep it as typed.
                    out.push('<');
                    rest = after;
                }
            }
        }
        out.push_str(&entities(rest));
        out
    }
}

/// `&amp;`, `&lt;`, `&gt;` back to the characters; nothing else is an
/// entity in Slack's encoding, so any other `&` is literal.
fn entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn is_id(id: &str, prefixes: &[char]) -> bool {
    id.len() >= 2
        && id.starts_with(prefixes)
        && id
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// One `<…>` piece of markup (without the brackets), as plain text.
fn markup(inner: &str, out: &mut String) {
    let (target, label) = match inner.split_once('|') {
        Some((target, label)) => (target, Some(entities(label))),
        None => (inner, None),
    };
    if let Some(id) = target.strip_prefix('@') {
        if is_id(id, &['U', 'W']) {
            out.push_str(&format!("<@{id}>"));
            return;
        }
    }
    if let Some(id) = target.strip_prefix('#') {
        if is_id(id, &['C', 'G']) {
            out.push_str(&format!("<#{id}>"));
            return;
        }
    }
    if let Some(special) = target.strip_prefix('!') {
        out.push_str(&special_words(special, label));
        return;
    }
    // A link: its words and where it points, so nothing is hidden.
    let url = entities(target);
    match label {
        Some(label) if !label.is_empty() && !url.ends_with(label.as_str()) => {
            out.push_str(&format!("{label} ({url})"))
        }
        _ => out.push_str(&url),
    }
}

/// `<!here>`, `<!subteam^S1|@sre>`, `<!date^…|fallback>`: the words a
/// reader sees, as text that pings nobody.
fn special_words(special: &str, label: Option<String>) -> String {
    let name = special.split('^').next().unwrap_or(special);
    match name {
        "here" | "channel" | "everyone" => format!("@{name}"),
        "subteam" => label
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| format!("@{}", special.split('^').nth(1).unwrap_or("group"))),
        _ => label
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| entities(special)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(raw: &str) -> String {
        Encoded::new(raw).decode()
    }

    #[test]
    fn the_issue_examples_read_back_as_typed() {
        assert_eq!(
            decode("DB &amp; cache down; errors &gt; 5%"),
            "DB & cache down; errors > 5%"
        );
        assert_eq!(decode("Disk &gt; 90% &amp; rising"), "Disk > 90% & rising");
    }

    #[test]
    fn decoding_happens_once() {
        // The person typed "&amp;": Slack sends "&amp;amp;", which is "&amp;".
        assert_eq!(decode("&amp;amp; &amp;lt;"), "&amp; &lt;");
        assert_eq!(decode("AT&T &copy;"), "AT&T &copy;");
    }

    #[test]
    fn people_and_channels_stay_mentions_without_their_labels() {
        assert_eq!(
            decode("ask <@U123|alice> in <#C0PAAS|incidents>"),
            "ask <@U123> in <#C0PAAS>"
        );
        assert_eq!(decode("<@W9ENT>"), "<@W9ENT>");
    }

    #[test]
    fn broadcasts_and_groups_become_words_that_ping_nobody() {
        assert_eq!(decode("<!here> look"), "@here look");
        assert_eq!(decode("<!channel|@channel>"), "@channel");
        assert_eq!(decode("<!everyone>"), "@everyone");
        assert_eq!(decode("<!subteam^S123|@sre> please"), "@sre please");
        assert_eq!(decode("<!subteam^S123>"), "@S123");
        assert_eq!(
            decode("<!date^1700000000^{date}|14 Nov 2023>"),
            "14 Nov 2023"
        );
    }

    #[test]
    fn links_keep_both_their_words_and_their_address() {
        assert_eq!(
            decode("see <https://status.example.com>"),
            "see https://status.example.com"
        );
        assert_eq!(
            decode("<https://example.com/a?b=1&amp;c=2|the runbook>"),
            "the runbook (https://example.com/a?b=1&c=2)"
        );
        assert_eq!(
            decode("<mailto:a@example.com|a@example.com>"),
            "mailto:a@example.com"
        );
    }

    #[test]
    fn a_stray_bracket_is_kept() {
        assert_eq!(decode("a < b"), "a < b");
    }
}
