//! Cover requests and shift reminders (SPEC §7) through Slack, on a driven
//! clock, with the built-in policy. On Monday 23 Nov 2026 U0PAASEN4 has the
//! in-hours week and U0PAASEN2 the out-of-hours one; U0PAASEN1..4 are the
//! in-hours rota's members, U0PAASCM1 is not one of them.

use crate::support::{self, TestApp, WAIT};
use chrono::{Duration, TimeZone, Utc};
use paas_incident_bot::ids::ChannelId;
use paas_incident_bot::policy::Policy;
use serde_json::Value;

const TOPIC: &str = "C0PAAS";
const OTHER: &str = "C0ONCALL";
const EN1: &str = "U0PAASEN1";
const EN2: &str = "U0PAASEN2";
const EN4: &str = "U0PAASEN4";
const CM1: &str = "U0PAASCM1";
const TAKE: &str = "cover_request.take";

/// The built-in policy with the in-hours rota posting in a second channel
/// too, and `remind_before` as given.
fn policy(remind_before: &[i64]) -> Policy {
    let mut p = Policy::builtin();
    let rota = p.rotas.iter_mut().find(|r| r.name == "in-hours").unwrap();
    rota.topic_channels.push(ChannelId::parse(OTHER).unwrap());
    p.oncall.remind_before = remind_before
        .iter()
        .map(|m| Duration::minutes(*m))
        .collect();
    p
}

fn text(payload: &Value) -> String {
    assert_eq!(payload["response_type"], "ephemeral", "{payload}");
    payload["text"].as_str().unwrap_or_default().to_owned()
}

impl TestApp {
    async fn oncall_as(&self, args: &str, user: &str) -> String {
        text(&self.command("/oncall", args, user).await)
    }

    /// The posted copy of a request in `channel` (its ts), once it is there.
    async fn request_copy(&self, channel: &str, id: &str) -> String {
        let (channel, id) = (channel.to_owned(), format!("{id}:"));
        let slack = self.slack.clone();
        slack
            .wait_until(WAIT, |s| {
                s.messages(&channel).iter().any(|m| m.text.starts_with(&id))
            })
            .await
            .unwrap_or_else(|_| panic!("{id} never posted in {channel}"));
        let found = self.slack.messages(&channel);
        found
            .iter()
            .find(|m| m.text.starts_with(&id))
            .unwrap()
            .ts
            .clone()
    }

    async fn copy_says(&self, channel: &str, ts: &str, needle: &str) {
        let (c, t, n) = (channel.to_owned(), ts.to_owned(), needle.to_owned());
        self.slack
            .wait_until(WAIT, |s| {
                s.message(&c, &t)
                    .is_some_and(|m| m.blocks.to_string().contains(&n))
            })
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "{c} copy never said {n:?}: {:?}",
                    self.slack.message(&c, &t)
                )
            });
    }

    async fn press_take(&self, user: &str, channel: &str, ts: &str, id: &str) {
        let envelope = self
            .slack
            .block_action(user, channel, ts, TAKE, id)
            .await
            .unwrap();
        self.slack.wait_ack(&envelope, WAIT).await.unwrap();
    }

    async fn ephemeral_says(&self, channel: &str, user: &str, needle: &str) {
        let (c, u, n) = (channel.to_owned(), user.to_owned(), needle.to_owned());
        self.slack
            .wait_until(WAIT, |s| {
                s.ephemerals(&c, &u).iter().any(|e| e.text.contains(&n))
            })
            .await
            .unwrap_or_else(|_| {
                panic!("{u} never told {n:?}: {:?}", self.slack.ephemerals(&c, &u))
            });
    }

    async fn dm_shows(&self, user: &str, needle: &str) {
        let (u, n) = (user.to_owned(), needle.to_owned());
        self.slack
            .wait_until(WAIT, |s| s.dms(&u).iter().any(|m| m.text.contains(&n)))
            .await
            .unwrap_or_else(|_| {
                let said: Vec<_> = self.slack.dms(&u).into_iter().map(|m| m.text).collect();
                panic!("{u} never got a DM saying {n:?}: {said:#?}")
            });
    }

    /// Waits until the scheduler has planned shift reminders at start-up,
    /// before the test moves the clock past the first of them.
    async fn shift_reminders_planned(&self) {
        let db = paas_incident_bot::store::open_existing(&self.db_url)
            .await
            .unwrap();
        let planned = || async {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM reminders WHERE kind = 'shift_ahead'",
            )
            .fetch_one(&db)
            .await
            .unwrap()
        };
        let deadline = tokio::time::Instant::now() + WAIT;
        while planned().await == 0 {
            assert!(
                tokio::time::Instant::now() < deadline,
                "no shift reminders planned"
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        db.close().await;
    }

    fn dms_saying(&self, user: &str, needle: &str) -> usize {
        self.slack
            .dms(user)
            .iter()
            .filter(|m| m.text.contains(needle))
            .count()
    }
}

#[tokio::test]
async fn two_people_pressing_ill_cover_at_once_make_one_override_and_every_copy_says_who() {
    let mut app = TestApp::start_with(policy(&[]), support::monday_morning()).await;
    let asked = app
        .oncall_as(
            "cover me in-hours tomorrow 09:00 to tomorrow 17:00 dentist & <b>",
            EN4,
        )
        .await;
    assert!(
        asked.starts_with("Asked. REQ-1: <@U0PAASEN4> asks for cover on *in-hours*"),
        "{asked}"
    );
    assert!(
        asked.contains("dentist &amp; &lt;b&gt;"),
        "the note is escaped: {asked}"
    );
    let (a, b) = (
        app.request_copy(TOPIC, "REQ-1").await,
        app.request_copy(OTHER, "REQ-1").await,
    );
    app.copy_says(TOPIC, &a, TAKE).await;

    // EN1 in one channel and EN2 in the other, at the same moment.
    let (one, two) = tokio::join!(
        app.slack.block_action(EN1, TOPIC, &a, TAKE, "1"),
        app.slack.block_action(EN2, OTHER, &b, TAKE, "1"),
    );
    app.slack.wait_ack(&one.unwrap(), WAIT).await.unwrap();
    app.slack.wait_ack(&two.unwrap(), WAIT).await.unwrap();

    app.copy_says(TOPIC, &a, "Covered by <@").await;
    app.copy_says(OTHER, &b, "Covered by <@").await;
    let shown = app.slack.message(TOPIC, &a).unwrap().blocks.to_string();
    let (winner, loser, loser_channel) = if shown.contains(EN1) {
        (EN1, EN2, OTHER)
    } else {
        (EN2, EN1, TOPIC)
    };
    for (channel, ts) in [(TOPIC, &a), (OTHER, &b)] {
        let copy = app.slack.message(channel, ts).unwrap();
        assert!(
            copy.blocks
                .to_string()
                .contains(&format!("Covered by <@{winner}> (OVR-1)")),
            "{channel}"
        );
        assert!(
            !copy.blocks.to_string().contains(TAKE),
            "the button is gone in {channel}"
        );
    }
    app.ephemeral_says(
        loser_channel,
        loser,
        &format!("REQ-1 is already covered by <@{winner}>"),
    )
    .await;
    app.dm_shows(EN4, &format!("<@{winner}> is covering you on *in-hours*"))
        .await;

    let overrides = app.oncall_as("overrides", EN4).await;
    assert!(overrides.contains("OVR-1"), "{overrides}");
    assert!(
        !overrides.contains("OVR-2"),
        "exactly one override: {overrides}"
    );
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap());
    let now = app.oncall_as("in-hours", EN4).await;
    assert!(now.contains(&format!("<@{winner}>")), "{now}");
    let open = app.oncall_as("requests", EN4).await;
    assert!(open.starts_with("No open cover requests"), "{open}");

    // A press after it was taken changes nothing.
    app.press_take(EN1, TOPIC, &a, "1").await;
    if winner == EN2 {
        app.ephemeral_says(TOPIC, EN1, "already covered by <@U0PAASEN2>")
            .await;
    }
    let overrides = app.oncall_as("overrides", EN4).await;
    assert!(!overrides.contains("OVR-2"), "{overrides}");
    app.stop().await;
}

#[tokio::test]
async fn a_request_nobody_takes_lapses_at_its_start_once_across_restarts() {
    let mut app = TestApp::start_with(policy(&[]), support::monday_morning()).await;
    app.oncall_as("cover me in-hours tomorrow 09:00 to tomorrow 12:00", EN4)
        .await;
    let listed = app.oncall_as("requests", support::incident::ALICE).await;
    assert!(
        listed.contains("REQ-1: <@U0PAASEN4> asks for cover on *in-hours*"),
        "{listed}"
    );
    let ts = app.request_copy(TOPIC, "REQ-1").await;

    // Down across its start: it lapses when the bot is back.
    app.stop().await;
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 24, 9, 30, 0).unwrap());
    app.boot().await;
    app.copy_says(TOPIC, &ts, "Lapsed").await;
    let other = app.request_copy(OTHER, "REQ-1").await;
    app.copy_says(OTHER, &other, "Lapsed").await;
    app.dm_shows(EN4, "has lapsed").await;
    let listed = app.oncall_as("requests", EN4).await;
    assert!(listed.starts_with("No open cover requests"), "{listed}");

    app.press_take(EN1, TOPIC, &ts, "1").await;
    app.ephemeral_says(TOPIC, EN1, "REQ-1 has lapsed").await;
    app.restart().await;
    app.clock.advance(Duration::hours(2));
    app.oncall_as("", EN4).await;
    assert_eq!(app.dms_saying(EN4, "has lapsed"), 1);
    let overrides = app.oncall_as("overrides", EN4).await;
    assert!(!overrides.contains("OVR-1"), "{overrides}");
    app.stop().await;
}

#[tokio::test]
async fn bad_cover_requests_are_refused_with_the_usage_and_change_nothing() {
    let mut app = TestApp::start_with(policy(&[]), support::monday_morning()).await;
    for (args, user, says) in [
        (
            "cover me payroll tomorrow 09:00 to tomorrow 17:00",
            EN4,
            "`payroll` is not a rota",
        ),
        (
            "cover me in-hours today 09:00 to today 17:00",
            EN4,
            "must start in the future",
        ),
        (
            "cover me in-hours tomorrow 09:00 to today 17:00",
            EN4,
            "before it starts",
        ),
        (
            "cover me in-hours tomorrow 09:00 to tomorrow 17:00",
            CM1,
            "Only members of the *in-hours* rota",
        ),
        ("cover me in-hours tomorrow 09:00", EN4, "is not a range"),
        (
            "cover me in-hours tomorrow 09:00 to tomorrow 17:00",
            EN1,
            "You are not on call on *in-hours*",
        ),
    ] {
        let reply = app.oncall_as(args, user).await;
        assert!(reply.contains(says), "{args}: {reply}");
        assert!(
            reply.contains("/oncall cover me ROTA FROM to TO"),
            "usage shown: {reply}"
        );
    }
    let listed = app.oncall_as("requests", EN4).await;
    assert!(listed.starts_with("No open cover requests"), "{listed}");

    // The asker and people off the rota cannot take a request.
    app.oncall_as("cover me in-hours tomorrow 09:00 to tomorrow 17:00", EN4)
        .await;
    let ts = app.request_copy(TOPIC, "REQ-1").await;
    app.press_take(EN4, TOPIC, &ts, "1").await;
    app.ephemeral_says(TOPIC, EN4, "REQ-1 is your own request")
        .await;
    app.press_take(CM1, TOPIC, &ts, "1").await;
    app.ephemeral_says(TOPIC, CM1, "Only members of the *in-hours* rota")
        .await;
    let listed = app.oncall_as("requests", EN4).await;
    assert!(listed.contains("REQ-1"), "still open: {listed}");
    let overrides = app.oncall_as("overrides", EN4).await;
    assert!(!overrides.contains("OVR-1"), "{overrides}");
    let posted = app
        .slack
        .messages(TOPIC)
        .iter()
        .filter(|m| m.text.starts_with("REQ-"))
        .count();
    assert_eq!(posted, 1, "only the good request was posted");
    app.stop().await;
}

#[tokio::test]
async fn a_shift_reminder_fires_once_and_late_after_downtime_across_restarts() {
    let mut app = TestApp::start_with(policy(&[24 * 60, 60]), support::monday_morning()).await;
    app.shift_reminders_planned().await;
    // EN2's out-of-hours shift starts at 17:00: an hour before, a DM.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 23, 16, 0, 0).unwrap());
    app.dm_shows(EN2, "Your *out-of-hours* shift starts in 1 h")
        .await;

    // EN4's Tuesday in-hours shift: its 1h reminder falls due while down.
    app.stop().await;
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 24, 8, 30, 0).unwrap());
    app.boot().await;
    app.dm_shows(EN4, "Your *in-hours* shift starts in 30 min")
        .await;
    app.dm_shows(EN4, "while the bot was not running").await;
    app.restart().await;
    app.restart().await;
    app.oncall_as("", EN4).await;
    assert_eq!(app.dms_saying(EN4, "Your *in-hours* shift starts"), 1);
    // Tonight's an hour ahead, once; tomorrow night's day-ahead one fell
    // due while the bot was down and came late, once.
    assert_eq!(
        app.dms_saying(EN2, "Your *out-of-hours* shift starts in 1 h"),
        1
    );
    assert_eq!(
        app.dms_saying(EN2, "Your *out-of-hours* shift starts in 8 h"),
        1
    );
    app.stop().await;
}

#[tokio::test]
async fn an_override_inside_the_lead_time_tells_both_people_at_once() {
    let mut app = TestApp::start_with(policy(&[24 * 60, 60]), support::monday_morning()).await;
    let done = app
        .oncall_as(
            "cover in-hours <@U0PAASEN1> tomorrow 09:00 to tomorrow 17:00",
            support::incident::ALICE,
        )
        .await;
    assert!(done.contains("OVR-1"), "{done}");
    app.dm_shows(EN1, "shifts starting soon have changed: you now cover")
        .await;
    app.dm_shows(
        EN4,
        "shifts starting soon have changed: you no longer cover",
    )
    .await;

    // Next week is outside the lead: the override DMs, no shift change.
    app.oncall_as(
        "cover in-hours <@U0PAASEN1> 2026-12-02 09:00 to 2026-12-02 17:00",
        support::incident::ALICE,
    )
    .await;
    let slack = app.slack.clone();
    slack
        .wait_until(WAIT, |s| {
            s.dms(EN1).iter().any(|m| m.text.contains("OVR-2"))
        })
        .await
        .unwrap();
    assert_eq!(app.dms_saying(EN1, "have changed"), 1);
    // Tuesday's reminder now goes to EN1, not EN4.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 24, 8, 0, 0).unwrap());
    app.dm_shows(EN1, "Your *in-hours* shift starts in 1 h")
        .await;
    app.oncall_as("", EN4).await;
    assert_eq!(app.dms_saying(EN4, "Your *in-hours* shift starts"), 0);
    app.stop().await;
}

async fn open_home(app: &TestApp, user: &str) -> Value {
    let before = app.slack.home(user).map(|h| h["hash"].clone());
    let event = serde_json::json!({"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"});
    let id = app.slack.event(event).await.unwrap();
    app.slack.wait_ack(&id, WAIT).await.unwrap();
    let (slack, user) = (app.slack.clone(), user.to_owned());
    slack
        .wait_until(WAIT, |s| {
            s.home(&user).is_some() && s.home(&user).map(|h| h["hash"].clone()) != before
        })
        .await
        .expect("the Home tab is published");
    app.slack.home(&user).unwrap()
}

/// `state.values` of the ask-for-cover modal.
fn ask_form(rota: &str, from: &str, to: &str, note: &str) -> Value {
    let text = |v: &str| serde_json::json!({"type": "plain_text_input", "value": v});
    serde_json::json!({
        "cover_rota": {"cover_rota": {"type": "static_select", "selected_option": {
            "text": {"type": "plain_text", "text": rota}, "value": rota}}},
        "cover_from": {"cover_from": text(from)},
        "cover_to": {"cover_to": text(to)},
        "cover_note": {"cover_note": text(note)},
    })
}

#[tokio::test]
async fn home_asks_for_cover_in_a_modal_and_shows_open_requests_to_take() {
    let mut app = TestApp::start_with(policy(&[]), support::monday_morning()).await;
    let home = open_home(&app, EN4).await;
    let text = home.to_string();
    assert!(text.contains("No open cover requests"), "{text}");
    assert!(text.contains("home.ask_cover"), "{text}");

    let view_id = home["id"].as_str().unwrap().to_owned();
    let id = app
        .slack
        .block_action_in_view(EN4, &view_id, "home.ask_cover", "ask")
        .await
        .unwrap();
    app.slack.wait_ack(&id, WAIT).await.unwrap();
    let slack = app.slack.clone();
    slack
        .wait_until(WAIT, |s| !s.views().is_empty())
        .await
        .expect("the ask modal opens");
    let modal = app.slack.views()[0].clone();
    assert_eq!(modal.view["callback_id"], "cover_request.ask");
    assert!(modal.view.to_string().contains("in-hours"));

    // A bad start is shown on its field; nothing is asked.
    let id = app
        .slack
        .view_submission(
            EN4,
            &modal.view_id,
            ask_form("in-hours", "soon", "17:00", ""),
        )
        .await
        .unwrap();
    let ack = app.slack.wait_ack(&id, WAIT).await.unwrap();
    let errors = ack.payload.expect("errors on the form");
    assert_eq!(errors["response_action"], "errors", "{errors}");
    assert!(errors["errors"]["cover_from"].is_string(), "{errors}");
    let listed = app.oncall_as("requests", EN4).await;
    assert!(listed.starts_with("No open cover requests"), "{listed}");

    let form = ask_form("in-hours", "tomorrow 09:00", "17:00", "school run");
    let id = app
        .slack
        .view_submission(EN4, &modal.view_id, form)
        .await
        .unwrap();
    assert_eq!(app.slack.wait_ack(&id, WAIT).await.unwrap().payload, None);
    let ts = app.request_copy(TOPIC, "REQ-1").await;
    assert!(app
        .slack
        .message(TOPIC, &ts)
        .unwrap()
        .text
        .contains("school run"));

    // Another member sees it on their Home, with the button, and takes it.
    let theirs = open_home(&app, EN1).await;
    assert!(
        theirs.to_string().contains("REQ-1: <@U0PAASEN4>"),
        "{theirs}"
    );
    assert!(theirs.to_string().contains(TAKE), "{theirs}");
    let mine = open_home(&app, EN4).await.to_string();
    assert!(
        mine.contains("REQ-1") && !mine.contains(TAKE),
        "not on your own: {mine}"
    );
    let view_id = theirs["id"].as_str().unwrap().to_owned();
    let id = app
        .slack
        .block_action_in_view(EN1, &view_id, TAKE, "1")
        .await
        .unwrap();
    app.slack.wait_ack(&id, WAIT).await.unwrap();
    app.copy_says(TOPIC, &ts, "Covered by <@U0PAASEN1>").await;
    app.stop().await;
}

#[tokio::test]
async fn a_request_whose_post_response_was_lost_is_posted_once_and_still_edited() {
    let mut app = TestApp::start_with(policy(&[]), support::monday_morning()).await;
    app.slack.lose_response_next("chat.postMessage");
    app.oncall_as("cover me in-hours tomorrow 09:00 to tomorrow 17:00", EN4)
        .await;
    let (a, b) = (
        app.request_copy(TOPIC, "REQ-1").await,
        app.request_copy(OTHER, "REQ-1").await,
    );
    // Both copies' rows settle, the lost one after looking for it.
    let slack = app.slack.clone();
    slack
        .wait_until(WAIT, |s| {
            s.calls_to("chat.postMessage")
                .iter()
                .any(|c| c.error.as_deref() == Some("response_lost"))
                && s.calls_to("conversations.history").iter().any(|c| c.ok)
        })
        .await
        .expect("the lost post is looked for");
    app.press_take(EN1, TOPIC, &a, "1").await;
    app.copy_says(TOPIC, &a, "Covered by <@U0PAASEN1>").await;
    app.copy_says(OTHER, &b, "Covered by <@U0PAASEN1>").await;
    for channel in [TOPIC, OTHER] {
        let copies = app
            .slack
            .messages(channel)
            .iter()
            .filter(|m| m.text.starts_with("REQ-1:"))
            .count();
        assert_eq!(copies, 1, "one copy in {channel}");
    }
    app.stop().await;
}
