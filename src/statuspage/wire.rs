//! Statuspage's JSON, both ways: the `{"incident": {…}}` body of a create
//! or update, and the incident it answers with. Pure; see the API at
//! <https://developer.statuspage.io/> ("Create an incident", "Update an
//! incident", "List unresolved incidents").

use super::publication::{Marker, Publication};
use crate::ids::IncidentNumber;
use serde_json::{json, Map, Value};

/// The top-level metadata key the bot owns (Statuspage requires each
/// top-level metadata value to be an object).
pub const METADATA_KEY: &str = "paas_incident_bot";

/// The request body for a create (POST) or an update (PATCH). Components
/// go both as `component_ids` (which are affected) and as the
/// `components` map (each one's status).
pub fn incident_body(p: &Publication, marker: &Marker) -> Value {
    let mut incident = Map::new();
    incident.insert("name".into(), json!(p.name));
    incident.insert("status".into(), json!(p.status.as_str()));
    incident.insert("body".into(), json!(p.body));
    incident.insert("deliver_notifications".into(), json!(p.notify));
    if let Some(impact) = p.impact {
        incident.insert("impact_override".into(), json!(impact));
    }
    if !p.components.is_empty() {
        let ids: Vec<&String> = p.components.keys().collect();
        let statuses: Map<String, Value> = p
            .components
            .iter()
            .map(|(id, s)| (id.clone(), json!(s.as_str())))
            .collect();
        incident.insert("component_ids".into(), json!(ids));
        incident.insert("components".into(), Value::Object(statuses));
    }
    incident.insert(
        "metadata".into(),
        json!({ METADATA_KEY: {
            "incident": marker.incident.to_string(),
            "publish": marker.key,
        }}),
    );
    json!({ "incident": incident })
}

/// The parts of a Statuspage incident the bot keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicIncident {
    pub id: String,
    /// The short public link, e.g. `https://stspg.io/abc`.
    pub shortlink: Option<String>,
    pub status: String,
    /// The bot's marker from the metadata, when the bot wrote one.
    pub marker: Option<Marker>,
}

impl PublicIncident {
    pub fn from_json(v: &Value) -> Option<PublicIncident> {
        let ours = &v["metadata"][METADATA_KEY];
        let marker = match (ours["incident"].as_str(), ours["publish"].as_str()) {
            (Some(n), Some(key)) => IncidentNumber::parse(n).ok().map(|incident| Marker {
                incident,
                key: key.to_owned(),
            }),
            _ => None,
        };
        Some(PublicIncident {
            id: v["id"].as_str()?.to_owned(),
            shortlink: v["shortlink"].as_str().map(str::to_owned),
            status: v["status"].as_str().unwrap_or_default().to_owned(),
            marker,
        })
    }
}

/// Statuspage's own words from an error body: `{"error": "…"}`, `{"error":
/// ["…"]}` or `{"message": "…"}`; else the body itself, cut short.
pub fn error_message(body: &str) -> String {
    let parsed: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let field = parsed.get("error").or_else(|| parsed.get("message"));
    match field {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("; "),
        _ => body.chars().take(200).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::statuspage::{ComponentStatus, Impact};
    use crate::statuspage::PublicStatus;

    #[test]
    fn the_body_carries_components_notifications_and_the_marker() {
        let p = Publication {
            name: "Apps unavailable".into(),
            status: PublicStatus::Investigating,
            body: "Some apps return errors.".into(),
            components: [("cmp1".to_owned(), ComponentStatus::MajorOutage)].into(),
            notify: false,
            impact: Some(Impact::Critical),
        };
        let marker = Marker {
            incident: IncidentNumber(4),
            key: "4-ab".into(),
        };
        let v = incident_body(&p, &marker);
        let i = &v["incident"];
        assert_eq!(i["component_ids"], json!(["cmp1"]));
        assert_eq!(i["components"]["cmp1"], "major_outage");
        assert_eq!(i["deliver_notifications"], false);
        assert_eq!(i["impact_override"], "critical");
        assert_eq!(i["metadata"][METADATA_KEY]["publish"], "4-ab");
        let back = PublicIncident::from_json(&json!({
            "id": "x1", "status": "investigating", "shortlink": "https://stspg.io/x1",
            "metadata": i["metadata"].clone(),
        }))
        .unwrap();
        assert_eq!(back.marker, Some(marker));
    }

    #[test]
    fn error_messages_are_statuspages_own_words() {
        assert_eq!(
            error_message(r#"{"error":"Could not authenticate"}"#),
            "Could not authenticate"
        );
        assert_eq!(error_message(r#"{"error":["a","b"]}"#), "a; b");
        assert_eq!(error_message("Bad gateway"), "Bad gateway");
    }
}
