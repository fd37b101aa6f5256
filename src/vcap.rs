//! Cloud Foundry's `VCAP_SERVICES` (SPEC §4): when `DATABASE_URL` is
//! unset, the first bound service tagged or labelled `postgres` supplies
//! `credentials.uri`. The variable is JSON: an object from each service
//! offering's label to the instances bound from it, in the order Cloud
//! Foundry wrote them, which is the order "first" means here
//! (<https://docs.cloudfoundry.org/devguide/deploy-apps/environment-variable.html#VCAP-SERVICES>).

use crate::database_url::DatabaseUrl;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;

/// One bound service instance, as much of it as the bot reads.
#[derive(Debug, Deserialize)]
struct Binding {
    #[serde(default)]
    name: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    credentials: Credentials,
}

#[derive(Debug, Default, Deserialize)]
struct Credentials {
    uri: Option<String>,
}

impl Binding {
    fn is_postgres(&self) -> bool {
        self.tags.iter().any(|t| is_postgres_word(t)) || is_postgres_word(&self.label)
    }
}

/// `postgres`, `postgresql`, or a broker's label built on it
/// (`csb-aws-postgresql`, `postgres-13`).
fn is_postgres_word(text: &str) -> bool {
    text.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| word == "postgres" || word == "postgresql")
}

/// Every binding, offering by offering, in document order (a map would
/// sort them by label).
struct InOrder(Vec<Binding>);

impl<'de> Deserialize<'de> for InOrder {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Offerings;
        impl<'de> Visitor<'de> for Offerings {
            type Value = InOrder;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of service offerings, each a list of bindings")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<InOrder, A::Error> {
                let mut all = Vec::new();
                while let Some((_, bindings)) = map.next_entry::<String, Vec<Binding>>()? {
                    all.extend(bindings);
                }
                Ok(InOrder(all))
            }
        }
        deserializer.deserialize_map(Offerings)
    }
}

/// Why `VCAP_SERVICES` gave no database URL. Messages name the variable
/// and the service, never credentials.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VcapError {
    #[error("VCAP_SERVICES is not the JSON Cloud Foundry writes: {0}")]
    Unreadable(String),
    #[error(
        "VCAP_SERVICES has no service tagged or labelled postgres: bind one \
         (cf bind-service) or set DATABASE_URL"
    )]
    NoPostgres,
    #[error("VCAP_SERVICES: the postgres service `{0}` has no credentials.uri")]
    NoUri(String),
}

/// The database URL from `VCAP_SERVICES`'s first postgres binding.
pub fn database_url(vcap_services: &str) -> Result<DatabaseUrl, VcapError> {
    let InOrder(bindings) = serde_json::from_str(vcap_services)
        // serde_json's message names a line and column, never the text.
        .map_err(|e| VcapError::Unreadable(e.to_string()))?;
    let binding = bindings
        .into_iter()
        .find(Binding::is_postgres)
        .ok_or(VcapError::NoPostgres)?;
    match binding.credentials.uri.filter(|u| !u.trim().is_empty()) {
        Some(uri) => Ok(DatabaseUrl::new(uri)),
        None => Err(VcapError::NoUri(binding.name)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As GOV.UK PaaS wrote it for an app bound to a Redis and a Postgres.
    const PAAS: &str = r#"{
      "redis": [{
        "binding_guid": "0e1f7a5c-3a1e-4b1c-9f3e-1a2b3c4d5e6f",
        "binding_name": null,
        "credentials": {"uri": "rediss://x:redispass@redis.internal:6379"},
        "instance_guid": "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d",
        "instance_name": "bot-cache",
        "label": "redis",
        "name": "bot-cache",
        "plan": "tiny-6.x",
        "provider": null,
        "syslog_drain_url": null,
        "tags": ["elasticache", "redis"],
        "volume_mounts": []
      }],
      "postgres": [{
        "binding_guid": "9c8b7a6f-5e4d-4c3b-2a19-0f1e2d3c4b5a",
        "binding_name": null,
        "credentials": {
          "host": "rdsbroker-1.eu-west-2.rds.amazonaws.com",
          "jdbcuri": "jdbc:postgresql://rdsbroker-1.eu-west-2.rds.amazonaws.com:5432/rdsbroker_db?password=pgpass&ssl=true&user=rdsuser",
          "name": "rdsbroker_db",
          "password": "pgpass",
          "port": 5432,
          "uri": "postgres://rdsuser:pgpass@rdsbroker-1.eu-west-2.rds.amazonaws.com:5432/rdsbroker_db",
          "username": "rdsuser"
        },
        "instance_guid": "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b",
        "instance_name": "incident-bot-db",
        "label": "postgres",
        "name": "incident-bot-db",
        "plan": "small-13",
        "provider": null,
        "syslog_drain_url": null,
        "tags": ["postgres", "relational"],
        "volume_mounts": []
      }]
    }"#;

    #[test]
    fn the_postgres_binding_supplies_its_uri() {
        let url = database_url(PAAS).unwrap();
        assert_eq!(
            url.expose(),
            "postgres://rdsuser:pgpass@rdsbroker-1.eu-west-2.rds.amazonaws.com:5432/rdsbroker_db"
        );
        assert!(!url.to_string().contains("pgpass"));
    }

    #[test]
    fn a_tag_or_a_label_is_enough_and_the_first_in_the_document_wins() {
        let vcap = r#"{
          "user-provided": [
            {"name": "logs", "label": "user-provided", "tags": [], "credentials": {"uri": "syslog://x"}},
            {"name": "ups-db", "label": "user-provided", "tags": ["PostgreSQL"],
             "credentials": {"uri": "postgres://a:first@one/db"}}
          ],
          "csb-aws-postgresql": [
            {"name": "brokered", "label": "csb-aws-postgresql", "tags": [],
             "credentials": {"uri": "postgres://b:second@two/db"}}
          ]
        }"#;
        assert_eq!(
            database_url(vcap).unwrap().expose(),
            "postgres://a:first@one/db"
        );
        let label_only = r#"{"csb-aws-postgresql": [{"name": "brokered",
            "label": "csb-aws-postgresql", "credentials": {"uri": "postgres://b:second@two/db"}}]}"#;
        assert_eq!(
            database_url(label_only).unwrap().expose(),
            "postgres://b:second@two/db"
        );
    }

    #[test]
    fn no_postgres_binding_is_an_error_naming_the_way_out() {
        assert_eq!(database_url("{}"), Err(VcapError::NoPostgres));
        let redis_only = r#"{"redis": [{"name": "c", "label": "redis", "tags": ["redis"],
            "credentials": {"uri": "rediss://x:y@z"}}]}"#;
        let e = database_url(redis_only).unwrap_err();
        assert_eq!(e, VcapError::NoPostgres);
        assert!(e.to_string().contains("DATABASE_URL"));
    }

    #[test]
    fn a_postgres_binding_without_a_uri_is_named() {
        let vcap = r#"{"postgres": [{"name": "incident-bot-db", "label": "postgres",
            "credentials": {"password": "pgpass"}}]}"#;
        let e = database_url(vcap).unwrap_err();
        assert_eq!(e, VcapError::NoUri("incident-bot-db".into()));
        assert!(!e.to_string().contains("pgpass"));
    }

    #[test]
    fn unreadable_json_never_echoes_its_text() {
        let e = database_url(r#"{"postgres": [{"credentials": {"uri": "postgres://a:pgpass@h/d""#)
            .unwrap_err();
        assert!(matches!(e, VcapError::Unreadable(_)), "{e}");
        assert!(!e.to_string().contains("pgpass"), "{e}");
        assert!(matches!(database_url("[]"), Err(VcapError::Unreadable(_))));
    }
}
