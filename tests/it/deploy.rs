//! The packaging (SPEC §4), checked as text and YAML since neither Docker
//! nor Helm runs here: the Dockerfile, the Helm chart and the Cloud
//! Foundry manifest keep the contract the README describes, and every
//! variable they set is one the bot reads.

use serde_yaml::Value;
use std::path::Path;

const CHART: &str = "deploy/helm/paas-incident-bot";

fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

fn yaml(path: &str) -> Value {
    serde_yaml::from_str(&read(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The variables `serve` reads (src/settings.rs, SPEC §1, §4–§6).
const KNOWN_VARS: [&str; 16] = [
    "SLACK_APP_TOKEN",
    "SLACK_BOT_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
    "VCAP_SERVICES",
    "BOT_CONFIG",
    "PORT",
    "HEALTH_BIND",
    "RUST_LOG",
    "LOG_FORMAT",
    "BOT_CLOCK_OFFSET_SECS",
    "STATUSPAGE_API_KEY",
    "ALERT_WEBHOOK_TOKEN",
    "GRAFANA_WEBHOOK_SECRET",
    "PUBLIC_URL",
    "READY_REQUIRES_LEADER",
];

#[test]
fn the_dockerfile_builds_locked_and_runs_serve_as_a_non_root_user() {
    let dockerfile = read("Dockerfile");
    let lines: Vec<&str> = dockerfile.lines().map(str::trim).collect();
    let froms = lines.iter().filter(|l| l.starts_with("FROM ")).count();
    assert!(froms >= 2, "multi-stage: {froms} FROM lines");
    assert!(dockerfile.contains("cargo build --release --locked"));
    let user = lines
        .iter()
        .rev()
        .find_map(|l| l.strip_prefix("USER "))
        .expect("a USER line");
    let uid = user.split(':').next().unwrap();
    assert!(
        uid.parse::<u32>().is_ok_and(|u| u > 0),
        "numeric non-root USER: {user}"
    );
    assert!(lines.contains(&"CMD [\"serve\"]"), "runs serve");
    assert!(lines.iter().any(|l| l.starts_with("EXPOSE 8080")));
    assert!(dockerfile.contains("ca-certificates"));
    let ignore = read(".dockerignore");
    assert!(ignore.lines().any(|l| l.trim() == "target/"), "{ignore}");
}

#[test]
fn the_chart_is_an_application_chart_with_sqlite_defaults() {
    let chart = yaml(&format!("{CHART}/Chart.yaml"));
    assert_eq!(chart["apiVersion"], "v2");
    assert_eq!(chart["name"], "paas-incident-bot");
    assert_eq!(chart["type"], "application");
    let cargo = read("Cargo.toml");
    let version = chart["appVersion"].as_str().unwrap();
    assert!(
        cargo.contains(&format!("version = \"{version}\"")),
        "appVersion {version}"
    );

    let values = yaml(&format!("{CHART}/values.yaml"));
    assert_eq!(values["replicaCount"], 1);
    assert_eq!(values["database"]["mode"], "sqlite");
    assert_eq!(values["secrets"]["botTokenKey"], "SLACK_BOT_TOKEN");
    assert_eq!(values["secrets"]["appTokenKey"], "SLACK_APP_TOKEN");
    assert_eq!(values["podSecurityContext"]["runAsNonRoot"], true);
    assert_eq!(values["securityContext"]["readOnlyRootFilesystem"], true);
    assert_eq!(values["securityContext"]["allowPrivilegeEscalation"], false);
    assert!(values["terminationGracePeriodSeconds"].as_i64().unwrap() >= 10);
    assert_eq!(values["serviceMonitor"]["enabled"], false);
}

#[test]
fn the_deployment_probes_the_health_paths_and_takes_tokens_from_a_secret() {
    let deployment = read(&format!("{CHART}/templates/deployment.yaml"));
    let probe = |kind: &str| {
        let at = deployment.find(kind).unwrap_or_else(|| panic!("no {kind}"));
        let path = deployment[at..].find("path: ").unwrap() + at + "path: ".len();
        deployment[path..].lines().next().unwrap().trim().to_owned()
    };
    assert_eq!(probe("livenessProbe:"), "/healthz");
    assert_eq!(probe("readinessProbe:"), "/readyz");
    for token in ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"] {
        let at = deployment.find(&format!("- name: {token}")).unwrap();
        assert!(
            deployment[at..]
                .lines()
                .nth(2)
                .unwrap()
                .contains("secretKeyRef:"),
            "{token} from a Secret"
        );
    }
    assert!(deployment.contains("terminationGracePeriodSeconds: {{ max 10"));
    assert!(deployment.contains("include \"paas-incident-bot.validate\""));
    assert!(
        deployment.contains("type: Recreate"),
        "SQLite: one pod on the volume at a time"
    );
    // Every variable set is one the bot reads.
    for line in deployment.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix("- name: ") {
            if name.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
                assert!(KNOWN_VARS.contains(&name), "the bot does not read {name}");
            }
        }
    }
}

#[test]
fn the_chart_refuses_sqlite_with_more_than_one_replica_and_keeps_its_volume() {
    let helpers = read(&format!("{CHART}/templates/_helpers.tpl"));
    assert!(
        helpers.contains(r#"{{- if and (eq $mode "sqlite") (gt (int .Values.replicaCount) 1) -}}"#),
        "SQLite with replicaCount > 1 fails to render"
    );
    assert!(helpers.contains("fail \"database.mode sqlite runs exactly one replica"));
    assert!(helpers.contains("database.postgres.existingSecret"));
    let pvc = read(&format!("{CHART}/templates/pvc.yaml"));
    assert!(pvc.contains("kind: PersistentVolumeClaim"));
    assert!(pvc.contains("helm.sh/resource-policy: keep"));
    let monitor = read(&format!("{CHART}/templates/servicemonitor.yaml"));
    assert!(monitor.starts_with("{{- if .Values.serviceMonitor.enabled }}"));
    assert!(monitor.contains("path: /metrics"));
    for file in ["service.yaml", "NOTES.txt"] {
        assert!(!read(&format!("{CHART}/templates/{file}")).is_empty());
    }
}

#[test]
fn cloud_foundry_runs_two_instances_checked_on_healthz_with_a_postgres_binding() {
    let manifest = yaml("deploy/cloudfoundry/manifest.yml");
    let apps = manifest["applications"].as_sequence().unwrap();
    assert_eq!(apps.len(), 1);
    let app = &apps[0];
    assert_eq!(app["instances"], 2);
    assert_eq!(app["health-check-type"], "http");
    assert_eq!(app["health-check-http-endpoint"], "/healthz");
    assert!(app["command"].as_str().unwrap().ends_with(" serve"));
    let services = app["services"].as_sequence().unwrap();
    assert!(!services.is_empty(), "a bound database service");
    let env = app["env"].as_mapping().unwrap();
    for (name, _) in env {
        let name = name.as_str().unwrap();
        assert!(KNOWN_VARS.contains(&name), "the bot does not read {name}");
    }
    // DATABASE_URL comes from the binding (VCAP_SERVICES), not the manifest.
    assert!(!env.contains_key("DATABASE_URL"));
}

#[test]
fn the_root_manifest_is_still_the_slack_app_manifest() {
    let manifest = yaml("manifest.yml");
    assert!(manifest.get("applications").is_none());
    assert!(manifest["settings"]["socket_mode_enabled"]
        .as_bool()
        .unwrap());
}
