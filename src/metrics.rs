//! Prometheus metrics for `/metrics`. One registry per app instance so tests
//! running several bots in one process do not share counters.

use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::time::Duration;

mod alerts;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EnvelopeLabels {
    r#type: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PriorityLabels {
    priority: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct UpdateLabels {
    on_time: String,
}

/// Response times, in seconds: 1 minute to a week, around the policy's
/// targets (20 min, 1 h, 1 business day).
fn response_histogram() -> Histogram {
    Histogram::new([
        60.0, 300.0, 600.0, 1200.0, 1800.0, 2400.0, 3600.0, 7200.0, 14400.0, 28800.0, 86400.0,
        172800.0, 604800.0,
    ])
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ApiCallLabels {
    method: String,
    outcome: String,
}

/// The bot's counters, gauges and histograms.
pub struct Metrics {
    registry: Registry,
    envelopes: Family<EnvelopeLabels, Counter>,
    ack_latency: Histogram,
    api_calls: Family<ApiCallLabels, Counter>,
    open_incidents: Gauge,
    connected: Gauge,
    reconnects: Counter,
    reminders_fired: Counter,
    incident_channel_usable: Gauge,
    time_to_acknowledge: Family<PriorityLabels, Histogram>,
    time_to_resolve: Family<PriorityLabels, Histogram>,
    updates: Family<UpdateLabels, Counter>,
    escalations: Counter,
    alerts: alerts::AlertMetrics,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("paas_incident_bot");
        let envelopes = Family::<EnvelopeLabels, Counter>::default();
        registry.register(
            "envelopes_received",
            "Socket Mode envelopes received, by type",
            envelopes.clone(),
        );
        // 0.1 ms .. ~3.3 s: an ack slower than Slack's 3 s window lands in +Inf.
        let ack_latency = Histogram::new([
            0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
            2.0, 3.0,
        ]);
        registry.register(
            "ack_latency_seconds",
            "Time from reading an envelope to sending its ack",
            ack_latency.clone(),
        );
        let api_calls = Family::<ApiCallLabels, Counter>::default();
        registry.register(
            "slack_api_calls",
            "Slack Web API calls, by method and outcome (ok, an error code, ratelimited, http_error)",
            api_calls.clone(),
        );
        let open_incidents = Gauge::default();
        registry.register(
            "open_incidents",
            "Incidents declared and not yet closed",
            open_incidents.clone(),
        );
        let connected = Gauge::default();
        registry.register(
            "socket_connected",
            "1 while a Socket Mode connection has said hello",
            connected.clone(),
        );
        let reconnects = Counter::default();
        registry.register(
            "socket_connections_opened",
            "Socket Mode connections opened (apps.connections.open + hello)",
            reconnects.clone(),
        );
        let reminders_fired = Counter::default();
        registry.register(
            "reminders_fired",
            "Reminders posted",
            reminders_fired.clone(),
        );
        let incident_channel_usable = Gauge::default();
        registry.register(
            "incident_channel_usable",
            "1 if the bot can post in the incident channel, 0 if Slack says it cannot (archived, missing, not joinable), -1 until checked",
            incident_channel_usable.clone(),
        );
        incident_channel_usable.set(-1);
        // SPEC §7: observed when the change is committed.
        let time_to_acknowledge = Family::<PriorityLabels, Histogram>::new_with_constructor(
            response_histogram as fn() -> Histogram,
        );
        registry.register(
            "incident_time_to_acknowledge_seconds",
            "Time from declaring an incident to its first acknowledgement, by priority",
            time_to_acknowledge.clone(),
        );
        let time_to_resolve = Family::<PriorityLabels, Histogram>::new_with_constructor(
            response_histogram as fn() -> Histogram,
        );
        registry.register(
            "incident_time_to_resolve_seconds",
            "Time from declaring an incident to resolving it, by priority",
            time_to_resolve.clone(),
        );
        let updates = Family::<UpdateLabels, Counter>::default();
        registry.register(
            "incident_updates",
            "Status updates, by whether each met its update deadline",
            updates.clone(),
        );
        let escalations = Counter::default();
        registry.register(
            "incident_escalations",
            "Unacknowledged incidents escalated to the escalation rota",
            escalations.clone(),
        );
        let alerts = alerts::AlertMetrics::register(&mut registry);
        Self {
            registry,
            envelopes,
            ack_latency,
            api_calls,
            open_incidents,
            connected,
            reconnects,
            reminders_fired,
            incident_channel_usable,
            time_to_acknowledge,
            time_to_resolve,
            updates,
            escalations,
            alerts,
        }
    }

    /// A committed change's contribution to the response metrics.
    pub fn response(&self, observation: crate::response::Observation) {
        use crate::response::Observation as O;
        let label = |p: crate::priority::Priority| PriorityLabels {
            priority: p.to_string(),
        };
        match observation {
            O::Acknowledged(p, took) => self
                .time_to_acknowledge
                .get_or_create(&label(p))
                .observe(took.as_seconds_f64()),
            O::Resolved(p, took) => self
                .time_to_resolve
                .get_or_create(&label(p))
                .observe(took.as_seconds_f64()),
            O::Update { on_time } => {
                self.updates
                    .get_or_create(&UpdateLabels {
                        on_time: on_time.to_string(),
                    })
                    .inc();
            }
        }
    }

    /// An escalation reminder said, after its commit.
    pub fn incident_escalated(&self) {
        self.escalations.inc();
    }

    pub fn envelope_received(&self, kind: &str) {
        self.envelopes
            .get_or_create(&EnvelopeLabels {
                r#type: kind.to_owned(),
            })
            .inc();
    }

    pub fn ack_sent(&self, latency: Duration) {
        self.ack_latency.observe(latency.as_secs_f64());
    }

    pub fn api_call(&self, method: &str, outcome: &str) {
        self.api_calls
            .get_or_create(&ApiCallLabels {
                method: method.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    pub fn set_open_incidents(&self, n: i64) {
        self.open_incidents.set(n);
    }

    pub fn set_connected(&self, connected: bool) {
        self.connected.set(i64::from(connected));
        if connected {
            self.reconnects.inc();
        }
    }

    pub fn reminder_fired(&self) {
        self.reminders_fired.inc();
    }

    /// What the start-up check found of the incident channel.
    pub fn set_incident_channel_usable(&self, usable: bool) {
        self.incident_channel_usable.set(i64::from(usable));
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        encode(&mut out, &self.registry).expect("writing to a String cannot fail");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_family_with_labels() {
        let m = Metrics::new();
        m.envelope_received("slash_commands");
        m.ack_sent(Duration::from_micros(300));
        m.api_call("chat.postMessage", "ok");
        m.set_open_incidents(2);
        let text = m.render();
        assert!(
            text.contains(r#"paas_incident_bot_envelopes_received_total{type="slash_commands"} 1"#),
            "{text}"
        );
        assert!(
            text.contains("paas_incident_bot_ack_latency_seconds_count 1"),
            "{text}"
        );
        assert!(text.contains(r#"paas_incident_bot_slack_api_calls_total{method="chat.postMessage",outcome="ok"} 1"#), "{text}");
        assert!(
            text.contains("paas_incident_bot_open_incidents 2"),
            "{text}"
        );
    }
}
