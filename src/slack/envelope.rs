//! Socket Mode frames: what Slack sends (hello, disconnect, envelopes) and
//! the ack the app returns. Payloads use slack-morphism's event models.

use serde::Deserialize;
use serde_json::Value;
use slack_morphism::events::{SlackCommandEvent, SlackInteractionEvent, SlackPushEventCallback};

/// The body of an envelope, typed.
#[derive(Debug, Clone)]
pub enum Inbound {
    Command(Box<SlackCommandEvent>),
    Interaction(Box<SlackInteractionEvent>),
    Event(Box<SlackPushEventCallback>),
}

/// One delivery from Slack that needs an ack.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub id: String,
    pub kind: String,
    /// 0 on first delivery; Slack redelivers unacked events with 1, 2, 3.
    pub retry_attempt: u32,
    pub accepts_response_payload: bool,
    pub inbound: Inbound,
    /// Which workspace, enterprise and app it came from.
    pub origin: Origin,
}

/// Where an envelope says it comes from, read from its raw payload, since
/// slack-morphism's models drop some of these fields. Commands and events
/// carry `team_id` and `enterprise_id`; interactions carry `team.id` and
/// `enterprise.id`; all carry `api_app_id`. Empty or null means absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    pub team_id: Option<String>,
    pub enterprise_id: Option<String>,
    pub api_app_id: Option<String>,
}

impl Origin {
    pub fn of(payload: &Value) -> Origin {
        let text = |pointers: &[&str]| {
            pointers
                .iter()
                .find_map(|p| payload.pointer(p)?.as_str().filter(|s| !s.is_empty()))
                .map(str::to_owned)
        };
        Origin {
            team_id: text(&["/team_id", "/team/id"]),
            enterprise_id: text(&["/enterprise_id", "/enterprise/id"]),
            api_app_id: text(&["/api_app_id"]),
        }
    }
}

/// A frame as read off the socket.
#[derive(Debug)]
pub enum Frame {
    Hello {
        app_id: String,
    },
    Disconnect {
        reason: String,
    },
    Envelope(Envelope),
    /// Has an envelope id but a body we could not read: ack it anyway so
    /// Slack does not redeliver it forever.
    Unreadable {
        envelope_id: String,
        error: String,
    },
    /// Not JSON, or no envelope id: nothing to ack.
    Garbage(String),
}

#[derive(Deserialize)]
struct RawFrame {
    #[serde(rename = "type")]
    kind: String,
    envelope_id: Option<String>,
    #[serde(default)]
    accepts_response_payload: bool,
    #[serde(default)]
    retry_attempt: Option<u32>,
    reason: Option<String>,
    connection_info: Option<Value>,
    payload: Option<Value>,
}

pub fn parse(text: &str) -> Frame {
    let raw: RawFrame = match serde_json::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            // A frame we cannot read may still carry an id worth acking.
            return match serde_json::from_str::<Value>(text)
                .ok()
                .and_then(|v| v.get("envelope_id")?.as_str().map(str::to_owned))
            {
                Some(envelope_id) => Frame::Unreadable {
                    envelope_id,
                    error: e.to_string(),
                },
                None => Frame::Garbage(e.to_string()),
            };
        }
    };
    match (raw.kind.as_str(), raw.envelope_id) {
        ("hello", _) => Frame::Hello {
            app_id: raw
                .connection_info
                .and_then(|c| c.get("app_id")?.as_str().map(str::to_owned))
                .unwrap_or_default(),
        },
        ("disconnect", _) => Frame::Disconnect {
            reason: raw.reason.unwrap_or_default(),
        },
        (kind, Some(id)) => {
            let payload = raw.payload.unwrap_or(Value::Null);
            let origin = Origin::of(&payload);
            let inbound = match kind {
                "slash_commands" => {
                    serde_json::from_value(payload).map(|c| Inbound::Command(Box::new(c)))
                }
                "interactive" => {
                    serde_json::from_value(payload).map(|i| Inbound::Interaction(Box::new(i)))
                }
                "events_api" => {
                    serde_json::from_value(payload).map(|e| Inbound::Event(Box::new(e)))
                }
                other => {
                    return Frame::Unreadable {
                        envelope_id: id,
                        error: format!("unknown envelope type `{other}`"),
                    }
                }
            };
            match inbound {
                Ok(inbound) => Frame::Envelope(Envelope {
                    id,
                    kind: kind.to_owned(),
                    retry_attempt: raw.retry_attempt.unwrap_or(0),
                    accepts_response_payload: raw.accepts_response_payload,
                    inbound,
                    origin,
                }),
                Err(e) => Frame::Unreadable {
                    envelope_id: id,
                    error: e.to_string(),
                },
            }
        }
        (other, None) => Frame::Garbage(format!("frame of type `{other}` without envelope_id")),
    }
}

/// The ack frame: the envelope id, and a payload only where Slack accepts one.
pub fn ack(envelope_id: &str, payload: Option<Value>, accepts_payload: bool) -> String {
    let mut ack = serde_json::json!({ "envelope_id": envelope_id });
    if let (Some(payload), true) = (payload, accepts_payload) {
        ack["payload"] = payload;
    }
    ack.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_hello_and_disconnect() {
        let hello = r#"{"type":"hello","num_connections":1,"debug_info":{"host":"h"},"connection_info":{"app_id":"A111"}}"#;
        assert!(matches!(parse(hello), Frame::Hello { app_id } if app_id == "A111"));
        let bye = r#"{"type":"disconnect","reason":"refresh_requested","debug_info":{"host":"h"}}"#;
        assert!(
            matches!(parse(bye), Frame::Disconnect { reason } if reason == "refresh_requested")
        );
    }

    #[test]
    fn reads_a_slash_command_envelope() {
        let frame = r#"{"envelope_id":"e1","type":"slash_commands","accepts_response_payload":true,
            "payload":{"token":"t","team_id":"T1","team_domain":"d","channel_id":"C1","channel_name":"c",
            "user_id":"U1","user_name":"u","command":"/oncall","text":"help","api_app_id":"A1",
            "response_url":"https://hooks.slack.com/commands/T1/1/x","trigger_id":"1.2.x"}}"#;
        match parse(frame) {
            Frame::Envelope(env) => {
                assert_eq!(env.id, "e1");
                assert!(env.accepts_response_payload);
                assert!(matches!(env.inbound, Inbound::Command(c) if c.command.0 == "/oncall"));
                assert_eq!(
                    env.origin,
                    Origin {
                        team_id: Some("T1".into()),
                        enterprise_id: None,
                        api_app_id: Some("A1".into()),
                    }
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_unreadable_envelope_is_still_acked_and_garbage_is_not() {
        let bad = r#"{"envelope_id":"e2","type":"slash_commands","accepts_response_payload":true,"payload":{}}"#;
        assert!(matches!(parse(bad), Frame::Unreadable { envelope_id, .. } if envelope_id == "e2"));
        assert!(matches!(parse("not json"), Frame::Garbage(_)));
        assert!(matches!(parse(r#"{"type":"weird"}"#), Frame::Garbage(_)));
    }

    #[test]
    fn ack_carries_payload_only_when_accepted() {
        let p = Some(serde_json::json!({"text":"hi"}));
        assert_eq!(
            ack("e", p.clone(), true),
            r#"{"envelope_id":"e","payload":{"text":"hi"}}"#
        );
        assert_eq!(ack("e", p, false), r#"{"envelope_id":"e"}"#);
    }
}
