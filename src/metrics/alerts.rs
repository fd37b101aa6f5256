//! Alert metrics (SPEC §7): alerts received by source, alerts firing now,
//! and how long a paged alert waited for its acknowledgement.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::time::Duration;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SourceLabels {
    source: String,
}

pub(super) struct AlertMetrics {
    received: Family<SourceLabels, Counter>,
    firing: Gauge,
    time_to_acknowledge: Histogram,
}

impl AlertMetrics {
    pub(super) fn register(registry: &mut Registry) -> AlertMetrics {
        let received = Family::<SourceLabels, Counter>::default();
        registry.register(
            "alerts_received",
            "Alerts received from monitoring, by source (alertmanager, grafana, generic)",
            received.clone(),
        );
        let firing = Gauge::default();
        registry.register("alerts_firing", "Alerts firing now", firing.clone());
        // 30 s .. 4 h: acknowledgements are minutes, escalation is at 30.
        let time_to_acknowledge = Histogram::new([
            30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 14400.0,
        ]);
        registry.register(
            "alert_time_to_acknowledge_seconds",
            "Time from an alert group's page to its acknowledgement",
            time_to_acknowledge.clone(),
        );
        AlertMetrics {
            received,
            firing,
            time_to_acknowledge,
        }
    }
}

impl super::Metrics {
    pub fn alerts_received(&self, source: &str, n: u64) {
        self.alerts
            .received
            .get_or_create(&SourceLabels {
                source: source.to_owned(),
            })
            .inc_by(n);
    }

    pub fn set_alerts_firing(&self, n: i64) {
        self.alerts.firing.set(n);
    }

    pub fn alert_acknowledged(&self, waited: Duration) {
        self.alerts
            .time_to_acknowledge
            .observe(waited.as_secs_f64());
    }
}

#[cfg(test)]
mod tests {
    use super::super::Metrics;

    #[test]
    fn alert_families_render_with_the_spec_names() {
        let m = Metrics::new();
        m.alerts_received("alertmanager", 2);
        m.set_alerts_firing(2);
        m.alert_acknowledged(std::time::Duration::from_secs(90));
        let text = m.render();
        for line in [
            r#"paas_incident_bot_alerts_received_total{source="alertmanager"} 2"#,
            "paas_incident_bot_alerts_firing 2",
            "paas_incident_bot_alert_time_to_acknowledge_seconds_count 1",
        ] {
            assert!(text.contains(line), "{line} in {text}");
        }
    }
}
