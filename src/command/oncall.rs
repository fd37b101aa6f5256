//! `/oncall …` parsed into an [`OncallCommand`].
//!
//! The subcommand words (`at`, `cover`, `overrides`, `cancel`, `help`) win
//! over a rota of the same name; name rotas otherwise.

use super::args::{closest, echo, parse_user, plain, split_word};
use super::usage::ONCALL_USAGE;
use super::when::{parse_range, parse_when};
use super::UsageError;
use crate::ids::{OverrideId, UserId};
use crate::mrkdwn::Encoded;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OncallCommand {
    /// Every rota now.
    Now,
    /// One rota (its configured name) and its next shifts.
    Rota(String),
    /// Every rota at that moment.
    At(DateTime<Utc>),
    Cover {
        rota: String,
        user: UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
    /// `cover me ROTA FROM to TO [note]`: ask the rest of the rota to
    /// cover the asker (SPEC §7). `from` is in the future; `note` is plain
    /// text, possibly empty.
    CoverMe {
        rota: String,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        note: String,
    },
    /// The open cover requests.
    Requests,
    Overrides(Option<String>),
    /// An override ID, shown to people as `OVR-N`.
    Cancel(OverrideId),
    /// The asker's calendar feed links: their own shifts and one per rota.
    Calendar,
    /// New links for the asker; their old ones serve an empty calendar.
    CalendarReset,
    Help,
}

const SUBCOMMANDS: [&str; 7] = [
    "at",
    "cover",
    "requests",
    "overrides",
    "cancel",
    "calendar",
    "help",
];

fn error(message: impl Into<String>) -> UsageError {
    UsageError::new(message, ONCALL_USAGE)
}

/// `OVR-12`, `ovr-12` or `12`. The error message is ready to show.
pub fn parse_override_id(raw: &str) -> Result<OverrideId, String> {
    OverrideId::parse(raw).map_err(|_| {
        format!(
            "`{}` is not an override ID: use the `OVR-N` shown by `/oncall overrides`, e.g. `OVR-12`.",
            echo(raw)
        )
    })
}

/// A configured rota by name (any case), else an error that suggests one.
fn rota(typed: &str, rota_names: &[&str]) -> Result<String, UsageError> {
    if let Some(name) = rota_names.iter().find(|n| n.eq_ignore_ascii_case(typed)) {
        return Ok((*name).to_owned());
    }
    Err(error(format!(
        "`{}` is not a rota.{}",
        echo(typed),
        suggest(typed, rota_names)
    )))
}

fn suggest(typed: &str, rota_names: &[&str]) -> String {
    let known = if rota_names.is_empty() {
        " No rotas are configured.".to_owned()
    } else {
        let names: Vec<String> = rota_names.iter().map(|n| format!("`{n}`")).collect();
        format!(" Rotas: {}.", names.join(", "))
    };
    match closest(typed, rota_names) {
        Some(name) => format!(" Did you mean `{name}`?{known}"),
        None => known,
    }
}

fn nothing_more(form: &str, rest: &str) -> Result<(), UsageError> {
    super::args::nothing_more(form, rest).map_err(error)
}

/// Parses `/oncall` text as Slack sent it (see [`Encoded`]).
pub fn parse_oncall(
    text: Encoded<'_>,
    now: DateTime<Utc>,
    tz: Tz,
    rota_names: &[&str],
) -> Result<OncallCommand, UsageError> {
    use OncallCommand as C;
    let (word, rest) = split_word(text.raw());
    match word.to_lowercase().as_str() {
        "" => Ok(C::Now),
        "help" => nothing_more("/oncall help", rest).map(|_| C::Help),
        "at" => {
            if rest.trim().is_empty() {
                return Err(error(
                    "`/oncall at` needs a time, e.g. `/oncall at tomorrow 09:00`.",
                ));
            }
            parse_when(&plain(rest), now, tz)
                .map(C::At)
                .map_err(|e| error(e.to_string()))
        }
        "cover" => match split_word(rest) {
            (me, asked) if me.eq_ignore_ascii_case("me") => cover_me(asked, now, tz, rota_names),
            _ => cover(rest, now, tz, rota_names),
        },
        "requests" => nothing_more("/oncall requests", rest).map(|_| C::Requests),
        "calendar" => {
            let (word, extra) = split_word(rest);
            match word.to_lowercase().as_str() {
                "" => Ok(C::Calendar),
                "reset" => nothing_more("/oncall calendar reset", extra).map(|_| C::CalendarReset),
                _ => Err(error(format!(
                    "`/oncall calendar` takes nothing, or `reset` for new links; I did not expect `{}`.",
                    echo(rest.trim())
                ))),
            }
        }
        "overrides" => {
            let (name, extra) = split_word(rest);
            nothing_more(&format!("/oncall overrides {}", echo(name)), extra)?;
            if name.is_empty() {
                Ok(C::Overrides(None))
            } else {
                rota(name, rota_names).map(|r| C::Overrides(Some(r)))
            }
        }
        "cancel" => {
            let (id, extra) = split_word(rest);
            if id.is_empty() {
                return Err(error(
                    "`/oncall cancel` needs an override ID, e.g. `/oncall cancel OVR-12`.",
                ));
            }
            let id = parse_override_id(id).map_err(error)?;
            nothing_more(&format!("/oncall cancel {id}"), extra)?;
            Ok(C::Cancel(id))
        }
        _ => {
            if let Ok(name) = rota(word, rota_names) {
                nothing_more(&format!("/oncall {name}"), rest)?;
                return Ok(C::Rota(name));
            }
            let mut candidates: Vec<&str> = rota_names.to_vec();
            candidates.extend(SUBCOMMANDS);
            let hint = match closest(word, &candidates) {
                Some(c) => format!(" Did you mean `{c}`?"),
                None => String::new(),
            };
            Err(error(format!(
                "`{}` is not a rota or an `/oncall` command.{hint}{}",
                echo(word),
                suggest("", rota_names)
            )))
        }
    }
}

/// `cover ROTA @person FROM to TO`.
fn cover(
    rest: &str,
    now: DateTime<Utc>,
    tz: Tz,
    rota_names: &[&str],
) -> Result<OncallCommand, UsageError> {
    const EXAMPLE: &str = "e.g. `/oncall cover in-hours @jo tomorrow 09:00 to tomorrow 17:00`";
    let (name, rest) = split_word(rest);
    if name.is_empty() {
        return Err(error(format!(
            "`/oncall cover` needs a rota, a person and a time range, {EXAMPLE}."
        )));
    }
    let rota = rota(name, rota_names)?;
    let (who, range) = split_word(rest);
    if who.is_empty() {
        return Err(error(format!(
            "`/oncall cover {rota}` needs a person and a time range, {EXAMPLE}."
        )));
    }
    let user = parse_user(who).map_err(error)?;
    if range.trim().is_empty() {
        return Err(error(format!(
            "`/oncall cover {rota}` needs a time range after the person, {EXAMPLE}."
        )));
    }
    let (from, to) = parse_range(&plain(range), now, tz).map_err(|e| error(e.to_string()))?;
    Ok(OncallCommand::Cover {
        rota,
        user,
        from,
        to,
    })
}

/// The longest note a cover request keeps, in characters.
pub const NOTE_MAX: usize = 300;

/// `cover me ROTA FROM to TO [note]`. TO is one or two words (`18:00`,
/// `tomorrow 18:00`); what follows it is the note.
fn cover_me(
    rest: &str,
    now: DateTime<Utc>,
    tz: Tz,
    rota_names: &[&str],
) -> Result<OncallCommand, UsageError> {
    const EXAMPLE: &str =
        "e.g. `/oncall cover me in-hours tomorrow 09:00 to tomorrow 17:00 dentist`";
    let (name, range) = split_word(rest);
    if name.is_empty() {
        return Err(error(format!(
            "`/oncall cover me` needs a rota and a time range, {EXAMPLE}."
        )));
    }
    let rota = rota(name, rota_names)?;
    let text = plain(range);
    if text.trim().is_empty() {
        return Err(error(format!(
            "`/oncall cover me {rota}` needs a time range, {EXAMPLE}."
        )));
    }
    let (from, to, note) = range_and_note(&text, now, tz)?;
    if from <= now {
        return Err(error(format!(
            "A cover request must start in the future: it lapses at its start if nobody \
             takes it. For cover from now, ask someone and use `/oncall cover {rota} @person …`."
        )));
    }
    if note.chars().count() > NOTE_MAX {
        return Err(error(format!(
            "The note is too long: at most {NOTE_MAX} characters."
        )));
    }
    Ok(OncallCommand::CoverMe {
        rota,
        from,
        to,
        note,
    })
}

/// Splits `FROM to TO note…` where TO is the longest of its next two words
/// that reads as a time; a range error is reported for that TO.
fn range_and_note(
    text: &str,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<(DateTime<Utc>, DateTime<Utc>, String), UsageError> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let Some(split) = words.iter().position(|w| w.eq_ignore_ascii_case("to")) else {
        let e = parse_range(text, now, tz).err().map(|e| e.to_string());
        return Err(error(
            e.unwrap_or_else(|| "That is not a range.".to_owned()),
        ));
    };
    for k in [2, 1] {
        let end = split + 1 + k;
        if end > words.len() || parse_when(&words[split + 1..end].join(" "), now, tz).is_err() {
            continue;
        }
        let (from, to) =
            parse_range(&words[..end].join(" "), now, tz).map_err(|e| error(e.to_string()))?;
        return Ok((from, to, words[end..].join(" ")));
    }
    // Neither reads as a time: the range's own error says which part.
    let (from, to) = parse_range(text, now, tz).map_err(|e| error(e.to_string()))?;
    Ok((from, to, String::new()))
}

#[cfg(test)]
#[path = "oncall_tests.rs"]
mod tests;
