//! Logging: human-readable by default, JSON lines with `LOG_FORMAT=json`,
//! filtered by `RUST_LOG` (default `info`).
//!
//! `RUST_LOG` takes comma-separated `level` and `target=level` directives,
//! e.g. `info,paas_incident_bot=debug,sqlx=warn` (tracing-subscriber's
//! `Targets`). Span-field filters (`[span{field=x}]=level`) are not
//! supported: they need the regex engine, which was a tenth of the bot's
//! code for a feature nobody on call uses (docs/PERFORMANCE.md).

use crate::settings::LogFormat;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;
use tracing_subscriber::{fmt, registry};

/// The filter `RUST_LOG` asks for; `info` when it is unset, and `info`
/// with the reason when it cannot be read, so a typo never silences logs.
pub fn filter(rust_log: Option<&str>) -> (Targets, Option<String>) {
    let default = || Targets::new().with_default(LevelFilter::INFO);
    match rust_log.map(str::trim).filter(|s| !s.is_empty()) {
        None => (default(), None),
        Some(text) => match text.parse::<Targets>() {
            Ok(targets) => (targets, None),
            Err(e) => (
                default(),
                Some(format!(
                    "RUST_LOG `{text}` not understood ({e}); logging at info"
                )),
            ),
        },
    }
}

/// Lines never written, whatever `RUST_LOG` asks: tungstenite's client
/// handshake logs the whole upgrade request at trace, and its request line
/// is the Socket Mode URL with its `ticket`, which lets anyone holding it
/// open the bot's connection (<https://api.slack.com/apis/socket-mode>).
/// Nor its frame traces. Everything else passes; applied alongside the `RUST_LOG` filter.
pub fn never_logged() -> Targets {
    Targets::new()
        .with_default(LevelFilter::TRACE)
        .with_target("tungstenite::handshake::client", LevelFilter::DEBUG)
        // Its frame traces carry every message whole (hex-encoded): the
        // acks among them hold calendar feed links with their tokens.
        .with_target("tungstenite::protocol", LevelFilter::DEBUG)
        // It warns of a connection parameter it does not know with the
        // parameter's value, which may be a password (`sslpassword`).
        .with_target("sqlx_postgres::options", LevelFilter::OFF)
}

pub fn init(format: LogFormat) {
    let (targets, problem) = filter(std::env::var("RUST_LOG").ok().as_deref());
    let layer = fmt::layer().with_writer(std::io::stderr);
    // A second init (tests) is harmless; keep the first subscriber.
    let _ = match format {
        LogFormat::Json => registry()
            .with(never_logged())
            .with(layer.json().flatten_event(true).with_filter(targets))
            .try_init(),
        LogFormat::Human => registry()
            .with(never_logged())
            .with(layer.with_filter(targets))
            .try_init(),
    };
    if let Some(problem) = problem {
        tracing::warn!("{problem}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::Level;

    #[test]
    fn the_handshake_request_with_the_ticket_is_never_logged() {
        let never = never_logged();
        assert!(!never.would_enable("tungstenite::handshake::client", &Level::TRACE));
        // Frame traces print each message whole, acks with feed links too.
        assert!(!never.would_enable("tungstenite::protocol", &Level::TRACE));
        assert!(!never.would_enable("tungstenite::protocol::frame", &Level::TRACE));
        assert!(never.would_enable("tungstenite::protocol", &Level::DEBUG));
        assert!(never.would_enable("paas_incident_bot::slack", &Level::TRACE));
    }

    #[test]
    fn directives_set_levels_per_target_with_info_by_default() {
        let (targets, problem) = filter(Some("warn,paas_incident_bot=debug"));
        assert!(problem.is_none());
        assert!(targets.would_enable("paas_incident_bot::bot", &Level::DEBUG));
        assert!(!targets.would_enable("sqlx::query", &Level::INFO));
        let (unset, _) = filter(None);
        assert!(unset.would_enable("sqlx::query", &Level::INFO));
        assert!(!unset.would_enable("sqlx::query", &Level::DEBUG));
    }

    #[test]
    fn a_filter_that_cannot_be_read_logs_at_info_and_says_why() {
        let (targets, problem) = filter(Some("paas_incident_bot=loud"));
        assert!(problem.unwrap().contains("RUST_LOG"));
        assert!(targets.would_enable("paas_incident_bot", &Level::INFO));
    }
}
