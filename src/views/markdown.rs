//! User text inside the Markdown report, as text and nothing else: it
//! cannot add a heading, raw HTML, a link, a list or quote, a code span or
//! fence, or a cell to a table row (CommonMark / GitHub Flavored Markdown,
//! where a backslash before any ASCII punctuation makes it literal).
//!
//! Backticks are always escaped, so user text never holds two in a row and
//! cannot close the ``` block the report is posted in on Slack.

/// Characters escaped wherever they are: `\` (so the escapes stay
/// escapes), `` ` `` (code), `<` `>` (HTML, autolinks), `[` `]` (links and
/// images), `|` (table cells).
const ALWAYS: &[char] = &['\\', '`', '<', '>', '[', ']', '|'];

/// Characters that only mean something at the start of a line: headings,
/// quotes, lists, setext underlines, thematic breaks, `~~~` fences.
const LINE_START: &[char] = &['#', '>', '-', '+', '*', '=', '_', '~'];

/// One line of user text (a table cell, a list item): line breaks become
/// spaces.
pub fn inline(text: &str) -> String {
    let one_line = text.replace("\r\n", " ").replace(['\n', '\r'], " ");
    escape(&one_line, false)
}

/// A paragraph of user text: its lines kept, none able to open a block.
pub fn block(text: &str) -> String {
    text.lines()
        .map(|line| escape(line.trim_start(), true))
        .collect::<Vec<_>>()
        .join("\n")
}

fn escape(text: &str, line_start: bool) -> String {
    let text = mentions_as_names(text);
    let text = defang_links(&text);
    let mut out = String::with_capacity(text.len() + 8);
    for (i, c) in text.chars().enumerate() {
        let opens_block = line_start && i == 0 && LINE_START.contains(&c);
        if ALWAYS.contains(&c) || opens_block {
            out.push('\\');
        }
        out.push(c);
    }
    if line_start {
        number_list(out)
    } else {
        out
    }
}

/// `1. ` / `1) ` at the start of a line would start an ordered list.
fn number_list(line: String) -> String {
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    match line[digits..].chars().next() {
        Some('.' | ')') if digits > 0 => format!("{}\\{}", &line[..digits], &line[digits..]),
        _ => line,
    }
}

/// Stored mentions (`<@U123>`, `<#C123>`) as the report writes people:
/// `@U123`, `#C123`.
fn mentions_as_names(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let close = tail.find('>');
        match close {
            Some(end)
                if (tail.starts_with("<@") || tail.starts_with("<#"))
                    && tail[2..end]
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                    && end > 3 =>
            {
                out.push_str(&tail[1..end]);
                rest = &tail[end + 1..];
            }
            _ => {
                out.push('<');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Bare web addresses become links in GitHub Flavored Markdown, escapes or
/// not; written the way security reports defang them (`https[:]//…`,
/// `www[.]…`) they stay readable text.
fn defang_links(text: &str) -> String {
    text.replace("://", "[:]//")
        .replace("www.", "www[.]")
        .replace("WWW.", "WWW[.]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_cannot_add_headings_html_or_links() {
        assert_eq!(block("# Not a heading"), "\\# Not a heading");
        assert_eq!(block("title\n==="), "title\n\\===");
        assert_eq!(block("<script>x</script>"), "\\<script\\>x\\</script\\>");
        assert_eq!(
            block("[click](https://evil.example)"),
            "\\[click\\](https\\[:\\]//evil.example)"
        );
        assert_eq!(inline("see www.example.com"), "see www\\[.\\]example.com");
        assert_eq!(
            block("> quoted\n- item\n3. third"),
            "\\> quoted\n\\- item\n3\\. third"
        );
    }

    #[test]
    fn user_text_cannot_break_a_table_row() {
        assert_eq!(inline("a | b\nc"), "a \\| b c");
    }

    #[test]
    fn backticks_never_make_a_run_that_ends_a_code_block() {
        let out = inline("```\n~~~ `code`");
        assert!(!out.contains("``"), "{out}");
        assert_eq!(block("```"), "\\`\\`\\`");
        assert_eq!(block("~~~"), "\\~~~");
    }

    #[test]
    fn mentions_read_as_names_and_plain_text_is_untouched() {
        assert_eq!(inline("ask <@U123> in <#C1AB>"), "ask @U123 in #C1AB");
        assert_eq!(
            inline("DB & cache down; errors 5% (p99)"),
            "DB & cache down; errors 5% (p99)"
        );
    }
}
