//! Small pieces shared by the command parsers: words, people, suggestions.
//!
//! The parsers read command text as Slack encoded it ([`Encoded`]): there a
//! `<` only ever opens markup, so words split cleanly; each free-text piece
//! is decoded once, where it is taken.

use crate::ids::UserId;
use crate::mrkdwn::{excerpt, Encoded};

/// How much of what was typed an error message quotes back.
pub const ECHO_MAX: usize = 60;

/// A piece of encoded command text quoted back in an error: decoded, one
/// line, at most [`ECHO_MAX`] characters, escaped.
pub fn echo(encoded: &str) -> String {
    excerpt(&Encoded::new(encoded).decode(), ECHO_MAX)
}

/// A free-text argument: decoded, trimmed.
pub fn plain(encoded: &str) -> String {
    Encoded::new(encoded).decode().trim().to_owned()
}

/// The first word and the rest (leading space trimmed, inner text kept as
/// typed). A Slack mention (`<@U1|jo bloggs>`) is one word even with spaces.
pub fn split_word(text: &str) -> (&str, &str) {
    let text = text.trim_start();
    let end = if text.starts_with('<') {
        text.find('>').map_or(text.len(), |i| i + 1)
    } else {
        text.find(char::is_whitespace).unwrap_or(text.len())
    };
    (&text[..end], text[end..].trim_start())
}

/// A person as Slack sends them: `<@U123>`, `<@U123|name>`, or a bare ID.
/// The error message is ready to show (user text escaped).
pub fn parse_user(word: &str) -> Result<UserId, String> {
    let id = word
        .strip_prefix("<@")
        .and_then(|rest| rest.strip_suffix('>'))
        .map_or(word, |inner| inner.split('|').next().unwrap_or(inner));
    if let Ok(user) = UserId::parse(id) {
        return Ok(user);
    }
    let shown = echo(word);
    Err(if word.starts_with('@') {
        format!(
            "`{shown}` is plain text, not a person: type @ and pick them from the list Slack offers, so it sends who you mean."
        )
    } else if word.starts_with("<!subteam") {
        format!("`{shown}` is a group: pick one person.")
    } else if word.is_empty() {
        "Say who: type @ and pick them from the list Slack offers.".to_owned()
    } else {
        format!("`{shown}` is not a person: type @ and pick them from the list Slack offers.")
    })
}

/// The candidate closest to what was typed, if it is close enough to be a
/// plausible typo or abbreviation.
pub fn closest<'a>(typed: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let typed = typed.to_lowercase();
    if typed.is_empty() {
        return None;
    }
    let (best, distance) = candidates
        .iter()
        .map(|c| (*c, strsim::damerau_levenshtein(&typed, &c.to_lowercase())))
        .min_by_key(|(_, d)| *d)?;
    let prefix = candidates
        .iter()
        .find(|c| typed.len() >= 2 && c.to_lowercase().starts_with(&typed));
    if distance <= (typed.chars().count() / 3).max(1) {
        Some(best)
    } else {
        prefix.copied()
    }
}

/// " Did you mean `x`?" or nothing.
pub fn did_you_mean(typed: &str, candidates: &[&str]) -> String {
    closest(typed, candidates).map_or_else(String::new, |c| format!(" Did you mean `{c}`?"))
}

/// The rest must be empty: anything extra was probably meant for another
/// form. The message echoes it escaped.
pub fn nothing_more(form: &str, rest: &str) -> Result<(), String> {
    match rest.trim() {
        "" => Ok(()),
        extra => Err(format!(
            "`{form}` takes nothing more; I did not expect `{}`.",
            echo(extra)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_and_mentions_stay_whole() {
        assert_eq!(
            split_word("  update INC-3  text  here "),
            ("update", "INC-3  text  here ")
        );
        assert_eq!(
            split_word("<@U1|jo bloggs> rest"),
            ("<@U1|jo bloggs>", "rest")
        );
        assert_eq!(split_word("ack"), ("ack", ""));
        assert_eq!(split_word(""), ("", ""));
        assert_eq!(split_word("line\nnext"), ("line", "next"));
    }

    #[test]
    fn people_in_every_form_slack_sends() {
        let u = UserId::parse("U123ABC").unwrap();
        assert_eq!(parse_user("<@U123ABC>"), Ok(u.clone()));
        assert_eq!(parse_user("<@U123ABC|jo>"), Ok(u.clone()));
        assert_eq!(parse_user("U123ABC"), Ok(u));
        assert!(parse_user("W0ENTERPRISE").is_ok());
    }

    #[test]
    fn non_people_explain_how_to_pick_one() {
        let plain = parse_user("@jo").unwrap_err();
        assert!(plain.contains("plain text, not a person"), "{plain}");
        assert!(plain.contains("pick them from the list"), "{plain}");
        assert!(parse_user("<!subteam^S1|@sre>")
            .unwrap_err()
            .contains("is a group"));
        assert!(parse_user("<#C1|general>")
            .unwrap_err()
            .contains("`&lt;#C1&gt;` is not a person"));
        let pasted = format!("{}&amp;", "x".repeat(40_000));
        let long = parse_user(&pasted).unwrap_err();
        assert!(
            long.len() < 200,
            "a 40 KB word is echoed as an excerpt: {long}"
        );
        assert!(parse_user("jo").unwrap_err().contains("not a person"));
        assert!(parse_user("").unwrap_err().starts_with("Say who"));
    }

    #[test]
    fn suggestions_catch_typos_and_prefixes_but_not_nonsense() {
        let rotas = ["in-hours", "out-of-hours", "escalation"];
        assert_eq!(closest("in-hour", &rotas), Some("in-hours"));
        assert_eq!(closest("IN-HOURS", &rotas), Some("in-hours"));
        assert_eq!(closest("inhours", &rotas), Some("in-hours"));
        assert_eq!(closest("esc", &rotas), Some("escalation"));
        assert_eq!(closest("payroll", &rotas), None);
        assert_eq!(closest("", &rotas), None);
        assert_eq!(closest("decalre", &["declare", "list"]), Some("declare"));
        assert_eq!(
            did_you_mean("lsit", &["declare", "list"]),
            " Did you mean `list`?"
        );
        assert_eq!(did_you_mean("zzz", &["declare", "list"]), "");
    }
}
