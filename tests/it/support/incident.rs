//! Driving incidents the way people do: the declare modal, buttons, and
//! reading what the bot wrote in the card's thread.

use super::{TestApp, WAIT};
use serde_json::{json, Value};

pub const ALICE: &str = "U0ALICE";
pub const BOB: &str = "U0BOB";
pub const CAROL: &str = "U0CAROL";
/// The people the tests act as, made responders (admins) by `TestApp`.
pub const TEAM: [&str; 3] = [ALICE, BOB, CAROL];

/// `state.values` of a filled-in declare modal.
pub fn declare_form(title: &str, priority: Option<&str>, lead: Option<&str>) -> Value {
    let mut values = json!({
        "title": {"title": {"type": "plain_text_input", "value": title}},
        "description": {"description": {"type": "plain_text_input", "value": "Apps return 502"}},
        "cyber": {"cyber": {"type": "checkboxes", "selected_options": []}},
        "lead": {"lead": {"type": "users_select", "selected_user": lead}},
        "comms": {"comms": {"type": "users_select", "selected_user": null}},
    });
    values["priority"] = match priority {
        Some(p) => json!({"priority": {"type": "static_select", "selected_option": {
            "text": {"type": "plain_text", "text": p}, "value": p}}}),
        None => json!({"priority": {"type": "static_select", "selected_option": null}}),
    };
    values
}

impl TestApp {
    pub fn incident_channel(&self) -> String {
        self.policy.incident_channel.to_string()
    }

    /// Runs `/incident declare`, fills the modal (Alice leading) and returns
    /// the card's ts.
    pub async fn declare(&self, title: &str, priority: &str) -> String {
        self.declare_led_by(title, priority, Some(ALICE)).await
    }

    pub async fn declare_led_by(&self, title: &str, priority: &str, lead: Option<&str>) -> String {
        let before = self.slack.views().len();
        self.command("/incident", &format!("declare {title}"), ALICE)
            .await;
        let slack = self.slack.clone();
        slack
            .wait_until(WAIT, |s| s.views().len() > before)
            .await
            .expect("the declare modal opens");
        let view = self.slack.views().last().cloned().unwrap();
        let cards_before = self.cards().len();
        let id = self
            .slack
            .view_submission(
                ALICE,
                &view.view_id,
                declare_form(title, Some(priority), lead),
            )
            .await
            .unwrap();
        let ack = self.slack.wait_ack(&id, WAIT).await.unwrap();
        assert_eq!(ack.payload, None, "a good submission closes the modal");
        let channel = self.incident_channel();
        slack
            .wait_until(WAIT, |s| {
                s.messages(&channel)
                    .iter()
                    .filter(|m| m.thread_ts.is_none())
                    .count()
                    > cards_before
            })
            .await
            .unwrap_or_else(|_| {
                let calls: Vec<_> = self
                    .slack
                    .calls()
                    .into_iter()
                    .map(|c| (c.method, c.error))
                    .collect();
                panic!("the card is not posted; calls: {calls:?}")
            });
        self.cards().last().unwrap().ts.clone()
    }

    pub fn cards(&self) -> Vec<slack_emulator::Message> {
        self.slack
            .messages(&self.incident_channel())
            .into_iter()
            .filter(|m| m.thread_ts.is_none())
            .collect()
    }

    pub async fn thread_says(&self, card_ts: &str, needle: &str) {
        self.thread_in_says(&self.incident_channel(), card_ts, needle)
            .await
    }

    /// Waits until the thread under `ts` in `channel` has a reply holding
    /// `needle`; panics with the thread's texts if it never does.
    pub async fn thread_in_says(&self, channel: &str, ts: &str, needle: &str) {
        let (channel, ts, needle) = (channel.to_owned(), ts.to_owned(), needle.to_owned());
        self.slack
            .wait_until(WAIT, |s| {
                s.thread(&channel, &ts)
                    .iter()
                    .any(|m| m.text.contains(&needle))
            })
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "thread never said {needle:?}: {:#?}",
                    self.slack
                        .thread(&channel, &ts)
                        .iter()
                        .map(|m| &m.text)
                        .collect::<Vec<_>>()
                )
            });
    }

    pub async fn card_shows(&self, card_ts: &str, needle: &str) {
        let channel = self.incident_channel();
        let (ts, needle) = (card_ts.to_owned(), needle.to_owned());
        self.slack
            .wait_until(WAIT, |s| {
                s.message(&channel, &ts)
                    .is_some_and(|m| m.blocks.to_string().contains(&needle))
            })
            .await
            .unwrap_or_else(|_| panic!("card never showed {needle:?}"));
    }

    pub async fn press(&self, user: &str, card_ts: &str, action: &str, value: &str) {
        let id = self
            .slack
            .block_action(user, &self.incident_channel(), card_ts, action, value)
            .await
            .unwrap();
        let ack = self.slack.wait_ack(&id, WAIT).await.unwrap();
        assert!(ack.latency < super::ACK_WINDOW);
    }
}

impl TestApp {
    /// How many replies in the card's thread contain `needle`.
    pub fn thread_count(&self, card_ts: &str, needle: &str) -> usize {
        self.slack
            .thread(&self.incident_channel(), card_ts)
            .iter()
            .filter(|m| m.text.contains(needle))
            .count()
    }
}
