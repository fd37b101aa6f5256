//! Splitting long mrkdwn into pieces Slack accepts whole, instead of
//! cutting it: a section block's text holds at most 3,000 characters
//! (docs.slack.dev/reference/block-kit/blocks/section-block), and Slack
//! advises keeping a message's `text` under 4,000.

/// What one section block's text may hold (Slack: "Maximum length for the
/// text in this field is 3000 characters").
pub const SECTION_MAX: usize = 3000;

/// `text` in pieces of at most `max` characters whose concatenation, with
/// the line breaks and spaces cut at put back, is `text`. A cut falls at
/// the last line break in the piece, else the last space, else anywhere
/// that is not inside an entity (`&amp;`) or a `<…>` token, so every piece
/// renders on its own.
pub fn split(text: &str, max: usize) -> Vec<String> {
    let max = max.max(16);
    let mut pieces = Vec::new();
    let mut rest = text;
    while rest.chars().count() > max {
        let limit = rest.char_indices().nth(max).map_or(rest.len(), |(i, _)| i);
        let head = &rest[..limit];
        // A break in the first half would leave tiny pieces; cut harder.
        let floor = head.len() / 2;
        let (cut, skip) = if let Some(i) = head.rfind('\n').filter(|i| *i > floor) {
            (i, 1)
        } else if let Some(i) = head.rfind(' ').filter(|i| *i > floor) {
            (i, 1)
        } else {
            (unbroken(head), 0)
        };
        pieces.push(rest[..cut].to_owned());
        rest = &rest[cut + skip..];
    }
    if !rest.is_empty() || pieces.is_empty() {
        pieces.push(rest.to_owned());
    }
    pieces
}

/// The end of `head`, moved back before an entity or token it would cut.
fn unbroken(head: &str) -> usize {
    let open = head.rfind(['&', '<']);
    match open {
        Some(i) if !head[i..].contains([';', '>']) && i > 0 => i,
        _ => head.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(pieces: &[String], with: &str) -> String {
        pieces.join(with)
    }

    #[test]
    fn short_text_is_one_piece() {
        assert_eq!(split("hello", 3000), vec!["hello"]);
        assert_eq!(split("", 3000), vec![""]);
    }

    #[test]
    fn a_3490_character_update_arrives_whole_in_two_pieces() {
        let lines: Vec<String> = (0..70)
            .map(|i| format!("line {i:02} {}", "x".repeat(if i == 69 { 32 } else { 41 })))
            .collect();
        let text = lines.join("\n");
        assert_eq!(text.chars().count(), 3490);
        let pieces = split(&text, SECTION_MAX);
        assert_eq!(pieces.len(), 2);
        assert!(pieces.iter().all(|p| p.chars().count() <= SECTION_MAX));
        assert_eq!(joined(&pieces, "\n"), text, "cut at a line break");
        assert!(pieces[1].ends_with(&lines[69]), "the last line is there");
    }

    #[test]
    fn words_are_not_cut_when_there_are_no_lines() {
        let text = "word ".repeat(1000);
        let pieces = split(text.trim_end(), 3000);
        assert!(pieces.iter().all(|p| p.chars().count() <= 3000));
        assert_eq!(joined(&pieces, " "), text.trim_end());
        assert!(pieces
            .iter()
            .all(|p| !p.starts_with(' ') && !p.ends_with(' ')));
    }

    #[test]
    fn entities_and_mentions_are_never_cut_through() {
        let text = format!("{}&amp;{}", "a".repeat(2998), "b".repeat(10));
        let pieces = split(&text, 3000);
        assert_eq!(pieces[0], "a".repeat(2998));
        assert!(pieces[1].starts_with("&amp;"));
        let text = format!("{}<@U123>", "a".repeat(2996));
        let pieces = split(&text, 3000);
        assert_eq!(pieces[1], "<@U123>");
    }

    #[test]
    fn characters_not_bytes() {
        let text = "é".repeat(6001);
        let pieces = split(&text, 3000);
        assert_eq!(pieces.len(), 3);
        assert_eq!(pieces.concat(), text);
    }
}
