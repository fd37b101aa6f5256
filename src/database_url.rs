//! `DATABASE_URL` as a value that cannot leak its password: `Display` and
//! `Debug` show `postgres://user:***@host/db`, so every message and log
//! line that names the database can name it whole (SPEC §4: no log line
//! ever carries the password).

use std::fmt;

/// Which storage a URL asks for, by its scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `sqlite:FILE`, `sqlite://FILE`, `sqlite::memory:`.
    Sqlite,
    /// `postgres://…` or `postgresql://…`.
    Postgres,
}

/// A database URL; the raw text only through [`DatabaseUrl::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn new(raw: impl Into<String>) -> DatabaseUrl {
        DatabaseUrl(raw.into().trim().to_owned())
    }

    /// The URL as given, for the driver only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The storage it names, if the scheme is one the bot knows.
    pub fn backend(&self) -> Option<Backend> {
        let scheme = self.0.split_once(':')?.0.to_ascii_lowercase();
        match scheme.as_str() {
            "sqlite" => Some(Backend::Sqlite),
            "postgres" | "postgresql" => Some(Backend::Postgres),
            _ => None,
        }
    }
}

/// Query parameters whose values are secrets.
const SECRET_PARAMS: [&str; 3] = ["password", "sslpassword", "passfile"];

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&masked(&self.0))
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", masked(&self.0))
    }
}

/// `raw` with the password in its user info, and any secret query
/// parameter, replaced by `***`. The user info runs to the *last* `@`, so
/// a password with `/`, `?` or `@` in it (unencoded, as people paste them)
/// is hidden whole; at worst more than the password is hidden.
fn masked(raw: &str) -> String {
    let Some((scheme, rest)) = raw.split_once("://") else {
        return mask_params(raw);
    };
    match rest.rsplit_once('@') {
        Some((userinfo, host_on)) => {
            let user = match userinfo.split_once(':') {
                Some((user, _password)) => format!("{user}:***"),
                None => userinfo.to_owned(),
            };
            format!("{scheme}://{user}@{}", mask_params(host_on))
        }
        None => format!("{scheme}://{}", mask_params(rest)),
    }
}

/// `text` with the values of secret query parameters replaced by `***`.
fn mask_params(text: &str) -> String {
    let Some((head, query)) = text.split_once('?') else {
        return text.to_owned();
    };
    let params: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if SECRET_PARAMS.contains(&key.to_ascii_lowercase().as_str()) => {
                format!("{key}=***")
            }
            _ => pair.to_owned(),
        })
        .collect();
    format!("{head}?{}", params.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_never_shows() {
        let cases = [
            (
                "postgres://bot:s3cr3t@db.internal:5432/incidents",
                "postgres://bot:***@db.internal:5432/incidents",
            ),
            (
                "postgresql://bot:p%40ss@w0rd@db/incidents?sslmode=require",
                "postgresql://bot:***@db/incidents?sslmode=require",
            ),
            (
                "postgres://db/incidents?user=bot&password=s3cr3t&sslmode=verify-full",
                "postgres://db/incidents?user=bot&password=***&sslmode=verify-full",
            ),
            ("postgres://bot@db/incidents", "postgres://bot@db/incidents"),
            (
                "postgres://bot:pa/s?s3cr3t@db/incidents",
                "postgres://bot:***@db/incidents",
            ),
            (
                "sqlite://paas-incident-bot.db",
                "sqlite://paas-incident-bot.db",
            ),
            (
                "sqlite:///var/lib/bot/bot.db?mode=rwc",
                "sqlite:///var/lib/bot/bot.db?mode=rwc",
            ),
            ("sqlite::memory:", "sqlite::memory:"),
        ];
        for (raw, shown) in cases {
            let url = DatabaseUrl::new(raw);
            assert_eq!(url.to_string(), shown);
            assert_eq!(format!("{url:?}"), format!("DatabaseUrl({shown})"));
            assert_eq!(url.expose(), raw);
            for secret in ["s3cr3t", "p%40ss", "w0rd"] {
                assert!(!format!("{url} {url:?}").contains(secret), "{raw}");
            }
        }
    }

    #[test]
    fn the_scheme_names_the_backend() {
        let backend = |raw: &str| DatabaseUrl::new(raw).backend();
        assert_eq!(backend("sqlite://bot.db"), Some(Backend::Sqlite));
        assert_eq!(backend("sqlite::memory:"), Some(Backend::Sqlite));
        assert_eq!(backend("postgres://u:p@h/d"), Some(Backend::Postgres));
        assert_eq!(backend("PostgreSQL://u:p@h/d"), Some(Backend::Postgres));
        assert_eq!(backend("mysql://u:p@h/d"), None);
        assert_eq!(backend("bot.db"), None);
    }
}
