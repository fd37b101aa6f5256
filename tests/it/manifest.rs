//! `manifest.yml` must be a valid Slack app manifest (v1 schema, copied from
//! slackapi/manifest-schema) and declare what the code relies on.

use serde_json::Value;

fn manifest() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/manifest.yml")).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

#[test]
fn manifest_validates_against_slacks_schema() {
    let schema: Value =
        serde_json::from_str(include_str!("../schema/manifest.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let manifest = manifest();
    let errors: Vec<String> = validator
        .iter_errors(&manifest)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn manifest_turns_on_socket_mode_interactivity_and_both_commands() {
    let m = manifest();
    assert_eq!(m["settings"]["socket_mode_enabled"], true);
    assert_eq!(m["settings"]["interactivity"]["is_enabled"], true);
    let commands: Vec<&str> = m["features"]["slash_commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["command"].as_str().unwrap())
        .collect();
    assert_eq!(commands, ["/incident", "/oncall"]);
    for c in m["features"]["slash_commands"].as_array().unwrap() {
        assert!(c["usage_hint"].as_str().is_some_and(|h| !h.is_empty()));
    }
    let scopes: Vec<&str> = m["oauth_config"]["scopes"]["bot"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    for needed in [
        "commands",
        "chat:write",
        "channels:write.topic",
        "usergroups:write",
    ] {
        assert!(scopes.contains(&needed), "missing {needed}");
    }
}

#[test]
fn the_schema_check_can_fail() {
    let schema: Value =
        serde_json::from_str(include_str!("../schema/manifest.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut broken = manifest();
    broken
        .as_object_mut()
        .unwrap()
        .remove("display_information");
    assert!(!validator.is_valid(&broken));
    let mut broken = manifest();
    broken["features"]["slash_commands"][0]["command"] = Value::from("incident");
    assert!(!validator.is_valid(&broken));
}
