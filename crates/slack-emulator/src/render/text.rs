//! Slack text as HTML: its escapes undone, its entities and styles drawn,
//! and everything else escaped.

use super::Names;
use maud::{html, Markup, PreEscaped};

/// The emoji shortcodes apps commonly post, as the characters Slack
/// shows; others stay as typed.
const EMOJI: &[(&str, &str)] = &[
    (":alarm_clock:", "⏰"),
    (":arrow_up_down:", "↕️"),
    (":arrows_counterclockwise:", "🔄"),
    (":calendar:", "📆"),
    (":clock5:", "🕔"),
    (":double_vertical_bar:", "⏸️"),
    (":eyes:", "👀"),
    (":globe_with_meridians:", "🌐"),
    (":handshake:", "🤝"),
    (":heavy_minus_sign:", "➖"),
    (":hourglass:", "⌛"),
    (":hourglass_flowing_sand:", "⏳"),
    (":large_orange_circle:", "🟠"),
    (":large_green_circle:", "🟢"),
    (":large_yellow_circle:", "🟡"),
    (":loudspeaker:", "📢"),
    (":memo:", "📝"),
    (":pager:", "📟"),
    (":pushpin:", "📌"),
    (":red_circle:", "🔴"),
    (":rotating_light:", "🚨"),
    (":speech_balloon:", "💬"),
    (":technologist:", "🧑‍💻"),
    (":warning:", "⚠️"),
    (":white_check_mark:", "✅"),
    (":bell:", "🔔"),
];

fn emoji(text: &str) -> String {
    if !text.contains(':') {
        return text.to_owned();
    }
    EMOJI
        .iter()
        .fold(text.to_owned(), |t, (code, shown)| t.replace(code, shown))
}

/// Undoes Slack's three escapes (`&amp;`, `&lt;`, `&gt;`).
pub(super) fn unescape(text: &str) -> String {
    emoji(text)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Slack `mrkdwn` as HTML: entities (`<@U…>`, `<#C…|name>`, `<!here>`,
/// `<url|label>`), `*bold*`, `_italic_`, `~strike~`, `` `code` `` and line
/// breaks. Anything else is shown as typed, escaped.
pub fn mrkdwn(text: &str, names: Names<'_>) -> Markup {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&styled(&unescape(&rest[..open])));
        let Some(close) = rest[open..].find('>') else {
            out.push_str(&styled(&unescape(&rest[open..])));
            rest = "";
            break;
        };
        out.push_str(&entity(&rest[open + 1..open + close], names));
        rest = &rest[open + close + 1..];
    }
    out.push_str(&styled(&unescape(rest)));
    PreEscaped(out)
}

fn escape(text: &str) -> String {
    html! { (text) }.into_string()
}

fn entity(inner: &str, names: Names<'_>) -> String {
    let (target, label) = match inner.split_once('|') {
        Some((t, l)) => (t, Some(unescape(l))),
        None => (inner, None),
    };
    let shown = if let Some(user) = target.strip_prefix('@') {
        format!("@{}", label.unwrap_or_else(|| names(user)))
    } else if let Some(channel) = target.strip_prefix('#') {
        format!("#{}", label.unwrap_or_else(|| channel.to_lowercase()))
    } else if let Some(special) = target.strip_prefix('!') {
        match label {
            // `<!date^…|fallback>` shows as its date; so does any label.
            Some(l) => return escape(&l),
            None => format!("@{}", special.split('^').next().unwrap_or(special)),
        }
    } else {
        let url = unescape(target);
        let safe = url.starts_with("https://") || url.starts_with("http://");
        let text = label.unwrap_or_else(|| url.clone());
        return if safe {
            html! { a href=(url) { (text) } }.into_string()
        } else {
            escape(&text)
        };
    };
    html! { span.mention { (shown) } }.into_string()
}

/// `*bold*`, `_italic_`, `~strike~` and `` `code` `` within plain text,
/// which is escaped; a newline becomes `<br>`.
fn styled(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let tag = match c {
            '*' => Some("strong"),
            '_' => Some("em"),
            '~' => Some("s"),
            '`' => Some("code"),
            _ => None,
        };
        let opens = i == 0 || !chars[i - 1].is_alphanumeric();
        if let (Some(tag), true) = (tag, opens) {
            let close = chars[i + 1..]
                .iter()
                .position(|&d| d == c || d == '\n')
                .map(|p| p + i + 1);
            if let Some(end) = close.filter(|&e| chars[e] == c && e > i + 1) {
                let inner: String = chars[i + 1..end].iter().collect();
                out.push_str(&format!("<{tag}>{}</{tag}>", styled(&inner)));
                i = end + 1;
                continue;
            }
        }
        if c == '\n' {
            out.push_str("<br>");
        } else {
            out.push_str(&escape(&c.to_string()));
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(id: &str) -> String {
        format!("name-of-{id}")
    }

    #[test]
    fn slack_text_is_escaped_and_its_markup_shown() {
        let html = mrkdwn(
            "*Bold* &lt;script&gt; <@U1> <https://x.test/?a=1&amp;b|link> a_b",
            &names,
        )
        .into_string();
        assert_eq!(
            html,
            "<strong>Bold</strong> &lt;script&gt; <span class=\"mention\">@name-of-U1</span> \
             <a href=\"https://x.test/?a=1&amp;b\">link</a> a_b"
        );
    }

    #[test]
    fn a_link_that_is_not_http_is_shown_as_text() {
        let html = mrkdwn("<javascript:alert(1)|click>", &names).into_string();
        assert_eq!(html, "click");
    }
}
