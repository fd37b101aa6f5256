//! Text as Slack sends it to apps: in slash-command text and message
//! events `&`, `<` and `>` arrive as `&amp;`, `&lt;`, `&gt;`
//! (docs.slack.dev "Formatting text for app surfaces": "Escaping text").
//! What the person picked from autocomplete is markup, not typed
//! characters, and passes through: `<@U123|name>`, `<#C123|name>`,
//! `<!here>`, `<!subteam^S123|@sre>`, and links `<https://…|label>`.
//!
//! So tests write what the person's client composed, e.g.
//! `"DB & cache, ask <@U0BOB|bob>"`, and the app sees what Slack sends:
//! `"DB &amp; cache, ask <@U0BOB|bob>"`.

/// Encodes `typed` the way Slack does before handing it to an app.
pub fn slack_encode(typed: &str) -> String {
    let mut out = String::with_capacity(typed.len() + 8);
    let mut rest = typed;
    while let Some(i) = rest.find(['&', '<', '>']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        match markup_len(tail) {
            Some(n) => {
                // Inside markup only `&` can occur, and Slack encodes it.
                out.push('<');
                out.push_str(&tail[1..n - 1].replace('&', "&amp;"));
                out.push('>');
                rest = &tail[n..];
            }
            None => {
                out.push_str(match &tail[..1] {
                    "&" => "&amp;",
                    "<" => "&lt;",
                    _ => "&gt;",
                });
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The length of the markup at the start of `s`, if it is markup Slack's
/// client writes for a picked entity or a link.
fn markup_len(s: &str) -> Option<usize> {
    let inner = s.strip_prefix('<')?;
    let end = inner.find(['>', '<', '\n'])?;
    if !inner[end..].starts_with('>') {
        return None;
    }
    let body = &inner[..end];
    let target = body.split('|').next().unwrap_or(body);
    let id = |rest: &str, prefixes: &[char]| {
        rest.len() >= 2
            && rest.starts_with(prefixes)
            && rest
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    };
    let known = match target.chars().next()? {
        '@' => id(&target[1..], &['U', 'W']),
        '#' => id(&target[1..], &['C', 'G']),
        '!' => {
            let name = target[1..].split('^').next().unwrap_or_default();
            matches!(name, "here" | "channel" | "everyone" | "subteam" | "date")
        }
        _ => ["http://", "https://", "mailto:"]
            .iter()
            .any(|scheme| target.starts_with(scheme) && !target.contains(' ')),
    };
    known.then_some(end + 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_characters_are_encoded() {
        assert_eq!(
            slack_encode("DB & cache down; errors > 5%"),
            "DB &amp; cache down; errors &gt; 5%"
        );
        assert_eq!(slack_encode("a <b> &amp;"), "a &lt;b&gt; &amp;amp;");
    }

    #[test]
    fn picked_entities_and_links_pass_through() {
        for markup in [
            "<@U123|alice>",
            "<@U123>",
            "<#C0PAAS|incidents>",
            "<!here>",
            "<!subteam^S123|@sre>",
            "<https://example.com|the runbook>",
        ] {
            assert_eq!(slack_encode(markup), markup);
        }
        assert_eq!(
            slack_encode("<https://x.example/?a=1&b=2>"),
            "<https://x.example/?a=1&amp;b=2>"
        );
        assert_eq!(slack_encode("<@jo>"), "&lt;@jo&gt;");
    }
}
