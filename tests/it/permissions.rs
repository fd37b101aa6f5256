//! Who may do what (SPEC §2.7), through the emulator: acting on incidents,
//! reopening them, overrides and who may be put on call, envelopes from
//! elsewhere, and one person flooding channels and DMs. The people here
//! are the built-in policy's (`U0PAAS…`) and strangers it does not name;
//! Alice declares, as anyone may.

use crate::support;
use serde_json::json;
use slack_emulator::{Origin, BOT_USER_ID};
use support::{eventually, TestApp, WAIT};

const STRANGER: &str = "U0STRANGER";
/// On the in-hours and out-of-hours rotas.
const ENGINEER: &str = "U0PAASEN1";
/// On the escalation rota.
const ESCALATION: &str = "U0PAASSC1";
/// The built-in policy's admin.
const ADMIN: &str = "U0PAASDM1";

fn text(payload: &serde_json::Value) -> String {
    assert_eq!(payload["response_type"], "ephemeral", "{payload}");
    payload["text"].as_str().unwrap_or_default().to_owned()
}

impl TestApp {
    async fn say(&self, command: &str, args: &str, user: &str) -> String {
        text(&self.command(command, args, user).await)
    }

    fn posts_and_dms(&self) -> usize {
        self.slack.count_calls("chat.postMessage", |c| c.ok)
    }
}

#[tokio::test]
async fn only_responders_the_declarer_and_leads_act_on_an_incident_and_anyone_adds_a_note() {
    let mut app = TestApp::start().await;
    let card = app.declare_led_by("Routers down", "P2", None).await;
    for args in [
        "ack INC-1",
        "priority INC-1 P1",
        "lead INC-1 <@U0STRANGER>",
        "cyber INC-1",
        "resolve INC-1 fixed",
        "not-incident INC-1",
    ] {
        let refused = app.say("/incident", args, STRANGER).await;
        assert!(refused.starts_with("Only responders"), "{args}: {refused}");
        assert!(
            refused.contains("<@U0ALICE>"),
            "names the declarer: {refused}"
        );
        assert!(
            refused.contains("<@U0PAASDM1>"),
            "names the admins: {refused}"
        );
    }
    // A press is refused the same way, ephemerally, where it was pressed.
    app.press(STRANGER, &card, "incident.ack", "1").await;
    let channel = app.incident_channel();
    let slack = app.slack.clone();
    slack
        .wait_until(WAIT, |s| !s.ephemerals(&channel, STRANGER).is_empty())
        .await
        .expect("the presser is told");
    assert!(slack.ephemerals(&channel, STRANGER)[0]
        .text
        .starts_with("Only responders"));
    assert!(app.cards()[0].blocks.to_string().contains("Acknowledge"));
    // Anyone may add a note; a responder may acknowledge.
    let noted = app
        .say("/incident", "note INC-1 I see 502s too", STRANGER)
        .await;
    assert!(noted.starts_with("Done"), "{noted}");
    let acked = app.say("/incident", "ack INC-1", ENGINEER).await;
    assert!(acked.contains("acknowledged"), "{acked}");
    // Now a lead, the stranger may act.
    app.say("/incident", "comms INC-1 <@U0STRANGER>", ENGINEER)
        .await;
    let updated = app
        .say("/incident", "update INC-1 Failing over", STRANGER)
        .await;
    assert!(updated.starts_with("Done"), "{updated}");
    app.stop().await;
}

#[tokio::test]
async fn a_closed_incident_is_reopened_by_command_or_button_and_its_clocks_run_again() {
    let mut app = TestApp::start().await;
    let card = app.declare_led_by("Queue backlog", "P2", None).await;
    app.say("/incident", "resolve INC-1 drained", ENGINEER)
        .await;
    app.card_shows(&card, "incident.reopen").await;
    assert_eq!(
        app.say("/incident", "list", ENGINEER).await,
        "No open incidents."
    );
    let refused = app.say("/incident", "reopen INC-1", STRANGER).await;
    assert!(refused.starts_with("Only responders"), "{refused}");
    let reopened = app.say("/incident", "reopen INC-1", ENGINEER).await;
    assert!(reopened.contains("acknowledged"), "{reopened}");
    app.thread_says(&card, "reopened INC-1").await;
    // Back on the list with a deadline planned from the reopening.
    let list = app.say("/incident", "list", ENGINEER).await;
    assert!(list.contains("INC-1"), "{list}");
    let again = app.say("/incident", "reopen INC-1", ENGINEER).await;
    assert!(again.contains("open already"), "{again}");
    // The button on a closed card, for the same people.
    app.say("/incident", "not-incident INC-1", ENGINEER).await;
    app.card_shows(&card, "incident.reopen").await;
    app.press(ADMIN, &card, "incident.reopen", "1").await;
    app.card_shows(&card, "incident.resolve").await;
    // The card and the thread are separate destinations: wait for the line.
    let (channel, slack) = (app.incident_channel(), app.slack.clone());
    slack
        .wait_until(WAIT, |s| {
            s.thread(&channel, &card)
                .iter()
                .filter(|m| m.text.contains("reopened INC-1"))
                .count()
                >= 2
        })
        .await
        .expect("the second reopening is in the thread");
    assert_eq!(app.thread_count(&card, "reopened INC-1"), 2);
    app.stop().await;
}

#[tokio::test]
async fn overrides_are_set_by_responders_and_the_escalation_rota_only_by_its_own_and_admins() {
    let mut app = TestApp::start().await;
    let posts = app.posts_and_dms();
    let refused = app
        .say(
            "/oncall",
            "cover in-hours <@U0STRANGER> tomorrow 09:00 to tomorrow 17:00",
            STRANGER,
        )
        .await;
    assert!(refused.starts_with("Only responders"), "{refused}");
    let refused = app
        .say(
            "/oncall",
            "cover escalation <@U0PAASEN1> tomorrow 09:00 to tomorrow 17:00",
            ENGINEER,
        )
        .await;
    assert!(
        refused.contains("`escalation` rota's own members"),
        "{refused}"
    );
    assert!(refused.contains("<@U0PAASSC1>"), "{refused}");
    assert_eq!(app.posts_and_dms(), posts, "nothing was announced");
    let done = app
        .say(
            "/oncall",
            "cover escalation <@U0PAASSC2> tomorrow 09:00 to tomorrow 17:00",
            ESCALATION,
        )
        .await;
    assert!(done.starts_with("Done. OVR-1"), "{done}");
    let done = app
        .say(
            "/oncall",
            "cover in-hours <@U0PAASEN2> tomorrow 09:00 to tomorrow 17:00",
            "U0PAASCM1",
        )
        .await;
    assert!(done.starts_with("Done. OVR-2"), "{done}");
    app.stop().await;
}

#[tokio::test]
async fn only_a_real_active_human_member_is_put_on_call_and_is_told_with_an_undo_button() {
    let mut app = TestApp::start().await;
    app.slack.forget_user("U0MADEUP");
    app.slack.deactivate_user("U0LEFT");
    for (who, why) in [
        (BOT_USER_ID, "is a bot"),
        ("U0MADEUP", "is not a member"),
        ("U0LEFT", "has been deactivated"),
    ] {
        let args = format!("cover in-hours <@{who}> tomorrow 09:00 to tomorrow 17:00");
        let refused = app.say("/oncall", &args, ENGINEER).await;
        assert!(refused.contains(why), "{who}: {refused}");
    }
    assert!(app
        .say("/oncall", "overrides", ENGINEER)
        .await
        .contains("No"));
    let done = app
        .say(
            "/oncall",
            "cover in-hours <@U0PAASEN3> tomorrow 09:00 to tomorrow 17:00",
            ENGINEER,
        )
        .await;
    assert!(done.starts_with("Done. OVR-1"), "{done}");
    // The person put on call hears of it, with Undo; pressing it cancels.
    let slack = app.slack.clone();
    slack
        .wait_until(WAIT, |s| {
            s.dms("U0PAASEN3")
                .iter()
                .any(|m| m.text.contains("has put you on call"))
        })
        .await
        .expect("the covering person is told");
    let dm = slack
        .dms("U0PAASEN3")
        .into_iter()
        .find(|m| m.text.contains("has put you on call"))
        .unwrap();
    assert!(
        dm.blocks.to_string().contains("override.undo"),
        "{}",
        dm.blocks
    );
    let id = slack
        .block_action("U0PAASEN3", "D0PAASEN3", &dm.ts, "override.undo", "1")
        .await
        .unwrap();
    slack.wait_ack(&id, WAIT).await.unwrap();
    eventually("the override is cancelled", || {
        slack
            .messages("C0PAAS")
            .iter()
            .any(|m| m.text.contains("OVR-1 cancelled by <@U0PAASEN3>"))
    })
    .await;
    app.stop().await;
}

#[tokio::test]
async fn an_override_lasts_at_most_ninety_days_unless_an_admin_sets_it() {
    let mut app = TestApp::start().await;
    let too_long = "cover in-hours <@U0PAASEN2> tomorrow 09:00 to 2099-01-01 09:00";
    let refused = app.say("/oncall", too_long, ENGINEER).await;
    assert!(refused.contains("at most 90 days"), "{refused}");
    let ninety = "cover in-hours <@U0PAASEN2> 2026-11-24 09:00 to 2027-02-22 09:00";
    let done = app.say("/oncall", ninety, ENGINEER).await;
    assert!(done.starts_with("Done. OVR-1"), "{done}");
    let done = app.say("/oncall", too_long, ADMIN).await;
    assert!(done.starts_with("Done. OVR-2"), "{done}");
    app.stop().await;
}

#[tokio::test]
async fn commands_presses_and_events_from_another_workspace_enterprise_or_app_are_refused_and_logged(
) {
    let logs = support::logs::capture("warn");
    let mut app = TestApp::start().await;
    let card = app.declare_led_by("Shared channel", "P2", None).await;
    let elsewhere = [
        Origin {
            team_id: "T0OTHER".into(),
            ..Origin::default()
        },
        Origin {
            enterprise_id: Some("E0OTHER".into()),
            ..Origin::default()
        },
        Origin {
            api_app_id: "A0OTHERAPP".into(),
            ..Origin::default()
        },
    ];
    let slack = app.slack.clone();
    for origin in &elsewhere {
        let cover = "cover in-hours <@U0PAASEN2> tomorrow 09:00 to tomorrow 17:00";
        let id = slack
            .slash_command_from(origin, "/oncall", cover, ADMIN, "C0PAAS")
            .await
            .unwrap();
        let ack = slack.wait_ack(&id, WAIT).await.unwrap();
        let said = text(&ack.payload.unwrap());
        assert!(
            said.contains("only the Slack workspace"),
            "{origin:?}: {said}"
        );
        let channel = app.incident_channel();
        let id = slack
            .block_action_from(origin, ADMIN, &channel, &card, "incident.resolve", "1")
            .await
            .unwrap();
        slack.wait_ack(&id, WAIT).await.unwrap();
        let home =
            json!({"type": "app_home_opened", "user": ADMIN, "channel": "D0HOME", "tab": "home"});
        let id = slack.event_from(origin, home).await.unwrap();
        slack.wait_ack(&id, WAIT).await.unwrap();
    }
    // Nothing changed: no override, the incident open, no Home published.
    assert!(app.say("/oncall", "overrides", ADMIN).await.contains("No"));
    assert!(app.say("/incident", "list", ADMIN).await.contains("INC-1"));
    assert_eq!(slack.calls_to("views.publish").len(), 0);
    let logged = logs.text();
    assert_eq!(
        logged
            .matches("refused an envelope from outside the installation")
            .count(),
        9,
        "{logged}"
    );
    assert!(
        logged.contains("T0OTHER") && logged.contains("E0OTHER") && logged.contains("A0OTHERAPP")
    );
    // The installing workspace is still served.
    let done = app
        .say(
            "/oncall",
            "cover in-hours <@U0PAASEN2> tomorrow 09:00 to tomorrow 17:00",
            ADMIN,
        )
        .await;
    assert!(done.starts_with("Done. OVR-1"), "{done}");
    app.stop().await;
}

#[tokio::test]
async fn one_person_cannot_flood_channels_and_dms_and_is_told_when_to_try_again() {
    let mut app = TestApp::start().await;
    let mut made = 0;
    let mut refused = Vec::new();
    for day in 0..40 {
        let from = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap() + chrono::Days::new(day);
        let args = format!("cover in-hours <@U0PAASEN2> {from} 09:00 to {from} 10:00");
        let said = app.say("/oncall", &args, ENGINEER).await;
        if said.starts_with("Done.") {
            made += 1;
        } else {
            refused.push(said);
        }
    }
    assert_eq!(made, 10, "a burst of ten, then nothing until time passes");
    assert!(
        refused.iter().all(|r| r.contains("Try again from <!date^")),
        "{refused:?}"
    );
    // Someone else is not held up; and time gives the person one more.
    let other = "cover in-hours <@U0PAASEN3> 2026-12-01 11:00 to 2026-12-01 12:00";
    assert!(app
        .say("/oncall", other, "U0PAASEN4")
        .await
        .starts_with("Done."));
    app.clock.advance(chrono::Duration::minutes(2));
    let one_more = "cover in-hours <@U0PAASEN2> 2027-01-20 09:00 to 2027-01-20 10:00";
    assert!(app
        .say("/oncall", one_more, ENGINEER)
        .await
        .starts_with("Done."));
    // Incident changes have their own budget: thirty, then a refusal.
    let card = app.declare_led_by("Flood", "P3", None).await;
    let mut noted = 0;
    for i in 0..40 {
        let said = app
            .say("/incident", &format!("note INC-1 line {i}"), STRANGER)
            .await;
        noted += usize::from(said.starts_with("Done"));
    }
    assert_eq!(noted, 30);
    eventually("thirty notes in the thread", || {
        app.thread_count(&card, "Note from <@U0STRANGER>: line") == 30
    })
    .await;
    app.stop().await;
}
