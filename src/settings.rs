//! Start-up configuration from the environment (SPEC §1), loaded once and
//! handed to the app; handlers never read the environment.

use crate::database_url::{Backend, DatabaseUrl};
use std::fmt;
use std::path::PathBuf;

/// A token that cannot be printed: `Debug` and `Display` show only its kind.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The raw value, for the one place that sends it to Slack.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Why a token was refused. The message names the variable and says where
/// to get the right token; it never contains the token itself.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("{var} is not set: create the Slack app from manifest.yml and set {var} to its {kind} token ({prefix}…)")]
    Missing {
        var: &'static str,
        kind: &'static str,
        prefix: &'static str,
    },
    #[error("{var} is not {article} {kind} token (it must start with {prefix}): see manifest.yml and the README for which token goes where")]
    WrongKind {
        var: &'static str,
        kind: &'static str,
        article: &'static str,
        prefix: &'static str,
    },
}

fn check_token(
    var: &'static str,
    value: Option<String>,
    prefix: &'static str,
    kind: &'static str,
    article: &'static str,
) -> Result<Secret, TokenError> {
    let value = value.map(|v| v.trim().to_owned()).unwrap_or_default();
    if value.is_empty() {
        return Err(TokenError::Missing { var, kind, prefix });
    }
    if !value.starts_with(prefix) || value.len() <= prefix.len() {
        return Err(TokenError::WrongKind {
            var,
            kind,
            article,
            prefix,
        });
    }
    Ok(Secret::new(value))
}

/// The app-level token (`xapp-…`), used only to open Socket Mode connections.
pub fn app_token(value: Option<String>) -> Result<Secret, TokenError> {
    check_token("SLACK_APP_TOKEN", value, "xapp-", "app-level", "an")
}

/// The bot token (`xoxb-…`), used for every Web API call.
pub fn bot_token(value: Option<String>) -> Result<Secret, TokenError> {
    check_token("SLACK_BOT_TOKEN", value, "xoxb-", "bot", "a")
}

pub const DEFAULT_API_URL: &str = "https://slack.com/api";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://paas-incident-bot.db";
pub const DEFAULT_PORT: u16 = 8080;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Human,
    Json,
}

/// Everything `serve` needs from the environment.
#[derive(Debug, Clone)]
pub struct Settings {
    pub app_token: Secret,
    pub bot_token: Secret,
    pub api_url: String,
    /// `DATABASE_URL`, or `VCAP_SERVICES`' postgres binding; prints
    /// masked.
    pub database_url: DatabaseUrl,
    pub config_path: Option<PathBuf>,
    pub port: u16,
    /// `HEALTH_BIND`: the address the health port listens on.
    pub health_bind: std::net::IpAddr,
    /// `BOT_CLOCK_OFFSET_SECS`: how far the bot's clock runs from the host's.
    pub clock_offset: chrono::Duration,
    /// `STATUSPAGE_API_KEY`: the Statuspage key, for a policy with
    /// `[statuspage]` (SPEC §5). Never printed.
    pub statuspage_key: Option<Secret>,
    /// `READY_REQUIRES_LEADER`: `/readyz` is 503 on a standby (SPEC §4).
    pub ready_requires_leader: bool,
    /// `PUBLIC_URL`: where people's calendar applications reach this bot's
    /// HTTP port, for the links `/oncall calendar` gives (SPEC §7). None:
    /// `http://localhost:PORT`.
    pub public_url: Option<String>,
    /// `ALERT_WEBHOOK_TOKEN` and `GRAFANA_WEBHOOK_SECRET` (SPEC §6).
    pub alerts: crate::http::alerts::AlertSecrets,
}

impl Settings {
    /// Reads the variables through `get`, so tests need not touch the
    /// process environment.
    pub fn from_lookup(
        get: impl Fn(&str) -> Option<String>,
        config_flag: Option<PathBuf>,
    ) -> Result<Self, SettingsError> {
        let app_token = app_token(get("SLACK_APP_TOKEN"))?;
        let bot_token = bot_token(get("SLACK_BOT_TOKEN"))?;
        let api_url = get("SLACK_API_URL")
            .filter(|v| !v.trim().is_empty())
            .map(|v| v.trim().trim_end_matches('/').to_owned())
            .unwrap_or_else(|| DEFAULT_API_URL.to_owned());
        if !(api_url.starts_with("https://") || api_url.starts_with("http://")) {
            return Err(SettingsError::Invalid {
                var: "SLACK_API_URL",
                why: format!("`{api_url}` is not an http(s) URL"),
            });
        }
        Ok(Self {
            app_token,
            bot_token,
            api_url,
            database_url: database_url(&get)?,
            config_path: config_path(&get, config_flag),
            port: port(&get)?,
            health_bind: health_bind(&get)?,
            clock_offset: clock_offset(&get)?,
            statuspage_key: secret(&get, "STATUSPAGE_API_KEY"),
            ready_requires_leader: flag(&get, "READY_REQUIRES_LEADER")?,
            public_url: public_url(&get)?,
            alerts: crate::http::alerts::AlertSecrets {
                token: secret(&get, "ALERT_WEBHOOK_TOKEN"),
                grafana_secret: secret(&get, "GRAFANA_WEBHOOK_SECRET"),
            },
        })
    }
}

/// `DATABASE_URL`; when it is unset, Cloud Foundry's `VCAP_SERVICES`
/// (its first postgres binding, see `vcap`); when neither is, a file
/// beside the working directory. Refused (naming the variable, the
/// password masked): a scheme the bot does not know.
pub fn database_url(get: &impl Fn(&str) -> Option<String>) -> Result<DatabaseUrl, SettingsError> {
    let (var, url) = match get("DATABASE_URL").filter(|v| !v.trim().is_empty()) {
        Some(raw) => ("DATABASE_URL", DatabaseUrl::new(raw)),
        None => match get("VCAP_SERVICES").filter(|v| !v.trim().is_empty()) {
            Some(vcap) => ("VCAP_SERVICES", crate::vcap::database_url(&vcap)?),
            None => return Ok(DatabaseUrl::new(DEFAULT_DATABASE_URL)),
        },
    };
    match url.backend() {
        Some(Backend::Sqlite | Backend::Postgres) => Ok(url),
        None => Err(SettingsError::Invalid {
            var,
            why: format!("{url} is neither a sqlite:// nor a postgres:// URL"),
        }),
    }
}

/// `PUBLIC_URL`, an http(s) URL without a trailing slash; unset or empty
/// means the default, `http://localhost:PORT`.
fn public_url(get: &impl Fn(&str) -> Option<String>) -> Result<Option<String>, SettingsError> {
    let Some(raw) = get("PUBLIC_URL").filter(|v| !v.trim().is_empty()) else {
        return Ok(None);
    };
    let url = raw.trim().trim_end_matches('/').to_owned();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => Ok(Some(url)),
        _ => Err(SettingsError::Invalid {
            var: "PUBLIC_URL",
            why: format!("`{raw}` is not an http(s) URL"),
        }),
    }
}

/// A secret variable, trimmed; unset or blank is None.
fn secret(get: &impl Fn(&str) -> Option<String>, var: &str) -> Option<Secret> {
    get(var)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .map(Secret::new)
}

/// `--config` wins over `BOT_CONFIG`; neither means the built-in policy.
pub fn config_path(
    get: &impl Fn(&str) -> Option<String>,
    flag: Option<PathBuf>,
) -> Option<PathBuf> {
    flag.or_else(|| {
        get("BOT_CONFIG")
            .filter(|v| !v.trim().is_empty())
            .map(PathBuf::from)
    })
}

fn port(get: &impl Fn(&str) -> Option<String>) -> Result<u16, SettingsError> {
    match get("PORT") {
        None => Ok(DEFAULT_PORT),
        Some(raw) if raw.trim().is_empty() => Ok(DEFAULT_PORT),
        Some(raw) => raw.trim().parse().map_err(|_| SettingsError::Invalid {
            var: "PORT",
            why: format!("`{raw}` is not a port number"),
        }),
    }
}

/// `HEALTH_BIND`, an IP address; every interface by default, since Cloud
/// Foundry's and Kubernetes' probes come from outside the container. Set
/// `127.0.0.1` where only the host itself should reach it.
fn health_bind(get: &impl Fn(&str) -> Option<String>) -> Result<std::net::IpAddr, SettingsError> {
    match get("HEALTH_BIND").filter(|v| !v.trim().is_empty()) {
        None => Ok(std::net::IpAddr::from([0, 0, 0, 0])),
        Some(raw) => raw.trim().parse().map_err(|_| SettingsError::Invalid {
            var: "HEALTH_BIND",
            why: format!("`{raw}` is not an IP address"),
        }),
    }
}

/// Seconds, signed: lets a rehearsal run the bot as if it were another
/// time (a Saturday night, a bank holiday) against a test workspace.
fn clock_offset(get: &impl Fn(&str) -> Option<String>) -> Result<chrono::Duration, SettingsError> {
    let Some(raw) = get("BOT_CLOCK_OFFSET_SECS").filter(|v| !v.trim().is_empty()) else {
        return Ok(chrono::Duration::zero());
    };
    // Ten years either way is plenty for a rehearsal, and keeps the
    // shifted clock far inside what chrono can represent.
    const MAX: i64 = 10 * 366 * 24 * 3600;
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|s| s.abs() <= MAX)
        .and_then(chrono::Duration::try_seconds)
        .ok_or_else(|| SettingsError::Invalid {
            var: "BOT_CLOCK_OFFSET_SECS",
            why: format!("`{raw}` is not a whole number of seconds within ten years"),
        })
}

/// A yes/no variable: `true`/`false` (or `1`/`0`, `yes`/`no`), any case;
/// unset or empty is `false`.
fn flag(get: &impl Fn(&str) -> Option<String>, var: &'static str) -> Result<bool, SettingsError> {
    let Some(raw) = get(var).filter(|v| !v.trim().is_empty()) else {
        return Ok(false);
    };
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(SettingsError::Invalid {
            var,
            why: format!("`{raw}` is neither true nor false"),
        }),
    }
}

/// `LOG_FORMAT=json` for JSON lines; anything else is human-readable.
pub fn log_format(get: &impl Fn(&str) -> Option<String>) -> LogFormat {
    match get("LOG_FORMAT").as_deref().map(str::trim) {
        Some(v) if v.eq_ignore_ascii_case("json") => LogFormat::Json,
        _ => LogFormat::Human,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(transparent)]
    Vcap(#[from] crate::vcap::VcapError),
    #[error("{var}: {why}")]
    Invalid { var: &'static str, why: String },
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    const GOOD: [(&str, &str); 2] = [
        ("SLACK_APP_TOKEN", "xapp-1-A1-secretvalue"),
        ("SLACK_BOT_TOKEN", "xoxb-1-secretvalue"),
    ];

    #[test]
    fn defaults_apply_when_only_tokens_are_set() {
        let s = Settings::from_lookup(lookup(&GOOD), None).unwrap();
        assert_eq!(s.api_url, DEFAULT_API_URL);
        assert_eq!(s.database_url.expose(), DEFAULT_DATABASE_URL);
        assert_eq!(s.port, 8080);
        assert!(s.config_path.is_none());
    }

    #[test]
    fn public_url_defaults_to_none_and_loses_its_trailing_slash() {
        let s = Settings::from_lookup(lookup(&GOOD), None).unwrap();
        assert_eq!(s.public_url, None);
        let mut pairs = GOOD.to_vec();
        pairs.push(("PUBLIC_URL", " https://oncall.example.org/bot/ "));
        let s = Settings::from_lookup(lookup(&pairs), None).unwrap();
        assert_eq!(
            s.public_url.as_deref(),
            Some("https://oncall.example.org/bot")
        );
        let mut pairs = GOOD.to_vec();
        pairs.push(("PUBLIC_URL", "oncall.example.org"));
        let e = Settings::from_lookup(lookup(&pairs), None).unwrap_err();
        assert!(e.to_string().starts_with("PUBLIC_URL:"), "{e}");
    }

    #[test]
    fn config_flag_wins_over_env() {
        let mut pairs = GOOD.to_vec();
        pairs.push(("BOT_CONFIG", "env.toml"));
        let s = Settings::from_lookup(lookup(&pairs), Some("flag.toml".into())).unwrap();
        assert_eq!(s.config_path, Some(PathBuf::from("flag.toml")));
        let s = Settings::from_lookup(lookup(&pairs), None).unwrap();
        assert_eq!(s.config_path, Some(PathBuf::from("env.toml")));
    }

    #[test]
    fn clock_offset_is_signed_seconds_and_checked() {
        let s = Settings::from_lookup(lookup(&GOOD), None).unwrap();
        assert!(s.clock_offset.is_zero());
        let mut pairs = GOOD.to_vec();
        pairs.push(("BOT_CLOCK_OFFSET_SECS", " -3600 "));
        let s = Settings::from_lookup(lookup(&pairs), None).unwrap();
        assert_eq!(s.clock_offset, chrono::Duration::hours(-1));
        pairs.pop();
        for bad in ["1h", "9000000000000"] {
            pairs.push(("BOT_CLOCK_OFFSET_SECS", bad));
            let e = Settings::from_lookup(lookup(&pairs), None).unwrap_err();
            assert!(e.to_string().contains("BOT_CLOCK_OFFSET_SECS"), "{e}");
            pairs.pop();
        }
    }

    #[test]
    fn api_url_accepts_plain_http_and_drops_trailing_slash() {
        let mut pairs = GOOD.to_vec();
        pairs.push(("SLACK_API_URL", "http://127.0.0.1:9999/api/"));
        let s = Settings::from_lookup(lookup(&pairs), None).unwrap();
        assert_eq!(s.api_url, "http://127.0.0.1:9999/api");
    }

    #[test]
    fn token_errors_name_the_variable_and_never_the_token() {
        let cases: [(&[(&str, &str)], &str); 5] = [
            (
                &[("SLACK_BOT_TOKEN", "xoxb-1")],
                "SLACK_APP_TOKEN is not set",
            ),
            (
                &[("SLACK_APP_TOKEN", "xapp-1")],
                "SLACK_BOT_TOKEN is not set",
            ),
            (
                &[
                    ("SLACK_APP_TOKEN", "xoxb-swapped"),
                    ("SLACK_BOT_TOKEN", "xoxb-1"),
                ],
                "SLACK_APP_TOKEN is not an app-level token",
            ),
            (
                &[
                    ("SLACK_APP_TOKEN", "xapp-1"),
                    ("SLACK_BOT_TOKEN", "xoxp-usertoken"),
                ],
                "SLACK_BOT_TOKEN is not a bot token",
            ),
            (
                &[("SLACK_APP_TOKEN", "xapp-"), ("SLACK_BOT_TOKEN", "xoxb-1")],
                "SLACK_APP_TOKEN is not",
            ),
        ];
        for (pairs, want) in cases {
            let err = Settings::from_lookup(lookup(pairs), None)
                .unwrap_err()
                .to_string();
            assert!(err.starts_with(want), "{err}");
            assert!(err.contains("manifest.yml"), "{err}");
            for (_, v) in pairs {
                if v.len() > 5 {
                    assert!(!err.contains(v), "token leaked: {err}");
                }
            }
        }
    }

    #[test]
    fn secrets_do_not_print() {
        let s = Settings::from_lookup(lookup(&GOOD), None).unwrap();
        let shown = format!("{s:?} {}", s.bot_token);
        assert!(!shown.contains("secretvalue"), "{shown}");
        let mut pairs = GOOD.to_vec();
        pairs.push(("STATUSPAGE_API_KEY", " sp-secretkey "));
        let s = Settings::from_lookup(lookup(&pairs), None).unwrap();
        assert_eq!(
            s.statuspage_key.as_ref().map(Secret::expose),
            Some("sp-secretkey")
        );
        assert!(!format!("{s:?}").contains("sp-secretkey"));
    }

    #[test]
    fn ready_requires_leader_is_a_checked_flag() {
        let s = Settings::from_lookup(lookup(&GOOD), None).unwrap();
        assert!(!s.ready_requires_leader);
        let mut pairs = GOOD.to_vec();
        for (raw, want) in [
            ("true", true),
            (" TRUE ", true),
            ("1", true),
            ("false", false),
        ] {
            pairs.push(("READY_REQUIRES_LEADER", raw));
            let s = Settings::from_lookup(lookup(&pairs), None).unwrap();
            assert_eq!(s.ready_requires_leader, want, "{raw}");
            pairs.pop();
        }
        pairs.push(("READY_REQUIRES_LEADER", "leader"));
        let e = Settings::from_lookup(lookup(&pairs), None).unwrap_err();
        assert!(e.to_string().starts_with("READY_REQUIRES_LEADER"), "{e}");
    }

    #[test]
    fn database_url_comes_from_the_variable_then_cloud_foundry_then_the_default() {
        let mut pairs = GOOD.to_vec();
        pairs.push(("DATABASE_URL", "sqlite:///data/bot.db"));
        pairs.push((
            "VCAP_SERVICES",
            r#"{"postgres": [{"name": "db", "label": "postgres", "credentials": {"uri": "postgres://u:pw@h/d"}}]}"#,
        ));
        let s = Settings::from_lookup(lookup(&pairs), None).unwrap();
        assert_eq!(s.database_url.expose(), "sqlite:///data/bot.db");
        pairs.remove(2);
        // Without DATABASE_URL, Cloud Foundry's PostgreSQL binding is used.
        let s = Settings::from_lookup(lookup(&pairs), None).unwrap();
        assert_eq!(s.database_url.expose(), "postgres://u:pw@h/d");
        pairs.pop();
        pairs.push(("VCAP_SERVICES", "{}"));
        let e = Settings::from_lookup(lookup(&pairs), None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("no service tagged or labelled postgres"), "{e}");
    }

    #[test]
    fn unsupported_database_urls_are_refused_with_the_password_masked() {
        let mut pairs = GOOD.to_vec();
        pairs.push(("DATABASE_URL", "mysql://bot:hunter2@db/incidents"));
        let e = Settings::from_lookup(lookup(&pairs), None)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("DATABASE_URL: mysql://bot:***@db/incidents is neither"),
            "{e}"
        );
        assert!(!e.contains("hunter2"), "{e}");
        // Both backends are taken as they are.
        for url in [
            "sqlite:///data/bot.db",
            "postgres://bot:hunter2@db/incidents",
        ] {
            pairs.pop();
            pairs.push(("DATABASE_URL", url));
            let s = Settings::from_lookup(lookup(&pairs), None).unwrap();
            assert_eq!(s.database_url.expose(), url);
        }
    }

    #[test]
    fn bad_port_is_an_error() {
        let mut pairs = GOOD.to_vec();
        pairs.push(("PORT", "eighty"));
        assert!(Settings::from_lookup(lookup(&pairs), None).is_err());
    }
}
