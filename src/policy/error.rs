//! What goes wrong loading a policy, phrased for the operator who must fix
//! the file: which key, on which line, and what is wrong with it.

use std::fmt;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("{}", invalid_text(key, *line, message))]
    Invalid {
        key: String,
        line: Option<usize>,
        message: String,
    },
    #[error("cannot read policy file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn invalid_text(key: &str, line: Option<usize>, message: &str) -> String {
    match line {
        Some(n) => format!("{key} (line {n}): {message}"),
        None => format!("{key}: {message}"),
    }
}

impl PolicyError {
    pub fn invalid(
        key: impl Into<String>,
        line: Option<usize>,
        message: impl fmt::Display,
    ) -> Self {
        PolicyError::Invalid {
            key: key.into(),
            line,
            message: message.to_string(),
        }
    }

    /// From a serde error wrapped with the key path it happened at.
    pub(crate) fn from_toml(text: &str, err: serde_path_to_error::Error<toml::de::Error>) -> Self {
        let key = clean_path(&err.path().to_string());
        let inner = err.inner();
        let line = inner.span().map(|s| line_of(text, s.start));
        PolicyError::invalid(key, line, inner.message().trim_end())
    }
}

/// `toml::Spanned` shows up in serde paths under a private name; people
/// never wrote it, so it is dropped. A syntax error has no key at all.
fn clean_path(path: &str) -> String {
    let cleaned: Vec<&str> = path
        .split('.')
        .map(|seg| {
            seg.strip_prefix("$__serde_spanned_private_value")
                .unwrap_or(seg)
        })
        .collect();
    let joined = cleaned.join(".").replace(".[", "[").replace("..", ".");
    let trimmed = joined.trim_matches('.');
    if trimmed.is_empty() {
        "policy file".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// 1-based line number of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_key_and_line() {
        let e = PolicyError::invalid(
            "rota[1].members",
            Some(12),
            "a rota needs at least one member",
        );
        assert_eq!(
            e.to_string(),
            "rota[1].members (line 12): a rota needs at least one member"
        );
        let e = PolicyError::invalid("priority.P3", None, "missing");
        assert_eq!(e.to_string(), "priority.P3: missing");
    }

    #[test]
    fn spanned_segments_are_hidden() {
        assert_eq!(
            clean_path("rota[0].members.$__serde_spanned_private_value[1]"),
            "rota[0].members[1]"
        );
        assert_eq!(clean_path("."), "policy file");
        assert_eq!(line_of("a\nb\nc", 2), 2);
    }
}
